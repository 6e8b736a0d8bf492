"""Sealed batches: how records travel from an edge to the hub.

    envelope = CBOR [header, ciphertext, signature]            (RFC 8949)
    header   = canonical JSON (sorted keys, no spaces), see BatchHeader
    body     = zstd( JSON array of edge records )
    ciphertext = HPKE seal (RFC 9180, mode base) of body to the hub's key,
                 suite ML-KEM-768+X25519 / HKDF-SHA256 / ChaCha20-Poly1305,
                 info = INFO_LABEL || header
    signature  = Ed25519 by the edge over CBOR ["throughgate-batch-v1", header, ciphertext]

The header travels in clear so the hub can find the edge and check the signature before it
spends work on opening anything; binding it into HPKE's key schedule means a changed header
cannot be decrypted. (cryptography's public HPKE API takes `info`, not `aad`; for a single-shot
seal both authenticate the header the same way.) Only the hub's private key opens the
ciphertext, so an edge cannot read back what it has sealed.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import cbor2
import zstandard
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519

from wire.errors import CodedError
from wire.keys import SealingPrivateKey, SealingPublicKey
from wire.records import MAX_RECORD_BYTES

VERSION = 1
SUITE_NAME = "MLKEM768-X25519/HKDF-SHA256/CHACHA20-POLY1305"
SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
INFO_LABEL = b"throughgate-batch-v1\x00"
SIG_LABEL = "throughgate-batch-v1"
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Largest decompressed body the hub will inflate, whatever the header's count (guards against
compression bombs; a body is also bounded by its count, see body_limit)."""
MAX_DEVICE_ID = 63
"""Longest device id (wire.records.valid_device_id)."""
MAX_TIMESTAMP = 40
"""Longest timestamp wire.records.is_timestamp takes (the edge's `received`)."""
EDGE_FIELDS_BYTES = len('{"device":"","received":"",') + MAX_DEVICE_ID + MAX_TIMESTAMP
"""What the edge adds in front of a tablet record in a batch (edge.uplink.stages.batch_json)."""
MAX_ITEM_BYTES = MAX_RECORD_BYTES + EDGE_FIELDS_BYTES
"""Largest record in a body, as JSON: the largest a tablet may send, plus the edge's fields."""
ZSTD_LEVEL = 12
MAX_WINDOW_BYTES = 8 * 1024 * 1024
"""Largest zstd window the hub decompresses with (what levels up to 19 use; ZSTD_LEVEL uses 4 MiB): a frame
asking more is refused, not given a buffer of that size."""
MAX_HEADER_BYTES = 4096


class BatchError(CodedError):
    """A batch that cannot be accepted. `code` names which check failed."""


@dataclass(frozen=True)
class BatchHeader:
    edge: str
    batch: str
    seq: int
    created: str
    count: int
    priority: int
    hub_key: str
    suite: str = SUITE_NAME
    v: int = VERSION

    def to_bytes(self) -> bytes:
        return canonical_json(asdict(self))

    @classmethod
    def from_bytes(cls, data: bytes) -> BatchHeader:
        if len(data) > MAX_HEADER_BYTES:
            raise BatchError("bad_header", f"header is larger than {MAX_HEADER_BYTES} bytes")
        try:
            fields = json.loads(data)
            header = cls(**fields)
        except (ValueError, TypeError, RecursionError) as exc:
            raise BatchError("bad_header", f"header is not a batch header ({exc})") from None
        if header.v != VERSION or header.suite != SUITE_NAME:
            raise BatchError("bad_header", f"unsupported batch version {header.v} or suite {header.suite}")
        return header


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _to_be_signed(header: bytes, ciphertext: bytes) -> bytes:
    return cbor2.dumps([SIG_LABEL, header, ciphertext])


def encode_body(records: list[dict]) -> bytes:
    return compress(json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode())


def compress(records_json: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(records_json)


def body_limit(count: int) -> int:
    """Most bytes a body of `count` records may inflate to: every record at its largest (MAX_ITEM_BYTES)
    with a comma, and the list's brackets; never more than MAX_BODY_BYTES."""
    return min(MAX_BODY_BYTES, 2 + count * (MAX_ITEM_BYTES + 1))


def _inflated(body: bytes, most: int) -> Iterator[bytes]:
    """The body decompressed, 64 KiB at a time; refused once it passes `most` bytes, whatever the
    frame claims."""
    total = 0
    try:
        with zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW_BYTES).stream_reader(
                body, read_across_frames=True) as reader:
            while chunk := reader.read(1 << 16):
                total += len(chunk)
                if total > most:
                    raise BatchError("bad_body", f"body inflates beyond {most} bytes, the most its records may "
                                     "take; seal each batch with the count of records it holds")
                yield chunk
    except zstandard.ZstdError as exc:
        raise BatchError("bad_body", f"body does not decompress ({exc}; the hub decompresses with a window of "
                         f"at most {MAX_WINDOW_BYTES} bytes: zstd level 19 or lower)") from None


_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_DECODER = json.JSONDecoder()


class _BodyText:
    """The inflated body as text, decoded as it is read; `pos` is where reading has got to."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text, self.pos, self.ended = "", 0, False

    def _more(self) -> bool:
        """Add the next chunk (dropping what was read); False at the end of the body."""
        if self.ended:
            return False
        chunk = next(self._chunks, None)
        try:
            decoded = self._utf8.decode(chunk or b"", final=chunk is None)
        except UnicodeDecodeError:
            raise BatchError("bad_body", "body is not UTF-8 JSON") from None
        self.text, self.pos, self.ended = self.text[self.pos:] + decoded, 0, chunk is None
        return True

    def next_char(self) -> str:
        """The next character that is not JSON whitespace (reading on as needed); "" at the end."""
        while not (found := _NOT_SPACE.search(self.text, self.pos)):
            self.pos = len(self.text)
            if not self._more():
                return ""
        self.pos = found.start()
        return self.text[self.pos]

    def record(self, number: int) -> dict:
        """The JSON object starting at `pos`, the `number`-th record: refused once it would be longer than
        MAX_ITEM_BYTES, before the rest of it is read."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
                break
            except RecursionError:
                raise BatchError("bad_body", f"record {number} is nested too deeply to be a record") from None
            except ValueError:  # not JSON, or not all of it read yet
                if len(self.text) - self.pos > MAX_ITEM_BYTES:
                    raise BatchError("bad_body", f"record {number} is not JSON, or is larger than "
                                     f"{MAX_ITEM_BYTES} bytes (a tablet's largest record and the edge's "
                                     "fields)") from None
                if not self._more():
                    raise BatchError("bad_body", f"record {number} is not JSON (the body ends inside "
                                     "it)") from None
        self.pos = end
        return value


def iter_records(body: bytes, count: int) -> Iterator[dict]:
    """The records of a compressed body that should hold `count`, one at a time, read as it inflates.

    Raises BatchError("bad_body") as soon as the body inflates past body_limit(count), holds a record
    more than `count` (before that record is read), a record larger than MAX_ITEM_BYTES, or something
    that is not a record; and at the end if it holds fewer than `count`."""
    text = _BodyText(_inflated(body, body_limit(count)))
    if text.next_char() != "[":
        raise BatchError("bad_body", "body is not a JSON list of records")
    text.pos += 1
    read = 0
    while (char := text.next_char()) != "]":
        if read:
            if char != ",":
                raise BatchError("bad_body", f"body is not a JSON list: ',' or ']' expected after record {read}")
            text.pos += 1
            char = text.next_char()
        if read == count:
            raise BatchError("bad_body", f"the header's count is {count}, but the body holds more records: "
                             f"refused at record {count + 1}; seal each batch with the count of records it holds")
        if char != "{":
            raise BatchError("bad_body", f"record {read + 1} is not a JSON object: the body is a list of records")
        yield text.record(read + 1)
        read += 1
    text.pos += 1
    if text.next_char():
        raise BatchError("bad_body", "body is not JSON: something follows the list of records")
    if read != count:
        raise BatchError("bad_body", f"the header's count is {count}, but the body holds {read} records; seal "
                         "each batch with the count of records it holds")


def decode_body(body: bytes, count: int) -> list[dict]:
    """All the records of a compressed body that should hold `count` (iter_records)."""
    return list(iter_records(body, count))


def seal(header: BatchHeader, records: list[dict], hub_key: SealingPublicKey,
         edge_key: ed25519.Ed25519PrivateKey) -> bytes:
    """Compress, seal to the hub and sign: the envelope the edge stores and sends."""
    return seal_json(header, json.dumps(records, separators=(",", ":"), ensure_ascii=False).encode(),
                     hub_key, edge_key)


def seal_json(header: BatchHeader, records_json: bytes, hub_key: SealingPublicKey,
              edge_key: ed25519.Ed25519PrivateKey) -> bytes:
    """seal() for records already encoded as one JSON array (the edge builds it without re-parsing)."""
    if header.hub_key != hub_key.id:
        raise ValueError("header names a different hub key than the one sealed to")
    header_bytes = header.to_bytes()
    ciphertext = SUITE.encrypt(compress(records_json), hub_key.hpke_key, info=INFO_LABEL + header_bytes)
    signature = edge_key.sign(_to_be_signed(header_bytes, ciphertext))
    return cbor2.dumps([header_bytes, ciphertext, signature])


@dataclass(frozen=True)
class Envelope:
    header: BatchHeader
    header_bytes: bytes
    ciphertext: bytes
    signature: bytes
    digest: str


def read_envelope(envelope: bytes) -> Envelope:
    """Parse the outer layer only (no keys needed): header in clear, sealed body, signature."""
    try:
        parts = cbor2.loads(envelope)
    except Exception:  # cbor2 raises several types for garbage input
        raise BatchError("bad_envelope", "body is not a CBOR batch envelope") from None
    if not (isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, bytes) for p in parts)):
        raise BatchError("bad_envelope", "envelope must be [header, ciphertext, signature]")
    header_bytes, ciphertext, signature = parts
    return Envelope(BatchHeader.from_bytes(header_bytes), header_bytes, ciphertext, signature,
                    hashlib.sha256(envelope).hexdigest())


def verify(env: Envelope, edge_verify_key: ed25519.Ed25519PublicKey) -> None:
    try:
        edge_verify_key.verify(env.signature, _to_be_signed(env.header_bytes, env.ciphertext))
    except InvalidSignature:
        raise BatchError("bad_signature", "signature does not verify with this edge's key") from None


def open_records(env: Envelope, hub_key: SealingPrivateKey) -> Iterator[dict]:
    """Decrypt a verified envelope (now), then its records one at a time as they inflate (iter_records:
    the header's count bounds what is read)."""
    try:
        body = SUITE.decrypt(env.ciphertext, hub_key.hpke_key, info=INFO_LABEL + env.header_bytes)
    except (InvalidTag, ValueError):
        raise BatchError("cannot_open", "batch does not open with the hub's key (tampered, or sealed "
                         "to another key)") from None
    return iter_records(body, env.header.count)


def open_sealed(env: Envelope, hub_key: SealingPrivateKey) -> list[dict]:
    """Decrypt and decompress a verified envelope: all its records."""
    return list(open_records(env, hub_key))
