"""Migration 0019 (forms) on a saved hub with rows (tests/hub/data "today", brought to version 18, with a
released person added), on SQLite and PostgreSQL: every row stays, the three new tables match their models
and start empty, and once migrated a form version, the person's submission of it and its photo are kept."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.forms.models import MODELS, FormAttachment, FormSubmission, FormVersion
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "forms")
PERSON = "P-8XXH-XDWK"
OLD_ROWS = (  # what a hub at version 18 holds of a released person
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
)
NEW = tuple(model._meta.table_name for model in MODELS)
AT = "2026-12-07T09:00:00.000Z"


def test_a_saved_hub_keeps_its_rows_and_then_keeps_forms_and_submissions(hub_db_url):
    assert STEP.number == 19
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert [row[0] for row in before["person"]] == [PERSON]
    migrate(hub_db_url)
    db.bind(hub_db_url)
    with db.connected():
        FormVersion.create(form_id="interview_feedback", version="2027010101", title="Interview feedback",
                           digest="0" * 64, xform="<h:html/>", fields='{"fields": []}', published_at=AT,
                           published_by="cli:root")
        FormSubmission.create(submission_id="5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b", person=PERSON,
                              form_id="interview_feedback", version="2027010101", values='{"employer": "Greggs"}',
                              flags="{}", filled_at=AT, received_at=AT)
        FormAttachment.create(submission="5f0c2b9e-7d41-4e0a-9b6c-2a8e1f3d4c5b", path="photo", sha256="a" * 64,
                              media_type="image/jpeg", bytes=5 * 1024 * 1024 * 1024)  # over 32 bits: BIGINT
        assert FormSubmission.get().person_id == PERSON
        assert FormAttachment.get().bytes == 5 * 1024 * 1024 * 1024
    db.proxy.close()
