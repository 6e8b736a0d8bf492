"""PUT and GET /v1/attachments/<sha256> against a real `throughgate hub run` process, as a stolen
edge (its own certificate and signing key) would use them: parallel uploads, sizes no file has,
hashes no submission names, a full disk. What held before (parallel chunks of one attachment, two
edges finishing one hash at once, Content-Range tricks, path tricks, another edge's attachment) is
in tests/hub/test_hub_attachments.py and docs/security.md."""

from __future__ import annotations

import hashlib
import http.client
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from hubkit import https, now, post_envelope
from hubprocess import HubProcess

from hub.attachments.service import Store
from wire.records import new_record

UNFINISHED_LIMIT = 4


def fake_hash(n: int) -> str:
    return hashlib.sha256(b"attachment %d" % n).hexdigest()


def submission(attachments: list[tuple[str, int]], text: str = "My essay") -> dict:
    """An assignment_submission as an edge batches it, naming (sha256, size) attachments."""
    payload = {"assignment": "essay-3", "course": "english-2", "text": text, "attachments": [
        {"id": str(uuid.uuid4()), "sha256": sha, "size": size, "type": "image/png", "name": "page.png"}
        for sha, size in attachments]}
    return new_record("assignment_submission", "L-0042", 1, payload).to_dict() | {"device": "tab-1", "received": now()}


@pytest.fixture
def hub_process_settings():
    """Settings of the hub process (a test changes them with parametrize). 80 parallel requests come
    from one address here: more than MAX_CONNECTIONS_PER_ADDRESS allows by default."""
    return {"MAX_CONNECTIONS_PER_ADDRESS": 200}


@pytest.fixture
def hub(app, instance, hub_db_url, tmp_path, hub_process_settings):
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log", hub_process_settings).start()
    yield process
    process.stop()


@pytest.fixture
def as_edge(edge, connect_as):
    edge.context = connect_as(edge)
    return edge


def deliver(hub, edge, records: list[dict]) -> None:
    status, answer = post_envelope(hub.url, edge.context, edge.seal(records))
    assert status == 200, answer


def put(hub, edge, sha: str, first: int, data: bytes, size: int):
    return https("PUT", f"{hub.url}/v1/attachments/{sha}", edge.context, data, {
        "Content-Type": "application/octet-stream", "Content-Range": f"bytes {first}-{first + len(data) - 1}/{size}"})


def get(hub, edge, sha: str):
    return https("GET", f"{hub.url}/v1/attachments/{sha}", edge.context)


def partials(instance, edge) -> list[str]:
    folder = Store(instance / "attachments").partial(edge.edge_id, "x").parent
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def test_80_parallel_first_chunks_of_80_attachments_leave_exactly_the_limit_unfinished(hub, as_edge, instance):
    """Before: no limit; one edge left 100 unfinished uploads of 4 MiB (419 MB) in 7 s, never removed."""
    hashes = [fake_hash(n) for n in range(80)]
    for start in range(0, 80, 20):
        deliver(hub, as_edge, [submission([(sha, 1000) for sha in hashes[start:start + 20]])])

    with ThreadPoolExecutor(80) as pool:
        answers = list(pool.map(lambda sha: put(hub, as_edge, sha, 0, b"x" * 100, 1000), hashes))

    assert {status for status, _ in answers} <= {200, 429}
    assert all(answer["received"] == 100 for status, answer in answers if status == 200)
    assert len(partials(instance, as_edge)) == UNFINISHED_LIMIT


def test_an_upload_discarded_for_newer_ones_is_sent_again_from_byte_0_and_stored(hub, as_edge, instance):
    data = os.urandom(3000)
    sha = hashlib.sha256(data).hexdigest()
    others = [fake_hash(n) for n in range(UNFINISHED_LIMIT)]
    deliver(hub, as_edge, [submission([(sha, len(data))] + [(other, 1000) for other in others])])
    assert put(hub, as_edge, sha, 0, data[:1000], len(data))[0] == 200

    for other in others:  # the edge gave up on the first one: four newer uploads start
        assert put(hub, as_edge, other, 0, b"x" * 10, 1000)[0] == 200

    assert sha not in partials(instance, as_edge) and len(partials(instance, as_edge)) == UNFINISHED_LIMIT
    assert get(hub, as_edge, sha)[1]["received"] == 0
    status, answer = put(hub, as_edge, sha, 1000, data[1000:2000], len(data))
    assert (status, answer["error"], answer["received"]) == (409, "range_mismatch", 0)
    answers = [put(hub, as_edge, sha, first, data[first:first + 1000], len(data)) for first in (0, 1000, 2000)]
    assert [status for status, _ in answers] == [200] * 3 and answers[-1][1]["complete"]
    assert Store(instance / "attachments").blob(sha).read_bytes() == data


def test_one_edges_unfinished_uploads_never_discard_another_edges(hub, as_edge, make_edge, connect_as, instance):
    other = make_edge("edge-2")
    other.context = connect_as(other)
    deliver(hub, other, [submission([(fake_hash(100), 1000)])])
    assert put(hub, other, fake_hash(100), 0, b"y" * 10, 1000)[0] == 200
    hashes = [fake_hash(n) for n in range(20)]
    deliver(hub, as_edge, [submission([(sha, 1000) for sha in hashes])])

    for sha in hashes:
        put(hub, as_edge, sha, 0, b"x" * 10, 1000)

    assert partials(instance, other) == [fake_hash(100)]
    assert get(hub, other, fake_hash(100))[1]["received"] == 10


@pytest.mark.parametrize("size", [2**63, 10**30])
def test_a_declared_size_no_file_has_is_refused_as_too_large_not_an_error(hub, as_edge, size):
    """Before: 500 internal_error and a traceback in the hub's log for every GET and PUT (the size did
    not fit the database's 64-bit column)."""
    sha = fake_hash(size % 1000)
    deliver(hub, as_edge, [submission([(sha, size)])])

    asked, sent = get(hub, as_edge, sha), put(hub, as_edge, sha, 0, b"x" * 10, 1000)

    assert (asked[0], asked[1]["error"]) == (413, "too_large") and "MAX_ATTACHMENT_BYTES" in asked[1]["reason"]
    assert sent[0] in (400, 413) and sent[1]["error"] in ("bad_range", "too_large")
    assert "Traceback" not in hub.log()


def median_ms(connection: http.client.HTTPSConnection, paths: list[str]) -> float:
    times = []
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def test_asking_about_hashes_no_submission_names_costs_about_what_a_known_one_costs(hub, as_edge):
    """Before: each such question searched every submission the edge had sent (a LIKE over their
    payloads): with 2,000 submissions of 48 KB it took 290 ms against 30 ms for a known hash, and an
    edge could ask thousands. Now the hub reads each submission once and asks its grants."""
    known = fake_hash(1)
    text = os.urandom(24_000).hex()
    for batch in range(3):
        deliver(hub, as_edge, [submission([(fake_hash(1000 + batch * 100 + n), 1000)], text) for n in range(100)])
    deliver(hub, as_edge, [submission([(known, 1000)])])
    connection = http.client.HTTPSConnection("127.0.0.1", hub.port, context=as_edge.context, timeout=30)
    assert median_ms(connection, [f"/v1/attachments/{known}"] * 3) > 0  # warm: TLS, grants read once

    unknown = median_ms(connection, [f"/v1/attachments/{fake_hash(5000 + n)}" for n in range(15)])
    known_ms = median_ms(connection, [f"/v1/attachments/{known}"] * 15)

    connection.close()
    assert unknown / known_ms < 4


@pytest.mark.parametrize("hub_process_settings", [{"ATTACHMENTS_MIN_FREE_BYTES": 2**62}])
def test_a_chunk_that_would_eat_into_the_free_space_kept_is_refused_and_nothing_is_written(hub, as_edge, instance):
    """An edge can store as many real attachments as it likes; the reserve keeps room on the disk for
    the database, so batches from every edge still arrive."""
    data = os.urandom(1000)
    sha = hashlib.sha256(data).hexdigest()
    deliver(hub, as_edge, [submission([(sha, len(data))])])

    answers = [put(hub, as_edge, sha, 0, data, len(data)) for _ in range(3)]

    assert [(status, answer["error"]) for status, answer in answers] == [(507, "insufficient_storage")] * 3
    assert "ATTACHMENTS_MIN_FREE_BYTES" in answers[0][1]["reason"] and "later" in answers[0][1]["reason"]
    assert get(hub, as_edge, sha)[1]["received"] == 0 and partials(instance, as_edge) == []
    assert hub.log().count("attachments refused:") == 1  # one line, not one a chunk
    deliver(hub, as_edge, [submission([(fake_hash(7), 10)])])  # batches still arrive
