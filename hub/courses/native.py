"""Throughgate's own course package: a zip with `course.json` at its root (docs/courses.md).

    {"throughgate_course": 1, "course": "intro-maths", "title": "Introduction to maths",
     "entry": "index.html",                         (optional: default the first item)
     "items": [{"id": "welcome", "title": "Welcome", "type": "page", "href": "index.html"},
               {"id": "quiz-1", "title": "Check", "type": "quiz", "href": "quiz/one.json"}, …]}

Item types and the files they may point at: page (.html, .htm), pdf (.pdf), video (.mp4, .m4v,
.webm, .ogv), audio (.mp3, .m4a, .ogg, .oga, .opus, .wav), quiz and assignment (.json, checked
here: quiz.py). Every other file in the zip (images, styles, subtitles) travels too.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from hub.courses import quiz
from hub.courses.package import (
    ASSIGNMENT_TYPE,
    QUIZ_TYPE,
    Description,
    Item,
    PackageError,
    safe_href,
    safe_path,
)
from wire.courses import href_path
from wire.records import valid_dns_label

MANIFEST = "course.json"
FORMAT_VERSION = 1
EXTENSIONS = {
    "page": (".html", ".htm"), "pdf": (".pdf",), "video": (".mp4", ".m4v", ".webm", ".ogv"),
    "audio": (".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav"), "quiz": (".json",), "assignment": (".json",),
}
_FIELDS = {"throughgate_course", "course", "title", "entry", "items"}


def load_json(data: bytes, name: str):
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise PackageError("bad_json", f"{name} is not JSON ({exc.__class__.__name__}: {exc})") from None


def parse(data: bytes, read: Callable[[str], bytes], course: str | None = None) -> Description:
    """`read(path)` gives a file of the package (for quizzes and assignments), or PackageError."""
    fields = load_json(data, MANIFEST)
    if not isinstance(fields, dict):
        raise PackageError("bad_manifest", f"{MANIFEST} must be a JSON object")
    if fields.get("throughgate_course") != FORMAT_VERSION:
        raise PackageError("bad_manifest", f"{MANIFEST} must say \"throughgate_course\": {FORMAT_VERSION}")
    unknown = set(fields) - _FIELDS
    if unknown:
        raise PackageError("bad_manifest", f"{MANIFEST} has unknown field(s) {', '.join(sorted(unknown))}")
    name = course or fields.get("course")
    if not valid_dns_label(name):
        raise PackageError("bad_course", f"course {name!r} is not a lower-case DNS label (letters, digits, '-')")
    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PackageError("bad_manifest", f"{MANIFEST} needs a title")
    raw_items = fields.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise PackageError("bad_manifest", f"{MANIFEST} needs a non-empty list of items")
    items, referenced, types, seen = [], set(), [], set()
    for index, raw in enumerate(raw_items):
        item, kind = _item(raw, index, seen)
        path = href_path(item.href)
        referenced.add(path)
        if kind == "quiz":
            quiz.check_quiz(load_json(read(path), path), path)
            types.append((path, QUIZ_TYPE))
        elif kind == "assignment":
            brief = quiz.check_assignment(load_json(read(path), path), path)
            if brief:
                referenced.add(safe_path(brief, f"{path} brief_href"))
            types.append((path, ASSIGNMENT_TYPE))
        items.append(item)
    entry = fields.get("entry", href_path(items[0].href))
    if not isinstance(entry, str):
        raise PackageError("bad_manifest", f"{MANIFEST}'s entry must be a path")
    referenced.add(safe_path(entry, "entry"))
    return Description("native", name, title.strip(), entry, tuple(items), tuple(sorted(referenced)), tuple(types))


def _item(raw, index: int, seen: set[str]) -> tuple[Item, str]:
    where = f"{MANIFEST} item {index + 1}"
    if not isinstance(raw, dict) or set(raw) - {"id", "title", "type", "href"}:
        raise PackageError("bad_manifest", f"{where} must be {{id, title, type, href}}")
    if not all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("id", "title", "type", "href")):
        raise PackageError("bad_manifest", f"{where} needs id, title, type and href (non-empty strings)")
    if raw["id"] in seen:
        raise PackageError("bad_manifest", f"{where}: id {raw['id']!r} is used twice")
    seen.add(raw["id"])
    kind = raw["type"]
    if kind not in EXTENSIONS:
        raise PackageError("bad_manifest", f"{where}: type {kind!r} is not one of {', '.join(EXTENSIONS)}")
    href = safe_href(raw["href"], f"{where} href")
    if not href_path(href).lower().endswith(EXTENSIONS[kind]):
        raise PackageError("bad_manifest", f"{where}: a {kind} item points at {', '.join(EXTENSIONS[kind])} "
                           f"files, not {href_path(href)!r}")
    return Item(raw["id"], raw["title"].strip(), href), kind
