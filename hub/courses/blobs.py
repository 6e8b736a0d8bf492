"""The hub's content-addressed file store: each file once, under its SHA-256.

    <COURSE_BLOB_DIR>/ab/cd/abcd...(64 hex)     a stored file, never changed once in place
    <COURSE_BLOB_DIR>/tmp/                      files being written (same filesystem, for the rename)

A file is written to tmp/, hashed while it is written, flushed to disk, then renamed into place:
a reader sees a whole file or none. If the same content is already stored, the new copy is
dropped. A blob that no course references (an import refused part-way) is harmless: the edge
API serves only blobs of a targeted course.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wire.records import valid_sha256

CHUNK = 1 << 20


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    new: bool
    """True if this write put the content in the store; False if it was already there."""


class BlobStore:
    def __init__(self, directory: str | os.PathLike):
        self.root = Path(directory)

    @classmethod
    def from_config(cls, config) -> BlobStore:
        return cls(config["COURSE_BLOB_DIR"])

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def path(self, sha256: str) -> Path:
        if not valid_sha256(sha256):
            raise ValueError("a blob is named by 64 lower-case hex digits")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def temp_file(self, suffix: str = ""):
        """An open, named temporary file under tmp/ (the caller removes it)."""
        self.tmp.mkdir(parents=True, exist_ok=True, mode=0o700)
        return tempfile.NamedTemporaryFile(dir=self.tmp, suffix=suffix, delete=False)

    def put(self, chunks: Iterable[bytes]) -> Stored:
        """Store the bytes `chunks` yields. An exception from the iterator leaves nothing behind."""
        digest, size = hashlib.sha256(), 0
        handle = self.temp_file(".part")
        try:
            with handle:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            sha256 = digest.hexdigest()
            target = self.path(sha256)
            if target.is_file():
                return Stored(sha256, size, False)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(handle.name, 0o644)
            os.replace(handle.name, target)
            return Stored(sha256, size, True)
        finally:
            if os.path.exists(handle.name):
                os.unlink(handle.name)

    def put_bytes(self, data: bytes) -> Stored:
        return self.put([data])
