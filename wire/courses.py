"""Signed course manifests: what a course version holds, in the hub's word.

    envelope  = {"manifest": fields, "signature": base64(Ed25519 over LABEL || canonical_json(fields))}
    fields    = {"v": 1, "course": slug, "version": int >= 1, "title": str,
                 "format": "scorm12" | "scorm2004" | "native", "entry": path,
                 "items": [{"id", "title", "href"}], "files": [{"path", "sha256", "size", "type"}],
                 "published": timestamp[, "scorm": {...}]}

`scorm` (wire/course_scorm.py) is in a `scorm2004` manifest only: the SCORM version and edition,
the organisation tree, each item's objectives, and the sequencing the player carries out and what
it does not. A `scorm12` or `native` manifest has exactly the fields it always had, so edges of
earlier releases take them as before.

The hub signs with its receipt key (`hub.keys.HubKeys.signing`); an edge verifies with the public
half it already holds (`HubPublicKeys.receipt`). Every path is relative and safe to join under a
course directory: no leading `/`, no `..` or `.` or empty segment, no backslash, no NUL or other
control character. An item's href may carry a `?query` or `#fragment` (SCORM launch parameters);
the part before it must be one of the files, and so must the entry.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from wire import course_scorm
from wire.batches import canonical_json
from wire.errors import CodedError
from wire.records import valid_dns_label, valid_sha256

LABEL = b"throughgate-course-manifest-v1\x00"
VERSION = 1
FORMATS = ("scorm12", "scorm2004", "native")
MAX_PATH_CHARS = 1024
MAX_FILES = 10_000

_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(?:;.*)?", re.I)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FIELDS = {"v", "course", "version", "title", "format", "entry", "items", "files", "published"}
_OPTIONAL = {"scorm"}


class ManifestError(CodedError):
    """A manifest that cannot be trusted or used. `code` names which check failed."""


@dataclass(frozen=True)
class ManifestFile:
    path: str
    sha256: str
    size: int
    type: str


@dataclass(frozen=True)
class ManifestItem:
    id: str
    title: str
    href: str


@dataclass(frozen=True)
class Manifest:
    v: int
    course: str
    version: int
    title: str
    format: str
    entry: str
    items: tuple[ManifestItem, ...]
    files: tuple[ManifestFile, ...]
    published: str
    scorm: dict | None = field(default=None, hash=False)  # compared, but a dict cannot be hashed
    """A scorm2004 manifest's `scorm` field (wire/course_scorm.py), as signed; None for other formats."""

    def file(self, path: str) -> ManifestFile | None:
        for entry in self.files:
            if entry.path == path:
                return entry
        return None

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def to_fields(self) -> dict:
        """The manifest as the JSON fields that were signed."""
        return {"v": self.v, "course": self.course, "version": self.version, "title": self.title,
                "format": self.format, "entry": self.entry,
                "items": [{"id": i.id, "title": i.title, "href": i.href} for i in self.items],
                "files": [{"path": f.path, "sha256": f.sha256, "size": f.size, "type": f.type}
                          for f in self.files],
                "published": self.published, **({"scorm": self.scorm} if self.scorm is not None else {})}


def check_path(path, what: str = "path") -> str:
    """The path, if it is safe to join under a course directory; otherwise ManifestError(unsafe_path)."""
    if not isinstance(path, str) or not path:
        raise ManifestError("unsafe_path", f"{what} must be a non-empty string")
    if len(path) > MAX_PATH_CHARS:
        raise ManifestError("unsafe_path", f"{what} is longer than {MAX_PATH_CHARS} characters")
    if "\\" in path:
        raise ManifestError("unsafe_path", f"{what} {path!r} contains a backslash")
    if _CONTROL.search(path):
        raise ManifestError("unsafe_path", f"{what} {path!r} contains NUL or a control character")
    if path.startswith("/"):
        raise ManifestError("unsafe_path", f"{what} {path!r} is absolute")
    for segment in path.split("/"):
        if segment == "..":
            raise ManifestError("unsafe_path", f"{what} {path!r} climbs out with '..'")
        if segment in ("", "."):
            raise ManifestError("unsafe_path", f"{what} {path!r} has an empty or '.' segment")
    if re.match(r"[A-Za-z]:", path):
        raise ManifestError("unsafe_path", f"{what} {path!r} looks like a drive letter")
    return path


def href_path(href: str) -> str:
    """The file part of an item href (without `?query` or `#fragment`)."""
    return re.split(r"[?#]", href, maxsplit=1)[0]


def sign_manifest(fields: dict, key: ed25519.Ed25519PrivateKey) -> dict:
    """Check the fields, then sign them: `{"manifest": fields, "signature": base64}`."""
    parse_fields(fields)
    signature = key.sign(LABEL + canonical_json(fields))
    return {"manifest": fields, "signature": base64.b64encode(signature).decode()}


def verify_manifest(envelope: dict, key: ed25519.Ed25519PublicKey) -> Manifest:
    """The manifest, if the hub signed exactly these fields and every rule holds."""
    try:
        fields = envelope["manifest"]
        signature = base64.b64decode(envelope["signature"], validate=True)
        key.verify(signature, LABEL + canonical_json(fields))
    except (KeyError, TypeError, ValueError, InvalidSignature) as exc:
        raise ManifestError("bad_signature", "manifest does not verify with the hub's key "
                            f"({exc.__class__.__name__})") from None
    return parse_fields(fields)


def parse_fields(fields) -> Manifest:
    """Check every rule of a manifest's fields (no signature involved) and build the Manifest."""
    if not isinstance(fields, dict):
        raise ManifestError("bad_manifest", "manifest must be a JSON object")
    missing, extra = _FIELDS - fields.keys(), fields.keys() - _FIELDS - _OPTIONAL
    if missing or extra:
        raise ManifestError("bad_manifest", f"manifest fields missing {sorted(missing)}, unknown {sorted(extra)}")
    if fields["v"] != VERSION or isinstance(fields["v"], bool):
        raise ManifestError("bad_manifest", f"unsupported manifest version {fields['v']!r}")
    if not valid_dns_label(fields["course"]):
        raise ManifestError("bad_manifest", f"course {fields['course']!r} is not a lower-case DNS label")
    if not _is_int(fields["version"]) or fields["version"] < 1:
        raise ManifestError("bad_manifest", f"version {fields['version']!r} is not an integer >= 1")
    if not isinstance(fields["title"], str) or not fields["title"].strip():
        raise ManifestError("bad_manifest", "title must be a non-empty string")
    if fields["format"] not in FORMATS:
        raise ManifestError("bad_manifest", f"format {fields['format']!r} is not one of {FORMATS}")
    if not isinstance(fields["published"], str) or not _TIMESTAMP.fullmatch(fields["published"]):
        raise ManifestError("bad_manifest", "published must be an RFC 3339 UTC timestamp")
    files = _parse_files(fields["files"])
    paths = {f.path for f in files}
    entry = check_path(fields["entry"], "entry")
    if entry not in paths:
        raise ManifestError("missing_file", f"entry {entry!r} is not among the files")
    items = _parse_items(fields["items"], paths)
    scorm = None
    if "scorm" in fields or fields["format"] in course_scorm.VERSIONS:
        if "scorm" not in fields:
            raise ManifestError("bad_manifest", f"a {fields['format']} manifest must have its scorm field")
        try:
            scorm = course_scorm.check(fields["scorm"], fields["format"], {i.id for i in items})
        except course_scorm.ScormFieldError as exc:
            raise ManifestError(exc.code, exc.reason) from None
    return Manifest(VERSION, fields["course"], fields["version"], fields["title"], fields["format"],
                    entry, items, files, fields["published"], scorm)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_files(raw) -> tuple[ManifestFile, ...]:
    if not isinstance(raw, list) or not raw:
        raise ManifestError("bad_manifest", "files must be a non-empty list")
    if len(raw) > MAX_FILES:
        raise ManifestError("bad_manifest", f"more than {MAX_FILES} files")
    files, seen = [], set()
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != {"path", "sha256", "size", "type"}:
            raise ManifestError("bad_manifest", "each file must be {path, sha256, size, type}")
        path = check_path(entry["path"])
        if path in seen:
            raise ManifestError("duplicate_path", f"{path!r} is listed twice")
        seen.add(path)
        if not valid_sha256(entry["sha256"]):
            raise ManifestError("bad_hash", f"{path!r}: sha256 must be 64 lower-case hex digits")
        if not _is_int(entry["size"]) or entry["size"] < 0:
            raise ManifestError("bad_manifest", f"{path!r}: size must be an integer >= 0")
        if not isinstance(entry["type"], str) or not _MIME.fullmatch(entry["type"]):
            raise ManifestError("bad_manifest", f"{path!r}: type {entry['type']!r} is not a media type")
        files.append(ManifestFile(path, entry["sha256"], entry["size"], entry["type"]))
    return tuple(files)


def _parse_items(raw, paths: set[str]) -> tuple[ManifestItem, ...]:
    if not isinstance(raw, list):
        raise ManifestError("bad_manifest", "items must be a list")
    items, seen = [], set()
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != {"id", "title", "href"}:
            raise ManifestError("bad_manifest", "each item must be {id, title, href}")
        if not all(isinstance(entry[k], str) and entry[k] for k in ("id", "title", "href")):
            raise ManifestError("bad_manifest", "item id, title and href must be non-empty strings")
        if entry["id"] in seen:
            raise ManifestError("bad_manifest", f"item id {entry['id']!r} is listed twice")
        seen.add(entry["id"])
        target = check_path(href_path(entry["href"]), f"item {entry['id']!r} href")
        if target not in paths:
            raise ManifestError("missing_file", f"item {entry['id']!r} href {target!r} is not among the files")
        items.append(ManifestItem(entry["id"], entry["title"], entry["href"]))
    return tuple(items)
