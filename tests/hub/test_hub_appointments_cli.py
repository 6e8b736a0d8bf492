"""`throughgate hub appointments ...` on a real instance (SQLite), run in-process through the hub's own
argument parser: what each command prints, the history it leaves, the calendar address shown once,
refusals that say what to do, and each command in the audit trail as its action."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def hub(hub_cli_fresh):
    """hub("appointments", "list", P) -> (exit code, stdout, stderr) of `throughgate hub ... --instance`."""
    assert hub_cli_fresh("workers", "add", "olivia", "--role", "offender_manager")[0] == 0
    return hub_cli_fresh


def test_a_worker_adds_moves_and_cancels_and_the_history_says_who_when_and_why(hub):
    person = hub("people", "add")[1].strip()
    code, out, _ = hub("appointments", "add", person, "--worker", "olivia", "--at", "2027-01-11T10:00Z",
                       "--minutes", "45", "--kind", "video", "--place", "Video call")
    assert code == 0 and "2027-01-11T10:00:00.000Z to 2027-01-11T10:45:00.000Z, video" in out
    assert "No video link: this hub has no video service" in out
    appointment = re.search(r"Appointment ([0-9a-f-]{36})", out).group(1)

    assert hub("appointments", "move", appointment, "--at", "2027-01-12T09:30+01:00", "--reason", "Court")[0] == 0
    assert hub("appointments", "cancel", appointment, "--reason", "Seen at the hostel")[0] == 0
    code, _out, err = hub("appointments", "move", appointment, "--at", "2027-01-13T09:00Z", "--reason", "x")
    assert code == 1 and "was cancelled: make a new one instead" in err

    history = hub("appointments", "history", appointment)[1].splitlines()
    rows = [line.split()[2:4] for line in history[1:]]
    assert [what for _by, what in rows] == ["created", "moved", "cancelled"]
    assert all(by.startswith("cli:") for by, _what in rows)  # the operator on the hub's machine
    assert "Court" in history[2] and "to 2027-01-12T08:30:00.000Z" in history[2]
    assert "Seen at the hostel" in history[3]
    listed = hub("appointments", "list", person)[1]
    assert appointment in listed and "cancelled" in listed

    audit = hub("audit", "export")[1]
    for action in ("appointments.manage", "appointments.read"):
        assert action in audit


def test_the_calendar_address_is_shown_once_and_new_replaces_it(hub):
    person = hub("people", "add")[1].strip()
    code, out, _ = hub("appointments", "calendar", person)
    first = re.search(r"/v1/calendar/([A-Za-z0-9_-]{43})\.ics", out).group(1)
    assert code == 0 and "It is shown only now" in out
    code, _out, err = hub("appointments", "calendar", person)
    assert code == 1 and "--new makes a new one" in err
    code, out, _ = hub("appointments", "calendar", person, "--new")
    assert code == 0 and "the old address no longer works" in out and first not in out


def test_refusals_say_what_to_do(hub):
    person = hub("people", "add")[1].strip()
    code, _out, err = hub("appointments", "add", person, "--worker", "nobody", "--at", "2027-01-11T10:00Z",
                          "--place", "Office")
    assert code == 1 and "there is no worker 'nobody'" in err
    code, _out, err = hub("appointments", "add", person, "--worker", "olivia", "--at", "11/01/2027 10am",
                          "--place", "Office")
    assert code == 1 and "like 2027-01-11T10:00Z" in err
    code, _out, err = hub("appointments", "history", "not-an-id")
    assert code == 1 and "`throughgate hub appointments list PERSON` shows a person's" in err
