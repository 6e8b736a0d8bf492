"""Forms through the edge with real processes (issue 14): a form published at the hub reaches the edge by its
forms pull (GET /v1/edge/forms, mutual TLS); a tablet takes it from the edge's tablet API with its certificate
(GET /v1/tablets/forms), uploads a photo in chunks and sends the filled form as a form_submission record (sent
twice: stored once); the edge's real sealed batch reaches the real hub, where the submission waits for its photo
and is stored as the edge forwards it: the workers' export holds it once, with the photo's SHA-256 intact.
Another learner's submission, without a required answer, waits until they are linked (from the command line:
the edge's next forms pull applies it) and is then refused, nothing stored, its reason in the audit trail; that
pull brings the refusal back to the edge, kept once (the edge acknowledges it, so the next pull brings nothing),
as one `form_refused` down message for that learner's tablet, and listed on the console's Refused values page."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import sqlite3
import uuid
import zipfile

from edge import config as edge_config
from edge import store
from edge.attachments.uplink import AttachmentForwarder
from edge.console import accounts
from edge.console.app import create_app
from edge.downlink.tables import DownMessage
from edge.forms import pull as forms_pull
from edge.forms.tables import EdgeFormRefusal
from edge.identity import EdgeFiles, ensure_server_cert
from edge.tablets.api import TabletApiServer
from edge.uplink.hubclient import HubClient
from tablet.attachments import EdgeApi, Uploader
from tests.console.consolekit import PASSWORD, Visitor
from tests.hub.formkit import png, xlsform
from tests.hub.hubkit import hub_command
from tests.learning.apptabletkit import call, enrol_bound, intake_for
from tests.spine.test_release_at_edge import _deliver
from wire.records import new_record, timestamp

LEARNER, OTHER, FORM = "L-0042", "L-0107", "wing_survey"
SURVEY = [["text", "meal", "What was the best meal?", "Beth oedd y pryd gorau?", "yes", "", "", ""],
          ["image", "photo", "A photo of your work", "Llun o'ch gwaith", "", "", "max-pixels=1024", ""]]


def _export(stack, out) -> list[dict]:
    hub_command("forms", "export", FORM, "--out", str(out), "--instance", str(stack.hub_dir))
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{FORM}.csv").decode())))
        return [{**row, "media": archive.read(f"media/{row['photo']}") if row["photo"] else None} for row in rows]


def _linked(stack, learner: str) -> str:
    person = hub_command("people", "add", "--instance", str(stack.hub_dir)).strip()
    hub_command("people", "link", person, "--edge", stack.edge_id, "--learner", learner, "--instance",
                str(stack.hub_dir))
    return person


def test_a_form_published_at_the_hub_is_filled_on_a_tablet_and_reaches_the_export_once_with_its_photo(
        stack_factory, tmp_path):
    stack = stack_factory()
    workbook = tmp_path / "wing_survey.xlsx"
    workbook.write_bytes(xlsform(FORM, "2027010101", SURVEY, "Wing survey"))
    hub_command("forms", "publish", str(workbook), "--instance", str(stack.hub_dir))
    stack.start_hub()
    cfg = edge_config.load(stack.edge_dir)
    cfg = dataclasses.replace(cfg, tablets=dataclasses.replace(cfg.tablets, api_port=0))
    store.open_store(str(cfg.db_path))
    server = None
    try:
        assert forms_pull.pull(HubClient.for_edge(cfg)) == forms_pull.Pulled(forms=1, changed=1)
        ensure_server_cert(EdgeFiles(cfg.instance), cfg.edge_id, cfg.server_name)  # as `edge run` makes it
        server = TabletApiServer(cfg, intake=intake_for(cfg)).start()
        tablet = enrol_bound(cfg, tmp_path / "tab-f", "tab-f", LEARNER, server.port)
        status, answer = call(tablet, "GET", "/v1/tablets/forms")
        assert status == 200 and [f["form_id"] for f in answer["forms"]] == [FORM]
        assert {f["type"] for f in answer["forms"][0]["fields"]} == {"text", "image"}

        photo = tmp_path / "work.png"
        photo.write_bytes(png(300, 200, noise=True))
        sha = hashlib.sha256(photo.read_bytes()).hexdigest()
        ref = Uploader(EdgeApi(tablet)).upload(photo, "image/png", "work.png", str(uuid.uuid4()))
        value = {"sha256": sha, "type": "image/png", "bytes": photo.stat().st_size}
        record = new_record("form_submission", LEARNER, 1, {
            "form_id": FORM, "version": "2027010101", "filled_at": timestamp(),
            "values": {"meal": "Curry on Thursday", "photo": value}, "attachments": [ref.to_dict()]}).to_dict()
        for _ in range(2):  # the app did not hear the first answer: sent again, stored once
            status, answer = call(tablet, "POST", "/v1/tablets/records", {"records": [record]})
            assert status == 200 and answer["acked"] == [record["id"]], answer
        other = enrol_bound(cfg, tmp_path / "tab-g", "tab-g", OTHER, server.port)
        unanswered = new_record("form_submission", OTHER, 1, {
            "form_id": FORM, "version": "2027010101", "filled_at": timestamp(), "values": {},
            "attachments": []}).to_dict()
        assert call(other, "POST", "/v1/tablets/records", {"records": [unanswered]})[1]["acked"] == [unanswered["id"]]
        assert store.Received.select().where(store.Received.kind == "form_submission").count() == 2

        person = _linked(stack, LEARNER)
        assert len(_deliver(stack, cfg)) == 1
        assert _export(stack, tmp_path / "before.zip") == []  # its photo is not at the hub yet: it waits
        forwarder = AttachmentForwarder(cfg, lambda: HubClient.for_edge(cfg))
        assert forwarder.tick(budget_s=30) == 1  # the photo completes at the hub: the submission is stored
        [row] = _export(stack, tmp_path / "after.zip")
        assert (row["meal"], row["SubmitterID"], row["KEY"], row["DeviceID"]) == (
            "Curry on Thursday", person, f"uuid:{record['id']}", f"{stack.edge_id}/tab-f")
        assert hashlib.sha256(row["media"]).hexdigest() == sha

        _linked(stack, OTHER)  # from the command line: the edge's next pull has the hub apply what waited
        assert forms_pull.pull(HubClient.for_edge(cfg)).refusals == 1  # refused at the hub, and back at the edge
        assert forms_pull.pull(HubClient.for_edge(cfg)).refusals == 0  # and again: nothing twice (acknowledged)
        assert len(_export(stack, tmp_path / "again.zip")) == 1
        with sqlite3.connect(stack.hub_dir / "hub.db") as hub_db:
            traces = hub_db.execute("SELECT target, outcome, detail FROM audit_entry WHERE action = ?",
                                    ("form submission refused",)).fetchall()
        [(target, outcome, detail)] = traces
        assert (target, outcome, json.loads(detail)["learner"]) == (unanswered["id"], "bad_value", OTHER)
        assert "field 'meal'" in json.loads(detail)["reason"]

        [refused] = EdgeFormRefusal.select()
        assert (refused.record_id, refused.learner, refused.device, refused.title) == (
            unanswered["id"], OTHER, "tab-g", "Wing survey")
        [down] = DownMessage.select().where(DownMessage.message_id == unanswered["id"])
        body = json.loads(down.body)
        assert (down.device, body["type"], body["title"]) == ("tab-g", "form_refused", "Wing survey")
        assert "field 'meal'" in body["reason"] and body["what_to_do"]
        with sqlite3.connect(stack.hub_dir / "hub.db") as hub_db:
            assert hub_db.execute("SELECT count(*) FROM form_refusal WHERE acked_at IS NULL").fetchone() == (0,)

        accounts.add_staff("mary", "manager", PASSWORD, [])
        manager = Visitor(create_app(cfg))
        assert manager.login("mary").status_code == 302
        page = manager.get("/courses/refusals").get_data(as_text=True)
        assert "Forms from tablets the hub refused" in page and "Wing survey" in page and "field &#39;meal&#39;" in page
    finally:
        if server is not None:
            server.stop()
        store.db.close()
