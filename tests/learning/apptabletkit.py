"""An edge's real tablet API (TLS, client certificates) joined to a real intake, as `edge run` joins it to the
relay, for the app's tests: tablets bound to learners, and HTTPS calls with a tablet's certificate."""

from __future__ import annotations

import json
from pathlib import Path

from edge import store
from edge.config import EdgeConfig
from edge.console import learning as console_learning
from edge.courses import progress as course_progress
from edge.identity import EdgeFiles, ca_pin
from edge.intake.commit import Intake
from edge.intake.quota import Quota
from edge.tablets import registry as tablets
from provisioning import pki
from tablet.attachments import EdgeApi
from tablet.identity import Enrolment, TabletIdentity
from wire.records import new_record, timestamp

QUOTA = 64 * 1024 * 1024


def intake_for(config: EdgeConfig, *more_observers) -> Intake:
    """The intake `edge run` builds for its relay (edge/service.py), on the store already open."""
    return Intake(config, Quota(QUOTA, store.outbox_bytes),
                  observing=[console_learning.TutorCopy(), course_progress.Inbox(), *more_observers]).load()


def enrol_bound(config: EdgeConfig, folder: Path, device: str, learner: str, api_port: int) -> TabletIdentity:
    """A tablet enrolled with a code that names its learner (so it is bound to them), its own key and CSR."""
    files = EdgeFiles(config.instance)
    identity = TabletIdentity(folder)
    code, _ = tablets.create_code(device, 60, learner=learner)
    issued = tablets.redeem(code, device, identity.csr_pem(device), files, config.tablets.cert_days)
    identity.save(Enrolment(config.edge_id, device, config.server_name, config.tablets.mqtt_port,
                            f"https://127.0.0.1:{api_port}", ca_pin(files),
                            timestamp(pki.renew_after(issued.certificate)), "127.0.0.1"),
                  pki.cert_to_pem(issued.certificate).decode(), files.ca_cert.read_text())
    return identity


def call(identity: TabletIdentity, method: str, path: str, body=None, headers: dict | None = None):
    """(status, JSON answer) of one request with the tablet's certificate."""
    api = EdgeApi(identity)
    try:
        raw = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})} if raw is not None else dict(headers or {})
        response = api.exchange(method, path, raw, sent)
        return response.status, json.loads(response.read() or b"null")
    finally:
        api.close()


def assignment(learner: str, seq: int, text: str = "My essay about the book") -> dict:
    """An assignment submission without attachments, as the app makes it."""
    return new_record("assignment_submission", learner, seq,
                      {"assignment": "essay-3", "course": "english-2", "text": text, "attachments": []}).to_dict()
