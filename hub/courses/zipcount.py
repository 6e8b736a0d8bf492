"""A zip's central directory sized up before zipfile reads it.

zipfile.ZipFile reads the whole central directory into memory and builds a ZipInfo object
(about half a kilobyte) for every entry in it before anyone can look at them: a 260 MB zip of
three million empty entries took a hub to 1.7 GB of memory only to be refused as
`too_many_files`. `directory` finds the directory as zipfile does (from the end-of-central-
directory record, zip64 included: the directory ends where that record starts); `count_entries`
walks the same headers zipfile walks, reading only their fixed part, and stops past `most`.
Anything odd gives None or stops the count quietly: zipfile then refuses the file itself.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

_END = struct.Struct("<4s4H2LH")  # end of central directory record: [5] is the directory's size
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end record: [8] is the directory's size
_HEADER = struct.Struct("<4s4B4HL2L5H2L")  # a directory entry's fixed part: [12:15] the lengths after it
_MAX_COMMENT = 0xFFFF


def directory(fp: BinaryIO) -> tuple[int, int] | None:
    """(offset, size in bytes) of the zip's central directory; None if there is no sound one."""
    fp.seek(0, 2)
    tail_start = max(0, fp.tell() - _END.size - _MAX_COMMENT)
    fp.seek(tail_start)
    tail = fp.read()
    at = len(tail) - _END.size if tail[-_END.size:-_END.size + 4] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        return None
    end = tail_start + at
    size = _END.unpack_from(tail, at)[5]
    if end >= _END64_LOCATOR.size:
        fp.seek(end - _END64_LOCATOR.size)
        if fp.read(4) == b"PK\x06\x07":  # zip64: the directory ends where the zip64 end record starts
            end -= _END64_LOCATOR.size + _END64.size
            if end < 0:
                return None
            fp.seek(end)
            record = fp.read(_END64.size)
            if len(record) < _END64.size or record[:4] != b"PK\x06\x06":
                return None
            size = _END64.unpack(record)[8]
    return (end - size, size) if end - size >= 0 else None


def count_entries(fp: BinaryIO, start: int, size: int, most: int) -> int:
    """The entries in the directory at `start` (`size` bytes), or `most + 1` as soon as there are
    more than `most`; the count so far where a header is not one."""
    fp.seek(start)
    count = walked = 0
    while walked < size and count <= most:
        header = fp.read(_HEADER.size)
        if len(header) < _HEADER.size or header[:4] != b"PK\x01\x02":
            break
        after = sum(_HEADER.unpack(header)[12:15])  # name, extra field, comment
        fp.seek(after, 1)
        walked += _HEADER.size + after
        count += 1
    return count
