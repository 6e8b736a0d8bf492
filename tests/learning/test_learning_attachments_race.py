"""One tablet racing many new uploads at once through the edge's real tablet API (TLS, its own
certificate, one connection per request) still gets no more than attachments.max_open: the count
and the new upload's row are one immediate transaction (an independent probe had 39 of 80 parallel
first chunks accepted against a limit of 20)."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from edge.attachments.store import Attachment, Files
from tablet.attachments import EdgeApi
from tests.learning.conftest import LIMITS

RACERS = 80


def _first_chunks_at_once(identity, port: int, count: int) -> list[int]:
    """`count` first chunks of new attachments, released together from `count` threads."""
    start = threading.Barrier(count)

    def first_chunk(i: int) -> int:
        api = EdgeApi(identity, "127.0.0.1", port)
        try:
            api.call("GET", "/v1/attachments/limits")  # connected and shaken hands before the barrier
            start.wait()
            status, _ = api.call("PUT", f"/v1/attachments/{uuid.uuid4()}/chunks/0", f"racer {i}".encode(),
                                 "application/octet-stream")
            return status
        finally:
            api.close()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(first_chunk, range(count)))


def test_parallel_first_chunks_open_exactly_the_limit_of_uploads(edge_api):
    config, server, tablets_ = edge_api

    statuses = _first_chunks_at_once(tablets_["tab-a"], server.port, RACERS)

    assert statuses.count(201) == LIMITS.max_open, statuses
    assert statuses.count(429) == RACERS - LIMITS.max_open, statuses
    assert Attachment.select().where(Attachment.device == "tab-a").count() == LIMITS.max_open


def test_a_refused_racer_leaves_no_chunk_behind_on_the_edge(edge_api):
    config, server, tablets_ = edge_api

    _first_chunks_at_once(tablets_["tab-a"], server.port, RACERS)

    partial = config.attachments_dir / "partial"
    held = {path.name for path in partial.iterdir()} if partial.exists() else set()
    assert held == {row.id for row in Attachment.select(Attachment.id)}


def test_parallel_finishes_of_one_upload_all_get_the_file_and_it_is_whole(edge_api):
    """A tablet whose finish request dropped sends it again while the first may still be running."""
    config, server, tablets_ = edge_api
    api = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port)
    data = bytes(range(256)) * (LIMITS.chunk_bytes * 4 // 256 - 7)  # four chunks, the last one short
    attachment_id = str(uuid.uuid4())
    for n in range(0, len(data), LIMITS.chunk_bytes):
        status, _ = api.call("PUT", f"/v1/attachments/{attachment_id}/chunks/{n // LIMITS.chunk_bytes}",
                             data[n:n + LIMITS.chunk_bytes], "application/octet-stream")
        assert status == 201
    api.close()
    body = json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "type": "image/png",
                       "name": "page.png"}).encode()
    start = threading.Barrier(RACERS // 8)

    def finish(_):
        one = EdgeApi(tablets_["tab-a"], "127.0.0.1", server.port)
        try:
            one.call("GET", "/v1/attachments/limits")
            start.wait()
            return one.call("POST", f"/v1/attachments/{attachment_id}/finish", body)
        finally:
            one.close()

    with ThreadPoolExecutor(RACERS // 8) as pool:
        answers = list(pool.map(finish, range(RACERS // 8)))

    assert {status for status, _ in answers} == {200}, answers
    assert {answer["sha256"] for _, answer in answers} == {hashlib.sha256(data).hexdigest()}
    assert Files(config.attachments_dir).blob(hashlib.sha256(data).hexdigest()).read_bytes() == data
    assert not list((config.attachments_dir / "sha256").glob(".*.tmp"))
