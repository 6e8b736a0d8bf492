"""Security review of the tablet attachment API, against the edge's real tablet API (TLS, real
tablet certificates): one tablet cannot fill the edge's disk with attachments no submission names."""

from __future__ import annotations

import hashlib
import json
import uuid

from edge.attachments import store as attachments_store
from edge.attachments.store import Attachment, AttachmentUse
from tablet.attachments import EdgeApi
from tests.learning.conftest import LIMITS


def _upload(api: EdgeApi, data: bytes) -> tuple[int, dict]:
    """One small attachment, uploaded and finished; (status, answer) of the last step."""
    attachment_id = str(uuid.uuid4())
    status, answer = api.call("PUT", f"/v1/attachments/{attachment_id}/chunks/0", data, "application/octet-stream")
    if status >= 300:
        return status, answer
    body = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "type": "image/png", "name": "x.png"}
    return api.call("POST", f"/v1/attachments/{attachment_id}/finish", json.dumps(body).encode())


def test_finished_attachments_no_submission_names_count_against_the_tablets_open_uploads(edge_api):
    """Before the review a tablet could upload and finish attachments without end (only unfinished
    ones were counted): each kept on the edge's disk for ever, never named, never forwarded."""
    config, server, tablets_ = edge_api
    api = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port)
    answers = [_upload(api, f"junk {i} ".encode() * 100) for i in range(LIMITS.max_open + 3)]

    statuses = [status for status, _ in answers]
    assert statuses[:LIMITS.max_open] == [200] * LIMITS.max_open
    assert set(statuses[LIMITS.max_open:]) == {429}, answers[LIMITS.max_open:]
    assert answers[-1][1]["error"] == "too_many_uploads"
    assert Attachment.select().where(Attachment.device == "tab-a").count() == LIMITS.max_open
    # another tablet is not held back by this one
    assert _upload(EdgeApi(tablets_["tab-b"], "127.0.0.1", server.port), b"mine")[0] == 200


def test_once_a_submission_names_its_attachments_the_tablet_may_upload_more(edge_api):
    config, server, tablets_ = edge_api
    api = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port)
    done = [_upload(api, f"page {i} ".encode() * 50)[1] for i in range(LIMITS.max_open)]
    assert _upload(api, b"one more")[0] == 429
    with attachments_store.writing():  # as the relay does when it commits the submission naming them
        attachments_store.link([("rec-1", answer["id"]) for answer in done])
    assert AttachmentUse.select().count() == LIMITS.max_open

    assert _upload(api, b"one more")[0] == 200

