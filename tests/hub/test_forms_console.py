"""Forms in the workers' console (/work/forms): a team manager publishes an XLSForm (a refused one lists each
reason with its row, and nothing is kept), an offender manager may not; every worker reads the forms, and the
submissions of their own people only (another worker's person's is 404 as if it did not exist), each read
recorded for the person; the export is ODK Central's CSV with media, of their people only, and audited.
The authorization matrix over these routes is tests/hub/test_hub_work_console.py's."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import zipfile

import pytest
import workkit
from consolekit import BASE, post
from formkit import png, xlsform
from workkit import page

from hub import db
from hub.audit import trail
from hub.forms import service, submissions
from hub.forms.models import FormVersion
from hub.sync import sealed, uploads
from hub.sync.models import PhoneUpload
from hub.workers.models import PersonRead
from wire.records import timestamp

console_app, as_worker = workkit.console_app, workkit.as_worker
WORKERS = {name: workkit.WORKERS[name] for name in ("olivia", "tom", "sam")}
"""Olivia and her team manager Tom, and Sam of another team: the roles these pages tell apart."""


@pytest.fixture(scope="module")
def team(console_app) -> workkit.Team:
    """workkit's team, of the three workers these tests need (each account costs a password hash)."""
    workers = {name: workkit.make_worker(console_app, name, role, team) for name, (role, team) in WORKERS.items()}
    own = {name: workkit.add_person(console_app, name) for name in WORKERS}
    return workkit.Team(workers, own, workkit.add_person(console_app, *WORKERS), admin=None)


def publish(client, data: bytes, name: str = "interview.xlsx", form_id: str = ""):
    return post(client, "/work/forms/publish", {"file": (io.BytesIO(data), name), "form_id": form_id},
                page="/work/forms/publish")


@pytest.fixture(scope="module")
def published(console_app, team, as_worker):
    answer = publish(as_worker("tom"), xlsform("visit_photo", "1", title="Visit photo", survey=[
        ["text", "note", "What is it?", "Beth yw e?", "yes", "", "", ""],
        ["image", "photo", "Photo", "Llun", "", "", "max-pixels=640", ""],
        ["geopoint", "where", "Where", "Ble", "", "", "warning-accuracy=20", ""]]))
    assert answer.status_code == 303 and answer.headers["Location"] == ("/work/forms/visit_photo?version=1&"
                                                                        "published=new")
    return "visit_photo"


def _submit(app, person: str, note: str, accuracy: float) -> tuple[str, bytes]:
    """A submission of the person's, with a photo sealed in their folder as a phone's upload leaves it."""
    photo_bytes = png(4, 3)
    sha = hashlib.sha256(photo_bytes).hexdigest()
    submission_id = str(uuid.uuid4())
    with app.app_context(), db.proxy.connection_context():
        store = uploads.Store(app.config["ATTACHMENTS_DIR"], app.config["ATTACHMENTS_KEY_FILE"])
        if not store.blob(person, sha).exists():
            store.blob(person, sha).parent.mkdir(parents=True, exist_ok=True)
            sealed.append(store.blob(person, sha), store.key, sha, 0, photo_bytes, len(photo_bytes))
            PhoneUpload.create(person=person, sha256=sha, key_id="k" * 43, media_type="image/png",
                               bytes=len(photo_bytes), started_at=timestamp(), completed_at=timestamp())
        body = {"form_id": "visit_photo", "version": "1", "filled_at": timestamp(),
                "values": {"note": note, "photo": {"sha256": sha, "type": "image/png", "bytes": len(photo_bytes)},
                           "where": {"lat": 51.5, "lon": -3.2, "accuracy": accuracy, "mock": False}}}
        with db.proxy.atomic():
            submissions.receive(person, submission_id, body, submissions.pixels_reader(store))
    return submission_id, photo_bytes


def test_a_team_manager_publishes_a_form_and_an_offender_manager_may_not(console_app, team, as_worker, published):
    status, text = page(as_worker("tom"), "/work/forms/visit_photo?version=1&published=new")
    assert status == 200 and "Published version 1. Phones get it at their next sync." in text
    assert "<code>where</code>" in text and "<span lang=\"cy\">Llun</span>" in text
    assert publish(as_worker("olivia"), xlsform("other", "1")).status_code == 403
    status, text = page(as_worker("olivia"), "/work/forms")
    assert status == 200 and "Visit photo" in text and "Publish a form" not in text
    again = publish(as_worker("tom"), xlsform("visit_photo", "1", title="Visit photo, changed"))
    assert again.status_code == 409 and "already published with other content" in again.get_data(as_text=True)


def test_a_refused_xlsform_lists_each_reason_with_its_row_and_nothing_is_kept(console_app, team, as_worker):
    answer = publish(as_worker("tom"), xlsform("trip", "1", survey=[
        ["text", "name", "Name", "Enw", "", "", "", ""], ["geotrace", "route", "Route", "Llwybr", "", "", "", ""],
        ["select_one colours", "colour", "Colour", "Lliw", "", "", "", ""]]))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Not published" in text
    assert "survey row 3 (&#39;route&#39;): the type &#39;geotrace&#39; is not supported" in text
    assert "survey row 4 (&#39;colour&#39;): the choices sheet has no list &#39;colours&#39;" in text
    with console_app.app_context(), db.proxy.connection_context():
        assert FormVersion.get_or_none(FormVersion.form_id == "trip") is None
    empty = publish(as_worker("tom"), b"", name="")
    assert empty.status_code == 400 and "Choose the XLSForm to publish" in empty.get_data(as_text=True)


def test_a_worker_reads_and_exports_only_their_own_peoples_submissions_each_read_recorded(console_app, team,
                                                                                          as_worker, published):
    mine, theirs = team.person["olivia"], team.person["sam"]
    own_id, photo = _submit(console_app, mine, "The job centre letter", 35.0)
    their_id, _ = _submit(console_app, theirs, "Someone else's", 5.0)
    client = as_worker("olivia")
    status, text = page(client, "/work/forms/visit_photo/submissions")
    assert status == 200 and mine in text and theirs not in text
    assert "where: GPS fix less accurate than the form&#39;s warning accuracy" in text
    status, text = page(client, f"/work/forms/visit_photo/submissions/{own_id}")
    assert status == 200 and "The job centre letter" in text and "accuracy 35.0 m" in text
    assert page(client, f"/work/forms/visit_photo/submissions/{their_id}")[0] == 404
    sha = hashlib.sha256(photo).hexdigest()
    got = client.get(f"/work/forms/visit_photo/submissions/{own_id}/files/{sha}", base_url=BASE)
    assert got.status_code == 200 and got.data == photo
    assert client.get(f"/work/forms/visit_photo/submissions/{their_id}/files/{sha}", base_url=BASE).status_code == 404

    exported = client.get("/work/forms/visit_photo/export.zip", base_url=BASE)
    assert exported.status_code == 200 and exported.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("visit_photo.csv").decode())))
        assert [row["KEY"] for row in rows] == [f"uuid:{own_id}"]
        assert rows[0]["note"] == "The job centre letter" and rows[0]["where-Accuracy"] == "35.0"
        assert archive.read(f"media/{rows[0]['photo']}") == photo
    with console_app.app_context(), db.proxy.connection_context():
        reads = {(r.worker, r.person_id) for r in PersonRead.select().where(PersonRead.what == "form submissions")}
        assert reads == {("olivia", mine)}
        (audited,) = [e for e in trail.entries() if e["actor"] == "olivia" and e["action"] == "work.forms.submissions"]
        assert audited["target"] == "visit_photo" and '"exported": 1' in audited["detail"]
        assert [listed.submissions for listed in service.listing([mine])] == [1]
