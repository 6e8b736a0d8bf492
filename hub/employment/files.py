"""Videos and their captions, told apart by their first bytes, never by a file's name: MP4 (an ISO base media
file, `ftyp` at byte 4) or WebM (an EBML header whose doc type is webm); captions are WebVTT (its text starts
`WEBVTT`). Stored once in the hub's content-addressed blob store (hub/courses/blobs.py), by SHA-256. Pure but for
`store`."""

from __future__ import annotations

from collections.abc import Iterable

from hub.courses.blobs import BlobStore, Stored
from hub.refusals import Refused

MAX_VIDEO_BYTES = 200 * 1024 * 1024
"""A video may be at most this: a phone downloads it whole (resumably) and keeps it for offline use."""
MAX_CAPTIONS_BYTES = 512 * 1024
HEAD = 64
VIDEO_TYPES = {"video/mp4": "MP4", "video/webm": "WebM"}
CAPTIONS_TYPE = "text/vtt"


def sniff_video(head: bytes) -> str | None:
    """video/mp4, video/webm, or None for anything else (whatever its name says)."""
    head = head[:HEAD]
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return "video/webm"
    return None


def is_webvtt(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf")
    return text.startswith(b"WEBVTT") and (len(text) == 6 or text[6:7] in (b" ", b"\t", b"\n", b"\r"))


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _checked(chunks: Iterable[bytes], most: int, what: str) -> Iterable[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > most:
            raise Refused(413, "too_large", f"the {what} is over {megabytes(most)}: make it shorter or smaller, then "
                          "publish it again")
        yield chunk


def store_video(blobs: BlobStore, head: bytes, chunks: Iterable[bytes]) -> tuple[Stored, str]:
    """Keep a video whose first bytes are `head` (and all of it `chunks`); Refused 415 for anything but MP4 or
    WebM, 413 over MAX_VIDEO_BYTES (nothing kept either way)."""
    media_type = sniff_video(head)
    if media_type is None:
        raise Refused(415, "not_a_video", "the video must be an MP4 or WebM file (what it holds decides, not its "
                      "name): export it as MP4 (H.264) and publish it again")
    return blobs.put(_checked(chunks, MAX_VIDEO_BYTES, "video")), media_type


def store_captions(blobs: BlobStore, data: bytes) -> Stored:
    """Keep a WebVTT captions file; Refused 415 for anything else, 413 over MAX_CAPTIONS_BYTES."""
    if len(data) > MAX_CAPTIONS_BYTES:
        raise Refused(413, "too_large", f"the captions file is over {MAX_CAPTIONS_BYTES // 1024} KB: is it WebVTT?")
    if not is_webvtt(data[:HEAD]):
        raise Refused(415, "not_webvtt", "captions must be a WebVTT file (it starts with the word WEBVTT): save them "
                      "as .vtt and publish again")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(415, "not_webvtt", "the captions file is not UTF-8 text: save it as UTF-8 WebVTT") from None
    return blobs.put_bytes(data)
