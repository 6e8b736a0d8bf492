"""Forms end to end on one real `throughgate hub run` (SQLite) with the reference phone: a form published
with `throughgate hub forms publish` (the same version again changes nothing, with other content it is
refused, a type the hub cannot check is refused naming its row), the phone gets the field list and the
upload limits, fills the form with a photo and a voice note while the connection drops twice, and the hub
stores one submission whose files, exported as ODK Central's CSV with media, hash to what the phone sent.
The same submission again is stored once, the same id with other content is a conflict, a bad value is
refused naming the field, a photo over max-pixels is refused, a submission whose file is not all up waits."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from formkit import ogg_opus, png, xlsform
from phonekit import hub_with_a_phone, point_phone_at

from hub import cli, db
from hub.forms.models import FormAttachment, FormSubmission
from hub.workers.models import PersonRead
from phone import client
from phone.store import Store
from tests.learning.learningkit import CuttingProxy
from wire import media
from wire.records import timestamp

CHUNK = 256 * 1024


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with hub_with_a_phone(tmp_path_factory.mktemp("forms")) as running:
        yield running


@pytest.fixture
def hub_cli(hub, monkeypatch, capsys):
    instance = hub[2]
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the instance's own hub.db, the running hub's

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", str(instance)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _published(hub, hub_cli) -> None:
    path = hub[5] / "interview_feedback.xlsx"
    if not path.exists():
        path.write_bytes(xlsform())
        assert hub_cli("forms", "publish", str(path))[0] == 0


def test_publishing_a_form_then_the_same_version_again_or_changed_or_unsupported(hub, hub_cli):
    root = hub[5]
    path = root / "interview_feedback.xlsx"
    path.write_bytes(xlsform())
    code, out, err = hub_cli("forms", "publish", str(path))
    assert (code, err) == (0, "")
    assert out == ("Published form interview_feedback version 2027010101 (Interview feedback): 10 fields. Phones get "
                   "it at their next sync.\n")
    assert hub_cli("forms", "publish", str(path))[1] == ("Form interview_feedback version 2027010101 is already "
                                                         "published with the same content: nothing changed.\n")
    changed = root / "changed.xlsx"
    changed.write_bytes(xlsform(title="Interview feedback (new wording)"))
    code, out, err = hub_cli("forms", "publish", str(changed))
    assert (code, out) == (1, "")
    assert err == ("error: form interview_feedback version 2027010101 is already published with other content, and "
                   "phones may have filled it in: give the changed form a new version in its settings sheet (like the "
                   "date and a number, 2027010102), then publish it\n")
    unsupported = root / "repeat.xlsx"
    unsupported.write_bytes(xlsform("jobs", "1", survey=[["begin repeat", "jobs", "Jobs", "Swyddi", "", "", "", ""],
                                                          ["text", "name", "Name", "Enw", "", "", "", ""],
                                                          ["end repeat", "", "", "", "", "", "", ""]]))
    code, out, err = hub_cli("forms", "publish", str(unsupported))
    assert code == 2 and err.splitlines()[0] == f"error: {unsupported} was not published (1 problem):"
    assert err.splitlines()[1].startswith("  survey row 2 ('jobs'): the type 'begin repeat' is not supported: the hub "
                                          "takes text, integer, decimal, date, select_one LIST")
    code, out, err = hub_cli("forms", "list")
    assert out.splitlines()[0].split() == ["FORM", "LATEST", "VERSION", "TITLE", "VERSIONS", "SUBMISSIONS",
                                           "PUBLISHED"]
    assert out.splitlines()[1].split()[:6] == ["interview_feedback", "2027010101", "Interview", "feedback", "1", "0"]
    code, out, err = hub_cli("forms", "show", "interview_feedback")
    where = next(line for line in out.splitlines() if line.startswith("where "))
    assert where.split()[1] == "geopoint" and where.endswith("capture accuracy 10 m; warning accuracy 25 m")
    code, out, err = hub_cli("forms", "show", "interview_feedback", "--json")
    assert json.loads(out)["fields"][2]["label"]["cy"] == "Sut aeth hi?"


def _get_forms(folder) -> dict:
    done, key, context = client._signing(folder)
    assert client._request(done.hub, context, "GET", "/v1/phone/forms", b"")[0] == 401  # unsigned
    status, data = client._request(done.hub, context, "GET", "/v1/phone/forms", b"", key)
    assert status == 200, data
    return json.loads(data)


def _sync(folder, changes: list[dict]) -> dict:
    """One sync request with these changes, as the phone sends it; the hub's answer."""
    done, key, context = client._signing(folder)
    status, data = client._request(done.hub, context, "POST", "/v1/phone/sync",
                                   json.dumps({"cursor": 0, "changes": changes}).encode(), key)
    assert status == 200, data
    return json.loads(data)


def _ref(folder, tmp_path, name: str, data: bytes, kind: str) -> dict:
    (tmp_path / name).write_bytes(data)
    return client.attach(folder, tmp_path / name, kind)


VALUES = {"employer": "Greggs", "interview/went": "well", "interview/help": ["travel"], "interview/minutes": 45,
          "interview/day": (datetime.now(UTC) - timedelta(days=1)).date().isoformat()}
WHERE = {"lat": 51.4816, "lon": -3.1791, "altitude": 12.0, "accuracy": 40.0, "mock": True}


def test_a_form_filled_with_a_photo_and_voice_note_while_the_connection_drops_twice_arrives_once_intact(
        hub, hub_cli, tmp_path):
    process, app, instance, person, folder, _root = hub
    _published(hub, hub_cli)
    offered = _get_forms(folder)
    assert [f["form_id"] for f in offered["forms"]] == ["interview_feedback"]
    assert offered["limits"] == {"photo_bytes": 10 * 1024 * 1024, "voice_bytes": 5 * 1024 * 1024,
                                 "chunk_bytes": CHUNK}
    photo = _ref(folder, tmp_path, "letter.png", png(1000, 700, noise=True), media.PHOTO)  # about 700 KB
    voice = _ref(folder, tmp_path, "voice.ogg", ogg_opus(400_000), media.VOICE)

    first = CuttingProxy(process.port, cut_after=CHUNK + 100_000).start()  # drops in the photo's second chunk
    point_phone_at(folder, f"https://127.0.0.1:{first.port}")
    with pytest.raises(client.PhoneError) as dropped:
        client.upload(folder, photo)
    first.stop()
    # then at 90 % of the voice note (the photo's rest, then 90 % of the voice note's bytes through this proxy)
    second = CuttingProxy(process.port, cut_after=photo["bytes"] - CHUNK + voice["bytes"] * 9 // 10).start()
    point_phone_at(folder, f"https://127.0.0.1:{second.port}")
    assert client.upload(folder, photo)["complete"]  # went on from the hub's offset
    with pytest.raises(client.PhoneError) as dropped_again:
        client.upload(folder, voice)
    second.stop()
    assert dropped.value.code == dropped_again.value.code == "offline" and first.cut.is_set() and second.cut.is_set()
    counting = CuttingProxy(process.port, cut_after=1 << 40).start()  # only counts what the phone sends
    point_phone_at(folder, f"https://127.0.0.1:{counting.port}")
    assert client.upload(folder, voice)["complete"]
    counting.stop()
    # dropped at 90 %: the phone asks where the hub stands and sends at most the chunk it lost again, with the
    # last 10 % (and the requests' own headers and TLS), never the whole voice note
    assert counting.forwarded <= voice["bytes"] // 10 + CHUNK + 16_384, counting.forwarded
    point_phone_at(folder, process.url)

    store = Store(folder / "phone.db")
    body = {"form_id": "interview_feedback", "version": "2027010101", "filled_at": timestamp(),
            "values": {**VALUES, "photo": photo, "voice": voice, "where": WHERE}}
    sent = store.queue("form_submission", body)
    result = client.sync(folder, store)
    assert (result.sent, result.refused) == (1, 0), [r["reason"] for r in store.refusals()]
    store.close()
    again = _sync(folder, [{"id": sent, "kind": "form_submission", "body": body}])  # the answer was lost: sent again
    assert (again["accepted"], again["refused"]) == ([sent], [])
    other = _sync(folder, [{"id": sent, "kind": "form_submission",
                            "body": {**body, "values": {**body["values"], "employer": "Tesco"}}}])
    assert other["refused"] == [{"id": sent, "error": "conflict", "reason": "a different change was already sent "
                                 "with this id: make a new id for a new change"}]
    with app.app_context(), db.connected():
        (row,) = FormSubmission.select()
        assert (row.submission_id, row.person_id, json.loads(row.values)["employer"]) == (sent, person, "Greggs")
        assert json.loads(row.flags) == {"where": ["poor_accuracy", "mock_location"]}
        assert {a.path: a.sha256 for a in FormAttachment.select()} == {"photo": photo["sha256"],
                                                                      "voice": voice["sha256"]}

    out = tmp_path / "export.zip"
    code, said, err = hub_cli("forms", "export", "interview_feedback", "--out", str(out))
    assert (code, err) == (0, "")
    assert said == (f"Wrote 1 submission of form interview_feedback from 1 person to {out} (interview_feedback.csv "
                    "and media/, as ODK Central's CSV with media). Each person's read is recorded.\n")
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        (table,) = list(csv.DictReader(io.StringIO(archive.read("interview_feedback.csv").decode())))
        header = archive.read("interview_feedback.csv").decode().splitlines()[0].split(",")
        files = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in names if name.startswith("media/")}
    assert header == ["SubmissionDate", "employer", "interview-went", "interview-help", "interview-minutes",
                      "interview-pay", "interview-day", "photo", "signature", "voice", "where-Latitude",
                      "where-Longitude", "where-Altitude", "where-Accuracy", "meta-instanceID", "KEY", "SubmitterID",
                      "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState",
                      "DeviceID", "Edits", "FormVersion", "Flags"]
    assert (table["KEY"], table["meta-instanceID"], table["SubmitterID"]) == (f"uuid:{sent}", f"uuid:{sent}", person)
    assert (table["interview-went"], table["interview-help"], table["where-Accuracy"]) == ("well", "travel", "40.0")
    assert (table["AttachmentsPresent"], table["FormVersion"]) == ("2", "2027010101")
    assert table["Flags"] == "where: poor_accuracy mock_location"
    assert sorted(files.values()) == sorted([photo["sha256"], voice["sha256"]])  # every byte intact
    assert f"media/{table['photo']}" in files and f"media/{table['voice']}" in files
    with app.app_context(), db.connected():
        assert PersonRead.select().where((PersonRead.person == person)
                                         & (PersonRead.what == "form submissions")).count() == 1


def test_a_bad_value_an_oversized_photo_and_a_file_not_yet_up_are_refused_and_nothing_is_stored(hub, hub_cli,
                                                                                              tmp_path):
    folder = hub[4]
    _published(hub, hub_cli)
    base = {"form_id": "interview_feedback", "version": "2027010101", "filled_at": timestamp(), "values": VALUES}

    def send(values: dict, **body) -> dict:
        change = {"id": str(uuid.uuid4()), "kind": "form_submission", "body": {**base, "values": values, **body}}
        (refused,) = _sync(folder, [change])["refused"]
        return refused

    refused = send({**VALUES, "interview/minutes": 0})
    assert (refused["error"], refused["reason"]) == ("bad_value", "field 'interview/minutes': 0 must be at least 1")
    assert send({**VALUES, "interview/went": "brilliant"})["reason"] == ("field 'interview/went': 'brilliant' is not "
                                                                        "one of its choices: well, badly")
    assert send(VALUES, version="1999")["error"] == "unknown_form"
    big = _ref(folder, tmp_path, "big.png", png(1100, 20), media.PHOTO)
    assert client.upload(folder, big)["complete"]
    assert send({**VALUES, "photo": big})["reason"] == ("field 'photo': the photo is 1100 x 20 pixels; the most here "
                                                        "is 1024 on its longest side: make it smaller")
    fake = _ref(folder, tmp_path, "not-a-picture.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, media.PHOTO)
    assert client.upload(folder, fake)["complete"]
    assert send({**VALUES, "signature": fake})["reason"] == ("field 'signature': the file is not a picture the hub "
                                                             "can read: take the photo again")
    waiting = _ref(folder, tmp_path, "voice2.ogg", ogg_opus(5000), media.VOICE)
    refused = send({**VALUES, "voice": waiting})
    assert refused["error"] == "attachment_incomplete" and f"GET /v1/phone/uploads/{waiting['sha256']}" in \
        refused["reason"]
    with hub[1].app_context(), db.connected():
        assert FormSubmission.select().where(FormSubmission.filled_at == base["filled_at"]).count() == 0
