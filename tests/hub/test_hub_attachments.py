"""GET/PUT /v1/attachments/<sha256>: an edge forwards the attachments its delivered submissions name,
in order, resumably; the hub checks the hash and stores each file once; other edges see nothing."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from hubkit import now, post_batch

from edge.config import AttachmentsConfig
from hub.attachments.service import Store, check_size
from hub.config import KEYS
from hub.refusals import Refused
from wire.records import new_record

DATA = bytes(range(256)) * 2 + b"tail"  # 516 bytes: 5 chunks of 128
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def hub_settings():
    return {"MAX_ATTACHMENT_CHUNK_BYTES": 128}


def submit(client, edge, sha256: str = SHA, size: int = len(DATA)) -> None:
    """Deliver a batch holding one submission that names the attachment."""
    payload = {"assignment": "essay-3", "course": "english-2", "text": "My essay", "attachments": [
        {"id": str(uuid.uuid4()), "sha256": sha256, "size": size, "type": "image/png", "name": "page.png"}]}
    record = new_record("assignment_submission", "L-0042", 1, payload).to_dict() | {"device": "tab-1",
                                                                                    "received": now()}
    assert post_batch(client, edge, edge.seal([record])).status_code == 200


def put(client, edge, first: int, last: int, data: bytes | None = None, sha256: str = SHA, size: int = len(DATA)):
    body = DATA[first:last + 1] if data is None else data
    return client.put(f"/v1/attachments/{sha256}", data=body, content_type="application/octet-stream",
                      headers={"Content-Range": f"bytes {first}-{last}/{size}"}, environ_base=edge.environ)


def test_an_attachment_no_submission_of_this_edge_names_does_not_exist_for_it(client, edge, make_edge):
    submit(client, edge)
    other = make_edge("edge-2")

    answers = [client.get(f"/v1/attachments/{SHA}", environ_base=other.environ), put(client, other, 0, 127),
               client.get(f"/v1/attachments/{'0' * 64}", environ_base=edge.environ)]

    assert [(a.status_code, a.get_json()["error"]) for a in answers] == [(404, "not_found")] * 3


def test_chunks_in_order_make_the_file_stored_once_by_hash(client, edge, instance):
    submit(client, edge)
    assert client.get(f"/v1/attachments/{SHA}", environ_base=edge.environ).get_json() == {
        "sha256": SHA, "size": len(DATA), "received": 0, "complete": False, "chunk_bytes": 128}

    answers = [put(client, edge, first, min(first + 127, len(DATA) - 1)).get_json()
               for first in range(0, len(DATA), 128)]

    assert [a["received"] for a in answers] == [128, 256, 384, 512, 516]
    assert [a["complete"] for a in answers] == [False] * 4 + [True]
    assert Store(instance / "attachments").blob(SHA).read_bytes() == DATA


def test_a_repeated_or_early_chunk_says_where_to_resume_and_a_complete_one_changes_nothing(client, edge):
    submit(client, edge)
    put(client, edge, 0, 127)

    again, ahead = put(client, edge, 0, 127), put(client, edge, 256, 383)

    assert (again.status_code, again.get_json()["error"], again.get_json()["received"]) == (409, "range_mismatch", 128)
    assert (ahead.status_code, ahead.get_json()["received"]) == (409, 128)
    for first in range(128, len(DATA), 128):
        put(client, edge, first, min(first + 127, len(DATA) - 1))
    after = put(client, edge, 0, 127)
    assert (after.status_code, after.get_json()["complete"]) == (200, True)


def test_bytes_that_do_not_hash_to_the_name_are_discarded(client, edge, instance):
    wrong = b"x" * 100
    submit(client, edge, size=100)

    answer = put(client, edge, 0, 99, data=wrong, size=100)

    assert (answer.status_code, answer.get_json()["error"]) == (422, "hash_mismatch")
    assert not Store(instance / "attachments").blob(SHA).exists()
    assert client.get(f"/v1/attachments/{SHA}", environ_base=edge.environ).get_json()["received"] == 0


@pytest.mark.parametrize("content_range", ["", "bytes 0-9/516", "bytes 0-127/999", "bytes 0-127", "items 0-127/516"])
def test_a_chunk_without_a_matching_content_range_is_refused(client, edge, content_range):
    submit(client, edge)

    answer = client.put(f"/v1/attachments/{SHA}", data=DATA[:128], content_type="application/octet-stream",
                        headers={"Content-Range": content_range}, environ_base=edge.environ)

    assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_range")


def test_a_chunk_over_the_limit_is_refused_before_it_is_read(client, edge):
    submit(client, edge)

    answer = put(client, edge, 0, 199, data=DATA[:200])

    assert (answer.status_code, answer.get_json()["error"]) == (413, "too_large")


def test_without_an_edge_certificate_nothing_is_answered(client, edge):
    submit(client, edge)

    assert client.get(f"/v1/attachments/{SHA}").status_code == 401


@pytest.mark.parametrize("hub_settings", [{"MAX_ATTACHMENT_CHUNK_BYTES": 128, "MAX_ATTACHMENT_BYTES": len(DATA) - 1}])
def test_an_attachment_declared_over_the_hubs_limit_is_refused_before_a_byte_is_stored(client, edge, instance):
    submit(client, edge)

    asked = client.get(f"/v1/attachments/{SHA}", environ_base=edge.environ)
    sent = put(client, edge, 0, 127)

    for answer in (asked, sent):
        assert (answer.status_code, answer.get_json()["error"]) == (413, "too_large")
        reason = answer.get_json()["reason"]
        assert f"{len(DATA)} bytes" in reason and f"at most {len(DATA) - 1} bytes (MAX_ATTACHMENT_BYTES)" in reason
    store = Store(instance / "attachments")
    assert not store.partial(edge.edge_id, SHA).exists() and not store.blob(SHA).exists()


@pytest.mark.parametrize("hub_settings", [{"MAX_ATTACHMENT_CHUNK_BYTES": 128, "MAX_ATTACHMENT_BYTES": len(DATA)}])
def test_an_attachment_of_exactly_the_hubs_limit_is_stored(client, edge, instance):
    submit(client, edge)

    answers = [put(client, edge, first, min(first + 127, len(DATA) - 1)) for first in range(0, len(DATA), 128)]

    assert [a.status_code for a in answers] == [200] * 5 and answers[-1].get_json()["complete"]
    assert Store(instance / "attachments").blob(SHA).read_bytes() == DATA


def test_bytes_received_over_the_limit_are_refused_whatever_the_submission_declared():
    check_size(100, 400, received=400)  # at the limit
    with pytest.raises(Refused) as refused:
        check_size(100, 400, received=401)
    assert (refused.value.status, refused.value.code) == (413, "too_large") and "400 bytes" in str(refused.value)


def test_the_hubs_default_limit_is_the_edges_default_attachment_size():
    assert KEYS["MAX_ATTACHMENT_BYTES"][1] == AttachmentsConfig().max_bytes
