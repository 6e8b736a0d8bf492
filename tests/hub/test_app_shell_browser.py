"""The person's app in Debian's Chromium, from a real hub serving it at /app/ over HTTPS: the shell loads, axe-core
finds no WCAG 2.1 A/AA violation in English or in Welsh, and with the network off a reload still shows the shell
(from the service worker). What the person recorded offline is still waiting after a reload and after the browser
is closed and started again on the same profile (launch_persistent_context): nothing is lost.

The outbox's rules (what leaves, what stays, with which reason) are checked on its own module, app/src/shell/outbox.js
as written, in the same Chromium with its real IndexedDB, with a sender passed in as each side passes its own.

Chromium refuses a service worker from a server whose certificate it does not trust, and ignore_https_errors does
not change that; so each launch trusts the test hub's own server key by its SPKI hash
(--ignore-certificate-errors-spki-list), and no other. Four launches: one for the first test, one profile
started twice for the second (the restart is what is tested), one for the outbox's module."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import webapp
from hub import ca
from tests import browserkit

READY = "html[data-app='ready']"
SOURCE = Path(__file__).resolve().parents[2] / "app" / "src"


@pytest.fixture
def hub_db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture(autouse=True)
def _built():
    if not webapp.built():
        pytest.fail(webapp.NOT_BUILT, pytrace=False)


@pytest.fixture(scope="module")
def chromium_type():
    """playwright's Chromium launcher, started once for the file (skips as browserkit.chromium() does)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright's Python package is not installed: pip install -e '.[test]'")
    if not Path(browserkit.CHROMIUM).exists():
        pytest.skip(f"{browserkit.CHROMIUM} is missing: Debian's chromium package (make installs it)")
    driver = sync_playwright().start()
    try:
        yield driver.chromium
    finally:
        driver.stop()


def spki_hash(instance) -> str:
    cert = x509.load_pem_x509_certificate(ca.files(instance).server_cert.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@contextlib.contextmanager
def chromium_profile(chromium_type, profile: Path, instance, **options) -> Iterator:
    """Chromium on a profile folder of its own (a restart keeps IndexedDB and the service worker there),
    trusting the hub's server key and nothing else."""
    args = [*browserkit.CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki_hash(instance)}"]
    context = chromium_type.launch_persistent_context(str(profile), executable_path=browserkit.CHROMIUM, args=args,
                                                      headless=True, **options)
    try:
        yield context
    finally:
        context.close()


def first_page(context):
    return context.pages[0] if context.pages else context.new_page()


def open_app(page, url: str, screen: str = "outbox") -> None:
    """Opens a screen of the shell's own (the outbox list by default: the home screen is the side's to fill)."""
    page.goto(f"{url}/app/#/{screen}")
    page.wait_for_selector(READY)
    page.wait_for_selector(f"[data-screen='{screen}']")


def controlled(page) -> None:
    """Waits until the service worker has cached the app and controls this page."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=10_000)


CACHED = """async () => Object.fromEntries(await Promise.all((await caches.keys()).map(async (name) =>
  [name, (await (await caches.open(name)).keys()).map((r) => r.url)])))"""


def waiting_line(page) -> str:
    return page.locator("#outbox-count").inner_text()


def test_the_shell_is_accessible_in_english_and_welsh_and_opens_offline(server, instance, chromium_type, tmp_path):
    with chromium_profile(chromium_type, tmp_path / "profile", instance, bypass_csp=True) as context:
        page = first_page(context)
        open_app(page, server.url)
        assert page.locator("html").get_attribute("data-side") == "phone"
        assert page.get_by_role("link", name="Skip to main content").count() == 1
        assert page.get_by_role("button", name="Read aloud").is_visible()
        assert waiting_line(page) == "Waiting to send: 0"
        assert page.get_by_text("Everything has been sent.").is_visible()
        browserkit.assert_accessible(page)
        open_app(page, server.url, "home")
        browserkit.assert_accessible(page)

        page.get_by_role("button", name="Cymraeg").click()
        page.wait_for_selector("html[lang='cy']")
        assert waiting_line(page) == "Yn aros i'w anfon: 0"
        assert page.get_by_role("button", name="Cymraeg").get_attribute("aria-pressed") == "true"
        browserkit.assert_accessible(page)
        page.get_by_role("link", name="Yn aros i'w anfon: 0").click()
        page.wait_for_selector("[data-screen='outbox']")
        assert page.get_by_role("heading", level=1).inner_text() == "Yn aros i'w anfon"
        browserkit.assert_accessible(page)

        page.evaluate("() => { window.said = []; speechSynthesis.speak = (u) => said.push([u.text, u.lang]); }")
        page.get_by_role("button", name="Darllen yn uchel").click()  # read aloud: the screen, in Welsh
        said = page.evaluate("() => said")
        assert said[0][1] == "cy-GB" and "Yn aros i'w anfon" in said[0][0] and "Mae popeth wedi'i anfon." in said[0][0]

        page.set_viewport_size({"width": 320, "height": 640})  # a small phone, or 1280 px at 400% zoom
        assert page.evaluate("() => document.documentElement.scrollWidth <= 320")
        assert page.get_by_role("button", name="Cymraeg").bounding_box()["height"] >= 44

        controlled(page)
        manifest = (webapp.DIST / "asset-manifest.json").read_bytes()
        name = f"throughgate-app-{hashlib.sha256(manifest).hexdigest()[:16]}"  # named from the build's list
        cached = page.evaluate(CACHED)
        assert set(cached) == {name, "throughgate-app-meta"}
        assert f"{server.url}/app/app.js" in cached[name]
        assert not [u for u in cached[name] if "/v1/" in u]  # data is never cached
        assert page.evaluate("() => fetch('/v1/phone/views').then((r) => r.status)") == 401  # the network's answer
        context.set_offline(True)
        page.reload()
        page.wait_for_selector(READY)
        assert page.evaluate("() => fetch('/v1/phone/views').then(() => 'answered', () => 'failed')") == "failed"
        assert page.locator("html").get_attribute("lang") == "cy"  # the choice is kept
        assert page.get_by_role("heading", level=1).inner_text() == "Yn aros i'w anfon"
        page.get_by_role("button", name="English").click()
        page.wait_for_selector("html[lang='en']")
        assert "You are offline" in page.locator("#net-state").inner_text()


def test_what_is_added_offline_waits_through_a_reload_and_a_browser_restart(server, instance, chromium_type,
                                                                            tmp_path):
    profile = tmp_path / "profile"
    with chromium_profile(chromium_type, profile, instance) as context:  # the page's own CSP enforced
        page = first_page(context)
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        open_app(page, server.url)
        controlled(page)
        context.set_offline(True)
        item = page.evaluate("() => throughgate.outbox.add({kind: 'note', body: {text: 'kept offline'}})")
        page.wait_for_function("() => document.querySelector('#outbox-count').textContent.includes(': 1')")
        page.reload()
        page.wait_for_selector(READY)
        assert waiting_line(page) == "Waiting to send: 1"
        assert not refused

    with chromium_profile(chromium_type, profile, instance, offline=True) as context:  # restarted, still offline
        page = first_page(context)
        open_app(page, server.url)
        assert waiting_line(page) == "Waiting to send: 1"
        page.get_by_role("link", name="Waiting to send: 1").click()
        row = page.locator(f"[data-id='{item}']")
        row.wait_for()
        assert row.get_attribute("data-state") == "waiting"
        assert "Waiting to send" in row.inner_text()
        stored = page.evaluate("() => throughgate.outbox.pending()")
        assert [(i["id"], i["kind"], i["body"]) for i in stored] == [(item, "note", {"text": "kept offline"})]


@contextlib.contextmanager
def source_server() -> Iterator[str]:
    """app/src as it is, over loopback HTTP (a secure context: IndexedDB and crypto.randomUUID work)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SOURCE))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


OUTBOX_RULES = """async () => {
  const outbox = await import("/shell/outbox.js");
  const seen = [];
  let answer = "throw";
  const ids = [];
  for (const n of [1, 2, 3]) ids.push(await outbox.add({ kind: "note", body: { n } }));
  const stored = (await outbox.pending()).map((i) => [i.id, i.state]);
  outbox.setSender(async (items) => {
    seen.push(items.map((i) => i.body.n));
    if (answer === "throw") throw new Error("the hub is not reachable");
    if (answer === "all") return { accepted: items.map((i) => i.id), refused: [] };
    return { accepted: items.filter((i) => i.body.n === 1).map((i) => i.id),
             refused: items.filter((i) => i.body.n === 2).map((i) => ({ id: i.id, error: "bad_value",
                                                                        reason: "a score is 0 to 100" })) };
  });
  await outbox.drain();
  const afterThrow = (await outbox.pending()).map((i) => [i.state, i.tries]);
  const problem = outbox.lastSendError();
  answer = "some";
  await outbox.drain();
  const afterAnswer = (await outbox.pending()).map((i) => [i.body.n, i.state, i.error, i.reason]);
  answer = "all";
  await outbox.drain();
  const refusedStays = (await outbox.pending()).map((i) => [i.body.n, i.state]);
  await outbox.retry(ids[1]);
  await outbox.drain();
  return { ids, stored, seen, afterThrow, problem, afterAnswer, refusedStays, left: await outbox.pending() };
}"""


REFUSED_LISTED = """async () => {
  const outbox = await import("/shell/outbox.js");
  const { getScreen } = await import("/shell/screens.js");
  const { registerShellScreens } = await import("/shell/shell_screens.js");
  const i18n = await import("/shell/i18n.js");
  const { href } = await import("/shell/router.js");
  const el = (tag, attrs = {}, ...kids) => { const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) { if (k === "text") n.textContent = v;
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v); else n.setAttribute(k, v); }
    n.append(...kids); return n; };
  registerShellScreens({ homeScreens: () => [], outbox, el, t: i18n.t, href, language: i18n.language });
  outbox.label("note", "A note");
  outbox.setSender(async (items) => ({ accepted: [], refused: items.map((i) => ({ id: i.id, error: "bad_value",
                                                                                 reason: "a score is 0 to 100" })) }));
  const id = await outbox.add({ kind: "note", body: {} });
  await outbox.drain();
  const main = el("main", { id: "listed" });
  document.body.replaceChildren(el("h1", { text: "Waiting to send" }), main);
  await getScreen("outbox").render(main, {});
  return id;
}"""


def test_the_outbox_lets_an_item_go_only_when_accepted_and_keeps_a_refused_one_with_its_reason(chromium_type):
    browser = chromium_type.launch(executable_path=browserkit.CHROMIUM, args=browserkit.CHROMIUM_ARGS, headless=True)
    try:
        with source_server() as url:
            page = browser.new_page()
            page.goto(f"{url}/shell/")
            result = page.evaluate(OUTBOX_RULES)
            refused = page.evaluate(REFUSED_LISTED)  # the list the person sees: what, why, and Try again
            row = page.locator(f"[data-id='{refused}']")
            assert row.get_attribute("data-state") == "refused"
            assert row.inner_text().split("\n")[0] == "A note"
            assert "Why: a score is 0 to 100" in row.inner_text()
            assert row.get_by_role("button", name="Try again").is_visible()
            browserkit.assert_accessible(page)
    finally:
        browser.close()
    assert len(set(result["ids"])) == 3 and all(len(i) == 36 and i[14] == "4" for i in result["ids"])  # UUID v4
    assert sorted(result["stored"]) == sorted([i, "waiting"] for i in result["ids"])  # on disk when add() resolved
    assert result["afterThrow"] == [["waiting", 1]] * 3 and result["problem"] == "the hub is not reachable"
    assert result["afterAnswer"] == [[2, "refused", "bad_value", "a score is 0 to 100"], [3, "waiting", "", ""]]
    assert result["refusedStays"] == [[2, "refused"]]  # a later drain sends what waits, never the refused one
    assert result["seen"] == [[1, 2, 3], [1, 2, 3], [3], [2]] and result["left"] == []  # until the person retries
