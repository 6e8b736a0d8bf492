"""The staff console's defences that show only with a real server: the console over real HTTPS on
127.0.0.1 (provisioning.https, the edge's server certificate). The login rate limit under parallel
guesses, password checks a few at a time, attachments served with the type the edge checked, a
session ended by logout or by its age, and `next` never leading to another site. (A security review
found each of these open once.)"""

from __future__ import annotations

import hashlib
import http.client
import re
import ssl
import threading
import uuid

import pytest

from edge.attachments import store as attachments_store
from edge.attachments import upload as attachments_upload
from edge.console import accounts
from edge.identity import server_tls_context
from provisioning import https
from tests.console.consolekit import PASSWORD, submission

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
GUESSES = 24
CALLERS = 8  # four times the checks allowed at once: without the cap, most would run together


@pytest.fixture(scope="module")
def console(kit, app):
    server = https.HttpsServer(app, "127.0.0.1", 0, lambda: server_tls_context(kit.files), name="console-https")
    server.start()
    yield server
    server.stop()


def _client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False  # the certificate names the edge, not 127.0.0.1
    context.verify_mode = ssl.CERT_NONE
    return context


def _connect(port: int, source: str = "127.0.0.1") -> http.client.HTTPSConnection:
    return http.client.HTTPSConnection("127.0.0.1", port, context=_client_context(), timeout=120,
                                       source_address=(source, 0))


def _login_form(port: int, source: str = "127.0.0.1") -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh visitor."""
    conn = _connect(port, source)
    conn.request("GET", "/login")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    conn.close()
    return cookie, _TOKEN.search(body).group(1)


def _try_login(port: int, cookie: str, token: str, username: str, password: str,
               source: str = "127.0.0.1") -> int:
    conn = _connect(port, source)
    body = f"csrf_token={token}&username={username}&password={password.replace(' ', '+')}"
    conn.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                      "Cookie": cookie, "Referer": f"https://127.0.0.1:{port}/"})
    status = conn.getresponse().status
    conn.close()
    return status


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(console, kit, monkeypatch):
    """Once a failure was counted only after the argon2 check: guesses sent at once
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


def _logged_in(port: int, username: str, source: str) -> str:
    """The session cookie of `username`, logged in over HTTPS from `source` (a loopback address)."""
    cookie, token = _login_form(port, source)
    conn = _connect(port, source)
    conn.request("POST", "/login", body=f"csrf_token={token}&username={username}&password={PASSWORD.replace(' ', '+')}",
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                          "Referer": f"https://127.0.0.1:{port}/"})
    response = conn.getresponse()
    assert response.status == 302, response.read()
    session = response.getheader("Set-Cookie").split(";")[0]
    conn.close()
    return session


def test_an_attachment_is_served_with_the_type_the_edge_checked_not_the_one_the_submission_claims(console, kit):
    """Once the console served an attachment with the media type its submission named:
    a tablet could upload bytes as image/png (a type the edge takes) and name them image/svg+xml in
    the submission, and the console served that SVG inline from its own origin."""
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
           b'<text y="20">' + uuid.uuid4().hex.encode() + b"</text></svg>")
    files = attachments_store.Files(kit.config.attachments_dir)
    limits = attachments_store.Limits.of(kit.config.attachments)
    ref = {"id": str(uuid.uuid4()), "sha256": hashlib.sha256(svg).hexdigest(), "size": len(svg),
           "type": "image/png", "name": "page.png"}
    assert attachments_upload.put_chunk(files, limits, "tab-0001", ref["id"], 0, svg)[0] == 201
    assert attachments_upload.finish(files, limits, "tab-0001", ref["id"],
                                     {k: ref[k] for k in ("sha256", "size", "type", "name")})[0] == 200
    record_id = submission("L-A1", "tab-0001", attachments=[{**ref, "type": "image/svg+xml", "name": "page.svg"}])

    conn = _connect(console.port, "127.0.0.3")
    conn.request("GET", f"/submissions/{record_id}/attachments/{ref['id']}",
                 headers={"Cookie": _logged_in(console.port, "tina", "127.0.0.3")})
    response = conn.getresponse()
    body = response.read()
    conn.close()

    assert response.status == 200 and body == svg
    assert response.getheader("Content-Type") == "image/png"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in response.getheader("Content-Security-Policy")


def _get(port: int, path: str, cookie: str, source: str) -> tuple[int, str, str, str]:
    """(status, Location, body, the session cookie as the answer left it)."""
    conn = _connect(port, source)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    renewed = (response.getheader("Set-Cookie") or cookie).split(";")[0]
    answer = response.status, response.getheader("Location") or "", response.read().decode(), renewed
    conn.close()
    return answer


def test_a_session_cookie_copied_before_logout_is_refused_after_it(console):
    """Once the session lived only in its signed cookie: logging out cleared the
    browser's copy, but a copy taken earlier (a shared staff PC, a proxy log) still worked for the
    rest of console.session_hours, and for ever while it kept being used."""
    source = "127.0.0.4"
    copied = _logged_in(console.port, "ivan", source)
    status, _, page, copied = _get(console.port, "/health/", copied, source)  # now with its CSRF token
    assert status == 200
    token = _TOKEN.search(page).group(1)
    conn = _connect(console.port, source)
    conn.request("POST", "/logout", body=f"csrf_token={token}", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": copied,
        "Referer": f"https://127.0.0.1:{console.port}/"})
    assert conn.getresponse().status == 302
    conn.close()

    status, location, _, _ = _get(console.port, "/health/", copied, source)
    assert (status, location.split("?")[0]) == (302, "/login")
    assert _get(console.port, "/health/", _logged_in(console.port, "ivan", source), source)[0] == 200  # a new login


def test_a_session_ends_session_hours_after_login_however_often_it_is_used(app, console, kit):
    """Flask re-signs a permanent session's cookie on every request, so its age alone never ran out."""
    source = "127.0.0.5"
    cookie = _logged_in(console.port, "ivan", source)
    assert _get(console.port, "/health/", cookie, source)[0] == 200
    hours = kit.config.console.session_hours
    with app.test_client() as client:  # the same signed cookie, its login time moved back
        client.set_cookie(*cookie.split("=", 1), domain="localhost")
        with client.session_transaction() as session:
            session["at"] = session.get("at", 0) - hours * 3600 - 1
        aged = f"{cookie.split('=', 1)[0]}={client.get_cookie(cookie.split('=', 1)[0]).value}"
    status, location, _, _ = _get(console.port, "/health/", aged, source)
    assert (status, location.split("?")[0]) == (302, "/login")


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0a/evil.example", "/%20/evil.example", "/%0d/x"])
def test_after_login_next_never_leads_to_another_site(console, target):
    """Once `next=/%09/evil.example` passed the check (it starts with one '/') and the
    redirect said `Location: //evil.example` once the tab was dropped: another host, after a real login.
    (A carriage return made the login answer 500.)"""
    source = "127.0.0.6"
    cookie, token = _login_form(console.port, source)
    conn = _connect(console.port, source)
    conn.request("POST", f"/login?next={target}",
                 body=f"csrf_token={token}&username=tina&password={PASSWORD.replace(' ', '+')}",
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                          "Referer": f"https://127.0.0.1:{console.port}/"})
    response = conn.getresponse()
    conn.close()
    assert response.status == 302
    assert response.getheader("Location") == "/submissions/"


class _Watched:
    """The real PasswordHasher, with the most password checks seen running at once."""

    def __init__(self, hasher):
        self._hasher, self._lock = hasher, threading.Lock()
        self.running = self.most = 0

    def verify(self, *args):
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return self._hasher.verify(*args)
        finally:
            with self._lock:
                self.running -= 1

    def __getattr__(self, name):
        return getattr(self._hasher, name)


def test_password_checks_run_a_few_at_a_time_whatever_the_addresses_and_accounts(console, monkeypatch):
    """Each check takes 64 MiB (argon2id): once, guesses from many addresses for many
    names all ran at once (the rate limit is per address and per account), 24 of them 1.5 GiB."""
    watched = _Watched(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", watched)
    sources = [f"127.0.1.{i}" for i in range(1, CALLERS + 1)]
    forms = {source: _login_form(console.port, source) for source in sources}
    start = threading.Barrier(CALLERS)

    def guess(source: str) -> None:
        start.wait()
        _try_login(console.port, *forms[source], f"nobody{source.rsplit('.', 1)[1]}", "wrong guess", source)

    threads = [threading.Thread(target=guess, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 1 <= watched.most <= accounts.CONCURRENT_CHECKS, watched.most
