"""Serving the hub over HTTPS with werkzeug's threaded server, in the foreground or in a thread.

    server = HubServer(app, "127.0.0.1", 0).start()   # port 0: any free port
    server.url                                         # https://127.0.0.1:PORT
    server.stop()

TLS: the hub's certificate from tls/ (issued by its root), TLS 1.2 or later, and a client
certificate OPTIONAL at the TLS layer but verified against ca/root.pem when sent: a certificate
from another CA fails the handshake. Werkzeug puts the verified peer certificate into
environ["SSL_CLIENT_CERT"] (PEM), where hub/auth.py's `edge_required` reads it.

Each connection's handshake runs in its own request thread (not in the accepting thread), with a
timeout, so a client that connects and says nothing holds up no one else.
"""

from __future__ import annotations

import logging
import ssl
import threading

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from hub import ca
from hub.config import HubConfigError

log = logging.getLogger("hub.server")

SOCKET_TIMEOUT_S = 60
"""A connection that sends nothing for this long (mid-handshake, or idle between requests) is closed."""


def tls_context(paths: ca.CaFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(paths.server_cert, paths.server_key)
        context.load_verify_locations(cafile=paths.root_cert)
    except (OSError, ssl.SSLError) as exc:
        raise HubConfigError(f"cannot load the hub's TLS certificate from {paths.server_cert.parent} or its "
                             f"root from {paths.root_cert} ({exc}): run `throughgate hub run`, which "
                             "re-issues the certificate, or `throughgate hub init` for a new hub") from None
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


class TlsRequestHandler(WSGIRequestHandler):
    """Completes the TLS handshake in the request's thread. No access log line per request: ingest
    logs one line per batch, and query strings (learner ids) stay out of the log. Errors are still
    logged."""

    timeout = SOCKET_TIMEOUT_S

    def handle(self) -> None:
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            log.warning("TLS handshake with %s failed: %s", self.client_address[0],
                        getattr(exc, "reason", None) or exc)
            return
        super().handle()

    def log_request(self, code="-", size="-") -> None:
        pass


class TlsWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server; accepted sockets are wrapped for TLS without a handshake yet."""

    def __init__(self, host: str, port: int, app, context: ssl.SSLContext):
        super().__init__(host, port, app, handler=TlsRequestHandler)
        self.ssl_context = context  # werkzeug reads it: https URLs in environ, TLS errors logged quietly

    def get_request(self):
        sock, address = self.socket.accept()
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


class HubServer:
    def __init__(self, app, host: str = "127.0.0.1", port: int = 8080):
        self._paths = ca.files(app.instance_path)
        self._server = TlsWSGIServer(host, port, app, tls_context(self._paths))
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def reload_certificate(self) -> None:
        """Use the certificate files as they are now for new connections (after a re-issue)."""
        self._server.ssl_context = tls_context(self._paths)

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> HubServer:
        """Serve in a background thread; returns once the socket is listening."""
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="hub-https", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests, then close the socket."""
        if self._thread is not None:  # shutdown() waits for serve_forever, so only when serving
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
