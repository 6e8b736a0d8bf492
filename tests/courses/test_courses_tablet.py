"""The reference tablet downloads courses from the edge's tablet API once and then works offline
(tablet.courses): a real hub, an edge that synced a course from it, its real TLS tablet API, and an
enrolled tablet's certificate; the edge's own blob is tampered with, and a TCP proxy cuts a download."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from edge.tablets.api import TabletApiServer
from tablet.courses import CourseApi, CoursesError, CourseSync, Shelf, _inside
from tablet.identity import TabletIdentity
from tests.courses.shelf_kit import COURSE, CuttingDownloadProxy, edge_with_a_course, manifest_files, sync
from throughgate.cli import main
from wire.blobs import BlobStore
from wire.courses import ManifestError


@pytest.fixture(scope="module")
def edge(built_stack, tmp_path_factory):
    with edge_with_a_course(built_stack, tmp_path_factory.mktemp("tablet-courses")) as shared:
        yield shared


@pytest.fixture
def tablet(edge, tmp_path) -> TabletIdentity:
    """A fresh copy of the enrolled tablet's folder: its identity, no courses yet."""
    _, enrolled, _, _ = edge
    return TabletIdentity(shutil.copytree(enrolled.folder, tmp_path / "tablet"))


def test_the_first_sync_downloads_every_file_over_one_connection_and_each_hash_matches(edge, tablet):
    cfg, _, members, _ = edge
    with TabletApiServer(cfg):
        job, api = sync(tablet)
    files = manifest_files(tablet)
    assert job.published == [(COURSE, 1)] and job.refused == []
    assert job.files == len(files) > 5 and job.file_bytes == sum(f.size for f in files.values())
    assert api.requests == 1 + len(files) and api.connections == 1  # the list, then each file, kept alive
    shelf = Shelf(tablet.folder)
    entry = shelf.path(COURSE)
    tree = entry.parent
    for path, f in files.items():
        data = (tree / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f.sha256 and len(data) == f.size and data == members[path]
        assert shelf.blobs.has(f.sha256, f.size)
    assert list(shelf.blobs.partials.iterdir()) == []


def test_a_second_sync_transfers_no_file_bytes(edge, tablet):
    cfg, _, _, _ = edge
    with TabletApiServer(cfg):
        sync(tablet)
        again, api = sync(tablet)
        assert (again.changed, again.files, again.file_bytes, api.requests) == (False, 0, 0, 1)  # one 304
        Shelf(tablet.folder).db.execute("DELETE FROM meta")  # without the ETag: the list, but no file
        relisted, api = sync(tablet)
    assert (relisted.changed, relisted.files, relisted.file_bytes, api.requests) == (True, 0, 0, 1)


def test_with_the_edge_stopped_the_courses_list_open_and_read_back(edge, tablet, capsys):
    cfg, _, members, _ = edge
    with TabletApiServer(cfg):
        assert main(["tablet", "courses", "sync", "--folder", str(tablet.folder)]) == 0
    out = capsys.readouterr().out
    assert f"{COURSE} version 1: available offline" in out and "over 1 connection(s)" in out

    with pytest.raises(CoursesError) as refused:
        sync(tablet)
    assert refused.value.code == "unreachable" and "the courses you have still work offline" in refused.value.reason
    assert main(["tablet", "courses", "sync", "--folder", str(tablet.folder)]) == 1
    assert "still work offline" in capsys.readouterr().err
    with Shelf(tablet.folder).syncing(), pytest.raises(CoursesError, match="another course sync"):
        sync(tablet)  # one sync of a folder at a time

    files = manifest_files(tablet)
    assert main(["tablet", "courses", "list", "--folder", str(tablet.folder)]) == 0
    listed = capsys.readouterr().out
    assert f"{COURSE} version 1 available: {len(files)}/{len(files)} files" in listed
    assert main(["tablet", "courses", "path", "--folder", str(tablet.folder), COURSE]) == 0
    entry = capsys.readouterr().out.strip()
    assert Path(entry).read_bytes() == members["index.html"]
    shelf = Shelf(tablet.folder)
    for path in files:
        assert (shelf.path(COURSE).parent / path).read_bytes() == members[path]
    with pytest.raises(CoursesError, match="no item"):
        shelf.path(COURSE, "no-such-item")
    assert main(["tablet", "courses", "path", "--folder", str(tablet.folder), "not-here"]) == 1
    assert "not available offline" in capsys.readouterr().err


def test_a_download_cut_mid_file_resumes_from_the_partial_length(edge, tablet):
    cfg, _, members, _ = edge
    with TabletApiServer(cfg) as server:
        proxy = CuttingDownloadProxy(server.port, cut_after=150_000)  # inside the 200 kB video
        try:
            job, api = sync(tablet, proxy.port)
        finally:
            proxy.stop()
    files = manifest_files(tablet)
    video = files["media/basics.mp4"]
    assert proxy.cut.is_set() and api.connections == 2
    assert 0 < job.resumed[video.sha256] < video.size  # a Range request from the partial length
    assert job.file_bytes == sum(f.size for f in files.values())  # nothing fetched twice
    assert job.published == [(COURSE, 1)]
    assert Shelf(tablet.folder).path(COURSE).parent.joinpath("media/basics.mp4").read_bytes() == members[
        "media/basics.mp4"]


def test_a_file_the_edge_serves_with_wrong_bytes_is_refused_and_never_visible(edge, tablet, capsys):
    cfg, _, _, _ = edge
    with TabletApiServer(cfg):
        sync_first = CourseSync(Shelf(tablet.folder), CourseApi(tablet))
        sync_first._take_list()  # the manifest only, to learn the file's hash
        sync_first.api.close()
        f = manifest_files(tablet)["style.css"]
        blob = BlobStore(cfg.courses_dir).path(f.sha256)
        good = blob.read_bytes()
        blob.chmod(0o640)
        blob.write_bytes(bytes([good[0] ^ 1]) + good[1:])  # same size, other bytes
        try:
            assert main(["tablet", "courses", "sync", "--folder", str(tablet.folder)]) == 1
            job, _ = sync(tablet)  # the edge still serves it wrong: refused again, the rest is held
        finally:
            blob.write_bytes(good)
            blob.chmod(0o440)
        err = capsys.readouterr().err
        assert f"refused {COURSE}/style.css: hash_mismatch" in err and "deleted" in err
        assert [(c, p) for c, p, _ in job.refused] == [(COURSE, "style.css")] and job.published == []
        shelf = Shelf(tablet.folder)
        assert not shelf.blobs.has(f.sha256, f.size) and shelf.blobs.partial_size(f.sha256) == 0
        assert not (shelf.library / COURSE).exists()
        with pytest.raises(CoursesError, match="not available offline"):
            shelf.path(COURSE)
        (held,) = shelf.held()
        assert (held.state, held.files_held, held.files_total - 1) == ("downloading", held.files_total - 1,
                                                                      held.files_held)
        mended, api = sync(tablet)  # the edge's file put right: only that file comes, the course opens
    assert (mended.files, mended.file_bytes, api.requests) == (1, f.size, 2) and mended.published == [(COURSE, 1)]
    assert (shelf.path(COURSE).parent / "style.css").read_bytes() == good


def test_a_listed_manifest_with_an_unsafe_path_is_refused_and_nothing_is_written_outside(edge, tablet, capsys):
    cfg, _, _, _ = edge
    with TabletApiServer(cfg), sqlite3.connect(cfg.db_path) as db:
        sync(tablet)
        row, text = db.execute("SELECT id, envelope FROM course_version WHERE course = ? ORDER BY version DESC",
                               (COURSE,)).fetchone()
        envelope = json.loads(text)
        envelope["manifest"]["version"] = 2  # what a broken edge might list (the edge checked the real one)
        envelope["manifest"]["files"][0]["path"] = "../../../escaped.html"
        db.execute("UPDATE course_version SET envelope = ? WHERE id = ?", (json.dumps(envelope), row))
        db.commit()
        try:
            job, _ = sync(tablet)
            assert main(["tablet", "courses", "sync", "--folder", str(tablet.folder)]) == 1
        finally:
            db.execute("UPDATE course_version SET envelope = ? WHERE id = ?", (text, row))
            db.commit()
    ((course, path, reason),) = job.refused
    assert (course, path, job.published) == (COURSE, "", []) and "unsafe_path" in reason and "climbs out" in reason
    assert "refused intro-maths: its manifest breaks a rule (unsafe_path" in capsys.readouterr().err
    shelf = Shelf(tablet.folder)
    assert [(h.version, h.state) for h in shelf.held()] == [(1, "available")]  # what it had still opens
    assert shelf.path(COURSE).is_file()
    assert not list(tablet.folder.parent.parent.rglob("escaped.html"))
    with pytest.raises(ManifestError):
        _inside(shelf.tree(COURSE, 1), "../v2/x.html", shelf.library)
    outside = tablet.folder.parent / "outside"
    outside.mkdir()
    (shelf.tree(COURSE, 1) / "planted").symlink_to(outside)  # a link in the tablet's folder leads nowhere
    with pytest.raises(CoursesError, match="outside the course's folder"):
        _inside(shelf.tree(COURSE, 1), "planted/x.html", shelf.library)
