"""`throughgate hub lrs export`: every learning record's statement as one JSON array, valid by the
xAPI rules; --learner keeps one learner's, --since keeps the later ones; nothing goes to an LRS."""

from __future__ import annotations

import json

import pytest
from lrskit import (  # noqa: F401 (fixtures)
    independent_problem,
    learning_record,
    lrs_hub_settings,
    lrs_secret_file,
    lrs_server,
    mixed_records,
    stored_records,
    write_hub_toml,
)

from hub import cli
from hub.lrs.statements import FORWARDED_KINDS
from wire.xapi import validate


@pytest.fixture
def export(instance, hub_db_url, app, capsys):
    """export(*options) -> (statements, stderr) from the real command, on the test hub's database."""
    write_hub_toml(instance, hub_db_url)

    def run(*options: str) -> tuple[list[dict], str]:
        capsys.readouterr()
        assert cli.main(["lrs", "export", "--instance", str(instance), *options]) == 0
        out = capsys.readouterr()
        return json.loads(out.out), out.err

    return run


def test_export_is_a_json_array_of_valid_statements_of_every_learning_record(export, stored, lrs):
    records = stored(mixed_records("L-0042") + mixed_records("L-0107"))

    statements, err = export()

    assert [s["id"] for s in statements] == [r["id"] for r in records if r["kind"] in FORWARDED_KINDS]
    for statement in statements:
        validate(statement)
        assert independent_problem(statement) is None
    assert "exported 20 statements; 0 left out" in err
    assert lrs.requests == []


def test_a_learner_filter_exports_only_that_learners_statements(export, stored):
    stored(mixed_records("L-0042") + mixed_records("L-0107"))

    statements, err = export("--learner", "L-0107")

    assert len(statements) == 10
    assert {s["actor"]["account"]["name"] for s in statements} == {"L-0107"}
    assert "exported 10 statements" in err


def test_since_keeps_statements_from_that_moment_on(export, stored):
    old = learning_record("assignment_submission", "L-0042", 1, lambda _rid: {"assignment": "english-2/essay-1"})
    old["created"] = "2026-10-31T23:59:59.999Z"
    new = learning_record("assignment_submission", "L-0042", 2, lambda _rid: {"assignment": "english-2/essay-2"})
    new["created"] = "2026-11-01T00:30:00+01:00"  # 2026-10-31T23:30Z: before the day starts in UTC
    newest = learning_record("assignment_submission", "L-0042", 3, lambda _rid: {"assignment": "english-2/essay-3"})
    stored([old, new, newest])

    by_day, _ = export("--since", "2026-11-01")
    by_moment, _ = export("--since", "2026-10-31T23:45:00Z")

    assert [s["id"] for s in by_day] == [newest["id"]]
    assert [s["id"] for s in by_moment] == [old["id"], newest["id"]]


def test_a_record_that_is_not_a_statement_is_counted_not_exported(export, stored):
    broken = learning_record("quiz_answer", "L-0042", 1, lambda _rid: {"answer": "3/4"})
    stored([broken, *mixed_records(first_seq=2)])

    statements, err = export()

    assert broken["id"] not in {s["id"] for s in statements} and len(statements) == 10
    assert "; 1 left out" in err


def test_a_bad_since_is_refused_with_the_forms_it_takes(export, capsys, instance):
    assert cli.main(["lrs", "export", "--instance", str(instance), "--since", "last week"]) == 1
    assert "--since 'last week' is not a date (2026-11-01) or a timestamp with a zone" in capsys.readouterr().err
