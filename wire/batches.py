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

import hashlib
import json
from dataclasses import asdict, dataclass

import cbor2
import zstandard
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ed25519

from wire.errors import CodedError
from wire.keys import SealingPrivateKey, SealingPublicKey

VERSION = 1
SUITE_NAME = "MLKEM768-X25519/HKDF-SHA256/CHACHA20-POLY1305"
SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
INFO_LABEL = b"throughgate-batch-v1\x00"
SIG_LABEL = "throughgate-batch-v1"
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Largest decompressed body the hub will inflate (guards against compression bombs)."""
ZSTD_LEVEL = 12
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


def _inflate(body: bytes) -> bytes:
    """Decompress without ever holding more than MAX_BODY_BYTES (whatever the frame claims)."""
    out = bytearray()
    try:
        with zstandard.ZstdDecompressor().stream_reader(body, read_across_frames=True) as reader:
            while chunk := reader.read(1 << 16):
                out += chunk
                if len(out) > MAX_BODY_BYTES:
                    raise BatchError("bad_body", f"body inflates beyond {MAX_BODY_BYTES} bytes")
    except zstandard.ZstdError as exc:
        raise BatchError("bad_body", f"body does not decompress ({exc})") from None
    return bytes(out)


def decode_body(body: bytes) -> list[dict]:
    raw = _inflate(body)
    try:
        records = json.loads(raw)
    except (ValueError, RecursionError):
        raise BatchError("bad_body", "body is not JSON") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise BatchError("bad_body", "body is not a list of records")
    return records


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


def open_sealed(env: Envelope, hub_key: SealingPrivateKey) -> list[dict]:
    """Decrypt and decompress a verified envelope."""
    try:
        body = SUITE.decrypt(env.ciphertext, hub_key.hpke_key, info=INFO_LABEL + env.header_bytes)
    except (InvalidTag, ValueError):
        raise BatchError("cannot_open", "batch does not open with the hub's key (tampered, or sealed "
                         "to another key)") from None
    records = decode_body(body)
    if len(records) != env.header.count:
        raise BatchError("bad_body", f"header says {env.header.count} records, body has {len(records)}")
    return records
