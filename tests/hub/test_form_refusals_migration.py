"""Migration 0022 (refused tablet forms) on a saved hub with rows (tests/hub/data "today", brought to version 21),
on SQLite and PostgreSQL: every row stays, the new table matches its model and starts empty, and once migrated a
refusal is kept once, with its reason, until its edge acknowledges it."""

from __future__ import annotations

from dumpkit import migrate, step_adds_tables

from hub import db
from hub.forms.models import REFUSAL_MODELS, FormRefusal
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.number == 22)
NEW = tuple(model._meta.table_name for model in REFUSAL_MODELS)
AT = "2026-12-08T09:00:00.000Z"
RECORD = "5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b"


def test_a_saved_hub_keeps_its_rows_and_then_keeps_a_refused_tablet_form_until_acknowledged(hub_db_url):
    assert STEP.number == 22
    before = step_adds_tables(hub_db_url, STEP, NEW)
    assert before["edge"]  # the saved hub's edges are kept (step_adds_tables checks every row)
    migrate(hub_db_url)
    db.bind(hub_db_url)
    with db.connected():
        row = dict(record_id=RECORD, edge_id="hmp-test", device="tab-1", learner="L-0042", form_id="wing_survey",
                   version="2027010101", code="bad_value", reason="field 'meal': an answer is required", refused_at=AT)
        FormRefusal.insert(**row).on_conflict_ignore().execute()
        FormRefusal.insert(**row).on_conflict_ignore().execute()  # refused again: kept once
        [kept] = FormRefusal.select()
        assert (kept.reason, kept.acked_at) == ("field 'meal': an answer is required", None)
        FormRefusal.update(acked_at=AT).where(FormRefusal.record_id == RECORD).execute()
        assert FormRefusal.select().where(FormRefusal.acked_at.is_null()).count() == 0
    db.proxy.close()
