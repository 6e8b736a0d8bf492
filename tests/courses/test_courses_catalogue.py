"""What the edge publishes and keeps: a course the hub stops sending is no longer offered to
tablets (but kept for learners part-way); a manifest the hub signed but that rewrites a published
version, or goes back to an older one, is refused."""

from __future__ import annotations

from edge.courses import catalogue, tables
from tests.courses import courses_kit as kit
from tests.courses.courses_kit import coursekit, hub_command, import_course, open_edge_store, run_sync
from wire.courses import sign_manifest
from wire.keys import signing_key_from_pem

COURSE = "intro-maths"


def resign(stack, **changes) -> None:
    """Change the hub's current manifest and sign it again with the hub's own key."""
    envelope = kit.hub_envelope(stack, COURSE)
    key = signing_key_from_pem((stack.hub_dir / "receipt_key.pem").read_bytes())
    kit.set_hub_envelope(stack, sign_manifest({**envelope["manifest"], **changes}, key))


def test_a_course_no_longer_targeted_is_not_offered_but_kept(stack, tmp_path):
    coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    open_edge_store(stack)
    run_sync(stack)
    hub_command("courses", "target", COURSE, "--edge", stack.edge_id, "--remove", "--instance", str(stack.hub_dir))
    sync, _ = run_sync(stack)
    assert sync.report.ok and catalogue.current_versions() == []
    state = tables.CourseState.get_by_id(COURSE)
    assert state.current is None and "no longer targeted" in state.last_error
    assert sync.report.reclaimed == [(COURSE, 1)]  # no learner was part-way


def test_a_signed_manifest_that_rewrites_a_published_version_is_refused(stack, tmp_path):
    coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    open_edge_store(stack)
    run_sync(stack)
    resign(stack, title="Something else entirely")
    sync, source = run_sync(stack)
    assert "versions never change" in sync.report.errors[COURSE]
    assert source.requests == 1
    (current,) = catalogue.current_versions()
    assert (current.version, current.state) == (1, "current")


def test_a_signed_manifest_for_an_older_version_is_refused(stack, tmp_path):
    coursekit.build_native_zip(tmp_path / "v1.zip")
    import_course(stack, tmp_path / "v1.zip")
    coursekit.build_native_zip(tmp_path / "v2.zip", extra={"notes.html": b"<p>notes</p>\n"})
    import_course(stack, tmp_path / "v2.zip", target=False)
    open_edge_store(stack)
    run_sync(stack)
    resign(stack, version=1)
    sync, _ = run_sync(stack)
    assert "older than version 2" in sync.report.errors[COURSE]
    assert [row.version for row in catalogue.current_versions()] == [2]
