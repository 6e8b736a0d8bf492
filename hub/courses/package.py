"""What a course package describes, whatever its format, and the limits an upload must keep.

The format parsers (scorm.py, native.py) are pure: they take the bytes of the package's own
manifest (and, for native quizzes and assignments, of those files) and return a Description.
archive.py checks the zip and stores its files; importer.py puts the two together.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from wire.courses import ManifestError, check_path, href_path
from wire.courses import ManifestItem as Item

MAX_RATIO = 100
"""A file inflating to more than this many times its compressed size is a zip bomb, unless small."""
RATIO_FREE_BYTES = 1 << 20
"""Files up to this size (declared) may compress as well as they like."""
MAX_MANIFEST_BYTES = 4 << 20
"""imsmanifest.xml, course.json, a quiz or an assignment: read into memory, so kept small."""

QUIZ_TYPE = "application/vnd.throughgate.quiz+json"
ASSIGNMENT_TYPE = "application/vnd.throughgate.assignment+json"
_EXTRA_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg",
                ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".oga": "audio/ogg", ".ogg": "audio/ogg",
                ".opus": "audio/ogg", ".wav": "audio/wav", ".vtt": "text/vtt", ".js": "text/javascript",
                ".json": "application/json", ".woff2": "font/woff2", ".svg": "image/svg+xml",
                ".xml": "application/xml", ".xsd": "application/xml", ".md": "text/markdown"}
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


class PackageError(ManifestError):
    """A package the hub refuses. `code` is stable; `reason` says what is wrong and where. (A
    ManifestError too: a path or field the signed manifest would refuse is refused the same way.)"""


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(config["COURSE_MAX_FILES"], config["COURSE_MAX_FILE_BYTES"], config["COURSE_MAX_TOTAL_BYTES"])


@dataclass(frozen=True)
class Description:
    """What a package's own manifest says: enough to build the signed manifest."""

    format: str
    course: str
    title: str
    entry: str
    items: tuple[Item, ...]
    referenced: tuple[str, ...]
    """Every file the manifest names; each must be in the zip."""
    types: tuple[tuple[str, str], ...] = ()
    """(path, media type) where the format decides the type (native quizzes and assignments)."""


def safe_path(path: str, what: str) -> str:
    """A path from inside a package, checked like a manifest path; refusal code `unsafe_path`."""
    try:
        return check_path(path, what)
    except ManifestError as exc:  # the same code and reason, as a package refusal
        raise PackageError(exc.code, exc.reason) from None


def safe_href(href: str, what: str) -> str:
    safe_path(href_path(href), what)
    return href


def media_type(path: str) -> str:
    suffix = path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"


def slug(text: str) -> str:
    """A course slug (lower-case DNS label) made from a title or identifier."""
    value = _SLUG_CHARS.sub("-", text.lower()).strip("-")[:63].strip("-")
    if not value:
        raise PackageError("bad_course", f"cannot make a course name from {text!r}: give one with --course")
    return value
