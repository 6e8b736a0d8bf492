"""The reference tablet keeps the course version it has until a newer one is complete, then
reclaims the old one's files (tablet.courses). Its own module, so the edge whose course gets a
version 2 here is no other test's: a real hub, edge, TLS tablet API and enrolled tablet."""

from __future__ import annotations

import shutil

import pytest

from edge.tablets.api import TabletApiServer
from tablet.courses import CoursesError, Shelf
from tablet.identity import TabletIdentity
from tests.courses.courses_kit import coursekit, import_course, open_edge_store, run_sync
from tests.courses.shelf_kit import COURSE, CuttingDownloadProxy, edge_with_a_course, manifest_files, sync


@pytest.fixture(scope="module")
def edge(built_stack, tmp_path_factory):
    with edge_with_a_course(built_stack, tmp_path_factory.mktemp("tablet-versions")) as own:
        yield own


@pytest.fixture
def tablet(edge, tmp_path) -> TabletIdentity:
    return TabletIdentity(shutil.copytree(edge[1].folder, tmp_path / "tablet"))


def test_the_version_a_learner_has_stays_until_the_newer_one_is_complete(edge, tablet, tmp_path):
    cfg, _, _, stack = edge
    with TabletApiServer(cfg) as server:
        sync(tablet)
        v1 = manifest_files(tablet)
        new_video = coursekit.noise(200_000, seed=8)
        coursekit.build_native_zip(tmp_path / "v2.zip", video=new_video, extra={"notes.html": b"<p>notes</p>\n"})
        import_course(stack, tmp_path / "v2.zip", target=False)
        open_edge_store(stack)
        run_sync(stack)
        proxy = CuttingDownloadProxy(server.port, cut_after=100_000, then_refuse=True)
        with pytest.raises(CoursesError, match="resumes at byte"):
            sync(tablet, proxy.port)  # version 2 part-way, and then the edge is out of reach
        shelf = Shelf(tablet.folder)
        assert shelf.path(COURSE) == shelf.tree(COURSE, 1) / "index.html"  # version 1 still opens
        assert [(h.version, h.state) for h in shelf.held()] == [(1, "available"), (2, "downloading")]
        job, _ = sync(tablet)
    assert job.published == [(COURSE, 2)]
    assert shelf.path(COURSE) == shelf.tree(COURSE, 2) / "index.html"
    assert not shelf.tree(COURSE, 1).exists() and [h.version for h in shelf.held()] == [2]
    v2 = {f.sha256: f for f in manifest_files(tablet).values()}
    assert shelf.blobs.shas() == set(v2)  # the old video's blob reclaimed, the shared files kept
    assert (shelf.tree(COURSE, 2) / "media/basics.mp4").read_bytes() == new_video
    old = {f.sha256 for f in v1.values()}
    assert 0 < job.file_bytes < sum(f.size for sha, f in v2.items() if sha not in old)  # resumed, not again
