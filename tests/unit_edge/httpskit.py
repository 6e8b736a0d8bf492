"""A small real HTTPS server for edge client tests: serves `{}` to GET, with the certificate chain
it is given and, optionally, a clock `offset` seconds off ours in its Date header."""

from __future__ import annotations

import email.utils
import http.server
import ssl
import threading
import time
from pathlib import Path

from provisioning import pki


def serve_https(folder: Path, chain_pem: bytes, key, offset: dict | None = None) -> http.server.ThreadingHTTPServer:
    (folder / "srv.pem").write_bytes(chain_pem)
    (folder / "srv.key").write_bytes(pki.key_to_pem(key))
    offset = offset if offset is not None else {"s": 0.0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def date_time_string(self, timestamp=None):
            return email.utils.formatdate(time.time() + offset["s"], usegmt=True)

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(folder / "srv.pem"), str(folder / "srv.key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
