"""A form with logic published at the hub and filled in (hub/forms/service.py and submissions.py on a real
SQLite hub database, no server): the field list phones get carries the expressions, a submission that follows
the skip logic is stored with the hub's own calculation (and the export has it as a column, as ODK Central's
does), one that answers a question not asked is refused naming the field and nothing is stored."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile

import consolekit
import pytest
import workkit
from formkit import logic_xlsform

from hub import db
from hub.forms import service, submissions
from hub.forms.models import FormSubmission
from hub.refusals import Refused
from wire.records import timestamp

console_app = consolekit.console_app
WELL = {"went": "well", "job/hours": 37, "job/pay": 11.44, "region": "wales", "town": "swansea",
        "job/starts": "2099-02-01"}


@pytest.fixture(scope="module")
def published(console_app):
    person = workkit.add_person(console_app)
    with console_app.app_context(), db.proxy.connection_context():
        row = service.publish(logic_xlsform(), "test", file_name="job_news.xlsx").row
        return person, row.form_id, row.version


def _receive(app, person: str, values: dict, version: str) -> str:
    submission_id = str(uuid.uuid4())
    body = {"form_id": "job_news", "version": version, "filled_at": timestamp(), "values": values}
    with app.app_context(), db.proxy.connection_context(), db.proxy.atomic():
        submissions.receive(person, submission_id, body, lambda _person, _sha: None)
    return submission_id


def test_the_field_list_phones_get_carries_the_logic(console_app, published):
    with console_app.app_context(), db.proxy.connection_context():
        document = next(d for d in service.latest_documents() if d["form_id"] == "job_news")
    found = {f["path"]: f for f in document["fields"]}
    assert found["job"]["relevant"] == "selected(${went}, 'well')"
    assert found["job/weekly"]["calculation"] == "round(${hours} * ${pay}, 2)"
    assert found["town"]["choice_filter"] == "region = ${region}"


def test_a_submission_with_skip_logic_is_stored_with_the_hubs_calculation_and_exported(console_app, published):
    person, form_id, version = published
    kept = _receive(console_app, person, {**WELL, "job/weekly": "423"}, version)
    skipped = _receive(console_app, person, {"went": "badly", "why": "The bus was late"}, version)
    with console_app.app_context(), db.proxy.connection_context():
        rows = {row.submission_id: row for row in FormSubmission.select().where(FormSubmission.form_id == form_id)}
        out = io.BytesIO()
        submissions.export(form_id, None, None, out)
    assert json.loads(rows[kept].values)["job/weekly"] == "423.28"
    assert json.loads(rows[kept].flags) == {"job/weekly": ["calculation_differs"]}
    assert json.loads(rows[skipped].values) == {"went": "badly", "why": "The bus was late"}
    with zipfile.ZipFile(out) as archive:
        table = list(csv.DictReader(io.StringIO(archive.read(f"{form_id}.csv").decode())))
    by_key = {line["KEY"]: line for line in table}
    assert by_key[f"uuid:{kept}"]["job-weekly"] == "423.28" and by_key[f"uuid:{skipped}"]["job-weekly"] == ""
    assert by_key[f"uuid:{kept}"]["Flags"] == "job/weekly: calculation_differs"


def test_an_answer_to_a_question_not_asked_is_refused_naming_it_and_nothing_is_stored(console_app, published):
    person, form_id, version = published
    with console_app.app_context(), db.proxy.connection_context():
        before = FormSubmission.select().where(FormSubmission.form_id == form_id).count()
    with pytest.raises(Refused) as refused:
        _receive(console_app, person, {"went": "badly", "job/hours": 37}, version)
    assert (refused.value.status, refused.value.code, refused.value.extra) == (400, "bad_value",
                                                                              {"field": "job/hours"})
    assert refused.value.reason.startswith("field 'job/hours': this question is not asked for the answers given")
    with console_app.app_context(), db.proxy.connection_context():
        assert FormSubmission.select().where(FormSubmission.form_id == form_id).count() == before
