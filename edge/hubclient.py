"""HTTP to the hub: one persistent connection, re-opened after any failure."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

BATCH_PATH = "/v1/batches"
CONTENT_TYPE = "application/cbor"


class HubClient:
    def __init__(self, url: str, timeout: float = 30.0):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"hub URL {url!r} must look like http://host:port or https://host")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        return self._conn

    def post_batch(self, envelope: bytes) -> tuple[int, bytes]:
        """POST one sealed batch. Raises OSError when the hub cannot be reached."""
        conn = self._connection()
        path = self.prefix + BATCH_PATH
        headers = {"Content-Type": CONTENT_TYPE, "Content-Length": str(len(envelope))}
        try:
            conn.request("POST", path, body=envelope, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise OSError(f"hub at {self.scheme}://{self.host}:{self.port} unreachable: {exc}") from exc
        return response.status, body

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
