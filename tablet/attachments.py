"""Uploading an attachment to the edge: limits first, then chunks, resumably, then finish.

    limits = uploader.limits()                      # GET /v1/attachments/limits
    uploader.check(size, type, limits)              # too large or a type the edge refuses: stop here
    ref = uploader.upload(path, type, name, id)     # GET status, PUT the missing chunks, POST finish

`upload` asks the edge which chunks it already holds and sends only the others, so after a
dropped connection the same call (same attachment id) carries on where it stopped; a chunk sent
twice is harmless. It returns the wire.learning.AttachmentRef a submission names. Nothing is
sent before the limits are checked, so the edge never finalises an attachment it would refuse.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import math
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tablet.enrolment import endpoint
from tablet.identity import TabletIdentity
from wire.learning import AttachmentRef

TIMEOUT_S = 30.0


class AttachmentError(Exception):
    """code: the edge's error code, or ours (unreachable, too_large, type_not_allowed, bad_answer)."""

    def __init__(self, code: str, reason: str, status: int | None = None):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.status = code, reason, status


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    chunk_bytes: int
    types: tuple[str, ...]


class EdgeApi:
    """HTTPS to the edge's tablet API with the tablet's certificate, on one kept-alive connection."""

    def __init__(self, identity: TabletIdentity, address: str | None = None, port: int | None = None,
                 timeout: float = TIMEOUT_S):
        state = identity.state
        host, default_port = endpoint(state.url, address or state.address or None)
        self.host, self.port, self.timeout = host, port or default_port, timeout
        self.context = identity.ssl_context()
        self._conn: http.client.HTTPSConnection | None = None

    def call(self, method: str, path: str, body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, dict]:
        headers = {"Content-Type": content_type} if body is not None else {}
        try:
            response = self.exchange(method, path, body, headers)
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise self.unreachable(exc) from None
        answer = _json_object(raw)
        if answer is None:
            raise AttachmentError("bad_answer", f"the edge answered {response.status} without JSON", response.status)
        return response.status, answer

    def exchange(self, method: str, path: str, body: bytes | None, headers: dict) -> http.client.HTTPResponse:
        """Send one request and return the response with its body unread. The edge closes a connection
        left idle: a request on a kept one that fails before any answer is sent once more on a new one
        (every call is safe to repeat: chunks, status, finish and fetches are idempotent)."""
        for retry in (False, True):
            kept = self._conn is not None and self._conn.sock is not None
            try:
                if self._conn is None:
                    self._conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                             context=self.context)
                self.on_request(self._conn.sock is None)
                self._conn.request(method, path, body=body, headers=headers)
                return self._conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if kept and not retry:
                    continue
                raise self.unreachable(exc) from None
        raise AssertionError("the loop returns or raises")

    def on_request(self, new_connection: bool) -> None:
        """Called before each request is sent (a subclass counts them)."""

    def unreachable(self, exc: Exception) -> Exception:
        return AttachmentError("unreachable", f"the edge at {self.host}:{self.port} did not answer ({exc}); "
                               "the upload resumes where it stopped next time")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


MEDIA_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
               ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".webm": "audio/webm",
               ".wav": "audio/wav", ".pdf": "application/pdf"}


def media_type(path: str | Path) -> str:
    """The media type of a photo, recording or document by its name (the IANA names the edge expects:
    Python's mimetypes says audio/x-wav for .wav)."""
    suffix = Path(path).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def _json_object(raw: bytes) -> dict | None:
    with contextlib.suppress(ValueError):
        answer = json.loads(raw)
        return answer if isinstance(answer, dict) else None
    return None


def file_digest(path: str | Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _refused(status: int, answer: dict) -> AttachmentError:
    return AttachmentError(str(answer.get("error", "refused")), str(answer.get("reason", "")), status)


class Uploader:
    def __init__(self, api: EdgeApi, on_chunk: Callable[[int], None] | None = None):
        """on_chunk(n): called after chunk n was accepted (for progress)."""
        self.api, self.on_chunk = api, on_chunk
        self.sent: list[int] = []  # chunk numbers sent by this uploader, in order

    def limits(self) -> Limits:
        status, answer = self.api.call("GET", "/v1/attachments/limits")
        if status != 200:
            raise _refused(status, answer)
        try:
            return Limits(int(answer["max_bytes"]), int(answer["chunk_bytes"]), tuple(answer["types"]))
        except (KeyError, TypeError, ValueError):
            raise AttachmentError("bad_answer", "the edge's limits lack max_bytes, chunk_bytes or types") from None

    @staticmethod
    def check(size: int, media_type: str, limits: Limits) -> None:
        """Refuse here, before anything is sent, what the edge would refuse at the end."""
        if size > limits.max_bytes:
            raise AttachmentError("too_large", f"the file is {size} bytes; the edge takes at most {limits.max_bytes}")
        if size < 1:
            raise AttachmentError("too_large", "the file is empty")
        if media_type not in limits.types:
            raise AttachmentError("type_not_allowed", f"{media_type} is not one the edge takes: "
                                  f"{', '.join(limits.types)}")

    def upload(self, path: str | Path, media_type: str, name: str, attachment_id: str) -> AttachmentRef:
        sha256, size = file_digest(path)
        self.check(size, media_type, self.limits())
        status, held = self.api.call("GET", f"/v1/attachments/{attachment_id}")
        if status == 404:
            held = {"chunks": [], "chunk_bytes": None, "state": "new"}
        elif status != 200:
            raise _refused(status, held)
        if held.get("state") != "complete":
            chunk_bytes = int(held.get("chunk_bytes") or self.limits().chunk_bytes)
            self._send_missing(path, attachment_id, size, chunk_bytes, set(held.get("chunks", [])))
        status, answer = self.api.call("POST", f"/v1/attachments/{attachment_id}/finish", json.dumps(
            {"sha256": sha256, "size": size, "type": media_type, "name": name}).encode())
        if status != 200:
            raise _refused(status, answer)
        return AttachmentRef(attachment_id, sha256, size, media_type, name)

    def _send_missing(self, path, attachment_id: str, size: int, chunk_bytes: int, held: set[int]) -> None:
        with open(path, "rb") as handle:
            for n in range(math.ceil(size / chunk_bytes)):
                if n in held:
                    continue
                handle.seek(n * chunk_bytes)
                status, answer = self.api.call("PUT", f"/v1/attachments/{attachment_id}/chunks/{n}",
                                               handle.read(chunk_bytes), "application/octet-stream")
                if status not in (200, 201):
                    raise _refused(status, answer)
                self.sent.append(n)
                if self.on_chunk:
                    self.on_chunk(n)
