"""A content-addressed course-file cache: each verified file once, by sha256. The edge keeps one
(`[courses] cache_dir`, filled from the hub) and the reference tablet another (filled from the edge).

    <root>/blobs/<first 2 hex>/<sha256>   a file whose bytes hash to its name (read-only)
    <root>/partial/<sha256>               a download in progress; resumed from its length

A file enters blobs/ only through `Download.finish()`, which checks its size and sha256 against
the signed manifest first and then renames it into place (atomic on one filesystem). At the edge,
nothing in blobs/ is offered to tablets until a version naming it is published (edge/courses/sync.py).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from wire.records import valid_sha256

HASH_CHUNK = 1024 * 1024


class BlobError(ValueError):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def check_sha(sha: str) -> str:
    if not valid_sha256(sha):
        raise BlobError("bad_sha256", f"{sha!r} is not a sha256 (64 lower-case hex digits)")
    return sha


class BlobStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.blobs, self.partials = self.root / "blobs", self.root / "partial"

    def create(self) -> BlobStore:
        for folder in (self.root, self.blobs, self.partials):
            folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        return self

    def path(self, sha: str) -> Path:
        check_sha(sha)
        return self.blobs / sha[:2] / sha

    def partial_path(self, sha: str) -> Path:
        return self.partials / check_sha(sha)

    def has(self, sha: str, size: int) -> bool:
        try:
            return self.path(sha).stat().st_size == size
        except FileNotFoundError:
            return False

    def partial_size(self, sha: str) -> int:
        try:
            return self.partial_path(sha).stat().st_size
        except FileNotFoundError:
            return 0

    def download(self, sha: str, size: int, offset: int) -> Download:
        """Continue (offset > 0) or start (offset 0) the partial file of `sha`."""
        return Download(self, sha, size, offset)

    def shas(self) -> set[str]:
        return {p.name for p in self.blobs.glob("*/*") if valid_sha256(p.name)}

    def remove(self, sha: str) -> int:
        """Delete a verified file; returns the bytes freed."""
        path = self.path(sha)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    def drop_partials(self, keep: set[str]) -> int:
        """Delete partial downloads of files no course needs any more; returns the bytes freed."""
        freed = 0
        for path in self.partials.iterdir():
            if path.name not in keep:
                freed += path.stat().st_size
                path.unlink(missing_ok=True)
        return freed


class Download:
    """Bytes of one file appended to its partial file and hashed as they come; `finish()` checks
    and publishes it into blobs/. On resume, the bytes already there are hashed first."""

    def __init__(self, store: BlobStore, sha: str, size: int, offset: int):
        self.store, self.sha, self.size = store, check_sha(sha), size
        self.path = store.partial_path(sha)
        self.hash = hashlib.sha256()
        if offset:
            with open(self.path, "rb") as handle:
                self.offset = _hash_into(self.hash, handle, offset)
        else:
            self.offset = 0
        self._handle = open(self.path, "r+b" if offset else "wb")  # noqa: SIM115 (closed in close())
        self._handle.truncate(self.offset)
        self._handle.seek(self.offset)

    def write(self, chunk: bytes) -> None:
        if self.offset + len(chunk) > self.size:
            self.discard()
            raise BlobError("too_large", f"the hub sent more than the {self.size} bytes the signed manifest "
                            f"gives for {self.sha}")
        self._handle.write(chunk)
        self.hash.update(chunk)
        self.offset += len(chunk)

    def close(self) -> None:
        """Keep what arrived (flushed to disk) for a later resume."""
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()

    def discard(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)

    def finish(self) -> Path:
        """Check size and sha256, then move the file into blobs/ (read-only)."""
        self.close()
        if self.offset != self.size or self.hash.hexdigest() != self.sha:
            got = self.hash.hexdigest()
            self.path.unlink(missing_ok=True)
            raise BlobError("hash_mismatch", f"the file the hub sent as {self.sha} is {self.offset} bytes with "
                            f"sha256 {got}, not the {self.size} bytes the signed manifest gives: it was discarded")
        target = self.store.path(self.sha)
        target.parent.mkdir(exist_ok=True, mode=0o750)
        os.chmod(self.path, 0o440)
        os.replace(self.path, target)
        return target


def _hash_into(digest, handle, limit: int) -> int:
    done = 0
    while done < limit:
        chunk = handle.read(min(HASH_CHUNK, limit - done))
        if not chunk:
            break
        digest.update(chunk)
        done += len(chunk)
    return done
