"""The pure parts of course import: imsmanifest.xml and course.json read into a Description, quiz
and assignment rules, byte ranges. No database, no files."""

from __future__ import annotations

import copy
import json

import pytest
from coursekit import ASSIGNMENT, QUIZ, native_course_json, scorm12_manifest

from hub.courses import native, quiz, scorm
from hub.courses.package import PackageError, media_type, slug
from provisioning.stored import wanted_range


def test_namespaced_scorm12_manifest_lists_launchable_items_in_order():
    data = scorm12_manifest("com.example.x", "Title", 3, {n: [f"unit{n}/index.html"] for n in (1, 2, 3)})

    described = scorm.parse(data)

    assert described.course == "com-example-x" and described.title == "Title"
    assert [i.href for i in described.items] == ["unit1/index.html?unit=1", "unit2/index.html", "unit3/index.html"]
    assert "shared/scorm_api.js" in described.referenced and "unit3/index.html" in described.referenced


def test_manifest_without_namespaces_and_with_xml_base_reads_the_same():
    data = b"""<manifest identifier="plain">
      <organizations><organization identifier="O"><title>Plain</title>
        <item identifier="I" identifierref="R" parameters="page=2"><title>Only</title></item>
      </organization></organizations>
      <resources xml:base="./content/"><resource identifier="R" href="./start%20here.html" xml:base="one/">
        <file href="start%20here.html"/></resource></resources></manifest>"""

    described = scorm.parse(data)

    assert described.items[0].href == "content/one/start here.html?page=2"
    assert described.entry == "content/one/start here.html"
    assert described.referenced == ("content/one/start here.html",)


@pytest.mark.parametrize(("xml", "code"), [
    (b'<manifest><organizations><organization><item identifierref="R"/></organization></organizations>'
     b'<resources><resource identifier="R" href="http://example.org/x.html"/></resources></manifest>',
     "external_reference"),
    (b'<manifest><organizations><organization><item identifierref="R"/></organization></organizations>'
     b'<resources><resource identifier="R" href="../x.html"/></resources></manifest>', "unsafe_path"),
    (b'<manifest><organizations><organization><item identifierref="R"/></organization></organizations>'
     b'<resources xml:base="/abs/"><resource identifier="R" href="x.html"/></resources></manifest>', "unsafe_path"),
    (b'<manifest><organizations default="NOPE"><organization identifier="O"/></organizations><resources/></manifest>',
     "bad_manifest"),
    (b'<manifest><organizations><organization><item identifierref="GONE"/></organization></organizations>'
     b'<resources/></manifest>', "bad_manifest"),
    (b'<manifest><organizations><organization><item identifier="X"/></organization></organizations>'
     b'<resources/></manifest>', "no_launchable_item"),
    (b"<package/>", "bad_manifest"),
    (b"\xff\xfe not xml", "bad_xml"),
    (b'<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><manifest>&x;</manifest>', "bad_xml"),
])
def test_scorm_manifest_breaking_a_rule_is_refused(xml, code):
    with pytest.raises(PackageError) as caught:
        scorm.parse(xml)
    assert caught.value.code == code


def _files(extra: dict | None = None):
    files = {"quiz/check.json": json.dumps(QUIZ).encode(), "tasks/first.json": json.dumps(ASSIGNMENT).encode()}
    files.update(extra or {})
    return lambda path: files[path]


def test_native_manifest_describes_items_and_marks_quiz_and_assignment_types():
    described = native.parse(json.dumps(native_course_json("first-aid", "First aid")).encode(), _files())

    assert described.course == "first-aid" and described.format == "native"
    assert dict(described.types) == {"quiz/check.json": "application/vnd.throughgate.quiz+json",
                                     "tasks/first.json": "application/vnd.throughgate.assignment+json"}
    assert "tasks/first-brief.html" in described.referenced


@pytest.mark.parametrize(("change", "code"), [
    ({"throughgate_course": 2}, "bad_manifest"),
    ({"course": "First Aid"}, "bad_course"),
    ({"title": ""}, "bad_manifest"),
    ({"items": []}, "bad_manifest"),
    ({"items": [{"id": "a", "title": "A", "type": "video", "href": "notes.pdf"}]}, "bad_manifest"),
    ({"items": [{"id": "a", "title": "A", "type": "game", "href": "a.html"}]}, "bad_manifest"),
    ({"items": [{"id": "a", "title": "A", "type": "page", "href": "a.html"}] * 2}, "bad_manifest"),
    ({"items": [{"id": "a", "title": "A", "type": "page", "href": "/etc/a.html"}]}, "unsafe_path"),
    ({"entry": "../index.html"}, "unsafe_path"),
    ({"surprise": True}, "bad_manifest"),
])
def test_native_manifest_breaking_a_rule_is_refused(change, code):
    fields = native_course_json("first-aid", "First aid") | change
    with pytest.raises(PackageError) as caught:
        native.parse(json.dumps(fields).encode(), _files())
    assert caught.value.code == code


def _broken_quiz(**question_changes):
    value = copy.deepcopy(QUIZ)
    value["questions"][0].update(question_changes)
    return value


@pytest.mark.parametrize("value", [
    {"questions": []}, {"questions": [{"id": "q"}]}, _broken_quiz(kind="essay"), _broken_quiz(answer=["z"]),
    _broken_quiz(answer=["a", "b"]), _broken_quiz(choices=[{"id": "a", "text": "only one"}]),
    _broken_quiz(points=-1), dict(QUIZ, pass_mark=2), dict(QUIZ, secret=1),
    {"questions": [QUIZ["questions"][0], QUIZ["questions"][0]]},
])
def test_quiz_breaking_a_rule_is_refused(value):
    with pytest.raises(PackageError, match="bad_quiz"):
        quiz.check_quiz(value, "quiz.json")


@pytest.mark.parametrize("value", [
    dict(ASSIGNMENT, brief=""), dict(ASSIGNMENT, submit=[]), dict(ASSIGNMENT, submit=["video"]),
    dict(ASSIGNMENT, due_days=0), dict(ASSIGNMENT, brief_href=""), dict(ASSIGNMENT, grade="A"), [],
])
def test_assignment_breaking_a_rule_is_refused(value):
    with pytest.raises(PackageError, match="bad_assignment"):
        quiz.check_assignment(value, "task.json")


@pytest.mark.parametrize(("header", "if_range", "expected"), [
    (None, None, None), ("bytes=0-9", None, (0, 10)), ("bytes=-10", None, (90, 100)), ("bytes=95-", None, (95, 100)),
    ("bytes=100-", None, "unsatisfiable"), ("bytes=0-9,20-29", None, None), ("items=0-9", None, None),
    ("bytes=9-0", None, None), ("bytes=0-9", '"abc"', (0, 10)), ("bytes=0-9", '"other"', None),
])
def test_wanted_range(header, if_range, expected):
    assert wanted_range(header, if_range, '"abc"', 100) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("a/b.html", "text/html"), ("x.PDF", "application/pdf"), ("v.mp4", "video/mp4"), ("s.mp3", "audio/mpeg"),
    ("s.vtt", "text/vtt"), ("noext", "application/octet-stream"), ("dir.d/file", "application/octet-stream"),
])
def test_media_type_by_extension(path, expected):
    assert media_type(path) == expected


def test_slug_from_an_identifier():
    assert slug("com.Example.Intro_Maths 2") == "com-example-intro-maths-2"
    with pytest.raises(PackageError, match="bad_course"):
        slug("!!!")
