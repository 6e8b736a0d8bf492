"""The admin console in Debian's Chromium against a real `throughgate hub run`: an admin made with
`throughgate hub admins add` sets up their account in the browser (setup code, password, the authenticator's QR
key), logs out and in with a code, and every page of the console, and its error pages, pass axe-core
(WCAG 2.1 A and AA) for each role that may open them."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time

import pytest
from hubkit import enrol_edge, make_instance
from hubprocess import ROOT, HubProcess

from hub import db
from hub.admins import roles
from hub.app import create_app
from hub.console.access import PAGES
from hub.staff import accounts, totp
from tests import browserkit

PASSWORD = "a long admin passphrase"


def _cli(instance, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "throughgate", "hub", *args, "--instance", str(instance)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
                          env={"DATABASE_URL": f"sqlite:///{instance / 'hub.db'}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A real hub serving the console, with an enrolled edge that reported once."""
    root = tmp_path_factory.mktemp("console-browser")
    instance = make_instance(root / "hub")
    url = f"sqlite:///{instance / 'hub.db'}"
    process = HubProcess(instance, url, root / "hub.log", {"ADMIN_APPROVALS": "true"}).start()
    try:
        app = create_app({"DATABASE_URL": url}, instance_path=instance)
        with app.app_context(), db.connected():
            edge = enrol_edge(app, "hmp-north")
        from healthkit import sample_report

        answer = app.test_client().post("/v1/edge/health", json=sample_report("hmp-north", records=40),
                                        environ_base=edge.environ)
        assert answer.status_code == 200
        yield process, instance
    finally:
        process.stop()


def _code_of(setup_output: str) -> str:
    return re.search(r"Setup code for \S+ \(admin, \w+\): (\S+)", setup_output).group(1)


def _added(instance, name: str, role: str) -> str:
    """An account made by the service (as `hub admins add` does, without a process start); its setup code."""
    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'hub.db'}"}, instance_path=instance)
    with app.app_context(), db.connected():
        return accounts.add(name, accounts.ADMIN, role, name.title(), "test", 1)[1]


def _set_up(page, base: str, code: str, name: str, axe: bool = True) -> bytes:
    """Set up the account in the browser with its setup code; returns the authenticator's secret as
    the app would hold it (read from the key the page shows). With axe, both setup pages are checked
    (they are the same before login whatever the role: once is enough)."""
    page.goto(f"{base}/admin/setup")
    if axe:
        browserkit.assert_accessible(page)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Setup code").fill(code)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/admin/setup/authenticator")
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    if axe:
        browserkit.assert_accessible(page)
    key = page.locator(".secret").inner_text().replace(" ", "")
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    page.get_by_label("6-digit code from the app").fill(totp.code_at(secret, totp.step_of(time.time())))
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url("**/admin/**")
    assert page.get_by_role("button", name="Log out").is_visible()
    return secret


def test_an_admin_sets_up_logs_out_and_logs_in_again_with_a_code(hub, browser):
    process, instance = hub
    context = browserkit.new_context(browser)
    page = context.new_page()
    code = _code_of(_cli(instance, "admins", "add", "alice", "--role", roles.FLEET, "--display-name", "Alice"))
    secret = _set_up(page, process.url, code, "alice")
    assert "/admin/fleet" in page.url and page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("hmp-north").first.is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/admin/login")
    browserkit.assert_accessible(page)
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/admin/login/code*")
    browserkit.assert_accessible(page)
    page.get_by_label("6-digit code").fill(totp.code_at(secret, totp.step_of(time.time()) + 1))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/fleet")
    context.close()


CHECKED_AS = {
    # role: the menu pages axe checks while logged in as it (the role with the most forms on each page)
    roles.FLEET: ("Fleet", "Enrolment tokens", "Approvals"),
    roles.CONTENT: ("Courses",),
    roles.SECURITY: ("Keys", "Admins", "Workers", "Audit"),
}
BELOW = {roles.FLEET: ("/admin/edges/hmp-north", "/admin/audit", "/admin/no-such-page")}
"""Pages below the menu, and error pages: the edge's page, one the role may not open (403), none (404)."""


def test_every_page_of_the_console_passes_axe(hub, browser):
    process, instance = hub
    checked = set()
    for role, labels in CHECKED_AS.items():
        context = browserkit.new_context(browser)
        page = context.new_page()
        # (the setup pages are the same for every role: the first test checks them)
        _set_up(page, process.url, _added(instance, f"{role}-axe", role), f"{role}-axe", axe=False)
        nav = page.get_by_role("navigation", name="Admin console")
        for label in labels:
            nav.get_by_role("link", name=label, exact=True).click()
            page.wait_for_load_state()
            assert page.get_by_role("heading", level=1).count() == 1, label
            browserkit.assert_accessible(page)
            checked.add(label)
        for path in BELOW.get(role, ()):
            answer = page.goto(process.url + path)
            assert answer.status in (200, 403, 404), path
            browserkit.assert_accessible(page)
        context.close()
    assert checked == {label for _endpoint, label, _action in PAGES}


def test_the_pages_own_content_security_policy_holds_in_the_browser(hub, browser):
    """Without bypass_csp: the console's pages load their stylesheet and run no script."""
    process, _ = hub
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto(f"{process.url}/admin/login")
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                  " document.body.appendChild(s); }")
    assert page.evaluate("window.ran") is None and blocked
    context.close()
