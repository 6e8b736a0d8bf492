"""wire.batches: an edge seals and signs; only the hub opens; any change is caught."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tracemalloc
import uuid

import cbor2
import pytest
import zstandard

from wire import batches
from wire.batches import BatchError, BatchHeader, open_sealed, read_envelope, seal, verify
from wire.keys import SealingPrivateKey, new_signing_key
from wire.records import new_record

CANARY_LEARNER = "L-CANARY-7731-PLAINTEXT"
CANARY_TEXT = "a sentence only the hub may read"


@pytest.fixture(scope="module")
def hub_key():
    return SealingPrivateKey.generate()


@pytest.fixture(scope="module")
def edge_key():
    return new_signing_key()


@pytest.fixture
def records():
    return [dict(new_record("message", CANARY_LEARNER, seq, {"text": CANARY_TEXT}).to_dict(),
                 device="tab-1", received="2026-11-26T20:10:01Z") for seq in range(1, 4)]


def header_for(sealed_to, count: int, **changes) -> BatchHeader:
    header = BatchHeader(edge="edge-1", batch=str(uuid.uuid4()), seq=1, created="2026-11-26T20:11:00Z",
                         count=count, priority=0, hub_key=sealed_to.public_key().id)
    return dataclasses.replace(header, **changes)


def signed(header_bytes: bytes, ciphertext: bytes, edge_key) -> bytes:
    """An envelope as an edge with `edge_key` would sign it (re-signing after tampering)."""
    signature = edge_key.sign(cbor2.dumps([batches.SIG_LABEL, header_bytes, ciphertext]))
    return cbor2.dumps([header_bytes, ciphertext, signature])


def sealed_raw_body(hub_key, edge_key, body: bytes, count: int = 1) -> bytes:
    """An envelope around an arbitrary (already compressed) body, correctly sealed and signed."""
    header_bytes = header_for(hub_key, count).to_bytes()
    ciphertext = batches.SUITE.encrypt(body, hub_key.public_key().hpke_key, info=batches.INFO_LABEL + header_bytes)
    return signed(header_bytes, ciphertext, edge_key)


def opened(envelope: bytes, hub_key, edge_key) -> list[dict]:
    env = read_envelope(envelope)
    verify(env, edge_key.public_key())
    return open_sealed(env, hub_key)


def code_of(action) -> str:
    with pytest.raises(BatchError) as caught:
        action()
    return caught.value.code


def test_sealed_batch_round_trips_to_the_hub(hub_key, edge_key, records):
    header = header_for(hub_key, len(records))
    envelope = seal(header, records, hub_key.public_key(), edge_key)

    env = read_envelope(envelope)
    verify(env, edge_key.public_key())

    assert env.header == header
    assert env.digest == hashlib.sha256(envelope).hexdigest()
    assert open_sealed(env, hub_key) == records


def test_envelope_does_not_contain_the_records_in_clear(hub_key, edge_key, records):
    envelope = seal(header_for(hub_key, len(records)), records, hub_key.public_key(), edge_key)

    assert CANARY_LEARNER.encode() not in envelope
    assert CANARY_TEXT.encode() not in envelope
    assert records[0]["id"].encode() not in envelope


def test_sealing_with_a_header_that_names_another_hub_key_is_refused(hub_key, edge_key, records):
    header = header_for(hub_key, len(records), hub_key="0123456789abcdef")

    with pytest.raises(ValueError, match="different hub key"):
        seal(header, records, hub_key.public_key(), edge_key)


@pytest.mark.parametrize("change", [{"count": 4}, {"edge": "edge-2"}, {"seq": 2}, {"priority": 2},
                                    {"batch": "00000000-0000-4000-8000-000000000000"}],
                         ids=lambda change: next(iter(change)))
def test_changed_header_fails_the_signature_and_cannot_be_opened_even_when_re_signed(
        hub_key, edge_key, records, change):
    header = header_for(hub_key, len(records))
    env = read_envelope(seal(header, records, hub_key.public_key(), edge_key))
    changed = dataclasses.replace(header, **change).to_bytes()

    tampered = read_envelope(cbor2.dumps([changed, env.ciphertext, env.signature]))
    assert code_of(lambda: verify(tampered, edge_key.public_key())) == "bad_signature"

    re_signed = read_envelope(signed(changed, env.ciphertext, edge_key))
    verify(re_signed, edge_key.public_key())
    assert code_of(lambda: open_sealed(re_signed, hub_key)) == "cannot_open"


@pytest.mark.parametrize("position", [0, 600, -20, -1], ids=["kem-start", "kem-middle", "body", "tag-end"])
def test_flipped_ciphertext_byte_fails_the_signature_and_cannot_be_opened_even_when_re_signed(
        hub_key, edge_key, records, position):
    env = read_envelope(seal(header_for(hub_key, len(records)), records, hub_key.public_key(), edge_key))
    flipped = bytearray(env.ciphertext)
    flipped[position] ^= 0x01

    tampered = read_envelope(cbor2.dumps([env.header_bytes, bytes(flipped), env.signature]))
    assert code_of(lambda: verify(tampered, edge_key.public_key())) == "bad_signature"

    re_signed = read_envelope(signed(env.header_bytes, bytes(flipped), edge_key))
    assert code_of(lambda: open_sealed(re_signed, hub_key)) == "cannot_open"


def test_truncated_ciphertext_cannot_be_opened(hub_key, edge_key, records):
    env = read_envelope(seal(header_for(hub_key, len(records)), records, hub_key.public_key(), edge_key))
    re_signed = read_envelope(signed(env.header_bytes, env.ciphertext[:40], edge_key))

    assert code_of(lambda: open_sealed(re_signed, hub_key)) == "cannot_open"


def test_signature_by_another_edge_key_does_not_verify(hub_key, edge_key, records):
    env = read_envelope(seal(header_for(hub_key, len(records)), records, hub_key.public_key(), new_signing_key()))

    assert code_of(lambda: verify(env, edge_key.public_key())) == "bad_signature"


def test_batch_sealed_to_another_hub_key_cannot_be_opened(hub_key, edge_key, records):
    other_hub = SealingPrivateKey.generate()
    envelope = seal(header_for(other_hub, len(records)), records, other_hub.public_key(), edge_key)

    assert code_of(lambda: opened(envelope, hub_key, edge_key)) == "cannot_open"


@pytest.mark.parametrize("garbage", [
    b"", b"garbage", b"\xff" * 64, cbor2.dumps({"header": b"h"}), cbor2.dumps([b"h", b"c"]),
    cbor2.dumps([b"h", "ciphertext as text", b"s"]), cbor2.dumps([b"h", b"c", b"s", b"extra"]),
], ids=["empty", "text", "ff", "map", "two-parts", "text-part", "four-parts"])
def test_bytes_that_are_not_an_envelope_are_refused_as_bad_envelope(garbage):
    assert code_of(lambda: read_envelope(garbage)) == "bad_envelope"


def test_truncated_envelope_is_refused_as_bad_envelope(hub_key, edge_key, records):
    envelope = seal(header_for(hub_key, len(records)), records, hub_key.public_key(), edge_key)

    assert code_of(lambda: read_envelope(envelope[:-10])) == "bad_envelope"


def header_fields(**changes) -> bytes:
    fields = dataclasses.asdict(BatchHeader("edge-1", "b", 1, "2026-11-26T20:11:00Z", 1, 0, "k"))
    fields.update(changes)
    return batches.canonical_json({k: v for k, v in fields.items() if v is not None})


@pytest.mark.parametrize("header_bytes", [
    b"not json", b"[]", b"17", b"\xff",
    header_fields(v=2), header_fields(suite="P256/HKDF-SHA256/AES-128-GCM"),
    header_fields(count=None), header_fields(shard=3),
], ids=["text", "list", "number", "not-utf8", "version-2", "other-suite", "missing-count", "extra-field"])
def test_envelope_with_an_unusable_header_is_refused_as_bad_header(header_bytes):
    assert code_of(lambda: read_envelope(cbor2.dumps([header_bytes, b"c", b"s"]))) == "bad_header"


def test_deeply_nested_header_is_refused_as_bad_header():
    assert code_of(lambda: read_envelope(cbor2.dumps([b"[" * 100_000, b"c", b"s"]))) == "bad_header"


def test_header_count_that_does_not_match_the_body_is_refused_as_bad_body(hub_key, edge_key, records):
    envelope = seal(header_for(hub_key, len(records) + 1), records, hub_key.public_key(), edge_key)

    with pytest.raises(BatchError) as caught:
        opened(envelope, hub_key, edge_key)
    assert caught.value.code == "bad_body"
    assert "4" in caught.value.reason and "3" in caught.value.reason


@pytest.mark.parametrize("body", [
    b"not zstd",
    zstandard.ZstdCompressor().compress(b"not json"),
    zstandard.ZstdCompressor().compress(b'{"records": []}'),
    zstandard.ZstdCompressor().compress(b'[{"id": 1}, "a string"]'),
], ids=["not-zstd", "not-json", "object", "list-with-a-string"])
def test_body_that_is_not_a_compressed_list_of_records_is_refused_as_bad_body(hub_key, edge_key, body):
    assert code_of(lambda: opened(sealed_raw_body(hub_key, edge_key, body), hub_key, edge_key)) == "bad_body"


BOMB = b"[" + b" " * (4 * 1024 * 1024) + b"]"


@pytest.mark.parametrize("write_content_size", [True, False], ids=["size-declared", "size-undeclared"])
def test_body_inflating_beyond_the_limit_is_refused_as_bad_body(hub_key, edge_key, monkeypatch,
                                                                 write_content_size):
    body = zstandard.ZstdCompressor(write_content_size=write_content_size).compress(BOMB)
    monkeypatch.setattr(batches, "MAX_BODY_BYTES", 64 * 1024)
    assert len(body) < 1024

    assert code_of(lambda: opened(sealed_raw_body(hub_key, edge_key, body, count=0), hub_key, edge_key)) == "bad_body"


def test_body_declaring_a_size_beyond_the_limit_is_refused_without_inflating_it(monkeypatch):
    body = zstandard.ZstdCompressor(write_content_size=True).compress(BOMB)
    monkeypatch.setattr(batches, "MAX_BODY_BYTES", 64 * 1024)

    tracemalloc.start()
    try:
        with pytest.raises(BatchError):
            batches.decode_body(body, count=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 1024 * 1024, f"inflated {peak} bytes for a {batches.MAX_BODY_BYTES}-byte limit"


def test_body_exactly_at_the_limit_is_accepted(monkeypatch):
    raw = json.dumps([{"pad": "x" * 100}]).encode()
    monkeypatch.setattr(batches, "MAX_BODY_BYTES", len(raw))

    assert batches.decode_body(zstandard.ZstdCompressor().compress(raw), count=1) == [{"pad": "x" * 100}]
