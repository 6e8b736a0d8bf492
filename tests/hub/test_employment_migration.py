"""Migration 0021 (help into work) on a saved hub with rows (tests/hub/data "today", brought to version 20, with a
released person added), on SQLite and PostgreSQL: every row stays, the two new tables match their models and start
empty, and once migrated an item for everyone, a video for the person and their tick on a checklist are kept."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.employment.models import MODELS, ChecklistTick, EmploymentItem
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "employment")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 20 holds of a released person
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
)
NEW = tuple(model._meta.table_name for model in MODELS)
AT = "2026-12-07T09:00:00.000Z"


def test_a_saved_hub_keeps_its_rows_and_then_keeps_items_and_ticks(hub_db_url):
    assert STEP.number == 21
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert [row[0] for row in before["person"]] == [PERSON]
    migrate(hub_db_url)
    db.bind(hub_db_url)
    with db.connected():
        EmploymentItem.create(item_id="a" * 16, kind="checklist", title="Getting ready for an interview", text="",
                              steps='["Plan the journey"]', published_by="cli:root", published_at=AT)
        EmploymentItem.create(item_id="b" * 16, kind="video", title="Disclosing a conviction", text="", steps="[]",
                              video_sha256="c" * 64, video_type="video/mp4", video_bytes=5 * 1024 * 1024 * 1024,
                              person=PERSON, published_by="ed", published_at=AT)
        ChecklistTick.create(tick_id="5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b", person=PERSON, item="a" * 16, step=0,
                             done=True, ticked_at=AT, received_at=AT)
        assert EmploymentItem.get(EmploymentItem.kind == "video").video_bytes == 5 * 1024 * 1024 * 1024  # BIGINT
        assert EmploymentItem.get(EmploymentItem.kind == "checklist").person_id is None
        assert [(t.person_id, t.done) for t in ChecklistTick.select()] == [(PERSON, True)]
    db.proxy.close()
