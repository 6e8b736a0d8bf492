"""Forwarding learning records to an LRS (a real HTTP server the test runs): every statement valid,
each delivered once, across an outage, a refusal, a conflicting repeat and a killed forwarder."""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from lrskit import (  # noqa: F401 (fixtures)
    USER,
    Lrs,
    carrying,
    learning_record,
    lrs_hub_settings,
    lrs_secret_file,
    lrs_server,
    mixed_records,
    progress,
    stored_records,
    write_hub_toml,
)

from hub import db
from hub.lrs import client as lrs_http
from hub.lrs import job as lrs_job
from hub.lrs import settings as lrs_settings
from hub.lrs.forward import cursor, forward
from hub.lrs.job import Forwarder
from hub.lrs.models import LrsProblem
from hub.lrs.statements import FORWARDED_KINDS
from tablet import scorm
from wire.records import timestamp

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60


@pytest.fixture
def lrs_client(app):
    settings = lrs_settings.from_config(app.config, app.instance_path)
    return lrs_http.LrsClient(settings)


def learning(records: list[dict]) -> list[str]:
    return [r["id"] for r in records if r["kind"] in FORWARDED_KINDS]


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.02)


def test_every_learning_record_reaches_the_lrs_once_as_a_valid_statement(app, lrs, lrs_client, stored):
    records = stored(mixed_records("L-0042") + mixed_records("L-0107"))

    with db.connected():
        progress_made = forward(lrs_client, batch_size=3)
        again = forward(lrs_client, batch_size=3)

    expected = learning(records)
    assert len(expected) == 20
    assert sorted(lrs.statements) == sorted(expected)
    assert collections.Counter(lrs.deliveries) == {rid: 1 for rid in expected}
    assert lrs.refused == []
    assert (progress_made.forwarded, progress_made.left_out, progress_made.pending) == (20, 0, 20)
    assert again.forwarded == 0 and lrs.count("POST", 200) == 7  # ceil(20 / 3), none the second time
    verbs = collections.Counter(s["verb"]["display"]["en-US"] for s in lrs.statements.values())
    assert verbs == {"completed": 10, "answered": 4, "submitted": 2, "scored": 2, "earned": 2}
    learners = {s["actor"]["account"]["name"] for s in lrs.statements.values()}
    assert learners == {"L-0042", "L-0107"}


def test_an_lrs_outage_delays_statements_but_loses_and_repeats_none(app, lrs, lrs_client, stored, caplog):
    records = stored(mixed_records())
    lrs.outage(4, 503)
    caplog.set_level(logging.INFO, logger="hub.lrs")

    forwarder = Forwarder(lrs_client, batch_size=3, interval_s=0.05, first_backoff_s=0.01).start()
    try:
        wait_until(lambda: len(lrs.statements) == 10, "all statements at the LRS")
        later = stored([progress("L-0042", 20, unit=9)])
        wait_until(lambda: len(lrs.statements) == 11, "a record that arrived later")
    finally:
        forwarder.stop()

    assert collections.Counter(lrs.deliveries) == {rid: 1 for rid in learning(records + later)}
    assert lrs.count("POST", 503) == 4
    assert "trying again in" in caplog.text and "the LRS answers again after 4 failed run(s)" in caplog.text
    with db.connected():
        assert (cursor().forwarded, LrsProblem.select().count()) == (11, 0)


def test_a_statement_the_lrs_refuses_is_left_out_and_the_rest_go(app, lrs, lrs_client, stored):
    records = stored(mixed_records())
    refused = records[4]["id"]
    lrs.reject_ids.add(refused)

    with db.connected():
        made = forward(lrs_client, batch_size=3)
        problems = [(p.record_id, p.kind, p.reason) for p in LrsProblem.select()]

    assert sorted(lrs.statements) == sorted(set(learning(records)) - {refused})
    assert problems == [(refused, "progress_statement", f'the LRS refused it: {{"error": "bad request", '
                         f'"message": "statement {refused}: refused by this LRS"}}')]
    assert (made.forwarded, made.left_out) == (9, 1)


def test_a_record_that_is_not_a_statement_is_left_out_with_its_reason(app, lrs, lrs_client, stored):
    old_form = learning_record("progress_statement", "L-0042", 30, lambda _rid: {"verb": "completed",
                                                                                   "object": "maths-1/unit-1"})
    records = stored(mixed_records() + [old_form])

    with db.connected():
        made = forward(lrs_client, batch_size=50)
        problem = LrsProblem.get_by_id(old_form["id"])

    assert sorted(lrs.statements) == sorted(set(learning(records)) - {old_form["id"]})
    assert problem.reason == "the statement has no 'id'"
    assert (made.forwarded, made.left_out) == (10, 1)


def test_a_repeat_the_lrs_holds_with_other_content_counts_as_done(app, lrs, lrs_client, stored):
    records = stored(mixed_records())
    first = records[0]["id"]
    lrs.statements[first] = {"id": first, "note": "stored by another system"}

    with db.connected():
        made = forward(lrs_client, batch_size=50)

    assert lrs.count("POST", 409) == 1 and lrs.count("PUT", 409) == 1 and lrs.count("PUT", 204) == 9
    assert lrs.statements[first] == {"id": first, "note": "stored by another system"}
    assert (made.forwarded, made.repeats, made.left_out) == (10, 1, 0)


def test_wrong_credentials_stop_the_run_and_the_secret_is_never_logged(app, lrs, stored, caplog):
    stored(mixed_records())
    settings = lrs_settings.LrsSettings(lrs.url, USER, "not-the-secret-" + "q" * 10)
    caplog.set_level(logging.DEBUG)

    forwarder = Forwarder(lrs_http.LrsClient(settings), batch_size=3, interval_s=60)
    wait = forwarder._run_once()

    assert wait == 1.0 and lrs.count("POST", 401) == 1 and lrs.statements == {}
    assert "the LRS refused the credentials" in caplog.text
    assert "not-the-secret" not in caplog.text and "not-the-secret" not in repr(settings)
    with db.connected():
        assert cursor().arrival == 0


def hub_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "hub", *args]


def clean_env() -> dict:
    return {key: value for key, value in os.environ.items() if not key.startswith("THROUGHGATE_HUB_")
            and key != "DATABASE_URL"}


def test_a_forwarder_killed_mid_batch_resumes_and_the_lrs_holds_each_statement_once(
        app, instance, hub_db_url, lrs, secret_file, stored):
    records = stored(mixed_records())
    write_hub_toml(instance, hub_db_url, lrs, secret_file, batch_size=3)
    lrs.hold_after(2)  # the LRS stores the 2nd batch, and the forwarder dies before it hears so

    first = subprocess.Popen(hub_command("lrs", "forward", "--instance", str(instance)), cwd=ROOT,  # noqa: S603
                             env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert lrs.holding.wait(WAIT_S), "the forwarder never sent its second batch"
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=WAIT_S)
    threading.Thread(target=lrs.release, daemon=True).start()

    second = subprocess.run(hub_command("lrs", "forward", "--instance", str(instance)), cwd=ROOT,  # noqa: S603
                            env=clean_env(), capture_output=True, text=True, timeout=WAIT_S)

    assert second.returncode == 0, second.stderr
    expected = learning(records)
    assert sorted(lrs.statements) == sorted(expected)
    repeated = expected[3:6]  # the held batch: stored, never confirmed, so sent again
    assert collections.Counter(lrs.deliveries) == {rid: 1 + (rid in repeated) for rid in expected}
    assert "forwarding 7 learning records" in second.stdout
    assert second.stdout.rstrip().endswith("done: 7 forwarded, 0 left out")
    with db.connected():
        assert cursor().forwarded == 3 + 7


def test_a_serving_hub_forwards_by_itself_when_lrs_url_is_set(app, lrs, stored):
    records = stored(mixed_records())

    forwarder = lrs_job.start(app)
    try:
        wait_until(lambda: len(lrs.statements) == 10, "the forwarder `hub run` starts")
    finally:
        forwarder.stop()

    assert sorted(lrs.statements) == sorted(learning(records))


@pytest.mark.parametrize("hub_settings", [{}])
def test_without_lrs_url_no_forwarder_starts(app):
    assert lrs_job.start(app) is None


def test_statements_the_tablet_makes_from_scorm_values_are_taken_by_the_lrs(app, lrs, lrs_client, stored):
    cmi = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "8", "cmi.core.score.min": "0",
           "cmi.core.score.max": "10", "cmi.core.session_time": "0000:12:30.5",
           "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
           "cmi.interactions.0.student_response": "b", "cmi.interactions.0.result": "correct"}
    made = scorm.statements(cmi, learner="L-0042", course="maths-1", item="unit-1",
                            attempt="2b9bd4a8-7c44-4b5c-9d4f-0c39a1b0e6a7", timestamp=timestamp())
    records = stored([carrying(kind, "L-0042", seq, statement) for seq, (kind, statement) in enumerate(made, 1)])

    with db.connected():
        done = forward(lrs_client, batch_size=10)

    assert (done.forwarded, done.left_out) == (2, 0) and lrs.refused == []
    assert {lrs.statements[r["id"]]["verb"]["display"]["en-US"] for r in records} == {"passed", "answered"}
