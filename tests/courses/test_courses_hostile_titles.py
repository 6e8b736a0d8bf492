"""What hostile course packages could make consoles and terminals show: escape sequences in titles
(`hub courses list`), titles, ids and item counts past the limits, and an assignment id with
control characters, each refused or shown harmlessly (the real `throughgate hub` in its own process).
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid

import pytest

from tests.courses import hostilekit
from tests.courses.hostilekit import (
    courses_listed,
    hub,
    native_zip,
    refused,
    scorm_manifest,
    scorm_zip,
)
from wire.learning import check_payload
from wire.records import Record, RecordError

# the kit's fixtures, here so that pytest finds them
instance = hostilekit.instance


# --- titles in the administrator's terminal -----------------------------------------------------

ESCAPES = "\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mHUB COMPROMISED\x1b[0m"


def _raw(text: str) -> list[str]:
    """What a terminal would act on: ESC, BEL, CSI, NEL and the bidirectional controls."""
    return re.findall("[\x1b\x07\x9b\x85\u202a-\u202e\u2066-\u2069]", text)


def test_escape_sequences_in_titles_are_dropped_at_import_and_never_printed(instance, tmp_path):
    """Before: `hub courses list` wrote the title's bytes as they came: it cleared the admin's
    screen, set the window title and turned the rest of the output red."""
    native = native_zip(tmp_path / "n.zip", "ansi-title", title=f"Maths {ESCAPES}\u009b2J \u202egnp.exe\u202c",
                        items=[{"id": "welcome", "title": "Wel\x1b[8mcome", "type": "page", "href": "index.html"}])
    scorm = scorm_zip(tmp_path / "s.zip", scorm_manifest("Fractions \u009b31m \u202ereversed\u202c"))

    imported = hub(instance, "courses", "import", str(native))
    hub(instance, "courses", "import", str(scorm), "--course", "c1-title")
    listed = courses_listed(instance).decode()
    with sqlite3.connect(instance / "hub.db") as db:
        (envelope,) = db.execute("SELECT v.envelope FROM course_version v JOIN course c ON c.id = v.course_id "
                                 "WHERE c.slug = 'ansi-title'").fetchone()
    manifest = json.loads(envelope)["manifest"]

    assert imported.returncode == 0, imported.stderr
    assert _raw(imported.stdout.decode()) == [] and _raw(listed) == []
    assert "Maths [2J[H]0;owned[31mHUB COMPROMISED[0m2J gnp.exe" in listed
    assert "Fractions 31m reversed" in listed
    assert manifest["title"] == "Maths [2J[H]0;owned[31mHUB COMPROMISED[0m2J gnp.exe"
    assert manifest["items"][0]["title"] == "Wel[8mcome"


def test_a_title_stored_by_an_earlier_release_is_listed_with_visible_escapes(instance, tmp_path):
    hub(instance, "courses", "import", str(native_zip(tmp_path / "p.zip", "old-title")))
    with sqlite3.connect(instance / "hub.db") as db:
        db.execute("UPDATE course SET title = ? WHERE slug = 'old-title'", (f"Old {ESCAPES}\u202e",))

    listed = courses_listed(instance).decode()

    assert _raw(listed) == []
    assert "Old \\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x1b[31mHUB COMPROMISED\\x1b[0m\\u202e" in listed


def test_a_refusal_quoting_the_package_prints_no_escape_sequence(instance, tmp_path):
    package = native_zip(tmp_path / "p.zip", "unknown-field", **{f"x{ESCAPES}": 1})

    err = refused(hub(instance, "courses", "import", str(package)), "bad_manifest")

    assert _raw(err) == []
    assert "\\x1b]0;owned\\x07" in err


# --- limits on what every tablet and page shows -------------------------------------------------

def _items(count: int, **change) -> list[dict]:
    return [{"id": f"page-{n}", "title": f"Page {n}", "type": "page", "href": "index.html", **change}
            for n in range(count)]


OVER_THE_LIMITS = {
    "course-title": (lambda t: native_zip(t, "long-title", title="Fractions " * 60),
                     "title_too_long", ["course.json", "the course is 599 characters", "at most 500"]),
    "item-title": (lambda t: scorm_zip(t, scorm_manifest(
        items=f'<item identifier="I1" identifierref="R1"><title>{"Unit " * 120}</title></item>')),
        "title_too_long", ["imsmanifest.xml", "item 'I1' is 599 characters", "at most 500"]),
    "item-id": (lambda t: scorm_zip(t, scorm_manifest(items=f'<item identifier="{"I" * 201}" identifierref="R1"/>')),
                "bad_item_id", ["imsmanifest.xml", "(201 characters)", "at most 200"]),
    "item-id-control": (lambda t: native_zip(t, "id-control", items=_items(1, id="task\u202e1")),
                        "bad_item_id", ["course.json", "'task\\u202e1'", "without control characters"]),
    "items": (lambda t: native_zip(t, "many-items", items=_items(2001)),
              "too_many_items", ["course.json lists 2001", "at most 2000"]),
}


@pytest.mark.parametrize("case", OVER_THE_LIMITS)
def test_titles_ids_and_items_over_the_limits_are_refused_naming_the_file_and_limit(instance, tmp_path, case):
    make, code, said = OVER_THE_LIMITS[case]

    err = refused(hub(instance, "courses", "import", str(make(tmp_path / "p.zip"))), code)

    assert all(part in err for part in said), err


def test_items_and_titles_at_the_limits_import(instance, tmp_path):
    package = native_zip(tmp_path / "p.zip", "at-the-limits", title="T" * 500, items=_items(2000, title="t" * 500))

    done = hub(instance, "courses", "import", str(package))

    assert done.returncode == 0, done.stderr


# --- the id a tablet names an assignment by, shown as a title in the staff console --------------

@pytest.mark.parametrize("assignment", ["essay\u202eFDP.exe", "essay\x1b[31m", "essay\u009b2J"])
def test_a_submission_naming_its_assignment_with_control_characters_is_refused_as_the_edge_would(assignment):
    """In Chromium the console escaped a submitted `<img onerror>` as text, but an override made
    'FDP.exe' read 'exe.PDF' in the page and in the window title before "from L-A1"."""
    payload = {"assignment": assignment, "course": "english-2", "text": "My essay", "attachments": []}

    with pytest.raises(RecordError) as caught:
        check_payload(Record(str(uuid.uuid4()), "assignment_submission", "L-A1", "2026-11-27T01:00:00.000Z", 1,
                             payload))

    assert caught.value.code == "bad_schema" and "bidirectional" in caught.value.reason
    check_payload(Record(str(uuid.uuid4()), "assignment_submission", "L-A1", "2026-11-27T01:00:00.000Z", 1,
                         {**payload, "assignment": "essay-1 <b>draft</b> écrit"}))
