"""The edge's side of nginx in front (X-Accel-Redirect), measured in phase 5 of the bench and kept
correct by tests/courses/test_courses_nginx.py. The box does not run it (docs/bench.md).

nginx terminates TLS, checks the tablet's certificate against the tablet CA and passes it,
URL-escaped, in `X-Tablet-Cert` to `accel_app` on a loopback-only plain-HTTP listener. The app
authorises each request with the edge's own rules (edge/courses/serve.py: certificate current,
file in a published version) and answers `X-Accel-Redirect: /_blobs/<aa>/<sha256>`; nginx sends
the file (Range included) from disk. The header is trusted only here, never on the TLS API.

    server = AccelServer(edge_config, port).start(); ...; server.stop()
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import unquote

from flask import Blueprint, Flask, Response, request
from werkzeug.serving import make_server

from edge import store
from edge.courses import serve

ACCEL_PREFIX = "/_blobs/"
"""nginx's internal location for the cache's blobs (bench/nginx.py ACCEL_SERVER)."""

bp = Blueprint("courses_accel", __name__, url_prefix="/v1")
bp.add_url_rule("/courses", view_func=serve.courses)  # the edge's own view: authorised the same way


@bp.get("/content/<sha>")
@serve.tablet_required
def content(sha: str):
    found = serve.servable(sha)
    if found is None:
        return serve.not_servable()
    headers = {"ETag": f'"{sha}"', "Cache-Control": serve.IMMUTABLE}
    if request.if_none_match.contains(sha):
        return Response(status=304, headers=headers)
    return Response(status=200, headers={**headers, "X-Accel-Redirect": f"{ACCEL_PREFIX}{sha[:2]}/{sha}"},
                    content_type=found[1])  # nginx sends the file, and applies any Range itself


bp.after_request(serve.sandboxed)


def _tablet_cert_from_nginx(wsgi_app):
    """The certificate nginx checked, where the edge's views look for it (environ SSL_CLIENT_CERT).
    nginx always sets the header (empty without a certificate), so a tablet cannot send its own."""

    def app(environ, start_response):
        pem = unquote(environ.pop("HTTP_X_TABLET_CERT", ""))
        environ.pop("SSL_CLIENT_CERT", None)
        if pem:
            environ["SSL_CLIENT_CERT"] = pem
        return wsgi_app(environ, start_response)

    return app


def accel_app(config) -> Flask:
    """The course routes for nginx in front: serve it on loopback only."""
    app = Flask(__name__)
    app.config.update(EDGE=config)
    app.extensions["courses_reader"] = serve.Reader(config.db_path)

    @app.teardown_request
    def _close(_exc=None):
        if not store.db.is_closed():
            store.db.close()

    app.register_blueprint(bp)
    app.wsgi_app = _tablet_cert_from_nginx(app.wsgi_app)
    return app


class AccelServer:
    """`accel_app` on plain HTTP in a thread, bound to loopback only (it trusts X-Tablet-Cert,
    which only nginx may set)."""

    def __init__(self, config, port: int):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        self._server = make_server("127.0.0.1", port, accel_app(config), threaded=True)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_port

    def start(self) -> AccelServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="courses-accel", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
