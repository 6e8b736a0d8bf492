"""Migration 0016 (activation codes' code id and wrong tries) on a saved hub with rows (tests/hub/data
"today", brought to version 15, with a released person and three activation codes added: one working,
one used, one withdrawn), on SQLite and PostgreSQL: every row stays as it was, each old code gets no code
id (NULL: limited per address only) and 0 wrong tries, the table then matches its model, the old working
code still works, and a code issued afterwards carries its code id."""

from __future__ import annotations

from dumpkit import catalogue, fresh_catalogue, inserting, load_dump, migrate, recorded, rows, rows_kept, tables_part

from hub import db
from hub.app import create_app
from hub.people import service as people
from hub.people.models import ActivationCode
from provisioning.tokens import digest
from wire import schema
from wire.records import timestamp

STEP = next(step for step in schema.load("hub.migrations") if step.name == "code_guessing")
PERSON = "P-8XXH-XDWK"
WORKING = "7K2M-Q9XD-ABCD"


def _code(code: str, used: str | None, withdrawn: str | None) -> str:
    used_sql = f"'{used}'" if used else "NULL"
    withdrawn_sql = f"'{withdrawn}'" if withdrawn else "NULL"
    values = (f"'{digest(code)}', '{PERSON}', '2026-12-01T09:00:00.000Z', 'cli:root', '2099-12-08T09:00:00.000Z', "
              f"{used_sql}, {withdrawn_sql}")
    return f"INSERT INTO activation_code VALUES ({values})"  # noqa: S608 (the test's own values)


OLD_ROWS = (  # what a hub at version 15 holds of a released person and their codes
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
    _code(WORKING, None, None),
    _code("0000-1111-2222", "2026-12-02T09:00:00.000Z", None),
    _code("3333-4444-5555", None, "2026-12-02T09:00:00.000Z"),
)


def test_a_saved_hub_keeps_its_codes_without_a_code_id_and_new_codes_carry_one(hub_db_url, instance):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "today")
    migrate(hub_db_url, upto=STEP.number - 1)
    inserting(OLD_ROWS)(hub_db_url)
    before = rows(hub_db_url)
    assert migrate(hub_db_url, upto=STEP.number) == [f"{db.hub_schema().title}: applied {STEP.label}"]
    after = rows(hub_db_url)
    codes_before = before.pop("activation_code")
    codes_after = after.pop("activation_code")
    assert rows_kept(before, after) == {}
    assert len(codes_before) == 3
    assert [row[:7] for row in codes_after] == codes_before  # every code as it was
    assert {row[7:] for row in codes_after} == {(None, 0)}  # no code id, no wrong tries
    assert tables_part(catalogue(hub_db_url), ("activation_code",)) == tables_part(models, ("activation_code",))
    assert recorded(hub_db_url) == STEP.number
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        assert people.redeem_code(WORKING, timestamp()).person_id == PERSON
        code, row = people.issue_code(PERSON, "olivia", 7)
        assert ActivationCode.get(ActivationCode.code_sha256 == row.code_sha256).code_id == code[:4]
