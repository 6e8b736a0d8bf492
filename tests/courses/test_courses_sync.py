"""The edge's course sync against a real hub: only missing files fetched, a download resumed with
Range after the hub is killed mid-file, and a tampered manifest or file refused with nothing published."""

from __future__ import annotations

import hashlib

from edge.courses import catalogue, tables
from tests.courses import courses_kit as kit
from tests.courses.courses_kit import coursekit, import_course, open_edge_store, run_sync
from wire.blobs import BlobStore

COURSE = "intro-maths"


def test_first_sync_publishes_the_course_with_every_file_hash_checked(stack, tmp_path):
    members = coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    cfg = open_edge_store(stack)
    sync, source = run_sync(stack)
    assert sync.report.ok, sync.report.errors
    assert sync.report.published == [(COURSE, 1)]
    blobs = BlobStore(cfg.courses_dir)
    for data in members.values():
        if data is not None and catalogue.servable(hashlib.sha256(data).hexdigest()):
            assert blobs.path(hashlib.sha256(data).hexdigest()).read_bytes() == data
    state = tables.CourseState.get_by_id(COURSE)
    assert (state.status, state.current, state.files_done) == ("completed", 1, state.files_total)
    assert source.requests == 1 + state.files_total  # the list, then each file once


def test_second_sync_fetches_only_the_files_the_new_version_added_or_changed(stack, tmp_path):
    coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    open_edge_store(stack)
    run_sync(stack)
    v1 = {f["sha256"] for f in catalogue_files(1)}
    new_video = coursekit.noise(200_000, seed=2)
    coursekit.build_native_zip(tmp_path / "v2.zip", video=new_video, extra={"notes.html": b"<p>notes</p>\n"})
    import_course(stack, tmp_path / "v2.zip", target=False)
    sync, source = run_sync(stack)
    assert sync.report.published == [(COURSE, 2)]
    v2 = {f["sha256"] for f in catalogue_files(2)}
    assert len(v2 - v1) == 2  # the changed video and the new notes.html; the other files are shared
    assert source.requests == 1 + len(v2 - v1)
    assert source.bytes_received == sum(f["size"] for f in catalogue_files(2) if f["sha256"] not in v1)


def catalogue_files(version: int) -> list[dict]:
    row = tables.CourseVersion.get(tables.CourseVersion.course == COURSE, tables.CourseVersion.version == version)
    return [{"sha256": f.sha256, "size": f.size} for f in row.files]


def test_a_download_cut_by_killing_the_hub_resumes_from_the_partial_file(stack, tmp_path):
    video = coursekit.noise(12 * 1024 * 1024, seed=7)
    video_sha = hashlib.sha256(video).hexdigest()
    coursekit.build_native_zip(tmp_path / "big.zip", video=video)
    import_course(stack, tmp_path / "big.zip")
    cfg = open_edge_store(stack)
    blobs = BlobStore(cfg.courses_dir)

    def kill_mid_video(progress):
        if progress.path == "media/basics.mp4" and blobs.partial_size(video_sha) > 2 * 1024 * 1024:
            stack.hub.kill9()

    first, _ = run_sync(stack, on_progress=kill_mid_video)
    assert not stack.hub.running
    assert "hub" in first.report.errors and "resumes" in first.report.errors["hub"]
    cut_at = blobs.partial_size(video_sha)
    assert 0 < cut_at < len(video)
    assert tables.CourseVersion.select().count() == 0  # nothing published
    assert tables.CourseState.get_by_id(COURSE).status == "errored"

    done_before = blobs.shas()
    assert done_before  # the files before the video were complete
    unreachable, _ = run_sync(stack)  # the hub still down: what was fetched stays
    assert "hub" in unreachable.report.errors
    assert blobs.shas() == done_before and blobs.partial_size(video_sha) == cut_at

    stack.start_hub()
    second, source = run_sync(stack)
    assert second.report.ok, second.report.errors
    assert second.report.progress.resumed_from == {video_sha: cut_at}
    assert source.bytes_received <= len(video) - cut_at + 64 * 1024  # the rest of the video and the small files
    assert blobs.path(video_sha).read_bytes() == video
    assert second.report.published == [(COURSE, 1)]


def test_a_tampered_manifest_is_refused_and_nothing_is_published(stack, tmp_path):
    coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    envelope = kit.hub_envelope(stack, COURSE)
    envelope["manifest"]["files"][0]["size"] += 1  # the signature no longer covers what is sent
    kit.set_hub_envelope(stack, envelope)
    cfg = open_edge_store(stack)
    sync, source = run_sync(stack)
    assert "bad_signature" in sync.report.errors[COURSE]
    assert source.requests == 1  # not one file was fetched for it
    assert tables.CourseVersion.select().count() == 0
    assert BlobStore(cfg.courses_dir).shas() == set()
    assert tables.CourseState.get_by_id(COURSE).status == "errored"


def test_a_tampered_file_is_refused_discarded_and_the_version_not_published(stack, tmp_path):
    members = coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    page_sha = hashlib.sha256(members["index.html"]).hexdigest()
    stored = kit.hub_blob(stack, page_sha)
    stored.chmod(0o644)
    stored.write_bytes(members["index.html"].replace(b"Welcome", b"Welcom3"))  # same size, other bytes
    cfg = open_edge_store(stack)
    sync, _ = run_sync(stack)
    assert "hash_mismatch" not in sync.report.errors[COURSE]  # the reason is for people:
    assert "index.html" in sync.report.errors[COURSE] and "sha256" in sync.report.errors[COURSE]
    blobs = BlobStore(cfg.courses_dir)
    assert not blobs.path(page_sha).exists() and blobs.partial_size(page_sha) == 0
    assert tables.CourseVersion.select().count() == 0
    assert catalogue.servable(page_sha) is None
