"""Reading an uploaded zip safely: check every member before anything is stored, then stream
each file into the blob store while counting what really comes out.

Refused, each with its own code:
- `bad_zip`: not a zip, or a member that does not inflate to what its header says (CRC, length);
- `unsafe_path`: zip-slip (`..`), absolute, backslash, NUL or empty-segment names;
- `symlink`: a member that is a symbolic link (or any special file);
- `encrypted`, `unsupported_compression`;
- `duplicate_path`: the same name twice;
- `too_many_files` (counted in the central directory before zipfile reads it: zipcount.py),
  `too_large` (one file or the total, as declared, over the hub's limits);
- `zip_bomb`: a file declared to inflate more than MAX_RATIO times (above RATIO_FREE_BYTES),
  the whole package so (above RATIO_FREE_TOTAL: thousands of small files each just under the
  first), or a file that yields more bytes than declared while it is extracted.

A member whose mode has no file type (Python's `ZipFile.writestr(name, data)` writes 0o600) is
a plain file.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator

from hub.courses import zipcount
from hub.courses.blobs import CHUNK, BlobStore, Stored
from hub.courses.package import MAX_RATIO, RATIO_FREE_BYTES, RATIO_FREE_TOTAL, Limits, PackageError, safe_path

_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
ENTRY_BYTES = 8 << 10
"""What one central directory entry may take, name and extra fields included (a path is at most
1024 characters), when the directory's size is checked before zipfile reads it into memory."""


def open_zip(path, limits: Limits) -> zipfile.ZipFile:
    """The zip, once its central directory is known to list no more entries than `limits` allow
    (files and as many folders), in no more bytes than they need."""
    most = 2 * limits.max_files
    try:
        with open(path, "rb") as fp:
            found = zipcount.directory(fp)
            entries = zipcount.count_entries(fp, *found, most) if found else 0
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise PackageError("bad_zip", f"the upload cannot be read ({exc})") from None
    if found and found[1] > most * ENTRY_BYTES:
        raise PackageError("too_large", f"the zip's directory (its list of files) is {found[1]} bytes; the "
                           f"{limits.max_files} files a package may hold (COURSE_MAX_FILES) and their folders need "
                           f"at most {most * ENTRY_BYTES}: it is not a course package")
    if entries > most:
        raise PackageError("too_many_files", f"the zip lists more than {most} entries; a package may hold at "
                           f"most {limits.max_files} files (COURSE_MAX_FILES) and their folders")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise PackageError("bad_zip", f"the upload is not a readable zip file ({exc})") from None


def members(archive: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The package's files by path, every one checked against the rules above (nothing read yet)."""
    files: dict[str, zipfile.ZipInfo] = {}
    total = compressed = 0
    for info in archive.infolist():
        name = info.filename
        safe_path(name.rstrip("/") if info.is_dir() else name, "zip member")
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
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
        compressed += info.compress_size
        files[name] = info
    if not files:
        raise PackageError("empty", "the zip holds no files")
    if total > RATIO_FREE_TOTAL and total > MAX_RATIO * max(compressed, 1):
        raise PackageError("zip_bomb", f"the package's {len(files)} files would inflate from {compressed} to {total} "
                           f"bytes (more than {MAX_RATIO} times)")
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
