"""Talking to a Learning Record Store: POST a batch of statements, PUT one by id.

Every request carries `X-Experience-API-Version: 1.0.3` and Basic auth. Redirects are not
followed (the credentials would go along). What the LRS answers becomes one of:

- None (done): 200 to a POST, 204 to a PUT;
- Conflict: 409, a statement id the LRS already holds (with other content, or it refuses repeats);
- Refused: 400, a statement it will not take; 401/403/404 and other 4xx are Misconfigured;
- Unavailable: no connection, a timeout, 408, 429 or 5xx: try again later.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from urllib.parse import quote

from hub.lrs.settings import LrsSettings
from wire.xapi import XAPI_VERSION

REASON_CHARS = 300


class LrsError(Exception):
    def __init__(self, status: int | None, reason: str):
        super().__init__(f"{status or 'no answer'}: {reason}")
        self.status = status
        self.reason = reason


class Unavailable(LrsError):
    """Try again later."""


class Conflict(LrsError):
    """A statement id the LRS already holds."""


class Refused(LrsError):
    """A statement the LRS will not take (400)."""


class Misconfigured(LrsError):
    """Wrong credentials, permissions or URL: nothing will work until someone fixes the settings."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class LrsClient:
    def __init__(self, settings: LrsSettings, context: ssl.SSLContext | None = None):
        self.settings = settings
        handlers = [_NoRedirects()]
        if settings.url.startswith("https:"):
            handlers.append(urllib.request.HTTPSHandler(context=context or ssl.create_default_context()))
        self._opener = urllib.request.build_opener(*handlers)
        secret = base64.b64encode(f"{settings.username}:{settings.password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {secret}", "X-Experience-API-Version": XAPI_VERSION,
                         "Content-Type": "application/json"}

    def post(self, statements: list[dict]) -> None:
        self._send("POST", self.settings.statements_url, statements, ok=200)

    def put(self, statement: dict) -> None:
        url = f"{self.settings.statements_url}?statementId={quote(statement['id'])}"
        self._send("PUT", url, statement, ok=204)

    def _send(self, method: str, url: str, body, ok: int) -> None:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=self._headers)  # noqa: S310
        try:
            with self._opener.open(request, timeout=self.settings.timeout_s) as response:
                status, text = response.status, response.read(REASON_CHARS).decode(errors="replace")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read(REASON_CHARS).decode(errors="replace")
            exc.close()
        except (OSError, ValueError) as exc:  # refused, reset, timeout, TLS, a broken answer
            raise Unavailable(None, f"cannot reach the LRS at {self.settings.url} ({exc})") from None
        if status in (ok, 200, 204):
            return
        raise _error(status, text.strip())


def _error(status: int, text: str) -> LrsError:
    reason = text or "no reason given"
    if status == 409:
        return Conflict(status, reason)
    if status == 400:
        return Refused(status, reason)
    if status in (408, 429) or status >= 500:
        return Unavailable(status, reason)
    if status == 413:
        return Misconfigured(status, f"the LRS finds the batch too large: lower LRS_BATCH_SIZE: {reason}")
    if status in (401, 403):
        return Misconfigured(status, f"the LRS refused the credentials (LRS_USERNAME, LRS_PASSWORD_FILE): {reason}")
    return Misconfigured(status, f"the LRS answered {status} (check LRS_URL): {reason}")
