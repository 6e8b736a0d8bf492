"""The hub's schema migrations (hub/migrations) on SQLite and PostgreSQL: they reach the schema a fresh
install makes, keep every row of a saved hub, repair a hub from before mutual TLS so it enrols edges
again, refuse a database newer than the code, and survive kill -9 mid-step.

The saved hubs are committed SQL dumps in tests/hub/data (how they were made: the make_*.py there),
loaded by dumpkit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from dumpkit import catalogue, fresh_catalogue, load_dump, migrate, recorded, rows, rows_kept
from hubkit import edge_records, enrol_edge, post_batch

from hub import cli, db, queries
from hub.app import create_app
from hub.enrolment import edges
from hub.ingest.storage import utc_now
from hub.models import Edge, EdgeKey
from wire import schema
from wire.keys import key_id, verify_key_from_pem

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60
MIGRATIONS = schema.load("hub.migrations")
LATEST = len(MIGRATIONS)
"""This code's schema version: each new migration raises it (the tests below name the first two steps)."""


def applied_lines(title: str) -> list[str]:
    return [f"{title}: applied {step.label}" for step in MIGRATIONS]


@pytest.fixture
def hub_at(instance, hub_settings):
    """hub_at(url) -> the hub app on that database (create_app: it never migrates)."""
    def make(url: str):
        return create_app({"DATABASE_URL": url, **hub_settings}, instance_path=instance)

    return make


@pytest.fixture
def hub_cli(instance, hub_db_url, monkeypatch, capsys):
    """hub_cli("records") -> (exit code, stdout, stderr) of `throughgate hub records --instance ...`."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", hub_db_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", str(instance)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# --- 1. migrating reaches the schema a fresh install makes ---

def test_migrating_an_empty_database_makes_what_the_models_describe(hub_db_url):
    models = fresh_catalogue(hub_db_url)

    lines = migrate(hub_db_url)

    assert lines[:2] == [f"{db.hub_schema().title}: applied 0001_baseline",
                         f"{db.hub_schema().title}: applied 0002_edge_verify_key_to_edge_key"]
    assert lines == applied_lines(db.hub_schema().title)
    assert catalogue(hub_db_url) == models
    assert recorded(hub_db_url) == LATEST


@pytest.mark.parametrize("later_releases_ran", [False, True])
def test_a_hub_from_before_mutual_tls_migrates_to_the_same_schema_as_a_fresh_one(hub_db_url, later_releases_ran):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "before_trust")
    if later_releases_ran:  # each added its new tables with create_tables, beside the old edge table
        db.bind(hub_db_url)
        with db.proxy.connection_context():
            db.proxy.create_tables(db.all_models(), safe=True)
        db.proxy.close()
    assert "verify_key_pem" in str(catalogue(hub_db_url))

    migrate(hub_db_url)

    assert catalogue(hub_db_url) == models


# --- 2. a hub saved from today's schema keeps every row and works ---

def test_a_saved_hub_migrates_with_every_row_intact_and_then_enrols_ingests_and_lists(hub_db_url, hub_at):
    load_dump(hub_db_url, "today")
    before = rows(hub_db_url)
    assert {table for table, found in before.items() if not found} == set()  # every table has rows

    migrate(hub_db_url)

    after = rows(hub_db_url)
    assert rows_kept(before, after) == {}  # later steps' new columns are empty (enrolment_token.cancelled_at)
    assert [table for table, found in after.items() if table not in before and found] == []  # later tables: empty
    assert recorded(hub_db_url) == LATEST
    app = hub_at(hub_db_url)
    with db.connected():
        edge = enrol_edge(app, "edge-east")
    assert post_batch(app.test_client(), edge, edge.seal(edge_records(2, learner="L-0099"))).status_code == 200
    with db.connected():
        listed = queries.list_records(limit=1000)
    assert len(listed) == len(before["record"]) + 2
    assert [r["learner"] for r in listed[-2:]] == ["L-0099", "L-0099"]
    assert {r["edge"] for r in listed} == {"edge-north", "edge-south", "edge-west", "edge-east"}


# --- 3. a hub from before mutual TLS is repaired and enrols again ---

def test_a_hub_from_before_mutual_tls_keeps_its_edges_and_records_and_enrols_again(hub_db_url, hub_at):
    load_dump(hub_db_url, "before_trust")
    before = rows(hub_db_url)

    migrate(hub_db_url)

    after = rows(hub_db_url)
    assert {t: after[t] for t in ("batch", "record")} == {t: before[t] for t in ("batch", "record")}
    app = hub_at(hub_db_url)
    with db.connected():
        old = {e.edge_id: e for e in Edge.select()}
        assert {(e.edge_id, e.status, e.registered_at, e.revoked_at) for e in old.values()} == {
            (row[0], row[2], row[3], row[4]) for row in before["edge"]}
        assert all(e.enrolled_at == e.registered_at and e.tablet_ca_pem == "" for e in old.values())
        keys = {(k.edge_id, k.key_id, k.key_pem) for k in EdgeKey.select()}
        assert keys == {(row[0], key_id(verify_key_from_pem(row[1].encode())), row[1]) for row in before["edge"]}
        newcomer = enrol_edge(app, "edge-east")
        returning = enrol_edge(app, "edge-north")  # an old edge enrols again with a token, under its own id
        listed = {e.edge_id: e for e in edges.list_edges(utc_now())}
    for edge in (newcomer, returning):
        assert post_batch(app.test_client(), edge, edge.seal(edge_records(1, learner="L-0100"))).status_code == 200
    assert listed["edge-north"].cert_not_after is not None and len(listed["edge-north"].key_ids) == 2
    assert listed["edge-south"].status == "revoked" and listed["HMP_Oldbury.1"].cert_not_after is None
    with db.connected():
        listed_records = queries.list_records(limit=1000)
    assert [r["id"] for r in listed_records[:len(before["record"])]] == [
        row[1] for row in sorted(before["record"])]  # the old ones first, in their arrival order
    assert len(listed_records) == len(before["record"]) + 2


# --- 4. what the commands do with a database at another version ---

def test_a_database_newer_than_the_code_is_refused_naming_both_versions(hub_db_url, hub_cli):
    migrate(hub_db_url)
    database = db.open_database(hub_db_url)
    target = schema.target_for(database)
    with target.session():
        target.execute(target.mark("INSERT INTO schema_version (number, name, applied) VALUES (?, ?, ?)"),
                       (LATEST + 1, "from_the_future", "2030-01-01T00:00:00.000Z"))
    database.close()
    before = catalogue(hub_db_url)

    answers = [hub_cli("migrate"), hub_cli("run", "--port", "0"), hub_cli("records")]

    for code, out, err in answers:
        assert code == 1 and out == ""
        assert (f"is at schema version {LATEST + 1}, newer than this Throughgate knows (version {LATEST})"
                in err)
        assert "Run that release (or a later one) on it" in err and "Traceback" not in err
    assert len(answers[2][2].splitlines()) == 1  # `records`: the refusal once, no audit-trail warning
    assert catalogue(hub_db_url) == before and recorded(hub_db_url) == LATEST + 1


def test_migrate_dry_run_prints_the_plan_and_changes_nothing(hub_db_url, hub_cli):
    load_dump(hub_db_url, "today")
    before, tables_before = rows(hub_db_url), catalogue(hub_db_url)

    code, out, _err = hub_cli("migrate", "--dry-run")

    title = db.hub_schema().title
    assert code == 0
    assert out.splitlines() == [
        f"{title}: schema version 0; {LATEST} to apply, to version {LATEST}:",
        "  0001_baseline: Every hub table, index and constraint as they stood when versions began; creates only "
        "what is missing.",
        "  0002_edge_verify_key_to_edge_key: An edge table from before mutual TLS (verify_key_pem) is rebuilt to "
        "today's; each key moves to edge_key.",
        *(f"  {step.label}: {step.doc}" for step in MIGRATIONS[2:]),
        "Dry run: nothing was changed. Run again without --dry-run to apply."]
    assert rows(hub_db_url) == before and catalogue(hub_db_url) == tables_before
    assert recorded(hub_db_url) is None


def test_records_on_an_unmigrated_hub_says_to_run_migrate_and_migrate_then_lets_it(hub_db_url, hub_cli):
    load_dump(hub_db_url, "before_trust")

    refused = hub_cli("records", "--summary")
    migrated = hub_cli("migrate")
    listed = hub_cli("records", "--summary")

    assert refused[0] == 1 and "Traceback" not in refused[2]
    assert (f"is at schema version 0; this Throughgate uses version {LATEST}. Run `throughgate hub migrate`"
            in refused[2])
    assert len(refused[2].splitlines()) == 1  # said once, not again as an audit-trail warning
    title = db.hub_schema().title
    assert migrated[0] == 0 and migrated[1].splitlines() == [
        *applied_lines(title), f"{title}: now at schema version {LATEST}"]
    assert listed[0] == 0 and "HMP_Oldbury.1" in listed[1]


def test_hub_run_migrates_at_start_one_log_line_per_step_then_serves(hub_db_url, instance):
    load_dump(hub_db_url, "before_trust")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "THROUGHGATE_HUB_DATABASE_URL": hub_db_url, "PYTHONFAULTHANDLER": "1"}  # SIGABRT prints every thread
    hub = subprocess.Popen([sys.executable, "-m", "hub", "run", "--port", "0", "--instance", str(instance)],
                           cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or "hub serving on" not in lines[-1]:
            line = hub.stderr.readline()
            assert line, f"hub run ended: {lines}"
            lines.append(line)
    finally:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.communicate(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            hub.send_signal(signal.SIGABRT)
            pytest.fail(f"hub run did not stop on SIGTERM; its threads then:\n{hub.communicate()[1]}")
    title = f"hub database {hub_db_url}"
    applied = [line.split(" INFO ", 1)[1].strip() for line in lines if "applied" in line]
    assert applied == applied_lines(title)
    assert hub.returncode == 0 and recorded(hub_db_url) == LATEST


def test_create_app_leaves_the_schema_alone(hub_db_url, hub_at):
    app = hub_at(hub_db_url)

    assert app.test_client().get("/healthz").status_code in (200, 503)
    assert catalogue(hub_db_url)["tables"] == {} and recorded(hub_db_url) is None


def test_the_database_is_named_without_its_password():
    db.bind("postgresql://throughgate:s3cret@db.example.org/hub")

    assert db.hub_schema().title == "hub database postgresql://throughgate:***@db.example.org/hub"


# --- 5. kill -9 in the middle of a step, and replicas migrating at once ---

PAUSED_MIGRATE = """
import sys, time
from pathlib import Path
import hub.migrations.{module} as step
from hub import cli

real = step.up

def up(db):
    real(db)  # the step's work done, not yet committed
    Path(sys.argv[1]).touch()
    while not Path(sys.argv[2]).exists():
        time.sleep(0.01)

step.up = up
sys.exit(cli.main(["migrate", "--instance", sys.argv[3]]))
"""
STEPS = {1: "m0001_baseline", 2: "m0002_edge_verify_key_to_edge_key"}


def paused_migrate(tmp_path: Path, instance: Path, url: str, number: int, name: str) -> tuple:
    """`throughgate hub migrate` in its own process, pausing inside migration `number` once its work
    is done (before the commit): (process, file it touches when there, file that lets it go on)."""
    there, go = tmp_path / f"{name}.there", tmp_path / f"{name}.go"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"THROUGHGATE_HUB_DATABASE_URL": url}
    process = subprocess.Popen([sys.executable, "-c", PAUSED_MIGRATE.format(module=STEPS[number]), str(there),
                                str(go), str(instance)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    return process, there, go


def wait_for(condition, what: str, process=None) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process ended before {what}: {process.communicate()}")
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("number", [1, 2])
def test_kill_9_inside_a_step_leaves_the_version_before_it_and_migrate_then_finishes(
        hub_db_url, instance, tmp_path, number):
    models = fresh_catalogue(hub_db_url)
    load_dump(hub_db_url, "before_trust")
    migrate(hub_db_url, upto=number - 1)
    before, tables_before = rows(hub_db_url), catalogue(hub_db_url)

    process, there, _go = paused_migrate(tmp_path, instance, hub_db_url, number, "killed")
    wait_for(there.exists, f"migration {number} has done its work", process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=WAIT_S)

    assert process.returncode == -signal.SIGKILL
    assert (recorded(hub_db_url) or 0) == number - 1
    assert catalogue(hub_db_url) == tables_before and rows(hub_db_url) == before
    migrate(hub_db_url)
    assert recorded(hub_db_url) == LATEST and catalogue(hub_db_url) == models


@pytest.mark.parametrize("hub_db_url", ["postgres"], indirect=True)
def test_two_hubs_migrating_one_postgresql_at_once_apply_each_step_once(hub_db_url, instance, tmp_path):
    load_dump(hub_db_url, "before_trust")
    first, there, go = paused_migrate(tmp_path, instance, hub_db_url, 1, "first")
    wait_for(there.exists, "the first is inside 0001", first)
    (tmp_path / "second.go").touch()  # the second does not pause
    second, _there, _go = paused_migrate(tmp_path, instance, hub_db_url, 1, "second")
    conn = psycopg2.connect(hub_db_url)
    conn.autocommit = True

    def waiting() -> bool:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            return cursor.fetchone()[0] == 1

    wait_for(waiting, "the second waits for the first's lock", second)
    go.touch()
    outputs = [first.communicate(timeout=WAIT_S), second.communicate(timeout=WAIT_S)]
    conn.close()

    assert (first.returncode, second.returncode) == (0, 0), outputs
    said = outputs[0][0] + outputs[1][0]
    assert said.count("applied 0001_baseline") == 1 and said.count("applied 0002_") == 1
    assert rows(hub_db_url)["edge_key"] and recorded(hub_db_url) == LATEST
    database = db.open_database(hub_db_url)
    with database.connection_context():
        numbers = [r[0] for r in database.execute_sql("SELECT number FROM schema_version ORDER BY number")]
    database.close()
    assert numbers == list(range(1, LATEST + 1))
