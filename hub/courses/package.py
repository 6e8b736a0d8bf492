"""What a course package describes, whatever its format, and the limits an upload must keep.

The format parsers (scorm.py, native.py) are pure: they take the bytes of the package's own
manifest (and, for native quizzes and assignments, of those files) and return a Description.
archive.py checks the zip and stores its files; importer.py puts the two together.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, replace

from wire.courses import ManifestError, check_path, href_path
from wire.courses import ManifestItem as Item
from wire.learning import MAX_ASSIGNMENT
from wire.text import HIDDEN, plain_title

MAX_RATIO = 100
"""A file inflating to more than this many times its compressed size is a zip bomb, unless small."""
RATIO_FREE_BYTES = 1 << 20
"""Files up to this size (declared) may compress as well as they like."""
MAX_MANIFEST_BYTES = 4 << 20
"""imsmanifest.xml, course.json, a quiz or an assignment: read into memory, so kept small."""
RATIO_FREE_TOTAL = 64 << 20
"""A package inflating to more than MAX_RATIO times its compressed size in all is a zip bomb
(many small files each under RATIO_FREE_BYTES), unless it inflates to at most this much."""
MAX_ITEMS = 2000
"""Items a course may list: every tablet fetches the signed manifest that names them all."""
MAX_TITLE_CHARS = 500
"""A course's or an item's title, as staff and learners see it."""
MAX_ITEM_ID_CHARS = MAX_ASSIGNMENT
"""A tablet names an assignment by its item id in a submission (wire.learning): longer, it could not."""

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
    scorm: dict | None = None
    """The signed manifest's `scorm` field (wire/course_scorm.py): SCORM 2004 packages only."""


def safe_path(path: str, what: str) -> str:
    """A path from inside a package, checked like a manifest path; refusal code `unsafe_path`.
    Bidirectional controls are refused too: they make a name read backwards wherever it is shown."""
    try:
        check_path(path, what)
    except ManifestError as exc:  # the same code and reason, as a package refusal
        raise PackageError(exc.code, exc.reason) from None
    if HIDDEN.search(path):
        raise PackageError("unsafe_path", f"{what} {path!r} contains a C1 or bidirectional control character")
    return path


def safe_href(href: str, what: str) -> str:
    safe_path(href_path(href), what)
    return href


def media_type(path: str) -> str:
    suffix = path[path.rfind("."):].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"


def tidy(description: Description, source: str) -> Description:
    """The description with its titles in plain form (wire.text.plain_title: no control or
    bidirectional control characters; an item whose title is left empty is titled by its id, a
    course by its name), once its items, titles and item ids are checked against the limits above.
    `source` names the package's manifest in refusals."""
    if len(description.items) > MAX_ITEMS:
        raise PackageError("too_many_items", f"{source} lists {len(description.items)} launchable items; a course "
                           f"may have at most {MAX_ITEMS}: split it into several courses")
    items = []
    for item in description.items:
        if len(item.id) > MAX_ITEM_ID_CHARS or HIDDEN.search(item.id):
            shown = item.id[:60] + ("..." if len(item.id) > 60 else "")
            raise PackageError("bad_item_id", f"{source}: item id {shown!r} ({len(item.id)} characters) must be at "
                               f"most {MAX_ITEM_ID_CHARS} characters without control characters (bidirectional ones "
                               "included): give the item a short, plain identifier in the authoring tool")
        items.append(replace(item, title=_title(item.title, f"item {item.id!r}", source) or item.id))
    title = _title(description.title, "the course", source) or description.course
    scorm = description.scorm
    if scorm and "organization" in scorm:
        scorm = {**scorm, "organization": _tidy_node(scorm["organization"], source)}
    return replace(description, title=title, items=tuple(items), scorm=scorm)


def _tidy_node(node: dict, source: str) -> dict:
    """An organisation tree node with its title, and its children's, in plain form; its id checked
    as an item id is (clusters' ids too: the import prints them, the player shows none)."""
    if len(node["id"]) > MAX_ITEM_ID_CHARS or HIDDEN.search(node["id"]):
        shown = node["id"][:60] + ("..." if len(node["id"]) > 60 else "")
        raise PackageError("bad_item_id", f"{source}: item id {shown!r} ({len(node['id'])} characters) must be at "
                           f"most {MAX_ITEM_ID_CHARS} characters without control characters (bidirectional ones "
                           "included): give the item a short, plain identifier in the authoring tool")
    title = _title(node["title"], f"item {node['id']!r}", source) or node["id"]
    return {**node, "title": title, "children": [_tidy_node(child, source) for child in node["children"]]}


def _title(text: str, what: str, source: str) -> str:
    title = plain_title(text)
    if len(title) > MAX_TITLE_CHARS:
        raise PackageError("title_too_long", f"{source}: the title of {what} is {len(title)} characters; at most "
                           f"{MAX_TITLE_CHARS}: shorten it in the authoring tool")
    return title


def slug(text: str) -> str:
    """A course slug (lower-case DNS label) made from a title or identifier."""
    value = _SLUG_CHARS.sub("-", text.lower()).strip("-")[:63].strip("-")
    if not value:
        raise PackageError("bad_course", f"cannot make a course name from {text!r}: give one with --course")
    return value
