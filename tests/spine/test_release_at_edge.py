"""Release at the prison's edge console, with a real hub process (issue 11): the manager marks a learner released
while the hub cannot be reached; the letter prints at once with a code whose QR code decodes to the offer; a phone
trying the code before the edge's batch arrives is told to try again in a few minutes; once the batch arrives the
reference phone client activates with it; the batch sent again registers nothing twice; the code works once."""

from __future__ import annotations

import html
import logging
import re
import sqlite3

import pytest

from edge import config as edge_config
from edge import store
from edge.console.app import create_app
from edge.intake.quota import Quota
from edge.release.tables import LearnerRelease
from edge.uplink import stages as uplink
from edge.uplink.hubclient import HubClient
from phone import client
from provisioning.tokens import digest, parse_activation_offer
from tests.console.consolekit import Visitor, seed_staff
from tests.hub.hubkit import hub_command
from tests.hub.test_release_letter import decoded_qr_codes
from throughgate.stack import _cli
from wire.keys import HubPublicKeys, signing_key_from_pem

LEARNER = "L-0042"


@pytest.fixture
def prison(stack_factory, tmp_path):
    """A hub with a person linked to L-0042 at edge-1 (the hub not running yet), and edge-1's console in this
    process, its manager logged in."""
    stack = stack_factory()
    person = hub_command("people", "add", "--instance", str(stack.hub_dir)).strip()  # (set-up: in this process)
    hub_command("people", "link", person, "--edge", stack.edge_id, "--learner", LEARNER, "--instance",
                str(stack.hub_dir))
    cfg = edge_config.load(stack.edge_dir)
    store.open_store(str(cfg.db_path)).close()
    app = create_app(cfg)
    seed_staff()
    mary = Visitor(app)
    assert mary.login("mary").status_code == 302
    yield stack, cfg, person, mary, app
    if not store.db.is_closed():
        store.db.close()


def _deliver(stack, cfg) -> list[bytes]:
    """Seal what waits and send it to the hub, as the edge's uplink does; the envelopes sent."""
    hub_keys = HubPublicKeys.from_document(cfg.hub_keys_path.read_text())
    quota = Quota(cfg.quota_bytes, store.outbox_bytes)
    uplink.seal_ready(cfg.edge_id, cfg.uplink, hub_keys, signing_key_from_pem(cfg.signing_key_path.read_bytes()),
                      quota, force=True)
    envelopes = [batch.envelope for batch in store.OutBatch.select().where(store.OutBatch.state == "sealed")]
    forwarder = uplink.Forwarder(cfg.uplink, hub_keys, HubClient(cfg.uplink.hub_url, **stack.edge_tls()), quota)
    while forwarder.tick(budget_s=30):
        pass
    assert not store.OutBatch.select().where(store.OutBatch.state == "sealed").exists()
    return envelopes


def _codes_at_hub(stack) -> list[tuple]:
    with sqlite3.connect(stack.hub_dir / "hub.db") as hub_db:
        return hub_db.execute("SELECT code_sha256, person_id, issued_by, used_at, withdrawn_at FROM activation_code"
                              ).fetchall()


def test_a_release_at_the_edge_prints_while_the_hub_is_away_and_activates_a_phone_once_the_batch_arrives(
        prison, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    stack, cfg, person, mary, _app = prison
    shown = mary.post(f"/learners/learner/{LEARNER}/release/", {"days": "7"})
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    code = re.search(r'name="code" value="([A-Z0-9-]{14})"', page).group(1)
    kept = LearnerRelease.get(LearnerRelease.learner == LEARNER)
    assert kept.code_sha256 == digest(code) and kept.issued_by == "mary"
    raw = sqlite3.connect(cfg.db_path).iterdump()
    assert not any(code in line or code.replace("-", "") in line for line in raw), "the code is in the edge store"

    letter = mary.post(f"/learners/learner/{LEARNER}/release/letter", {"code": code, "format": "pdf"})
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    pdf_file = tmp_path / "letter.pdf"
    pdf_file.write_bytes(letter.get_data())
    [scanned] = decoded_qr_codes(pdf_file)
    offer = parse_activation_offer(scanned)
    assert offer.code == code and offer.hub == stack.hub_url
    printable = mary.post(f"/learners/learner/{LEARNER}/release/letter", {"code": code, "format": "html"})
    assert printable.status_code == 200 and code in html.unescape(printable.get_data(as_text=True))
    assert "style-src 'unsafe-inline'" in printable.headers["Content-Security-Policy"]

    stack.start_hub()
    with pytest.raises(client.PhoneError) as early:
        client.activate(scanned, tmp_path / "early-phone", "Alex's phone")
    assert early.value.code == "code_unknown" and "try again in a few minutes" in early.value.reason

    envelopes = _deliver(stack, cfg)
    assert len(envelopes) == 1
    [(sha, holder, issued_by, used, withdrawn)] = _codes_at_hub(stack)
    assert (sha, holder, issued_by, used, withdrawn) == (digest(code), person, "edge-1:mary", None, None)
    with sqlite3.connect(stack.hub_dir / "hub.db") as hub_db:  # its public first 4 characters: counted per code
        assert hub_db.execute("SELECT code_id FROM activation_code").fetchall() == [(code[:4],)]
    assert f"{person}: released" in _cli("hub", "people", "show", person, "--instance", str(stack.hub_dir))

    done = client.activate(scanned, tmp_path / "phone", "Alex's phone")
    assert done.person == person

    status, _ = HubClient(cfg.uplink.hub_url, **stack.edge_tls()).post_batch(envelopes[0])  # the batch again
    assert status == 409
    assert len(_codes_at_hub(stack)) == 1
    with pytest.raises(client.PhoneError) as again:
        client.activate(scanned, tmp_path / "second-phone", "someone else")
    assert again.value.code == "code_used"
    logged = (stack.root / "hub.log").read_text() + caplog.text
    assert "a learner was released at the console by mary" in caplog.text
    assert code not in logged and code.replace("-", "") not in logged, "the code is in a log"


def test_a_release_at_the_edge_is_for_the_manager_only_and_a_stale_letter_is_refused(prison):
    _stack, _cfg, _person, mary, app = prison
    first = re.search(r'name="code" value="([A-Z0-9-]{14})"', mary.post(
        f"/learners/learner/{LEARNER}/release/", {"days": "7"}).get_data(as_text=True)).group(1)
    again = mary.post(f"/learners/learner/{LEARNER}/release/", {"days": "3"})
    assert again.status_code == 200
    stale = mary.post(f"/learners/learner/{LEARNER}/release/letter", {"code": first, "format": "html"})
    assert stale.status_code == 410 and "not the learner" in stale.get_data(as_text=True)
    assert mary.post(f"/learners/learner/{LEARNER}/release/", {"days": "90"}).status_code == 400
    tina = Visitor(app)
    assert tina.login("tina").status_code == 302
    assert tina.get(f"/learners/learner/{LEARNER}/release/").status_code == 403
    assert tina.post(f"/learners/learner/{LEARNER}/release/", {"days": "7"}).status_code == 403
