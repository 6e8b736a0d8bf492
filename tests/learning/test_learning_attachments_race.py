"""One tablet racing many new uploads at once through the edge's real tablet API (TLS, its own
certificate, one connection per request) still gets no more than attachments.max_open: the count
and the new upload's row are one immediate transaction (an independent probe had 39 of 80 parallel
first chunks accepted against a limit of 20)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from edge.attachments.store import Attachment
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
