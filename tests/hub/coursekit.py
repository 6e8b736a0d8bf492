"""Course packages as tests build them: a real-shaped SCORM 1.2 package (namespaced
imsmanifest.xml, an aggregation with SCOs, a shared-assets resource, pages that find the LMS API
and report lesson_status and score), a native package (course.json with a page, PDF, video,
audio, quiz and assignment), and raw zips for the refusal tests.

    members = build_scorm12_zip(path, units=3)        # -> {path in the zip: bytes}
    members = build_native_zip(path, course="first-aid")
    write_zip(path, {"a.html": b"..."}, symlinks={"link": "../../etc/passwd"})
"""

from __future__ import annotations

import hashlib
import json
import random
import stat
import zipfile
from pathlib import Path

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"

SCORM_API_JS = b"""// Finds the SCORM 1.2 API the player offers (window.API in this frame or a parent).
function findAPI(win) {
  for (var tries = 0; win && tries < 10; tries++) {
    if (win.API) { return win.API; }
    if (win.parent === win) { break; }
    win = win.parent;
  }
  return null;
}
var API = findAPI(window);
function lmsStart() { if (API) { API.LMSInitialize(""); API.LMSSetValue("cmi.core.lesson_status", "incomplete"); } }
function lmsFinish(score) {
  if (!API) { return; }
  API.LMSSetValue("cmi.core.score.raw", String(score));
  API.LMSSetValue("cmi.core.lesson_status", score >= 50 ? "passed" : "failed");
  API.LMSCommit("");
  API.LMSFinish("");
}
"""
STYLE_CSS = b"body { font-family: sans-serif; max-width: 40em; margin: 1em auto; }\n"
# Minimal but well-formed: a PDF reader opens it (one empty page).
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
             b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n"
             b"%%EOF\n")


def noise(size: int, seed: int = 0) -> bytes:
    """Bytes that do not compress (a stand-in for video), the same for the same seed."""
    return random.Random(seed).randbytes(size)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_zip(path: str | Path, members: dict[str, bytes], *, symlinks: dict[str, str] | None = None,
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip holding `members` (name -> bytes, names written as given, even unsafe ones) and
    `symlinks` (name -> link target, stored as Unix symbolic links)."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 27, 0, 0, 0))
            info.compress_type = compression
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 27, 0, 0, 0))
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def _page(title: str, body: str, score: int | None = None) -> bytes:
    finish = f"lmsFinish({score});" if score is not None else "lmsFinish(100);"
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<link rel=\"stylesheet\" href=\"../shared/style.css\">"
            "<script src=\"../shared/scorm_api.js\"></script></head>\n"
            f"<body onload=\"lmsStart()\"><h1>{title}</h1><p>{body}</p>"
            f"<button onclick=\"{finish}\">Finish</button></body></html>\n").encode()


def scorm12_manifest(identifier: str, title: str, units: int, files_per_unit: dict[int, list[str]]) -> bytes:
    items = "\n".join(
        f'        <item identifier="ITEM-{n}" identifierref="RES-{n}" isvisible="true"'
        + (f' parameters="?unit={n}"' if n == 1 else "") + ">\n"
        f"          <title>Unit {n}</title>\n"
        f"          <adlcp:masteryscore>50</adlcp:masteryscore>\n"
        f"        </item>" for n in range(1, units + 1))
    resources = "\n".join(
        f'    <resource identifier="RES-{n}" type="webcontent" adlcp:scormtype="sco" href="unit{n}/index.html">\n'
        + "".join(f'      <file href="{f}"/>\n' for f in files_per_unit[n])
        + '      <dependency identifierref="SHARED"/>\n    </resource>' for n in range(1, units + 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{identifier}" version="1.0"
    xmlns="{IMSCP}" xmlns:adlcp="{ADLCP}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="{IMSCP} imscp_rootv1p1p2.xsd {ADLCP} adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG-1">
    <organization identifier="ORG-1">
      <title>{title}</title>
      <item identifier="MODULE-1" isvisible="true">
        <title>Module 1</title>
{items}
      </item>
    </organization>
  </organizations>
  <resources>
{resources}
    <resource identifier="SHARED" type="webcontent" adlcp:scormtype="asset">
      <file href="shared/scorm_api.js"/>
      <file href="shared/style.css"/>
    </resource>
  </resources>
</manifest>
""".encode()


def build_scorm12_zip(path: str | Path, *, identifier: str = "com.example.intro-maths",
                      title: str = "Introduction to maths", units: int = 2, extra: dict[str, bytes] | None = None,
                      omit: tuple[str, ...] = (), manifest: bytes | None = None) -> dict[str, bytes]:
    """Write a SCORM 1.2 package; returns what it holds. `extra` adds files (named in unit 1's
    resource), `omit` leaves named files out of the zip (the manifest still names them),
    `manifest` replaces imsmanifest.xml."""
    extra = extra or {}
    members: dict[str, bytes] = {"shared/scorm_api.js": SCORM_API_JS, "shared/style.css": STYLE_CSS}
    files_per_unit = {}
    for n in range(1, units + 1):
        page = f"unit{n}/index.html"
        members[page] = _page(f"Unit {n}", f"Lesson {n} of {title}.", score=40 + 20 * n)
        files_per_unit[n] = [page]
    for name, data in extra.items():
        members[name] = data
        files_per_unit[1].append(name)
    members["imsmanifest.xml"] = manifest if manifest is not None else scorm12_manifest(
        identifier, title, units, files_per_unit)
    kept = {name: data for name, data in members.items() if name not in omit}
    write_zip(path, kept)
    return kept


def native_course_json(course: str, title: str) -> dict:
    return {"throughgate_course": 1, "course": course, "title": title, "entry": "index.html", "items": [
        {"id": "welcome", "title": "Welcome", "type": "page", "href": "index.html"},
        {"id": "handbook", "title": "Handbook", "type": "pdf", "href": "docs/handbook.pdf"},
        {"id": "video-1", "title": "Watch: the basics", "type": "video", "href": "media/basics.mp4"},
        {"id": "audio-1", "title": "Listen: a story", "type": "audio", "href": "media/story.mp3"},
        {"id": "quiz-1", "title": "Check your understanding", "type": "quiz", "href": "quiz/check.json"},
        {"id": "task-1", "title": "Your first assignment", "type": "assignment", "href": "tasks/first.json"},
    ]}


QUIZ = {"title": "Check your understanding", "pass_mark": 0.5, "questions": [
    {"id": "q1", "prompt": "What is 2 + 2?", "kind": "single",
     "choices": [{"id": "a", "text": "3"}, {"id": "b", "text": "4"}], "answer": ["b"], "points": 1},
    {"id": "q2", "prompt": "Which are even?", "kind": "multiple",
     "choices": [{"id": "a", "text": "2"}, {"id": "b", "text": "3"}, {"id": "c", "text": "8"}], "answer": ["a", "c"]},
    {"id": "q3", "prompt": "In a sentence: why does practice help?", "kind": "text"},
]}
ASSIGNMENT = {"title": "Your first assignment", "brief": "Write half a page about a skill you want to learn.",
              "brief_href": "tasks/first-brief.html", "submit": ["text", "photo", "audio"], "due_days": 14}


def build_native_zip(path: str | Path, *, course: str = "intro-maths", title: str = "Introduction to maths",
                     video: bytes | None = None, extra: dict[str, bytes] | None = None, omit: tuple[str, ...] = (),
                     course_json: bytes | None = None, quiz: bytes | None = None) -> dict[str, bytes]:
    """Write a native package; returns what it holds. `video` replaces media/basics.mp4 (e.g. a
    large file), `extra` adds files, `omit` leaves files out, `course_json` and `quiz` replace
    those files' bytes."""
    members = {
        "course.json": course_json if course_json is not None
        else json.dumps(native_course_json(course, title), indent=2).encode(),
        "index.html": b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Welcome</title>"
                      b"<link rel=\"stylesheet\" href=\"style.css\"></head><body><h1>Welcome</h1></body></html>\n",
        "style.css": STYLE_CSS,
        "docs/handbook.pdf": PDF_BYTES,
        "media/basics.mp4": video if video is not None else b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8,
        "media/basics.en.vtt": b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n",
        "media/story.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4,
        "quiz/check.json": quiz if quiz is not None else json.dumps(QUIZ).encode(),
        "tasks/first.json": json.dumps(ASSIGNMENT).encode(),
        "tasks/first-brief.html": b"<!DOCTYPE html><html><body><p>Write about a skill.</p></body></html>\n",
        **(extra or {}),
    }
    kept = {name: data for name, data in members.items() if name not in omit}
    write_zip(path, kept, compression=zipfile.ZIP_DEFLATED)
    return kept
