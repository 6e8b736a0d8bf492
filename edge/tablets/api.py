"""The edge's HTTPS service for tablets: enrolment, certificate renewal, courses and attachments.

    GET  /v1/enrol/ca         the tablet CA, the hub's cross-certificate and root (public)
    POST /v1/tablets/enrol    {"code", "device", "csr"} -> the tablet's certificate
    POST /v1/tablets/renew    (client certificate) {"csr"} -> a fresh certificate
    GET  /v1/courses, GET /v1/content/<sha256>   (client certificate) courses: edge/courses/serve.py
    /v1/attachments/...                          (client certificate) uploads: edge/attachments/api.py
    /v1/tablets/me, /records, /down, /down/ack   (client certificate) the app's records, into the relay's
                                                 commit: edge/tablets/records_api.py
    GET  /v1/tablets/forms    (client certificate) the hub's forms, kept here: edge/forms/api.py
    GET  /app/, /app/<path>   (no certificate needed) the person's app, side tablet: edge/tablets/app_web.py

Served over TLS with the edge's server certificate; a client certificate is asked for, checked
against the tablet CA, and required only where it says so. Wrong codes are rate-limited per
address, so 60 bits of code cannot be guessed.
"""

from __future__ import annotations

import ssl
import threading
import time

from flask import Blueprint, Flask, current_app, jsonify, request

from edge import store
from edge.attachments import api as attachments
from edge.config import EdgeConfig
from edge.courses import serve as courses_serve
from edge.forms import api as forms_api
from edge.identity import EdgeFiles
from edge.tablets import app_web, records_api
from edge.tablets import registry as tablets
from provisioning import connections, https, pki
from wire.records import timestamp

bp = Blueprint("tablets", __name__, url_prefix="/v1")

MAX_FAILURES = 10  # wrong codes from one address...
FAILURE_WINDOW_S = 600.0  # ...within this long, then refused until the window passes
MAX_ADDRESSES = 10_000  # addresses remembered before old entries are dropped


class Attempts:
    """Failed enrolment attempts per client address, in memory (a restart forgives, which is fine:
    codes are short-lived and a restart is rare)."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S):
        self.limit, self.window_s = limit, window_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def reserve(self, address: str) -> float:
        """Count an attempt before it is checked (so parallel guesses cannot slip past the limit).
        Returns 0 if it may go ahead, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > MAX_ADDRESSES:
                self._forget_old(now)
            recent = [t for t in self._failures.get(address, []) if now - t < self.window_s]
            if len(recent) >= self.limit:
                self._failures[address] = recent
                return self.window_s - (now - recent[0])
            self._failures[address] = [*recent, now]
            return 0.0

    def succeeded(self, address: str) -> None:
        """A right code: the attempt does not count against the address."""
        with self._lock:
            if self._failures.get(address):
                self._failures[address].pop()

    def _forget_old(self, now: float) -> None:
        self._failures = {a: ts for a, ts in self._failures.items() if ts and now - ts[-1] < self.window_s}


def _refuse(code: str, reason: str, status: int, **extra):
    return jsonify(error=code, reason=reason, **extra), status


def _json_fields(*names: str) -> dict | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or any(not isinstance(body.get(name), str) for name in names):
        return None
    return body


def _bundle(config: EdgeConfig, files: EdgeFiles) -> dict:
    return {"edge": config.edge_id, "ca": files.ca_cert.read_text(),
            "cross_certificate": files.cross_cert.read_text() if files.cross_cert.exists() else None,
            "hub_root": files.hub_root.read_text() if files.hub_root.exists() else None}


@bp.get("/enrol/ca")
def enrol_ca():
    return jsonify(_bundle(current_app.config["EDGE"], current_app.config["FILES"]))


@bp.post("/tablets/enrol")
def enrol():
    config: EdgeConfig = current_app.config["EDGE"]
    attempts: Attempts = current_app.config["ATTEMPTS"]
    address = request.remote_addr or "?"
    wait = attempts.reserve(address)
    if wait:
        return _refuse("too_many_attempts", f"too many wrong codes from this tablet: try again in {wait:.0f} s",
                       429, retry_after=round(wait))
    body = _json_fields("code", "device", "csr")
    if body is None:
        attempts.succeeded(address)
        return _refuse("bad_request", "send JSON with 'code', 'device' and 'csr' (PEM) as strings", 400)
    try:
        issued = tablets.redeem(body["code"], body["device"], body["csr"], current_app.config["FILES"],
                                config.tablets.cert_days, crl_days=config.tablets.crl_days)
    except tablets.TabletError as exc:
        if exc.code not in ("code_invalid", "code_used", "code_expired"):
            attempts.succeeded(address)  # a right code with a bad CSR is not a guess
        return _refuse(exc.code, exc.reason, exc.status)
    attempts.succeeded(address)
    if current_app.config["ON_ENROLLED"]:
        current_app.config["ON_ENROLLED"](issued.device)
    if issued.revoked_older and current_app.config["ON_REVOKED"]:
        current_app.config["ON_REVOKED"](issued.device)
    return jsonify(_issued(config, issued))


@bp.post("/tablets/renew")
def renew():
    config: EdgeConfig = current_app.config["EDGE"]
    body = _json_fields("csr")
    if body is None:
        return _refuse("bad_request", "send JSON with 'csr' (PEM) as a string", 400)
    try:
        cert = _client_cert()
        if cert is None:
            return _refuse("client_certificate_required", "renewal needs the tablet's current certificate", 401)
        issued = tablets.renew(pki.common_name(cert), cert.serial_number, body["csr"], current_app.config["FILES"],
                               config.tablets.cert_days)
    except (tablets.TabletError, pki.PkiError) as exc:
        return _refuse(getattr(exc, "code", "bad_certificate"), str(exc), getattr(exc, "status", 403))
    return jsonify(_issued(config, issued))


def _client_cert():
    pem = request.environ.get("SSL_CLIENT_CERT")
    if not pem:
        return None
    files: EdgeFiles = current_app.config["FILES"]
    cert = pki.load_cert(pem.encode())
    pki.verify_client(cert, [], [pki.load_cert(files.ca_cert.read_bytes())])  # the TLS layer did too
    return cert


def _issued(config: EdgeConfig, issued: tablets.Issued) -> dict:
    cert = issued.certificate
    return {**_bundle(config, current_app.config["FILES"]), "device": issued.device,
            "certificate": pki.cert_to_pem(cert).decode(),
            "broker": {"name": config.server_name, "port": config.tablets.mqtt_port},
            "renew_after": timestamp(pki.renew_after(cert))}


def create_app(config: EdgeConfig, on_revoked=None, on_enrolled=None, intake=None) -> Flask:
    """on_revoked(device): called after a re-enrolment revoked a device's earlier certificates (the
    edge service reloads the broker's CRL and closes the old tablet's session). on_enrolled(device):
    called before the certificate is sent (the edge service gives the tablet its broker permissions).
    intake: the relay's edge.intake.commit.Intake, which the record routes commit through (None: they
    answer 503, and tablets send over MQTT)."""
    app = Flask(__name__)
    app.config.update(EDGE=config, FILES=EdgeFiles(config.instance), ATTEMPTS=Attempts(), ON_REVOKED=on_revoked,
                      ON_ENROLLED=on_enrolled, MAX_CONTENT_LENGTH=64 * 1024, INTAKE=intake)

    @app.teardown_request
    def _close(_exc=None):  # peewee: one connection per thread, closed after each request
        if not store.db.is_closed():
            store.db.close()

    app.register_blueprint(bp)
    app.register_blueprint(courses_serve.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(records_api.bp)
    app.register_blueprint(forms_api.bp)  # the hub's forms, for the app to fill in
    app.register_blueprint(app_web.bp)  # the person's app for tablets, at /app/ (webapp/dist)
    return app


def server_context(files: EdgeFiles) -> ssl.SSLContext:
    """The edge's server certificate; tablets' client certificates checked against the tablet CA."""
    return https.server_context(files.server_cert, files.server_key, files.ca_cert)


MAX_CONNECTIONS = 2048
MAX_CONNECTIONS_PER_TABLET = 128
"""A tablet's client holds one or two connections; 128 leaves room for a whole classroom behind one
address, and stops one tablet holding the API's threads (each connection is one)."""
REQUEST_HEAD_TIMEOUT_S = 30.0


def caps() -> connections.Caps:
    """Connection caps for the tablet API, the total kept under the process's open-file limit."""
    open_files = connections.open_file_limit()
    total = MAX_CONNECTIONS if open_files is None else connections.usable_total(MAX_CONNECTIONS, open_files)
    return connections.Caps(total, MAX_CONNECTIONS_PER_TABLET, REQUEST_HEAD_TIMEOUT_S,
                            (f"the tablet API's total cap ({total})",
                             f"its cap per address ({MAX_CONNECTIONS_PER_TABLET})",
                             f"its request head timeout ({REQUEST_HEAD_TIMEOUT_S:.0f} s)"))


class TabletApiServer(https.HttpsServer):
    """The API on provisioning.https: handshakes in request threads with a timeout (one silent
    connection cannot stop enrolment), connections capped (caps()), and `reload_certificate()` after
    the server certificate is re-issued."""

    def __init__(self, config: EdgeConfig, on_revoked=None, on_enrolled=None, intake=None):
        files = EdgeFiles(config.instance)
        super().__init__(create_app(config, on_revoked, on_enrolled, intake), config.tablets.api_host,
                         config.tablets.api_port, lambda: server_context(files), name="tablet-api", caps=caps())
