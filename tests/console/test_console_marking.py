"""Marking, the staff-only kinds at the relay's intake, and the console's CLI commands."""

from __future__ import annotations

import io
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edge import store
from edge.console import marking, tables
from edge.downlink import messages
from edge.downlink.tables import DownMessage
from edge.intake import rules as intake
from hub.lrs.statements import to_statement
from tests.console.consolekit import attachment_submission, submission
from throughgate.cli import main
from wire import topics
from wire.records import STAFF_KINDS, new_record, timestamp


@pytest.mark.parametrize("kind", sorted(STAFF_KINDS))
def test_the_relay_refuses_staff_kinds_from_a_tablet(kind):
    forged = new_record(kind, "L-1", 1, {"grade": "A*", "feedback": "I marked myself"})
    result = intake.triage([intake.Arrived(topics.up("tab-0001"), forged.to_json(), 1, 1)], known=set(), highest={},
                           room=10**6, received="2026-11-27T00:00:00.000Z", quota_retry_s=30)
    assert result.rows == []
    [refusal] = result.refusals
    assert (refusal.code, refusal.record_id) == ("unknown_kind", forged.id) and "staff-only" in refusal.reason


def test_a_mark_writes_the_feedback_record_and_the_tablets_message_together(kit, app, staff):
    target = submission("L-A1", device="tab-0002")
    response = staff["tina"].post(f"/submissions/{target}/mark", {"grade": "7/10", "feedback": "Good structure."})
    assert response.status_code == 302
    mark = tables.Mark.get(tables.Mark.submission == target)
    record = json.loads(store.Received.get(store.Received.id == mark.record).body)
    assert record["kind"] == "feedback" and record["learner"] == "L-A1"
    assert record["payload"] | {"marked": None} == {"submission": target, "assignment": record["payload"]["assignment"],
                                                   "course": "english-2", "grade": "7/10", "marker": "tina",
                                                   "feedback": "Good structure.", "marked": None}
    forwarded = to_statement(record)  # what the hub sends an LRS for it
    assert forwarded["verb"]["id"].endswith("/scored") and forwarded["result"]["score"]["scaled"] == 0.7
    assert forwarded["object"]["id"].startswith("urn:throughgate:course:english-2/")
    assert forwarded["context"]["statement"]["id"] == target
    message = json.loads(DownMessage.select().where(DownMessage.device == "tab-0002")
                         .order_by(DownMessage.id.desc()).get().body)
    assert message["type"] == "feedback" and message["id"] == mark.record and message["grade"] == "7/10"
    shown = staff["tina"].get(f"/submissions/{target}").get_data(as_text=True)
    assert "Good structure." in shown and 'name="grade"' not in shown


def test_the_console_says_feedback_is_waiting_until_the_tablet_acknowledges_it(kit, app, staff):
    target = submission("L-A1", device="tab-0002")
    marked = staff["tina"].post(f"/submissions/{target}/mark", {"grade": "B", "feedback": "Keep going."})
    flashed = staff["tina"].get(marked.headers["Location"]).get_data(as_text=True)
    assert "The feedback is on its way to L-A1&#39;s tablet (tab-0002)" in flashed
    assert "Waiting</strong> for tab-0002 since" in flashed and "not sent yet" in flashed
    health = staff["ivan"].get("/health/").get_data(as_text=True)
    waiting = messages.summary().waiting
    assert waiting >= 1 and f'>{waiting}</a> <span class="muted">(the oldest waiting since' in health
    assert "not yet sent" not in health

    record = tables.Mark.get(tables.Mark.submission == target).record
    with store.writing():
        messages.apply_acks({"tab-0002": [[record]]})  # what the relay does with the tablet's down_ack
    shown = staff["tina"].get(f"/submissions/{target}").get_data(as_text=True)
    assert "Delivered</span> to tab-0002" in shown and "(the tablet confirmed it)" in shown
    assert messages.summary().waiting == waiting - 1
    listed = staff["ivan"].get("/health/messages?state=delivered").get_data(as_text=True)
    assert "<td>tab-0002</td><td>feedback</td>" in listed and "Keep going." not in listed  # no content for IT


def test_the_console_says_which_feedback_was_given_up_and_which_went_to_a_revoked_tablet(kit, app, staff):
    late, lost = submission("L-A1", device="tab-0005"), submission("L-A1", device="tab-0006")
    for target in (late, lost):
        staff["tina"].post(f"/submissions/{target}/mark", {"grade": "B", "feedback": "Keep going."})
    late_id = tables.Mark.get(tables.Mark.submission == late).record
    old = timestamp(datetime.now(UTC) - timedelta(days=31))
    with store.writing():
        DownMessage.update(created=old, attempts=40, sent=old).where(DownMessage.message_id == late_id).execute()
        if not store.Tablet.update(status="revoked", revoked=old).where(store.Tablet.device == "tab-0006").execute():
            store.Tablet.create(device="tab-0006", status="revoked", enrolled=old, revoked=old)
    assert messages.give_up(days=30) >= 1

    shown = staff["tina"].get(f"/submissions/{late}").get_data(as_text=True)
    assert "Not delivered</strong> to tab-0005: not confirmed by the tablet after 31 days" in shown
    assert "Waiting</strong>" not in shown
    shown = staff["tina"].get(f"/submissions/{lost}").get_data(as_text=True)
    assert "Not delivered</strong> to tab-0006: tablet revoked" in shown
    summary = messages.summary()
    health = staff["ivan"].get("/health/").get_data(as_text=True)
    assert f'<td id="down-undelivered"><a href="/health/messages?state=undelivered">{summary.undelivered}</a>' in health
    listed = staff["ivan"].get("/health/messages?state=undelivered").get_data(as_text=True)
    assert "<td>tab-0005</td><td>feedback</td>" in listed and "<td>tab-0006</td><td>feedback</td>" in listed
    assert 'aria-current="page">Not delivered</a>' in listed and "Keep going." not in listed
    waiting = staff["ivan"].get("/health/messages").get_data(as_text=True)
    assert "<td>tab-0005</td>" not in waiting and "<td>tab-0006</td>" not in waiting


@pytest.mark.parametrize(("grade", "feedback", "reason"), [("", "Fine.", "Give a grade"), ("B", "  ", "Write feedback"),
                                                           ("x" * 21, "Fine.", "Give a grade")])
def test_a_mark_without_grade_or_feedback_is_refused_and_nothing_is_written(app, staff, grade, feedback, reason):
    target = submission("L-A1")
    before = store.Received.select().count()
    response = staff["tina"].post(f"/submissions/{target}/mark", {"grade": grade, "feedback": feedback})
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert tables.Mark.get_or_none(tables.Mark.submission == target) is None
    assert store.Received.select().count() == before


def test_a_submission_is_marked_once(app, staff):
    target = submission("L-A1")
    marking.mark(target, "B", "First.", "tina")
    with pytest.raises(marking.MarkError, match="already marked by tina") as refused:
        marking.mark(target, "A", "Second.", "mary")
    assert refused.value.status == 409


@pytest.fixture
def cli(monkeypatch, capsys):
    """`throughgate edge ...` in this process (parser, commands and output as from a shell), with stdin."""

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(["edge", *args])
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_staff_are_added_from_the_cli_with_the_password_on_standard_input(kit, cli):
    instance = str(kit.instance)
    assert cli("classes", "add", "C", "--instance", instance) == (0, "class C added\n", "")
    assert cli("staff", "add", "cleo", "--role", "tutor", "--class", "C", "--instance", instance,
               stdin="cleo's long passphrase\n") == (0, "tutor cleo can log in to the console in C\n", "")
    code, _, err = cli("staff", "add", "carl", "--role", "it", "--instance", instance, stdin="short\n")
    assert code == 1 and "at least 12 characters" in err
    code, _, err = cli("staff", "add", "carl", "--role", "it", "--password", "a long staff passphrase",
                       "--instance", instance)
    assert code == 2 and "unrecognized arguments: --password" in err
    assigned = cli("classes", "assign", "C", "--learner", "L-C1", "--tutor", "cleo", "--instance", instance)
    assert assigned == (0, "class C: 1 learner(s) and 0 tutor(s) added\n", "")
    _, listed, _ = cli("staff", "list", "--instance", instance)
    assert "cleo                 tutor    C" in listed and "carl" not in listed
    hashed = tables.Staff.get(tables.Staff.username == "cleo").password_hash
    assert hashed.startswith("$argon2id$") and "passphrase" not in hashed


def test_a_photo_the_submission_names_is_shown_to_its_tutor_only(kit, app, staff):
    target, attachment = attachment_submission(kit.config, "L-A1")
    path = f"/submissions/{target}/attachments/{attachment}"
    assert f'src="{path}"' in staff["tina"].get(f"/submissions/{target}").get_data(as_text=True)
    shown = staff["tina"].get(path)
    assert shown.status_code == 200 and shown.data.startswith(b"\xff\xd8") and shown.mimetype == "image/jpeg"
    assert staff["tom"].get(path).status_code == 403 and staff["ivan"].get(path).status_code == 403
    assert staff["tina"].get(f"/submissions/{target}/attachments/{uuid.uuid4()}").status_code == 404


def test_the_tablet_keeps_feedback_and_awards_once_and_tablet_status_prints_them(tmp_path, capsys):
    from tablet.identity import TabletIdentity
    from tablet.outbox import Outbox

    outbox = Outbox(str(TabletIdentity(tmp_path).outbox_path))
    feedback = {"type": "feedback", "id": str(uuid.uuid4()), "learner": "L-0042", "assignment": "essay-3",
                "grade": "Merit", "feedback": "Clear and honest."}
    award = {"type": "award", "id": str(uuid.uuid4()), "learner": "L-0042", "badge": "Reader",
             "rule": "complete at least 2 units in algebra-1"}
    assert outbox.keep_message(feedback) and not outbox.keep_message(feedback)  # a repeat is kept once
    assert outbox.keep_message(award) and not outbox.keep_message({"type": "ack", "ids": []})
    assert outbox.messages() == [feedback, award] and outbox.messages("award") == [award]
    outbox.close()
    assert main(["tablet", "status", "--folder", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "  feedback for L-0042 on essay-3: grade Merit: Clear and honest.",
        "  award for L-0042: Reader (complete at least 2 units in algebra-1)"]
