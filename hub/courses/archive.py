"""Reading an uploaded zip safely: check every member before anything is stored, then stream
each file into the blob store while counting what really comes out.

Refused, each with its own code:
- `bad_zip`: not a zip, or a member that does not inflate to what its header says (CRC, length);
- `unsafe_path`: zip-slip (`..`), absolute, backslash, NUL or empty-segment names;
- `symlink`: a member that is a symbolic link (or any special file);
- `encrypted`, `unsupported_compression`;
- `duplicate_path`: the same name twice;
- `too_many_files`, `too_large` (one file or the total, as declared, over the hub's limits);
- `zip_bomb`: a file declared to inflate more than MAX_RATIO times (above RATIO_FREE_BYTES),
  or one that yields more bytes than declared while it is extracted.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator

from hub.courses.blobs import CHUNK, BlobStore, Stored
from hub.courses.package import MAX_RATIO, RATIO_FREE_BYTES, Limits, PackageError, safe_path

_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


def open_zip(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise PackageError("bad_zip", f"the upload is not a readable zip file ({exc})") from None


def members(archive: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The package's files by path, every one checked against the rules above (nothing read yet)."""
    files: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in archive.infolist():
        name = info.filename
        safe_path(name.rstrip("/") if info.is_dir() else name, "zip member")
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        if mode and not stat.S_ISREG(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            raise PackageError("symlink", f"zip member {name!r} is {kind}: packages hold plain files only")
        if info.flag_bits & 0x1:
            raise PackageError("encrypted", f"zip member {name!r} is encrypted")
        if info.compress_type not in _COMPRESSIONS:
            raise PackageError("unsupported_compression",
                               f"zip member {name!r} uses compression method {info.compress_type}")
        if name in files:
            raise PackageError("duplicate_path", f"zip member {name!r} appears twice")
        if len(files) + 1 > limits.max_files:
            raise PackageError("too_many_files", f"the package holds more than {limits.max_files} files "
                               "(COURSE_MAX_FILES)")
        if info.file_size > limits.max_file_bytes:
            raise PackageError("too_large", f"{name!r} is {info.file_size} bytes; one file may be at most "
                               f"{limits.max_file_bytes} (COURSE_MAX_FILE_BYTES)")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise PackageError("too_large", f"the package inflates to more than {limits.max_total_bytes} "
                               "bytes (COURSE_MAX_TOTAL_BYTES)")
        if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageError("zip_bomb", f"{name!r} would inflate from {info.compress_size} to "
                               f"{info.file_size} bytes (more than {MAX_RATIO} times)")
        files[name] = info
    if not files:
        raise PackageError("empty", "the zip holds no files")
    return files


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes; never more than its header declared, and the CRC checked at the end."""
    size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > info.file_size:
                    raise PackageError("zip_bomb", f"{info.filename!r} inflates beyond the {info.file_size} "
                                       "bytes its header declares")
                yield chunk
    except _BROKEN as exc:
        raise PackageError("bad_zip", f"{info.filename!r} does not inflate ({exc})") from None
    if size != info.file_size:
        raise PackageError("bad_zip", f"{info.filename!r} inflates to {size} bytes, not the {info.file_size} "
                           "its header declares")


def read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bytes:
    """A member read into memory (a manifest, quiz or assignment), refused over `most` bytes."""
    if info.file_size > most:
        raise PackageError("too_large", f"{info.filename!r} is {info.file_size} bytes; at most {most} "
                           "are read for a manifest, quiz or assignment")
    return b"".join(_inflate(archive, info))


def store_all(archive: zipfile.ZipFile, files: dict[str, zipfile.ZipInfo], store: BlobStore) -> dict[str, Stored]:
    """Stream every file into the store (each written once, whatever the path)."""
    return {path: store.put(_inflate(archive, info)) for path, info in sorted(files.items())}
