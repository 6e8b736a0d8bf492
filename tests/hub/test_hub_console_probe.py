"""The admin console attacked: each test is one probe of docs/security.md "Probed: the admin console",
against a real `throughgate hub run` where the answer depends on the server (uploads, cookies over
HTTPS), else through the Flask test client with consolekit's admins. A test that failed before its
fix names it."""

from __future__ import annotations

import http.client
import io
import re
import socket
import ssl
import time
from pathlib import Path
from urllib.parse import quote

import consolekit
import pytest
from healthkit import sample_report
from hubkit import enrol_edge, make_instance
from hubprocess import HubProcess

from hub import db
from hub.admins import tokens as admin_tokens
from hub.app import create_app
from hub.console import imports
from hub.console.access import PRE_COOKIE
from hub.console.views.auth import safe_next
from hub.staff import accounts, sessions, totp
from hub.staff.models import StaffSession

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role
BASE = consolekit.BASE
EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


# ---- a real hub process, and a browser's cookies over HTTPS ----

class Browser:
    """Cookies kept as a browser keeps them for one site; requests over HTTPS to the hub on loopback."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        self.context = ssl.create_default_context()
        self.context.check_hostname, self.context.verify_mode = False, ssl.CERT_NONE  # loopback only

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str, list[str]]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = "&".join(f"{quote(k)}={quote(v)}" for k, v in form.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode(errors="replace")
        set_cookies = answer.headers.get_all("Set-Cookie") or []
        for line in set_cookies:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in line or "expires=Thu, 01 Jan 1970" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        connection.close()
        return answer.status, dict(answer.headers), text, set_cookies

    def form(self, path: str, data: dict, page: str | None = None):
        _s, _h, text, _c = self.request("GET", page or path)
        return self.request("POST", path, {"csrf_token": consolekit.token(text), **data})


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("console-probe")
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log", {"ADMIN_APPROVALS": "true"}).start()
    try:
        app = create_app({"DATABASE_URL": url}, instance_path=instance)
        content = consolekit.make_admin(app, "content-admin", "content")
        auditor = consolekit.make_admin(app, "auditor-admin", "auditor")
        yield process, app, content, auditor
    finally:
        process.stop()


def _logged_in(hub) -> Browser:
    process, app, content, _auditor = hub
    browser = Browser(process.port)
    status, headers, _t, _c = browser.form("/admin/login", {"name": content.name, "password": consolekit.PASSWORD})
    assert status == 302, headers
    status, headers, _t, _c = browser.form("/admin/login/code", {"code": consolekit.code_for(app, content)})
    assert status == 302, headers
    return browser


def _spooled(app) -> list[str]:
    """The files in the blob store's tmp/ folder, where uploads are spooled."""
    tmp = Path(app.config["COURSE_BLOB_DIR"]) / "tmp"
    return sorted(path.name for path in tmp.iterdir()) if tmp.is_dir() else []


def _start_upload(port: int, cookie: str = "", size: int = 50 * 2**20, sent: int = 4 * 2**20) -> socket.socket:
    """A multipart upload of a `size`-byte package to /admin/course-imports, of which `sent` bytes go now;
    the socket stays open (the rest never comes)."""
    boundary = "probeboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nx\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"package\"; filename=\"p.zip\"\r\n"
            "Content-Type: application/zip\r\n\r\n").encode()
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    sock.sendall((f"POST /admin/course-imports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(head) + size}\r\n"
                  + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode() + head)
    chunk = b"\0" * 65536
    for _ in range(sent // len(chunk)):
        try:
            sock.sendall(chunk)
        except OSError:  # the hub answered and closed: it read no more
            break
    return sock


# ---- uploads (real process) ----

def test_an_upload_from_someone_not_logged_in_is_never_written_to_the_hubs_disk(hub):
    """Before: the form (and so the file) was read for the CSRF check before anyone was known, and
    spooled into the instance: anyone could fill the hub's disk, COURSE_MAX_PACKAGE_BYTES per connection."""
    process, app, _content, _auditor = hub
    sock = _start_upload(process.port)
    try:
        time.sleep(0.5)
        assert _spooled(app) == []
    finally:
        sock.close()


@pytest.fixture(scope="module")
def content_cookie(hub) -> str:
    """The Cookie header of the content admin's browser, logged in to the real hub."""
    return "; ".join(f"{k}={v}" for k, v in _logged_in(hub).cookies.items())


def test_an_upload_whose_connection_drops_leaves_no_temporary_file(hub, content_cookie):
    process, app, _content, _auditor = hub
    cookie = content_cookie
    sock = _start_upload(process.port, cookie)
    time.sleep(0.5)
    assert len(_spooled(app)) == 1  # a content admin's upload is spooled as it comes
    sock.close()
    deadline = time.monotonic() + 15
    while _spooled(app) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _spooled(app) == []


def test_a_form_with_hundreds_of_file_parts_spools_one_file(hub, content_cookie):
    """Before: each file part was spooled to a file of its own, open until the request ended: one
    content admin's form of 1,000 parts held 1,000 of the hub's descriptors (its limit is often 1,024)."""
    process, app, _content, _auditor = hub
    before = process.open_fds()
    parts = b"".join(f"--b\r\nContent-Disposition: form-data; name=\"package\"; filename=\"p{i}.zip\"\r\n"
                     "Content-Type: application/zip\r\n\r\nx\r\n".encode() for i in range(900))
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with context.wrap_socket(socket.create_connection(("127.0.0.1", process.port), timeout=10)) as sock:
        sock.sendall(f"POST /admin/course-imports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                     f"boundary=b\r\nContent-Length: {len(parts) + 100}\r\nCookie: {content_cookie}\r\n\r\n"
                     .encode() + parts)  # the form never ends: every part is read, the request still open
        deadline = time.monotonic() + 2
        while len(_spooled(app)) <= 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_spooled(app)) <= 1 and process.open_fds() < before + 20


# ---- sessions and cookies (real process) ----

def test_the_login_cookie_is_host_only_secure_httponly_strict_and_new_after_each_step(hub):
    process, app, _content, content = hub  # the auditor: each login spends a code of its own
    browser = Browser(process.port)
    browser.request("GET", "/admin/login")
    before = dict(browser.cookies)
    status, _h, _t, set_cookies = browser.form("/admin/login", {"name": content.name,
                                                                "password": consolekit.PASSWORD})
    assert status == 302
    password_stage = browser.cookies[sessions.COOKIE]
    line = next(c for c in set_cookies if c.startswith(sessions.COOKIE))
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in line
    assert "Domain" not in line
    browser.form("/admin/login/code", {"code": consolekit.code_for(app, content)})
    full = browser.cookies[sessions.COOKIE]
    assert full != password_stage and sessions.COOKIE not in before
    # the password stage's cookie opens nothing now, nor does the pre-login form's token work after login
    stale = Browser(process.port)
    stale.cookies = {sessions.COOKIE: password_stage}
    assert stale.request("GET", "/admin/courses")[0] == 302
    status, _h, _t, _c = browser.request("POST", "/admin/logout",
                                         {"csrf_token": before[PRE_COOKIE]})
    assert status == 400
    # logout, then the same cookie replayed
    copied = dict(browser.cookies)
    assert browser.form("/admin/logout", {}, page="/admin/courses")[0] == 302
    replay = Browser(process.port)
    replay.cookies = copied
    assert replay.request("GET", "/admin/courses")[0] == 302


# ---- the next parameter ----

@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "/admin//evil.example", "/admin/\\evil", "/admin/\t/evil.example",
    "/admin/\n/evil.example", "https://evil.example/admin/", "https:evil.example", "/admin/%2F%2Fevil.example",
    "http:/admin/", "/admin/\u00a0/x", "\\\\evil.example", "/admin@evil.example"])
def test_next_never_leads_off_the_console(target):
    found = safe_next(target)
    assert found is None or (found.startswith("/admin/") and "//" not in found)


def test_next_from_a_login_link_ends_on_the_console(console_app, admins):
    client = consolekit.browser(console_app)
    shown = client.get("/admin/login?next=//evil.example/", base_url=BASE)
    answer = client.post("/admin/login?next=//evil.example/", base_url=BASE,
                         data={"csrf_token": consolekit.token(shown.get_data(as_text=True)),
                               "name": admins["fleet"].name, "password": consolekit.PASSWORD})
    assert answer.status_code == 302 and "evil" not in answer.headers["Location"]


# ---- the authenticator's codes ----

def test_a_code_counts_for_the_step_before_and_after_only_and_once(console_app):
    admin = consolekit.make_admin(console_app, "probe-totp", "auditor")
    now = time.time() + 3600  # an hour on: no step of it used yet
    step = totp.step_of(now)
    with console_app.app_context(), db.connected():
        for far in (step - 2, step + 2):
            assert not accounts.check_code(admin.name, totp.code_at(admin.secret, far), console_app.instance_path, now)
        assert accounts.check_code(admin.name, totp.code_at(admin.secret, step - 1), console_app.instance_path, now)
        assert not accounts.check_code(admin.name, totp.code_at(admin.secret, step - 1), console_app.instance_path,
                                       now)
        assert accounts.check_code(admin.name, totp.code_at(admin.secret, step), console_app.instance_path, now)
        assert not accounts.check_code(admin.name, totp.code_at(admin.secret, step - 1), console_app.instance_path,
                                       now)  # an older step than the last used: never again


# ---- stages: a session that is not a full login opens nothing ----

def test_a_setup_stage_session_opens_no_page_and_no_form(console_app):
    with console_app.app_context(), db.connected():
        _account, code = accounts.add("half-set", accounts.ADMIN, "security", "Half", "test", 1)
    client = consolekit.browser(console_app)
    answer = consolekit.post(client, "/admin/setup", {"name": "half-set", "setup_code": code,
                                                      "password": consolekit.PASSWORD,
                                                      "password_again": consolekit.PASSWORD}, page="/admin/setup")
    assert answer.headers["Location"].endswith("/admin/setup/authenticator")
    assert client.get("/admin/accounts/admins", base_url=BASE).status_code == 302
    shown = client.get("/admin/setup/authenticator", base_url=BASE).get_data(as_text=True)
    refused = client.post("/admin/accounts/admins/add", base_url=BASE,
                          data={"csrf_token": consolekit.token(shown), "name": "sneaky", "role": "security"})
    assert refused.status_code == 401
    with console_app.app_context(), db.connected():
        assert accounts.find("sneaky") is None


def test_a_get_to_a_form_address_changes_nothing(as_role):
    client = as_role("security")
    assert client.get("/admin/accounts/admins/fleet-admin/disable", base_url=BASE).status_code == 405


# ---- what an edge or an admin types, rendered ----

def test_what_an_edge_reports_is_shown_as_text_never_as_markup(console_app, as_role):
    with console_app.app_context(), db.connected():
        edge = enrol_edge(console_app, "hmp-probe")
    alarm = {"code": EVIL[:60], "since": sample_report()["sent_at"], "message": EVIL, "what_to_do": EVIL}
    course = {"course": EVIL[:60], "status": "errored", "stage": EVIL[:60], "version": 1, "current": 2,
              "last_sync": None, "last_error": EVIL}
    report = sample_report("hmp-probe", records=3, alarms=[alarm], courses=[course],
                           software={"version": EVIL[:60], "started_at": sample_report()["sent_at"],
                                     "uptime_s": 1.0})
    answer = console_app.test_client().post("/v1/edge/health", json=report, environ_base=edge.environ)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    client = as_role("fleet")
    for path in ("/admin/fleet", "/admin/edges/hmp-probe"):
        page = client.get(path, base_url=BASE).get_data(as_text=True)
        assert "<script>" not in page and "<img src=x" not in page and "&lt;script&gt;" in page
    courses = as_role("content").get("/admin/courses", base_url=BASE).get_data(as_text=True)
    assert "<script>" not in courses


def test_names_an_admin_types_are_shown_as_text_in_every_page_and_the_export(console_app, as_role):
    client = as_role("security")
    consolekit.post(client, "/admin/accounts/workers/add", {"name": "probe-worker", "display_name": EVIL,
                                                            "role": "health_care", "team": EVIL},
                    page="/admin/accounts/workers")
    consolekit.post(client, "/admin/accounts/tokens", {"name": "probe-token", "role": "auditor", "days": "1"},
                    page="/admin/accounts/admins")
    for path in ("/admin/accounts/workers", "/admin/accounts/admins", "/admin/audit"):
        page = client.get(path, base_url=BASE).get_data(as_text=True)
        assert "<script>" not in page and "<img src=x" not in page, path
    refused = consolekit.post(client, f"/admin/accounts/workers/{quote(EVIL[:40], safe='')}/disable", {},
                              page="/admin/accounts/workers")
    assert refused.status_code == 404 and "<script>" not in refused.get_data(as_text=True)
    export = client.get("/admin/audit/export", base_url=BASE)
    assert "probe-worker" in export.get_data(as_text=True)  # read to its end (a streamed answer)
    export.close()
    assert export.mimetype == "application/jsonl" and export.headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r'attachment; filename="throughgate-hub-audit-\d{8}T\d{6}Z\.jsonl"',
                        export.headers["Content-Disposition"])


# ---- a link cannot make a page claim what did not happen ----

def test_a_link_cannot_make_the_admins_page_claim_an_account_was_disabled_or_a_token_revoked(as_role):
    """Before: ?done=disabled&name=ANY TEXT put the text in the page's status message."""
    client = as_role("security")
    claimed = "Everyone: call 0800 000 000 to keep your access"
    page = client.get(f"/admin/accounts/admins?done=disabled&name={quote(claimed)}", base_url=BASE)
    assert claimed not in page.get_data(as_text=True)
    page = client.get("/admin/accounts/admins?done=disabled&name=fleet-admin", base_url=BASE)
    assert 'role="status"' not in page.get_data(as_text=True)  # fleet-admin is active
    page = client.get(f"/admin/accounts/admins?done=revoked&name={quote(claimed)}", base_url=BASE)
    assert claimed not in page.get_data(as_text=True)


def test_a_link_cannot_make_the_keys_page_name_a_key_that_is_not_current(as_role):
    """Before: ?done=rotated&rotated=ANY TEXT said 'Sealing key ANY TEXT is now current'."""
    page = as_role("security").get("/admin/keys?done=rotated&rotated=attacker-key", base_url=BASE)
    assert "attacker-key" not in page.get_data(as_text=True)
    page = as_role("security").get("/admin/keys?done=asked&rotated=999", base_url=BASE)
    assert "request 999" not in page.get_data(as_text=True)


def test_a_link_cannot_make_an_edges_page_claim_it_is_revoked(console_app, as_role):
    """Before: ?done=revoked said the edge was revoked while it was not."""
    with console_app.app_context(), db.connected():
        enrol_edge(console_app, "hmp-still-on")
    page = as_role("fleet").get("/admin/edges/hmp-still-on?done=revoked", base_url=BASE).get_data(as_text=True)
    assert "is revoked" not in page and "was already revoked" not in page


def test_a_link_cannot_make_the_approvals_page_claim_a_pending_request_was_approved(console_app, as_role):
    """Before: ?done=approved&id=N said request N was approved while it still waited."""
    client = as_role("fleet")
    consolekit.post(client, "/admin/enrolment-tokens", {"edge_id": "hmp-waiting", "hours": "1"},
                    page="/admin/enrolment-tokens")
    page = client.get("/admin/approvals", base_url=BASE).get_data(as_text=True)
    request_id = re.search(r"/admin/approvals/(\d+)/approve", page)
    assert request_id is None  # the asker sees no Approve button
    found = re.search(r"request (\d+)", client.get("/admin/enrolment-tokens", base_url=BASE).get_data(as_text=True))
    page = as_role("security").get(f"/admin/approvals?done=approved&id={found.group(1)}", base_url=BASE)
    assert "is approved" not in page.get_data(as_text=True)


def test_a_link_cannot_make_the_tokens_page_claim_a_token_was_cancelled(as_role):
    page = as_role("fleet").get("/admin/enrolment-tokens?cancelled=anything", base_url=BASE)
    assert "anything was cancelled" not in page.get_data(as_text=True)


# ---- authorization ----

def test_the_workers_page_cannot_disable_an_admin_nor_the_admins_page_a_worker(console_app, as_role):
    client = as_role("security")
    assert consolekit.post(client, "/admin/accounts/workers/fleet-admin/disable", {},
                           page="/admin/accounts/workers").status_code == 404
    with console_app.app_context(), db.connected():
        assert accounts.find("fleet-admin").state == "active"


def test_a_security_admin_cannot_disable_or_reset_themselves(console_app, as_role):
    client = as_role("security")
    for what, name in (("disable", "security-admin"), ("reset", "security-admin"), ("disable", "SECURITY-ADMIN"),
                       ("reset", "Security-Admin")):
        answer = consolekit.post(client, f"/admin/accounts/admins/{name}/{what}", {}, page="/admin/accounts/admins")
        assert answer.status_code == 403
    with console_app.app_context(), db.connected():
        assert accounts.find("security-admin").state == "active"


def test_an_import_job_id_is_sixteen_hex_digits_and_nothing_else():
    assert imports.valid_id("0123456789abcdef")
    for bad in ("0123456789abcdef\n", "../../hub.toml", "0123456789ABCDEF", "0123456789abcdef.json"):
        assert not imports.valid_id(bad)


def test_an_admin_api_token_named_as_a_case_variant_does_not_approve_its_owners_request(console_app, as_role):
    from hub.approvals import service as approvals
    from hub.ingest.storage import utc_now
    with console_app.app_context(), db.connected():
        asked = approvals.ask("edges.revoke", "hmp-x", {}, "security-admin", 600, utc_now())
        _token, info = admin_tokens.create("Security-Admin", "security", 1, "test")
        with pytest.raises(Exception, match="second, different admin"):
            approvals.approve(asked.id, info.name, info.role, utc_now(), console_app.config["SEALING_KEY_FILE"])


# ---- tables that grow ----

def test_sessions_past_their_end_are_pruned_as_new_ones_start(console_app):
    with console_app.app_context(), db.connected():
        old = StaffSession.create(id_sha256="0" * 64, name="nobody", stage="full", csrf="x", address="a",
                                  created_at="2020-01-01T00:00:00.000Z", last_seen_at="2020-01-01T00:00:00.000Z",
                                  expires_at="2020-01-01T08:00:00.000Z")
        sessions.start("nobody", sessions.PASSWORD, "a", 8)
        assert StaffSession.get_or_none(StaffSession.id_sha256 == old.id_sha256) is None


# ---- the login limit also bounds setup codes, per account and per address ----

def test_wrong_setup_codes_from_many_addresses_lock_that_account_and_from_one_address_lock_that_address(
        console_app):
    with console_app.app_context(), db.connected():
        _account, code = accounts.add("probe-setup", accounts.ADMIN, "fleet", "Probe", "test", 1)
    form = {"name": "probe-setup", "password": consolekit.PASSWORD, "password_again": consolekit.PASSWORD}
    for _ in range(console_app.config["LOGIN_FAILURES"]):  # each from an address of its own
        answer = consolekit.post(consolekit.browser(console_app), "/admin/setup",
                                 {**form, "setup_code": "AAAA-BBBB-CCCC"}, page="/admin/setup")
        assert answer.status_code == 401
    right = consolekit.post(consolekit.browser(console_app), "/admin/setup", {**form, "setup_code": code},
                            page="/admin/setup")
    assert right.status_code == 429 and "Try again after" in right.get_data(as_text=True)
    guesser = consolekit.browser(console_app)  # one address, a different name each time
    for n in range(console_app.config["LOGIN_FAILURES"]):
        consolekit.post(guesser, "/admin/setup", {**form, "name": f"nobody-{n}", "setup_code": "AAAA-BBBB-CCCC"},
                        page="/admin/setup")
    assert consolekit.post(guesser, "/admin/setup", {**form, "name": "nobody-x", "setup_code": "AAAA-BBBB-CCCC"},
                           page="/admin/setup").status_code == 429


def test_wrong_codes_from_many_addresses_lock_the_account_even_for_someone_who_has_its_password(console_app):
    """Before: each right password took back the account's earlier wrong codes, so with the password and
    a new address every few tries, the authenticator's code could be guessed without end (the limit held
    only per address)."""
    admin = consolekit.make_admin(console_app, "probe-2fa", "auditor")
    wrong = totp.code_at(admin.secret, totp.step_of(time.time()) - 10)
    for _ in range(console_app.config["LOGIN_FAILURES"]):
        client = consolekit.browser(console_app)  # each from an address of its own
        assert consolekit.post(client, "/admin/login", {"name": admin.name, "password": consolekit.PASSWORD},
                               page="/admin/login").status_code == 302
        assert consolekit.post(client, "/admin/login/code", {"code": wrong}).status_code == 401
    client = consolekit.browser(console_app)
    answer = consolekit.post(client, "/admin/login", {"name": admin.name, "password": consolekit.PASSWORD},
                             page="/admin/login")
    assert answer.status_code == 429


def test_a_course_title_and_an_upload_file_name_are_shown_as_text(console_app, as_role, tmp_path):
    from coursekit import build_native_zip
    build_native_zip(tmp_path / "evil.zip", course="evil-title", title=EVIL)
    client = as_role("content")
    form = client.get("/admin/course-imports", base_url=BASE).get_data(as_text=True)
    with open(tmp_path / "evil.zip", "rb") as package:
        answer = client.post("/admin/course-imports", base_url=BASE, content_type="multipart/form-data",
                             data={"csrf_token": consolekit.token(form), "course": "",
                                   "package": (package, f"{EVIL}.zip")})
    assert answer.status_code == 303
    deadline = time.monotonic() + 20
    while 'http-equiv="refresh"' in (job := client.get(answer.headers["Location"], base_url=BASE)
                                     .get_data(as_text=True)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert "done" in job
    for page in (job, client.get("/admin/courses", base_url=BASE).get_data(as_text=True),
                 client.get("/admin/courses/evil-title", base_url=BASE).get_data(as_text=True)):
        assert "<script>" not in page and "<img src=x" not in page and "&lt;script&gt;" in page


def test_a_form_whose_first_file_is_not_the_package_is_refused_with_a_page(as_role):
    client = as_role("content")
    form = client.get("/admin/course-imports", base_url=BASE).get_data(as_text=True)
    answer = client.post("/admin/course-imports", base_url=BASE, content_type="multipart/form-data",
                         data={"csrf_token": consolekit.token(form), "other": (io.BytesIO(b"x"), "a.zip"),
                               "package": (io.BytesIO(b"y"), "b.zip")})
    assert answer.status_code == 400 and "Choose the package zip" in answer.get_data(as_text=True)
