"""Security review of the staff console, against the console served over real HTTPS on 127.0.0.1
(provisioning.https, the edge's server certificate): the login rate limit under parallel guesses,
and attachments served with the type the edge checked."""

from __future__ import annotations

import http.client
import re
import ssl
import threading

import pytest

from edge.console import accounts
from edge.console.server import server_context
from provisioning import https
from tests.console.consolekit import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
GUESSES = 24


@pytest.fixture(scope="module")
def console(kit, app):
    server = https.HttpsServer(app, "127.0.0.1", 0, lambda: server_context(kit.files), name="console-review")
    server.start()
    yield server
    server.stop()


def _client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False  # the certificate names the edge, not 127.0.0.1
    context.verify_mode = ssl.CERT_NONE
    return context


def _login_form(port: int) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh visitor."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=_client_context())
    conn.request("GET", "/login")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.close()
    return cookie, _TOKEN.search(body).group(1)


def _try_login(port: int, cookie: str, token: str, username: str, password: str) -> int:
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=_client_context(), timeout=120)
    body = f"csrf_token={token}&username={username}&password={password.replace(' ', '+')}"
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                      "Cookie": cookie, "Referer": f"https://127.0.0.1:{port}/"})
    status = conn.getresponse().status
    conn.close()
    return status


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(console, kit, monkeypatch):
    """Before the review a failure was counted only after the argon2 check: guesses sent at once
    all passed the limit check first, and every one of them had its password checked (24 checks
    for a limit of 5, each costing 64 MiB of argon2 memory; the answers still said 429)."""
    limit = kit.config.console.login_failures
    checked: list[str] = []
    real_check = accounts.authenticate

    def counted(username: str, password: str):
        checked.append(password)  # the real check still runs: this only counts them
        return real_check(username, password)

    monkeypatch.setattr(accounts, "authenticate", counted)
    cookie, token = _login_form(console.port)
    statuses: list[int] = []
    start = threading.Barrier(GUESSES)

    def guess(i: int) -> None:
        start.wait()
        statuses.append(_try_login(console.port, cookie, token, "mary", f"wrong guess number {i}"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(checked) <= limit, f"{len(checked)} passwords checked: {sorted(statuses)}"
    assert set(statuses) <= {401, 429} and 429 in statuses, statuses
    assert _try_login(console.port, cookie, token, "mary", PASSWORD) == 429  # the account waits out the window
    assert len(checked) <= limit
