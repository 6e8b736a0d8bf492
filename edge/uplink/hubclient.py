"""HTTPS to the hub with mutual TLS: one persistent connection, re-opened after any failure.

The edge trusts only the hub root it pinned at enrolment and proves itself with its own
certificate (tls/edge.pem). Each response's Date header tells how far the box's clock is off.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature

BATCH_PATH = "/v1/batches"
CONTENT_TYPE = "application/cbor"


class HubClient:
    @classmethod
    def for_edge(cls, config) -> HubClient:
        """The edge's client (edge.config.EdgeConfig): its pinned hub root and its own certificate."""
        from edge.identity import EdgeFiles

        files = EdgeFiles(config.instance)
        return cls(config.uplink.hub_url, config.uplink.timeout_s, ca_file=files.hub_root,
                   cert_file=files.edge_cert, key_file=files.edge_key)

    def __init__(self, url: str, timeout: float = 30.0, *, ca_file=None, cert_file=None, key_file=None):
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"hub URL {url!r} must look like https://host[:port]")
        self.host = parts.hostname
        self.port = parts.port or 443
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._tls_files = (ca_file, cert_file, key_file)
        self.context = tls_context(ca_file, cert_file, key_file)
        self.root = x509.load_pem_x509_certificate(Path(ca_file).read_bytes()) if ca_file else None
        self._conn: http.client.HTTPSConnection | None = None
        self.clock_skew_s: float | None = None  # hub clock minus ours, from the last response

    def _connection(self) -> http.client.HTTPSConnection:
        if self._conn is not None and self._conn.sock is None:  # the hub closed it: reconnect, checked again
            self._conn = None
        if self._conn is None:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
            conn.connect()
            self._check_issued_by_root(conn)
            self._conn = conn
        return self._conn

    def _check_issued_by_root(self, conn: http.client.HTTPSConnection) -> None:
        """The hub's own certificate is issued by the root itself. Other chains to the root exist (the
        cross-certificates the hub gives each edge's tablet CA): none of them may speak for the hub."""
        if self.root is None:
            return
        leaf = x509.load_der_x509_certificate(conn.sock.getpeercert(binary_form=True))
        try:
            leaf.verify_directly_issued_by(self.root)
        except (ValueError, TypeError, InvalidSignature):
            conn.close()
            raise OSError(f"{self.host}:{self.port} presented a certificate that chains to the hub root but was "
                          "not issued by it: not the hub. Check the network path to the hub") from None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json", extra_headers: dict | None = None) -> tuple[int, bytes]:
        """One request. Raises OSError when the hub cannot be reached (or refuses our TLS)."""
        headers = {"Content-Type": content_type, "Content-Length": str(len(body or b"")), **(extra_headers or {})}
        response = self.exchange(method, path, body, headers)
        try:
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise OSError(f"hub at https://{self.host}:{self.port} unreachable: {exc}") from exc
        return response.status, data

    def exchange(self, method: str, path: str, body: bytes | None, headers: dict) -> http.client.HTTPResponse:
        """Send one request and return the response with its body unread.

        The hub keeps a connection open between requests and closes it after a while idle: a request
        on a kept connection that fails before any answer is sent once more on a new one. Every request
        the edge makes is safe to repeat (batches, chunks and fetches are idempotent at the hub)."""
        for retry in (False, True):
            kept = self._conn is not None and self._conn.sock is not None
            try:
                conn = self._connection()
                conn.request(method, self.prefix + path, body=body, headers=headers)
                response = conn.getresponse()
                break
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if kept and not retry:
                    continue
                raise OSError(f"hub at https://{self.host}:{self.port} unreachable: {exc}") from exc
        self._note_clock(response.getheader("Date"))
        return response

    def post_batch(self, envelope: bytes) -> tuple[int, bytes]:
        return self.request("POST", BATCH_PATH, envelope, CONTENT_TYPE)

    def call_json(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = self.request(method, path, body)
        try:
            return status, json.loads(data or b"{}")
        except ValueError:
            return status, {"error": "not_json", "reason": data[:200].decode(errors="replace")}

    def _note_clock(self, date_header: str | None) -> None:
        if date_header:
            with contextlib.suppress(TypeError, ValueError):
                self.clock_skew_s = email.utils.parsedate_to_datetime(date_header).timestamp() - time.time()

    def reload_identity(self) -> None:
        """New connections present the certificate files as they are now (after a renewal)."""
        self.context = tls_context(*self._tls_files)
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def tls_context(ca_file=None, cert_file=None, key_file=None) -> ssl.SSLContext:
    """TLS 1.2+, the hub's certificate checked against the pinned root (and its name), our own
    certificate offered when we have one."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_file:
        context.load_cert_chain(str(cert_file), str(key_file))
    return context
