"""Serving the hub over HTTPS (provisioning.https), in the foreground or in a thread.

    server = HubServer(app, "127.0.0.1", 0).start()   # port 0: any free port
    server.url                                         # https://127.0.0.1:PORT
    server.stop()

Connections: at most MAX_CONNECTIONS at once (kept under the process's open-file limit), at most
MAX_CONNECTIONS_PER_ADDRESS from one address, and REQUEST_HEAD_TIMEOUT_S for each TLS handshake and
request head (provisioning/connections.py).

TLS: the hub's certificate from tls/ (issued by its root), TLS 1.2 or later, and a client
certificate OPTIONAL at the TLS layer but verified against ca/root.pem when sent: a certificate
from another CA fails the handshake. Werkzeug puts the verified peer certificate into
environ["SSL_CLIENT_CERT"] (PEM), where hub/auth.py's `edge_required` reads it.
"""

from __future__ import annotations

import logging
import resource
import ssl

from hub import ca
from hub.config import HubConfigError
from provisioning.connections import Caps, usable_total
from provisioning.https import SOCKET_TIMEOUT_S, HttpsServer, server_context

__all__ = ["SOCKET_TIMEOUT_S", "HubServer", "caps", "tls_context"]

log = logging.getLogger("hub.server")


def tls_context(paths: ca.CaFiles) -> ssl.SSLContext:
    try:
        return server_context(paths.server_cert, paths.server_key, paths.root_cert)
    except (OSError, ssl.SSLError) as exc:
        raise HubConfigError(f"cannot load the hub's TLS files: {_what_failed(paths, exc)}: restore them from "
                             f"the backup of {paths.instance}, or run `throughgate hub init` for a new "
                             "hub") from None


def _what_failed(paths: ca.CaFiles, exc: Exception) -> str:
    """The first of the three files that is missing or unreadable; else all three (one holds something
    else, or the key does not fit the certificate)."""
    files = (paths.server_cert, paths.server_key, paths.root_cert)
    for path in files:
        try:
            with path.open("rb"):
                pass
        except FileNotFoundError:
            return f"{path} is missing"
        except OSError as error:
            return f"{path} is unreadable ({error.strerror or error})"
    return f"{', '.join(str(path) for path in files)} do not load together ({exc})"


def caps(config, open_files: int | None = None) -> Caps:
    """The connection caps the hub's settings give, the total kept under the open-file limit."""
    if open_files is None:
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        open_files = config["MAX_CONNECTIONS"] + 10**6 if open_files == resource.RLIM_INFINITY else open_files
    return Caps(usable_total(config["MAX_CONNECTIONS"], open_files), config["MAX_CONNECTIONS_PER_ADDRESS"],
                config["REQUEST_HEAD_TIMEOUT_S"], ("MAX_CONNECTIONS", "MAX_CONNECTIONS_PER_ADDRESS",
                                                   "REQUEST_HEAD_TIMEOUT_S"))


class HubServer(HttpsServer):
    def __init__(self, app, host: str = "127.0.0.1", port: int = 8080):
        paths = ca.files(app.instance_path)
        limits = caps(app.config)
        if limits.total < app.config["MAX_CONNECTIONS"]:
            log.warning("serving at most %d connections at once, not MAX_CONNECTIONS (%d): this process may open only "
                        "%d files; raise its limit (LimitNOFILE= in the systemd unit, ulimit -n) to serve more",
                        limits.total, app.config["MAX_CONNECTIONS"], resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        super().__init__(app, host, port, lambda: tls_context(paths), name="hub-https", caps=limits)
