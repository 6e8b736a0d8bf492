"""`throughgate tablet submit|progress|quiz|rejections` as a person types them (each its own process):
records of every kind are made offline, checked with the edge's rules before they are stored, and the
edge's refusals are listed and cleared."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tablet.fleet import sample_payload
from tablet.identity import TabletIdentity
from tablet.outbox import Outbox
from wire.records import TABLET_KINDS, parse_record

LEARNER = "L-0042"


def tablet(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "throughgate", "tablet", *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == expect, done.stderr + done.stdout
    return done


def stored(folder) -> list:
    outbox = Outbox(str(TabletIdentity(folder).outbox_path))
    try:
        return [parse_record(p.body) for p in outbox.pending(100, set())]
    finally:
        outbox.close()


def test_records_the_edge_would_refuse_are_refused_here_with_its_words_and_not_stored(tmp_path):
    folder = str(tmp_path / "tab")
    no_attachments = tablet("submit", "--folder", folder, "--kind", "assignment_submission", "--learner", LEARNER,
                            "--payload", '{"assignment": "essay-1", "course": "english-2", "text": "My essay"}',
                            expect=2)
    assert ("not recorded: bad_schema: an assignment_submission payload: missing field(s): attachments (`throughgate "
            "tablet assignment` writes the submission and uploads its attachments)") in no_attachments.stderr
    no_id = tablet("submit", "--folder", folder, "--kind", "progress_statement", "--learner", LEARNER,
                   "--payload", '{"verb": "completed", "object": "maths-1/unit-1"}', expect=2)
    assert "the statement has no 'id' (`throughgate tablet progress` writes the statement for you)" in no_id.stderr
    with_files = tablet("submit", "--folder", folder, "--kind", "assignment_submission", "--learner", LEARNER,
                        "--payload", json.dumps({"assignment": "essay-1", "course": "english-2", "text": "x",
                                                 "attachments": [{"id": "x"}]}), expect=2)
    assert "use `throughgate tablet assignment ... --attach FILE`" in with_files.stderr
    assert "--payload is not JSON" in tablet("submit", "--folder", folder, "--kind", "message", "--learner",
                                             LEARNER, "--payload", "hello", expect=2).stderr
    assert stored(folder) == []


def test_every_kind_a_tablet_makes_can_be_made_from_the_command_line(tmp_path):
    folder = str(tmp_path / "tab")
    made = [
        tablet("submit", "--folder", folder, "--kind", "message", "--learner", LEARNER,
               "--payload", '{"to": "probation-officer", "text": "About my appointment"}'),
        tablet("submit", "--folder", folder, "--kind", "form_submission", "--learner", LEARNER,
               "--payload", '{"form_id": "healthcare_request", "version": "1", "filled_at": "2026-12-08T01:00:00Z", '
               '"values": {"q1": "dentist"}, "attachments": []}'),
        tablet("submit", "--folder", folder, "--kind", "assignment_submission", "--learner", LEARNER,
               "--payload", '{"assignment": "essay-1", "course": "english-2", "text": "My essay", "attachments": []}'),
        tablet("submit", "--folder", folder, "--kind", "course_refusal", "--learner", LEARNER, "--payload",
               json.dumps(sample_payload("course_refusal", 1, LEARNER))),
        tablet("submit", "--folder", folder, "--kind", "course_state", "--learner", LEARNER, "--payload",
               json.dumps(sample_payload("course_state", 1, LEARNER))),
        tablet("progress", "--folder", folder, "--learner", LEARNER, "--course", "maths-1", "--item", "unit-3",
               "--score", "0.8", "--completion", "--success"),
        tablet("quiz", "--folder", folder, "--learner", LEARNER, "--course", "maths-1", "--question", "quiz-1/q3",
               "--response", "b", "--failure"),
    ]
    records = stored(folder)
    assert [r.id for r in records] == [done.stdout.strip() for done in made]
    assert {r.kind for r in records} == set(TABLET_KINDS)
    progress, quiz = records[5].payload, records[6].payload
    assert progress["id"] == records[5].id and progress["actor"]["account"]["name"] == LEARNER
    assert progress["object"]["id"] == "urn:throughgate:course:maths-1/unit-3"
    assert progress["result"] == {"completion": True, "success": True, "score": {"scaled": 0.8}}
    assert quiz["verb"]["display"] == {"en-US": "answered"} and quiz["result"] == {"response": "b", "success": False}
    bad_course = tablet("progress", "--folder", folder, "--learner", LEARNER, "--course", "Maths 1", expect=2)
    assert "not recorded: course 'Maths 1' is not a lower-case DNS label" in bad_course.stderr


@pytest.fixture
def refused(tmp_path):
    """A tablet folder whose outbox holds two records the edge refused, and one pending."""
    folder = str(tmp_path / "tab")
    (tmp_path / "tab").mkdir()
    outbox = Outbox(str(TabletIdentity(folder).outbox_path))
    first, second, _pending = (outbox.add("message", LEARNER, {"text": str(n)}) for n in range(3))
    outbox.rejected(first.id, "learner_mismatch: tablet tab-1 is bound to learner L-7")
    outbox.rejected(second.id, "quota_exceeded: the edge's outbox is full")
    outbox.close()
    return folder, first, second


def test_rejections_are_listed_with_the_edges_reason_and_cleared_one_or_all(refused):
    folder, first, second = refused
    listed = tablet("rejections", "list", "--folder", folder).stdout
    assert f"seq=1 id={first.id} message {LEARNER}" in listed and "learner_mismatch: tablet tab-1" in listed
    assert f"seq=2 id={second.id}" in listed and "2 refused;" in listed
    as_json = json.loads(tablet("rejections", "list", first.id, "--folder", folder, "--json").stdout)
    assert [(r["id"], r["payload"], r["reason"][:16]) for r in as_json] == [(first.id, {"text": "0"},
                                                                             "learner_mismatch")]

    assert tablet("rejections", "clear", first.id, "--folder", folder).stdout.strip() == "cleared 1 refused record(s)"
    assert "no refused record" in tablet("rejections", "clear", first.id, "--folder", folder, expect=1).stderr
    assert tablet("rejections", "clear", "--folder", folder).stdout.strip() == "cleared 1 refused record(s)"
    listed = tablet("rejections", "list", "--folder", folder).stdout
    assert listed.strip() == "the edge refused no record of this tablet"
    assert len(stored(folder)) == 1  # the pending record is untouched
    outbox = Outbox(str(TabletIdentity(folder).outbox_path))
    assert outbox.add("message", LEARNER, {}).seq == 4  # sequence numbers are never reused
    outbox.close()


@pytest.mark.parametrize("command", [["status", "--offline"], ["send"], ["rejections", "list"], ["courses", "list"]])
def test_a_command_on_a_folder_that_does_not_exist_says_to_enrol_and_makes_nothing(tmp_path, command):
    folder = tmp_path / "not-enrolled"
    done = tablet(*command, "--folder", str(folder), expect=2)
    assert f"no tablet folder at {folder}: enrol the tablet first" in done.stderr
    assert "Traceback" not in done.stderr
    assert not folder.exists()


def test_an_assignment_can_be_held_before_enrolment_in_a_new_private_folder(tmp_path):
    folder = tmp_path / "new-tablet"
    essay = tmp_path / "essay.txt"
    essay.write_text("My essay")
    tablet("assignment", "--folder", str(folder), "--learner", LEARNER, "--course", "english-2",
           "--assignment", "essay-1", "--attach", str(essay))
    assert folder.stat().st_mode & 0o777 == 0o700
    assert "held submission" in tablet("status", "--offline", "--folder", str(folder)).stdout
