"""Photos and voice notes a person's phone may attach to a message, told apart by their first bytes
(their magic numbers), never by a file's name: a PDF or a web page renamed `.jpg` is neither.

    photo: image/jpeg, image/png, image/webp
    voice: audio/ogg (Opus), audio/webm, audio/mp4 (M4A, AAC), audio/amr

`sniff(head)` reads at most HEAD bytes of the start of a file; `kind_of(media_type)` says photo,
voice, or None for anything else. Pure functions: the hub and the reference phone both use them.
"""

from __future__ import annotations

HEAD = 64
"""Bytes of a file's start that `sniff` looks at."""
PHOTO, VOICE = "photo", "voice"
TYPES = {
    "image/jpeg": PHOTO, "image/png": PHOTO, "image/webp": PHOTO,
    "audio/ogg": VOICE, "audio/webm": VOICE, "audio/mp4": VOICE, "audio/amr": VOICE,
}
NAMES = {"image/jpeg": "JPEG photo", "image/png": "PNG picture", "image/webp": "WebP picture",
         "audio/ogg": "Ogg Opus voice note", "audio/webm": "WebM voice note", "audio/mp4": "M4A voice note",
         "audio/amr": "AMR voice note"}
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "audio/ogg": ".ogg",
            "audio/webm": ".webm", "audio/mp4": ".m4a", "audio/amr": ".amr"}
WHAT_WE_TAKE = "a photo (JPEG, PNG or WebP) or a voice note (Ogg Opus, WebM, M4A or AMR)"
_MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash", b"3gp4", b"3gp5", b"3gp6")


def sniff(head: bytes) -> str | None:
    """The media type these first bytes begin, of those a phone may send; None for anything else."""
    head = head[:HEAD]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"OggS") and b"OpusHead" in head:
        return "audio/ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return "audio/webm"
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_AUDIO_BRANDS:
        return "audio/mp4"
    if head.startswith(b"#!AMR\n"):
        return "audio/amr"
    return None


def kind_of(media_type: str | None) -> str | None:
    """photo, voice, or None for a media type a phone may not send."""
    return TYPES.get(str(media_type or "").split(";", 1)[0].strip().lower())


def describe(media_type: str, size: int) -> str:
    """Plain words for a person or worker: "JPEG photo, 120 KB"."""
    name = NAMES.get(media_type, media_type)
    if size >= 1024 * 1024:
        return f"{name}, {size / (1024 * 1024):.1f} MB"
    return f"{name}, {max(1, round(size / 1024))} KB"
