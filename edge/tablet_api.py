"""The edge's HTTPS service for tablets: enrolment and certificate renewal (courses come later).

    GET  /v1/enrol/ca         the tablet CA, the hub's cross-certificate and root (public)
    POST /v1/tablets/enrol    {"code", "device", "csr"} -> the tablet's certificate
    POST /v1/tablets/renew    (client certificate) {"csr"} -> a fresh certificate

Served over TLS with the edge's server certificate; a client certificate is asked for, checked
against the tablet CA, and required only where it says so. Wrong codes are rate-limited per
address, so 60 bits of code cannot be guessed.
"""

from __future__ import annotations

import os
import ssl
import threading
import time

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from edge import store, tablets
from edge.config import EdgeConfig
from edge.identity import EdgeFiles
from provisioning import pki
from wire.records import timestamp

bp = Blueprint("tablets", __name__, url_prefix="/v1")

MAX_FAILURES = 10  # wrong codes from one address...
FAILURE_WINDOW_S = 600.0  # ...within this long, then refused until the window passes


class Attempts:
    """Failed enrolment attempts per client address, in memory (a restart forgives, which is fine:
    codes are short-lived and a restart is rare)."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S):
        self.limit, self.window_s = limit, window_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> float:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(address, []) if now - t < self.window_s]
            self._failures[address] = recent
            return self.window_s - (now - recent[0]) if len(recent) >= self.limit else 0.0

    def failed(self, address: str) -> None:
        with self._lock:
            self._failures.setdefault(address, []).append(time.monotonic())


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
    wait = attempts.retry_after(address)
    if wait:
        return _refuse("too_many_attempts", f"too many wrong codes from this tablet: try again in {wait:.0f} s",
                       429, retry_after=round(wait))
    body = _json_fields("code", "device", "csr")
    if body is None:
        return _refuse("bad_request", "send JSON with 'code', 'device' and 'csr' (PEM) as strings", 400)
    try:
        issued = tablets.redeem(body["code"], body["device"], body["csr"], current_app.config["FILES"],
                                config.tablets.cert_days)
    except tablets.TabletError as exc:
        if exc.code in ("code_invalid", "code_used", "code_expired"):
            attempts.failed(address)
        return _refuse(exc.code, exc.reason, exc.status)
    return jsonify(_issued(config, issued))


@bp.post("/tablets/renew")
def renew():
    config: EdgeConfig = current_app.config["EDGE"]
    cert = _client_cert()
    if cert is None:
        return _refuse("client_certificate_required", "renewal needs the tablet's current certificate", 401)
    body = _json_fields("csr")
    if body is None:
        return _refuse("bad_request", "send JSON with 'csr' (PEM) as a string", 400)
    try:
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
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    return {**_bundle(config, EdgeFiles(config.instance)), "device": issued.device,
            "certificate": pki.cert_to_pem(cert).decode(),
            "broker": {"name": config.server_name, "port": config.tablets.mqtt_port},
            "renew_after": timestamp(start + (end - start) * 2 / 3)}


def create_app(config: EdgeConfig) -> Flask:
    app = Flask(__name__)
    app.config.update(EDGE=config, FILES=EdgeFiles(config.instance), ATTEMPTS=Attempts(),
                      MAX_CONTENT_LENGTH=64 * 1024, SECRET_KEY=os.urandom(32))

    @app.teardown_request
    def _close(_exc=None):  # peewee: one connection per thread, closed after each request
        if not store.db.is_closed():
            store.db.close()

    app.register_blueprint(bp)
    return app


class _Handler(WSGIRequestHandler):
    """No access log: enrolment requests carry codes in their bodies only, but keep logs quiet."""

    def log_request(self, code="-", size="-") -> None:
        pass


def server_context(files: EdgeFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(files.server_cert), str(files.server_key))
    context.load_verify_locations(str(files.ca_cert))
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


class TabletApiServer:
    def __init__(self, config: EdgeConfig):
        files = EdgeFiles(config.instance)
        self._server = make_server(config.tablets.api_host, config.tablets.api_port, create_app(config),
                                   threaded=True, request_handler=_Handler, ssl_context=server_context(files))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> TabletApiServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="tablet-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
