"""Attachments uploaded in chunks through the edge's real tablet API (TLS, a real tablet certificate
each): resumable after a dropped connection, idempotent per chunk, limits checked before anything
is finalised, private to the tablet that uploaded them, and finished uploads no submission names
count against the tablet's open uploads (so one tablet cannot fill the edge's disk)."""

from __future__ import annotations

import hashlib
import json
import math
import ssl
import urllib.error
import urllib.request
import uuid

import pytest

from edge.attachments import store as attachments_store
from edge.attachments.store import Attachment, AttachmentUse, Files
from edge.identity import EdgeFiles
from edge.tablets import registry as tablets
from tablet.attachments import AttachmentError, EdgeApi, Limits, Uploader
from tests.learning.conftest import LIMITS
from tests.learning.learningkit import CuttingProxy, held_chunks, png_bytes, wav_file

CHUNK = LIMITS.chunk_bytes


def uploader(identity, server, port: int | None = None) -> Uploader:
    return Uploader(EdgeApi(identity, "127.0.0.1", port or server.port))


def photo(tmp_path, seed: int = 1):
    path = tmp_path / f"photo-{seed}.png"
    path.write_bytes(png_bytes(seed=seed))  # about 230 KB: 4 chunks of 64 KiB
    return path


def edge_copy(config, sha256: str) -> bytes:
    return Files(config.attachments_dir).blob(sha256).read_bytes()


def test_the_limits_reach_the_tablet_before_it_uploads(edge_api):
    config, server, tablets_ = edge_api

    limits = uploader(tablets_["tab-a"], server).limits()

    assert limits == Limits(512 * 1024, 64 * 1024, ("image/png", "audio/wav"))


def test_a_photo_and_an_audio_recording_upload_in_chunks_and_the_edge_keeps_them_by_hash(edge_api, tmp_path):
    config, server, tablets_ = edge_api
    up = uploader(tablets_["tab-a"], server)
    files = {"image/png": photo(tmp_path), "audio/wav": wav_file(tmp_path / "answer.wav", seconds=3)}

    refs = {kind: up.upload(path, kind, path.name, str(uuid.uuid4())) for kind, path in files.items()}

    for kind, path in files.items():
        data, ref = path.read_bytes(), refs[kind]
        assert (ref.sha256, ref.size, ref.type, ref.name) == (hashlib.sha256(data).hexdigest(), len(data), kind,
                                                              path.name)
        assert edge_copy(config, ref.sha256) == data
        row = Attachment.get(Attachment.id == ref.id)
        assert (row.state, row.device, row.sha256) == ("complete", "tab-a", ref.sha256)
    chunks = [math.ceil(refs[k].size / CHUNK) for k in files]
    assert chunks[0] > 1 and chunks[1] > 1
    assert up.sent == [*range(chunks[0]), *range(chunks[1])]


def test_after_a_dropped_connection_only_the_missing_chunks_are_sent(edge_api, tmp_path):
    config, server, tablets_ = edge_api
    path, attachment_id = photo(tmp_path), str(uuid.uuid4())
    count = math.ceil(path.stat().st_size / CHUNK)
    proxy = CuttingProxy(server.port, cut_after=int(2.5 * CHUNK)).start()
    try:
        with pytest.raises(AttachmentError) as dropped:
            uploader(tablets_["tab-a"], server, proxy.port).upload(path, "image/png", "page.png", attachment_id)
    finally:
        proxy.stop()
    assert dropped.value.code == "unreachable" and proxy.cut.is_set()
    before = held_chunks(attachment_id)
    assert before == list(range(len(before))) and 0 < len(before) < count

    again = uploader(tablets_["tab-a"], server)
    ref = again.upload(path, "image/png", "page.png", attachment_id)

    assert again.sent == [n for n in range(count) if n not in before]
    assert edge_copy(config, ref.sha256) == path.read_bytes()


def test_the_same_chunk_twice_changes_nothing_and_other_bytes_for_it_are_refused(edge_api):
    config, server, tablets_ = edge_api
    api, path = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port), f"/v1/attachments/{uuid.uuid4()}"
    chunk = b"a" * CHUNK

    first = api.call("PUT", f"{path}/chunks/0", chunk, "application/octet-stream")
    second = api.call("PUT", f"{path}/chunks/0", chunk, "application/octet-stream")
    other = api.call("PUT", f"{path}/chunks/0", b"b" * CHUNK, "application/octet-stream")

    assert (first[0], first[1]["stored"]) == (201, True)
    assert (second[0], second[1]["stored"]) == (200, False)
    assert (other[0], other[1]["error"]) == (409, "chunk_conflict")
    status, held = api.call("GET", path)
    assert (status, held["chunks"], held["bytes"], held["state"]) == (200, [0], CHUNK, "uploading")


def test_a_file_over_the_limit_is_refused_before_anything_is_sent(edge_api, tmp_path):
    config, server, tablets_ = edge_api
    big = tmp_path / "big.png"
    big.write_bytes(png_bytes(400, 500))  # about 600 KB, over 512 KiB
    up, attachment_id = uploader(tablets_["tab-a"], server), str(uuid.uuid4())

    with pytest.raises(AttachmentError) as refused:
        up.upload(big, "image/png", "big.png", attachment_id)

    assert refused.value.code == "too_large" and up.sent == []
    assert Attachment.get_or_none(Attachment.id == attachment_id) is None
    with pytest.raises(AttachmentError) as wrong_type:
        up.upload(photo(tmp_path), "video/mp4", "clip.mp4", str(uuid.uuid4()))
    assert wrong_type.value.code == "type_not_allowed" and up.sent == []


def test_the_edge_itself_refuses_an_over_limit_chunk_or_finish_and_finalises_nothing(edge_api):
    config, server, tablets_ = edge_api
    api, attachment_id = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port), str(uuid.uuid4())
    path = f"/v1/attachments/{attachment_id}"
    last = LIMITS.max_bytes // CHUNK  # the first chunk that would reach past max_bytes

    assert api.call("PUT", f"{path}/chunks/0", b"x" * (CHUNK + 1), "application/octet-stream")[0] == 413
    assert api.call("PUT", f"{path}/chunks/{last}", b"x", "application/octet-stream")[1]["error"] == "too_large"
    assert api.call("PUT", f"{path}/chunks/0", b"x" * CHUNK, "application/octet-stream")[0] == 201
    body = {"sha256": "0" * 64, "size": LIMITS.max_bytes + 1, "type": "image/png", "name": "x.png"}
    status, answer = api.call("POST", f"{path}/finish", json.dumps(body).encode())

    assert (status, answer["error"]) == (413, "too_large")
    assert Attachment.get(Attachment.id == attachment_id).state == "uploading"


def test_a_finish_whose_hash_does_not_match_discards_the_upload(edge_api):
    config, server, tablets_ = edge_api
    api, path = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port), f"/v1/attachments/{uuid.uuid4()}"
    api.call("PUT", f"{path}/chunks/0", b"hello", "application/octet-stream")
    body = {"sha256": hashlib.sha256(b"other").hexdigest(), "size": 5, "type": "image/png", "name": "x.png"}

    status, answer = api.call("POST", f"{path}/finish", json.dumps(body).encode())

    assert (status, answer["error"]) == (422, "hash_mismatch")
    assert api.call("GET", path)[0] == 404


def test_missing_chunks_are_named_when_finishing_too_early(edge_api):
    config, server, tablets_ = edge_api
    api, path = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port), f"/v1/attachments/{uuid.uuid4()}"
    api.call("PUT", f"{path}/chunks/1", b"y" * 10, "application/octet-stream")
    body = {"sha256": "0" * 64, "size": CHUNK + 10, "type": "image/png", "name": "x.png"}

    status, answer = api.call("POST", f"{path}/finish", json.dumps(body).encode())

    assert (status, answer["error"], answer["missing"]) == (409, "chunks_missing", [0])


def test_another_tablet_can_neither_read_nor_add_to_nor_finish_an_attachment(edge_api, tmp_path):
    config, server, tablets_ = edge_api
    path, attachment_id = photo(tmp_path), str(uuid.uuid4())
    ref = uploader(tablets_["tab-a"], server).upload(path, "image/png", "page.png", attachment_id)
    other = EdgeApi(tablets_["tab-b"], "127.0.0.1", server.port)
    route = f"/v1/attachments/{attachment_id}"
    finish = {"sha256": ref.sha256, "size": ref.size, "type": "image/png", "name": "page.png"}

    answers = [other.call("GET", route), other.call("PUT", f"{route}/chunks/0", b"z", "application/octet-stream"),
               other.call("POST", f"{route}/finish", json.dumps(finish).encode())]

    assert [(status, body["error"]) for status, body in answers] == [(404, "not_found")] * 3
    row = Attachment.get(Attachment.id == attachment_id)
    assert (row.device, row.state) == ("tab-a", "complete")


def test_without_a_tablet_certificate_or_with_a_revoked_one_nothing_is_served(edge_api):
    config, server, tablets_ = edge_api
    context = ssl.create_default_context(cafile=str(EdgeFiles(config.instance).ca_cert))
    context.check_hostname = False
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"https://127.0.0.1:{server.port}/v1/attachments/limits", context=context,
                               timeout=10)
    assert anonymous.value.code == 401

    tablets.revoke("tab-b", EdgeFiles(config.instance), config.tablets.crl_days)
    status, answer = EdgeApi(tablets_["tab-b"], "127.0.0.1", server.port).call("GET", "/v1/attachments/limits")
    assert (status, answer["error"]) == (401, "client_certificate_required")


def test_intake_takes_a_submission_only_once_its_attachments_are_complete_at_the_edge(edge_api, tmp_path):
    config, server, tablets_ = edge_api
    path = photo(tmp_path)
    ref = uploader(tablets_["tab-a"], server).upload(path, "image/png", "page.png", str(uuid.uuid4()))
    partial_id = str(uuid.uuid4())
    EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port).call(
        "PUT", f"/v1/attachments/{partial_id}/chunks/0", b"p" * CHUNK, "application/octet-stream")
    partial = ref.__class__(partial_id, "1" * 64, CHUNK + 1, "image/png", "b.png")

    def check(device, refs):
        try:
            attachments_store.check_held(device, "rec", refs, 60.0)
        except Exception as exc:  # noqa: BLE001 - the refusal is what is checked
            return exc.code, exc.retry_after
        return None

    assert check("tab-a", (ref,)) is None
    assert check("tab-b", (ref,)) == ("attachment_missing", None)  # another tablet's upload
    assert check("tab-a", (partial,)) == ("attachment_missing", 60.0)  # still uploading: try again later
    never = ref.__class__(str(uuid.uuid4()), ref.sha256, ref.size, ref.type, ref.name)
    assert check("tab-a", (never,)) == ("attachment_missing", None)


def test_an_abandoned_upload_is_discarded_and_no_longer_counts_but_a_finished_one_stays(edge_api, tmp_path):
    config, server, tablets_ = edge_api
    api, abandoned = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port), str(uuid.uuid4())
    api.call("PUT", f"/v1/attachments/{abandoned}/chunks/0", b"q" * CHUNK, "application/octet-stream")
    kept = uploader(tablets_["tab-a"], server).upload(photo(tmp_path), "image/png", "page.png", str(uuid.uuid4()))
    files = Files(config.attachments_dir)

    assert attachments_store.abandon(files, "2000-01-01T00:00:00.000Z") == 0  # nothing that old
    assert attachments_store.abandon(files, "2999-01-01T00:00:00.000Z") == 1

    assert api.call("GET", f"/v1/attachments/{abandoned}")[0] == 404
    assert not files.partial(abandoned).exists()
    assert Attachment.get(Attachment.id == kept.id).state == "complete" and files.blob(kept.sha256).exists()


# finished but never named ----------------------------------------------------------------------
def _upload_small(api: EdgeApi, data: bytes) -> tuple[int, dict]:
    """One small attachment, uploaded and finished; (status, answer) of the last step."""
    attachment_id = str(uuid.uuid4())
    status, answer = api.call("PUT", f"/v1/attachments/{attachment_id}/chunks/0", data, "application/octet-stream")
    if status >= 300:
        return status, answer
    body = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "type": "image/png", "name": "x.png"}
    return api.call("POST", f"/v1/attachments/{attachment_id}/finish", json.dumps(body).encode())


def test_finished_attachments_no_submission_names_count_against_the_tablets_open_uploads(edge_api):
    """Otherwise a tablet could upload and finish attachments without end, each kept on the edge's
    disk for ever, never named, never forwarded (a security review found this)."""
    config, server, tablets_ = edge_api
    api = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port)
    answers = [_upload_small(api, f"junk {i} ".encode() * 100) for i in range(LIMITS.max_open + 3)]

    statuses = [status for status, _ in answers]
    assert statuses[:LIMITS.max_open] == [200] * LIMITS.max_open
    assert set(statuses[LIMITS.max_open:]) == {429}, answers[LIMITS.max_open:]
    assert answers[-1][1]["error"] == "too_many_uploads"
    assert Attachment.select().where(Attachment.device == "tab-a").count() == LIMITS.max_open
    # another tablet is not held back by this one
    assert _upload_small(EdgeApi(tablets_["tab-b"], "127.0.0.1", server.port), b"mine")[0] == 200


def test_once_a_submission_names_its_attachments_the_tablet_may_upload_more(edge_api):
    config, server, tablets_ = edge_api
    api = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port)
    done = [_upload_small(api, f"page {i} ".encode() * 50)[1] for i in range(LIMITS.max_open)]
    assert _upload_small(api, b"one more")[0] == 429
    with attachments_store.writing():  # as the relay does when it commits the submission naming them
        attachments_store.link([("rec-1", answer["id"]) for answer in done])
    assert AttachmentUse.select().count() == LIMITS.max_open

    assert _upload_small(api, b"one more")[0] == 200
