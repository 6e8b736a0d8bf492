"""Migration m0008: today's saved store (real rows from an earlier release), brought to version 7, gets the empty
edge_form table and keeps every row of every other table; the table is the one its model describes. The forms the
hub sends are then kept once (the same answer again changes nothing), a form the hub no longer lists is let go,
and the tablets' route reads them."""

from __future__ import annotations

import sqlite3

from storekit import TODAY, every_row, kept, load_dump, modelled_shape, table_shape, version_of

from edge import migrations, store
from edge.forms import pull
from edge.forms import tables as form_tables
from wire import schema

FORM = {"form_id": "interview_feedback", "version": "2027010101", "title": "Interview feedback",
        "default_language": "en", "languages": ["en"],
        "fields": [{"name": "employer", "path": "employer", "type": "text", "required": True,
                    "label": {"en": "Who was the interview with?"}}]}
LIMITS = {"photo_bytes": 10485760, "voice_bytes": 5242880, "chunk_bytes": 262144}


def test_a_saved_store_at_version_7_gets_the_forms_table_empty_and_keeps_every_row(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    connection = sqlite3.connect(path, isolation_level=None)
    schema.migrate(connection, schema.Schema("edge store", tuple(m for m in migrations.migrations() if m.number <= 7)))
    connection.close()
    assert version_of(path) == 7
    before = every_row(path)
    assert "edge_form" not in before

    store.open_store(str(path)).close()

    after = every_row(path)
    assert version_of(path) >= 8
    for table in before:
        kept(before, after, table)
    assert after["edge_form"]["rows"] == []
    assert table_shape(path, "edge_form") == modelled_shape(form_tables.MODELS, "edge_form", tmp_path / "fresh.db")


def test_a_migrated_store_keeps_the_hubs_forms_once_and_lets_go_of_one_no_longer_published(tmp_path):
    path = load_dump(TODAY, tmp_path / "edge.db")
    store.open_store(str(path))
    try:
        other = {**FORM, "form_id": "housing", "title": "Housing"}
        assert pull.keep([FORM, other], LIMITS) == 2
        assert pull.keep([FORM, other], LIMITS) == 0  # the same answer again: nothing changed
        assert pull.kept() == ([other, FORM], LIMITS)  # by title
        newer = {**FORM, "version": "2027010102"}
        assert pull.keep([newer], LIMITS) == 1
        assert pull.kept()[0] == [newer]
    finally:
        store.db.close()
