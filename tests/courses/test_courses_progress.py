"""An old course version stays on the edge while a learner is part-way through it, and its space
is reclaimed once they complete it (files shared with the new version stay). Progress arrives as
the relay commits it: progress_statement records in the edge store's `received` table, copied to the
course cache's inbox by the relay's observer (progress.Inbox) in the same transaction."""

from __future__ import annotations

import hashlib

from edge import store
from edge.courses import catalogue, progress, tables
from edge.intake import observers
from tests.courses.courses_kit import coursekit, import_course, open_edge_store, run_sync
from wire import xapi
from wire.blobs import BlobStore
from wire.records import new_record

COURSE = "intro-maths"


def arrives(learner: str, verb: str, seq: int) -> None:
    """A tablet's progress statement about the course, committed as the relay commits records."""
    statement = xapi.statement(learner, verb, xapi.activity_id(COURSE, "welcome"))
    record = new_record("progress_statement", learner, seq, statement, record_id=statement["id"])
    body = record.to_json().decode()
    observers.commit([{"id": record.id, "device": "tab-0001", "seq": seq, "kind": record.kind,
                       "priority": record.priority, "learner": learner, "created": record.created,
                       "received": store.utcnow(), "size": len(body), "body": body}], [progress.Inbox()])


def state_of(version: int) -> str:
    return tables.CourseVersion.get(tables.CourseVersion.course == COURSE,
                                    tables.CourseVersion.version == version).state


def test_old_version_kept_while_a_learner_is_part_way_and_reclaimed_after(stack, tmp_path):
    old = coursekit.build_native_zip(tmp_path / "v1.zip", video=coursekit.noise(50_000, seed=1))
    import_course(stack, tmp_path / "v1.zip")
    cfg = open_edge_store(stack)
    run_sync(stack)
    arrives("L-0001", "attempted", 1)  # part-way through version 1
    arrives("L-0002", "attempted", 2)
    arrives("L-0002", "completed", 3)  # done with it

    coursekit.build_native_zip(tmp_path / "v2.zip", video=coursekit.noise(50_000, seed=2))
    import_course(stack, tmp_path / "v2.zip", target=False)
    sync, _ = run_sync(stack)
    assert sync.report.published == [(COURSE, 2)] and sync.report.reclaimed == []
    assert (state_of(1), state_of(2)) == ("retained", "current")
    old_video = hashlib.sha256(old["media/basics.mp4"]).hexdigest()
    shared_page = hashlib.sha256(old["index.html"]).hexdigest()
    blobs = BlobStore(cfg.courses_dir)
    assert blobs.path(old_video).exists() and catalogue.servable(old_video) is not None
    assert [row.version for row in catalogue.current_versions()] == [2]  # tablets are offered the new one

    arrives("L-0003", "attempted", 4)  # starts now, on version 2: keeps nothing old
    arrives("L-0001", "passed", 5)
    sync, _ = run_sync(stack)
    assert sync.report.reclaimed == [(COURSE, 1)]
    assert state_of(1) == "reclaimed"
    assert not blobs.path(old_video).exists() and catalogue.servable(old_video) is None
    assert sync.report.bytes_freed == len(old["media/basics.mp4"])
    assert blobs.path(shared_page).exists() and catalogue.servable(shared_page) is not None
    assert tables.ProgressInbox.select().count() == 0


def test_statements_about_other_things_start_no_course():
    assert xapi.ACTIVITY_PREFIX == "urn:throughgate:course:"
    from edge.courses.progress import step_of

    other = xapi.statement("L-1", "attempted", "https://example.org/elsewhere")
    assert step_of("L-1", new_record("progress_statement", "L-1", 1, other, record_id=other["id"])
                   .to_json().decode()) is None
    versioned = xapi.statement("L-1", "completed", xapi.activity_id(COURSE),
                               context={"extensions": {"urn:throughgate:course-version": 3}})
    step = step_of("L-1", new_record("progress_statement", "L-1", 2, versioned, record_id=versioned["id"])
                   .to_json().decode())
    assert (step.course, step.version, step.completes) == (COURSE, 3, True)
