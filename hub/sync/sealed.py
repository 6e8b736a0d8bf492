"""The person's photos and voice notes at rest: AES-256-GCM in segments, so that an upload appends
whole segments as its chunks arrive and a download (or a Range of it) opens only the segments it
needs. The key is a file in the instance (ATTACHMENTS_KEY_FILE, 0600, made at first use), not in
the database: a copy of the database and of the attachments folder does not open them.

    file    = MAGIC (4) | salt (16) | segment 0 | segment 1 | ...
    segment = AES-GCM(file key, nonce = segment number (12 bytes, big-endian),
                      plaintext = SEGMENT bytes (fewer in the last), aad = sha256 hex | last flag)
    file key = HKDF-SHA256(the instance's key, salt, info "throughgate phone attachment")

A segment carries 16 bytes of tag: 0.02 % over 64 KiB. Every chunk but an upload's last is a whole
number of segments, so the bytes on disk are always whole segments (hub/sync/uploads.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from provisioning.files import write_private_once

MAGIC = b"TGA1"
SALT = 16
HEADER = len(MAGIC) + SALT
SEGMENT = 64 * 1024
TAG = 16


class SealedFileError(RuntimeError):
    """A stored attachment this hub's key cannot open (a wrong key file, or bytes changed on disk)."""


def master_key(path: str | Path) -> bytes:
    """The instance's attachments key (32 bytes), made at first use (0600)."""
    path = Path(path)
    if not path.exists():
        write_private_once(path, os.urandom(32).hex().encode())  # a key another process made first stays
    return bytes.fromhex(path.read_text().strip())


def _file_key(master: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(hashes.SHA256(), 32, salt, b"throughgate phone attachment").derive(master))


def _aad(sha256: str, last: bool) -> bytes:
    return sha256.encode() + (b"|1" if last else b"|0")


def plain_size(stored: int) -> int:
    """Plaintext bytes in a sealed file of `stored` bytes (every segment but the last is whole)."""
    body = stored - HEADER
    if body <= 0:
        return 0
    segments = -(-body // (SEGMENT + TAG))
    return body - TAG * segments


def stored_size(plain: int) -> int:
    """Bytes on disk for `plain` bytes sealed."""
    return HEADER + plain + TAG * -(-plain // SEGMENT)


def append(path: Path, master: bytes, sha256: str, first: int, data: bytes, size: int) -> None:
    """Seal `data` (plaintext bytes first.. of a file of `size`) onto the end of `path`; `first` is a
    multiple of SEGMENT, and so is len(data) unless it reaches `size`."""
    if first % SEGMENT or (first + len(data) < size and len(data) % SEGMENT):
        raise ValueError("chunks must be whole segments, but for the last")
    with open(path, "r+b" if path.exists() and path.stat().st_size else "wb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            salt = os.urandom(SALT)
            handle.write(MAGIC + salt)
        else:
            handle.seek(len(MAGIC))
            salt = handle.read(SALT)
            handle.seek(0, os.SEEK_END)
        aead = _file_key(master, salt)
        for start in range(0, len(data), SEGMENT):
            index = (first + start) // SEGMENT
            piece = data[start:start + SEGMENT]
            last = first + start + len(piece) >= size
            handle.write(aead.encrypt(index.to_bytes(12, "big"), piece, _aad(sha256, last)))
        handle.flush()
        os.fsync(handle.fileno())


def read(path: Path, master: bytes, sha256: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
    """The plaintext bytes first..last (inclusive) of a sealed file, a segment at a time."""
    stored = path.stat().st_size
    size = plain_size(stored)
    last = size - 1 if last is None else min(last, size - 1)
    if size == 0 or first > last:
        return
    segments = -(-size // SEGMENT)
    with open(path, "rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise SealedFileError(f"{path.name} is not a sealed attachment")
        aead = _file_key(master, handle.read(SALT))
        for index in range(first // SEGMENT, last // SEGMENT + 1):
            handle.seek(HEADER + index * (SEGMENT + TAG))
            sealed = handle.read(SEGMENT + TAG)
            try:
                plain = aead.decrypt(index.to_bytes(12, "big"), sealed, _aad(sha256, index == segments - 1))
            except InvalidTag:
                raise SealedFileError(f"attachment {sha256} cannot be opened with this hub's attachments key "
                                      "(ATTACHMENTS_KEY_FILE): restore the key file every hub process shares") \
                    from None
            start = index * SEGMENT
            yield plain[max(first - start, 0):last - start + 1]
