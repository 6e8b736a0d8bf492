"""Importing course packages at the hub (SQLite and PostgreSQL): SCORM 1.2 and native packages
become signed course versions, files are stored once, and a refused package leaves nothing behind."""

from __future__ import annotations

import json
import zipfile

import pytest
from coursekit import build_native_zip, build_scorm12_zip, noise, scorm12_manifest, sha256, write_zip

from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.models import Course, CourseFile, CourseVersion
from hub.courses.package import ASSIGNMENT_TYPE, QUIZ_TYPE, Limits, PackageError
from wire.courses import verify_manifest
from wire.keys import HubPublicKeys

LIMITS = Limits(max_files=50, max_file_bytes=4 << 20, max_total_bytes=8 << 20)


@pytest.fixture
def store(app):
    return BlobStore.from_config(app.config)


@pytest.fixture
def run_import(app, store):
    """run_import(zip path, course=None, limits=LIMITS) -> Imported, as the hub's admin API does."""
    def run(path, course=None, limits=LIMITS):
        with app.app_context():
            return import_package(path, store, app.extensions["hub_keys"].get().signing, limits, course)

    return run


def stored_blobs(store: BlobStore) -> list[str]:
    return sorted(p.name for p in store.root.glob("??/??/*")) if store.root.exists() else []


def nothing_stored(store: BlobStore) -> bool:
    leftovers = list(store.tmp.iterdir()) if store.tmp.exists() else []
    return (not stored_blobs(store) and not leftovers and Course.select().count() == 0
            and CourseVersion.select().count() == 0 and CourseFile.select().count() == 0)


def test_scorm12_package_becomes_a_signed_version_with_every_file(app, run_import, store, tmp_path):
    members = build_scorm12_zip(tmp_path / "maths.zip", units=3)

    imported = run_import(tmp_path / "maths.zip")

    edge_copy = HubPublicKeys.from_document(app.extensions["hub_keys"].get().public_document())
    manifest = verify_manifest(json.loads(json.dumps(imported.envelope)), edge_copy.receipt)
    assert (manifest.course, manifest.version, manifest.format) == ("com-example-intro-maths", 1, "scorm12")
    assert manifest.title == "Introduction to maths"
    assert [(i.id, i.title, i.href) for i in manifest.items] == [
        ("ITEM-1", "Unit 1", "unit1/index.html?unit=1"), ("ITEM-2", "Unit 2", "unit2/index.html"),
        ("ITEM-3", "Unit 3", "unit3/index.html")]
    assert manifest.entry == "unit1/index.html"
    assert {f.path: f.sha256 for f in manifest.files} == {p: sha256(d) for p, d in members.items()}
    assert manifest.file("unit1/index.html").type == "text/html"
    for data in members.values():
        assert store.path(sha256(data)).read_bytes() == data
    assert CourseFile.select().count() == len(members)


def test_native_package_keeps_its_items_and_marks_quizzes_and_assignments(app, run_import, tmp_path):
    members = build_native_zip(tmp_path / "native.zip", course="first-aid", title="First aid")

    imported = run_import(tmp_path / "native.zip")

    manifest = verify_manifest(imported.envelope, app.extensions["hub_keys"].get().signing.public_key())
    assert (manifest.course, manifest.format, manifest.entry) == ("first-aid", "native", "index.html")
    assert [i.id for i in manifest.items] == ["welcome", "handbook", "video-1", "audio-1", "quiz-1", "task-1"]
    types = {f.path: f.type for f in manifest.files}
    assert types["quiz/check.json"] == QUIZ_TYPE and types["tasks/first.json"] == ASSIGNMENT_TYPE
    assert types["docs/handbook.pdf"] == "application/pdf" and types["media/basics.mp4"] == "video/mp4"
    assert types["media/story.mp3"] == "audio/mpeg"
    assert len(manifest.files) == len(members)


def test_identical_files_are_stored_once_across_two_courses(run_import, store, tmp_path):
    build_native_zip(tmp_path / "a.zip", course="course-a")
    build_native_zip(tmp_path / "b.zip", course="course-b", title="Another course")

    first, second = run_import(tmp_path / "a.zip"), run_import(tmp_path / "b.zip")

    assert first.new_blobs == first.files
    assert second.new_blobs == 1  # only course.json differs
    distinct = {f.sha256 for f in CourseFile.select()}
    assert stored_blobs(store) == sorted(distinct)
    assert CourseFile.select().count() == first.files + second.files


def test_same_package_again_is_unchanged_and_a_changed_one_is_the_next_version(app, run_import, tmp_path):
    build_native_zip(tmp_path / "v1.zip")
    build_native_zip(tmp_path / "v2.zip", extra={"extra/notes.html": b"<p>notes</p>"})

    first, again, second = (run_import(tmp_path / "v1.zip"), run_import(tmp_path / "v1.zip"),
                            run_import(tmp_path / "v2.zip"))

    assert (first.version, first.unchanged) == (1, False)
    assert (again.version, again.unchanged) == (1, True)
    assert (second.version, second.unchanged) == (2, False)
    assert [v.version for v in CourseVersion.select().order_by(CourseVersion.version)] == [1, 2]
    stored = json.loads(CourseVersion.get(CourseVersion.version == 2).envelope)
    assert verify_manifest(stored, app.extensions["hub_keys"].get().signing.public_key()).version == 2


def test_course_name_can_be_given_for_a_scorm_package(run_import, tmp_path):
    build_scorm12_zip(tmp_path / "maths.zip")

    assert run_import(tmp_path / "maths.zip", course="maths-level-1").course == "maths-level-1"


def _bomb(tmp_path):
    return write_zip(tmp_path / "p.zip", {"course.json": b"{}", "zeros.bin": bytes(3 << 20)})


def _scorm_with(tmp_path, **kwargs):
    build_scorm12_zip(tmp_path / "p.zip", **kwargs)
    return tmp_path / "p.zip"


def _native_with(tmp_path, **kwargs):
    build_native_zip(tmp_path / "p.zip", **kwargs)
    return tmp_path / "p.zip"


REFUSALS = {
    "zip-slip": (lambda t: _native_with(t, extra={"../../evil.html": b"x"}), "unsafe_path"),
    "zip-slip-nested": (lambda t: _native_with(t, extra={"media/../../../etc/cron.d/x": b"x"}), "unsafe_path"),
    "absolute-path": (lambda t: _native_with(t, extra={"/etc/passwd": b"x"}), "unsafe_path"),
    "backslash-path": (lambda t: _native_with(t, extra={"..\\evil.html": b"x"}), "unsafe_path"),
    "symlink": (lambda t: write_zip(t / "p.zip", {"course.json": b"{}"}, symlinks={"link": "/etc/passwd"}),
                "symlink"),
    "too-many-files": (lambda t: _native_with(t, extra={f"many/{n}.txt": b"x" for n in range(50)}),
                       "too_many_files"),
    "oversize-file": (lambda t: _native_with(t, video=noise(5 << 20)), "too_large"),
    "oversize-total": (lambda t: _native_with(t, extra={f"big/{n}.bin": noise(3 << 20, n) for n in range(3)}),
                       "too_large"),
    "zip-bomb": (_bomb, "zip_bomb"),
    "not-a-zip": (lambda t: (t / "p.zip").write_bytes(b"PK\x03\x04 nothing more") and t / "p.zip", "bad_zip"),
    "malformed-xml": (lambda t: _scorm_with(t, manifest=b"<manifest><organizations>"), "bad_xml"),
    "xml-entities": (lambda t: _scorm_with(t, manifest=b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]>'
                                                         b"<manifest>&a;</manifest>"), "bad_xml"),
    "scorm-unknown-version": (lambda t: _scorm_with(t, manifest=scorm12_manifest("x", "X", 1, {1: ["unit1/index.html"]})
                                                    .replace(b"<schemaversion>1.2", b"<schemaversion>1.1")),
                              "unsupported_format"),
    "malformed-json": (lambda t: _native_with(t, course_json=b'{"throughgate_course": 1, "items": ['), "bad_json"),
    "malformed-quiz": (lambda t: _native_with(t, quiz=b'{"questions": [{"id": "q1"}]}'), "bad_quiz"),
    "scorm-missing-file": (lambda t: _scorm_with(t, omit=("unit2/index.html",)), "missing_file"),
    "native-missing-file": (lambda t: _native_with(t, omit=("media/story.mp3",)), "missing_file"),
    "assignment-brief-missing": (lambda t: _native_with(t, omit=("tasks/first-brief.html",)), "missing_file"),
    "no-manifest": (lambda t: write_zip(t / "p.zip", {"index.html": b"<p>hi</p>"}), "unknown_format"),
    "empty-zip": (lambda t: write_zip(t / "p.zip", {}), "empty"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_refused_package_says_why_and_leaves_nothing_behind(run_import, store, tmp_path, case):
    make, code = REFUSALS[case]
    path = make(tmp_path)

    with pytest.raises(PackageError) as caught:
        run_import(path)

    assert caught.value.code == code, caught.value.reason
    assert caught.value.reason
    assert nothing_stored(store)


def test_refused_new_version_keeps_the_current_one(run_import, store, tmp_path):
    build_native_zip(tmp_path / "good.zip")
    good = run_import(tmp_path / "good.zip")
    blobs = stored_blobs(store)
    build_native_zip(tmp_path / "bad.zip", omit=("index.html",))

    with pytest.raises(PackageError, match="missing_file"):
        run_import(tmp_path / "bad.zip")

    assert [v.version for v in CourseVersion.select()] == [good.version]
    assert stored_blobs(store) == blobs


def test_member_lying_about_its_size_is_refused(run_import, store, tmp_path):
    """A header that declares fewer bytes than the member holds: the CRC and length checks catch it
    while it is streamed; the temporary file goes and no version is made."""
    path = tmp_path / "p.zip"
    build_native_zip(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("media/basics.mp4")
    # Shrink the declared size in the local header (offset 22) and the central directory entry (offset 24).
    declared = info.file_size.to_bytes(4, "little")
    smaller = (info.file_size // 2).to_bytes(4, "little")
    local = info.header_offset
    assert data[local + 22:local + 26] == declared
    data[local + 22:local + 26] = smaller
    central = data.find(b"media/basics.mp4", data.find(b"PK\x01\x02")) - 46
    assert data[central + 24:central + 28] == declared
    data[central + 24:central + 28] = smaller
    path.write_bytes(bytes(data))

    with pytest.raises(PackageError) as caught:
        run_import(path)

    assert caught.value.code in ("bad_zip", "zip_bomb")
    assert not list(store.tmp.iterdir())
    assert CourseVersion.select().count() == 0
