"""tablet.enrolment against the real edge tablet API (edge.tablets.api on 127.0.0.1): a QR offer
becomes a certificate; a server whose CA is not the pinned one never sees the code."""

from __future__ import annotations

import ssl
import stat
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from edge import store
from edge.config import EdgeConfig, TabletsConfig
from edge.identity import EdgeFiles, ca_pin, create_tablet_ca, ensure_server_cert
from edge.tablets import registry as tablets
from edge.tablets.api import TabletApiServer
from provisioning import pki
from provisioning.files import write_atomic
from provisioning.https import server_context
from provisioning.tokens import EnrolmentOffer
from tablet.enrolment import EnrolmentError, enrol, renew
from tablet.identity import TabletIdentity
from tests.unit_tablet.tabletkit import EdgeCa
from throughgate.cli import main

EDGE = "edge-1"


@pytest.fixture
def edge(tmp_path):
    """An edge instance with its tablet CA, server certificate and store, and its tablet API."""
    config = EdgeConfig(instance=tmp_path / "edge", edge_id=EDGE, tablets=TabletsConfig(api_port=0))
    files = EdgeFiles(config.instance)
    create_tablet_ca(files, EDGE)
    ensure_server_cert(files, EDGE, config.server_name)
    store.open_store(str(config.db_path))
    server = TabletApiServer(config).start()
    yield config, files, server
    server.stop()
    store.db.close()


def offer_for(edge, device: str = "tab-0001", pin: str | None = None) -> EnrolmentOffer:
    config, files, server = edge
    code, _ = tablets.create_code(device, 600)
    return EnrolmentOffer(EDGE, device, code, f"https://127.0.0.1:{server.port}", pin or ca_pin(files))


def https_get(port: int, path: str) -> bytes:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", context=context, timeout=10) as answer:
        return answer.read()


class LookalikeApi:
    """An HTTPS server that answers GET with a copied body and records every POST it gets."""

    def __init__(self, body: bytes, paths: dict[str, str]):
        posts = self.posts = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                posts.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_error(500)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = server_context(paths["cert"], paths["key"], paths["ca"])
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]

    def __enter__(self) -> LookalikeApi:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def give_edge_a_hub(files: EdgeFiles, names: list[str]) -> pki.Issuer:
    """What enrolling the edge with a hub leaves: the hub root and its cross-certificate."""
    hub = pki.make_root(pki.new_key(), "hub root", 3650, path_length=1)
    cross = pki.cross_certify(hub, pki.load_cert(files.ca_cert.read_bytes()), 365, names)
    write_atomic(files.hub_root, pki.cert_to_pem(hub.cert))
    write_atomic(files.cross_cert, pki.cert_to_pem(cross))
    return hub


def test_enrol_saves_a_certificate_for_the_tablets_own_key(edge, tmp_path):
    config, files, _ = edge
    identity = enrol(offer_for(edge).to_uri(), tmp_path / "tablet")

    cert = identity.certificate()
    assert pki.common_name(cert) == "tab-0001"
    assert pki.spki_sha256(cert) == pki.spki_sha256(identity.key().public_key())
    pki.verify_client(cert, [], [pki.load_cert(files.ca_cert.read_bytes())])
    assert identity.ca_path.read_bytes() == files.ca_cert.read_bytes()
    assert stat.S_IMODE(identity.key_path.stat().st_mode) == 0o600
    state = identity.state
    assert (state.edge, state.device, state.broker_name, state.broker_port, state.address) == (
        EDGE, "tab-0001", config.server_name, config.tablets.mqtt_port, "127.0.0.1")
    assert not identity.due_for_renewal()


def test_a_look_alike_ca_is_refused_before_the_code_is_sent(edge, tmp_path):
    offer = offer_for(edge)
    wrong = EnrolmentOffer(offer.edge, offer.device, offer.code, offer.url, EdgeCa.make().pin)

    with pytest.raises(EnrolmentError) as refused:
        enrol(wrong, tmp_path / "tablet")

    assert refused.value.code == "ca_mismatch"
    assert not TabletIdentity(tmp_path / "tablet").enrolled
    assert enrol(offer, tmp_path / "tablet").enrolled  # the code was never used up


def test_a_look_alike_copying_the_edges_answer_never_receives_the_code(edge, tmp_path):
    """It serves the real edge's bundle (public, so anyone can copy it) with its own certificate
    for the same name: the certificate does not chain to the pinned CA."""
    _, files, server = edge
    bundle = https_get(server.port, "/v1/enrol/ca")
    paths = EdgeCa.make(EDGE).write_server_files(tmp_path / "lookalike")
    with LookalikeApi(bundle, paths) as lookalike:
        offer = offer_for(edge)
        at_lookalike = EnrolmentOffer(offer.edge, offer.device, offer.code, f"https://127.0.0.1:{lookalike.port}",
                                      offer.ca)

        with pytest.raises(EnrolmentError) as refused:
            enrol(at_lookalike, tmp_path / "tablet")

    assert refused.value.code == "ca_mismatch"
    assert lookalike.posts == []


def test_used_code_is_refused_with_the_edges_code_and_reason(edge, tmp_path):
    offer = offer_for(edge)
    enrol(offer, tmp_path / "first")

    with pytest.raises(EnrolmentError) as refused:
        enrol(offer, tmp_path / "second")

    assert (refused.value.code, refused.value.status) == ("code_used", 410)
    assert "new code" in refused.value.reason


def test_wrong_code_is_refused(edge, tmp_path):
    offer = offer_for(edge)
    wrong = EnrolmentOffer(offer.edge, offer.device, "ABCD-EFGH-JKMN", offer.url, offer.ca)

    with pytest.raises(EnrolmentError) as refused:
        enrol(wrong, tmp_path / "tablet")

    assert (refused.value.code, refused.value.status) == ("code_invalid", 401)


def test_offer_for_another_edge_is_refused(edge, tmp_path):
    offer = offer_for(edge)
    other = EnrolmentOffer("edge-2", offer.device, offer.code, offer.url, offer.ca)

    with pytest.raises(EnrolmentError) as refused:
        enrol(other, tmp_path / "tablet")

    assert refused.value.code == "edge_mismatch"


def test_not_a_qr_offer_is_refused(tmp_path):
    with pytest.raises(EnrolmentError) as refused:
        enrol("https://example.org/", tmp_path / "tablet")

    assert refused.value.code == "bad_offer"


def test_hub_root_on_the_tablet_checks_the_hubs_cross_certificate(edge, tmp_path):
    config, files, _ = edge
    hub = give_edge_a_hub(files, [config.server_name])

    identity = enrol(offer_for(edge), tmp_path / "tablet", hub_root=pki.cert_to_pem(hub.cert).decode())

    assert identity.hub_root_path.read_bytes() == pki.cert_to_pem(hub.cert)
    assert identity.cross_path.read_bytes() == files.cross_cert.read_bytes()


def test_a_hub_that_does_not_vouch_for_the_edge_is_refused(edge, tmp_path):
    config, files, _ = edge
    give_edge_a_hub(files, [config.server_name])
    other_hub = pki.make_root(pki.new_key(), "another hub", 3650, path_length=1)

    with pytest.raises(EnrolmentError) as refused:
        enrol(offer_for(edge), tmp_path / "tablet", hub_root=pki.cert_to_pem(other_hub.cert).decode())

    assert refused.value.code == "cross_invalid"


def test_cross_certificate_outside_its_name_constraints_is_refused(edge, tmp_path):
    _, files, _ = edge
    hub = give_edge_a_hub(files, ["other.throughgate.internal"])

    with pytest.raises(EnrolmentError) as refused:
        enrol(offer_for(edge), tmp_path / "tablet", hub_root=pki.cert_to_pem(hub.cert).decode())

    assert refused.value.code == "cross_invalid"


def test_renew_over_mutual_tls_keeps_the_key(edge, tmp_path):
    identity = enrol(offer_for(edge), tmp_path / "tablet")
    before = identity.certificate()

    renew(identity.folder)

    after = identity.certificate()
    assert after.serial_number != before.serial_number
    assert pki.spki_sha256(after) == pki.spki_sha256(before)


def test_renew_refused_for_a_revoked_tablet(edge, tmp_path):
    config, files, _ = edge
    identity = enrol(offer_for(edge), tmp_path / "tablet")
    tablets.revoke("tab-0001", files, config.tablets.crl_days)

    with pytest.raises(EnrolmentError) as refused:
        renew(identity.folder)

    assert refused.value.status == 403


def test_renew_without_enrolment_says_so(tmp_path):
    with pytest.raises(EnrolmentError) as refused:
        renew(tmp_path / "nothing")

    assert refused.value.code == "not_enrolled"


def test_cli_enrols_from_the_qr_text_and_keeps_the_outbox_in_the_folder(edge, tmp_path, capsys):
    folder = str(tmp_path / "tablet")

    assert main(["tablet", "enrol", "--folder", folder, offer_for(edge).to_uri()]) == 0
    assert "enrolled tab-0001 at edge-1; broker edge-1.throughgate.internal:8883" in capsys.readouterr().out
    assert main(["tablet", "submit", "--folder", folder, "--kind", "message", "--learner", "L-1",
                 "--payload", '{"text": "hi"}']) == 0
    assert main(["tablet", "status", "--folder", folder, "--offline"]) == 0
    assert "acked=0 pending=1 rejected=0" in capsys.readouterr().out


def test_cli_enrol_refusal_is_one_line_with_the_edges_code(edge, tmp_path, capsys):
    offer = offer_for(edge)
    main(["tablet", "enrol", "--folder", str(tmp_path / "a"), offer.to_uri()])

    assert main(["tablet", "enrol", "--folder", str(tmp_path / "b"), offer.to_uri()]) == 1
    assert capsys.readouterr().err.startswith("not enrolled: code_used: this code was already used")
