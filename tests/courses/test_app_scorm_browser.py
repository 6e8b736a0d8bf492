"""The SCORM player in real Chromium, against a real edge with courses synced from a real hub: a SCORM 1.2 package
and a SCORM 2004 package (tests/courses/app_scorm_kit.py, shaped as Rustici's and SCORM Driver's exports).

The learner opens a course from the player page (/app/player.html on the tablet API's origin, the tablet's client
certificate), picks a unit, answers and saves (commit), goes offline, finishes the unit, opens the next unit
offline (the content origin's service worker kept its files), moves on and saves, closes the browser's pages,
comes back still offline and resumes where they were (entry=resume, the saved location). Back online, the app
sends its outbox: every statement reaches the edge, once, and the edge's sealed batches bring each to the hub, once.

And what a course page's script can reach: not the app's IndexedDB, not the page above it, not the tablet API
with the tablet's certificate. The player page has no accessibility violations (axe-core)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import ssl
import time
from pathlib import Path

import pytest

from edge import identity, store
from edge.courses import content_origin
from edge.courses.content_origin import ContentOriginServer
from edge.intake.quota import Quota
from edge.tablets.api import TabletApiServer
from edge.uplink import stages as uplink
from edge.uplink.hubclient import HubClient
from provisioning import capability
from tests import browserkit
from tests.courses import app_scorm_kit
from tests.courses.conftest import running_copy, stopped
from tests.courses.courses_kit import get, import_course, open_edge_store, run_sync
from tests.learning.apptabletkit import call, enrol_bound, intake_for
from wire.keys import HubPublicKeys, signing_key_from_pem

LEARNER = "L-0042"


@pytest.fixture(scope="module")
def edge(built_stack, tmp_path_factory):
    folder = tmp_path_factory.mktemp("app-scorm")
    stack = running_copy(built_stack, folder / "stack")
    try:
        files = {"1.2": len(app_scorm_kit.scorm12_package(folder / "safety.zip")),
                 "2004": len(app_scorm_kit.scorm2004_package(folder / "golf.zip"))}
        printed = {"1.2": import_course(stack, folder / "safety.zip"),
                   "2004": import_course(stack, folder / "golf.zip")}
        courses = {v: out.split("course ", 1)[1].split()[0] for v, out in printed.items()}
        cfg = open_edge_store(stack)
        sync, _ = run_sync(stack)
        assert sync.report.ok, sync.report.errors
        identity.ensure_server_cert(identity.EdgeFiles(cfg.instance), cfg.edge_id, cfg.server_name)
        with ContentOriginServer(cfg, port=0) as content:
            cfg.courses.content_port = content.port  # the launch hands out this origin
            with TabletApiServer(cfg, intake=intake_for(cfg)) as api:
                tablet = enrol_bound(cfg, folder / "tab-0", "tab-0", LEARNER, api.port)
                yield {"api": api, "content": content, "tablet": tablet, "courses": courses, "cfg": cfg,
                       "files": files, "stack": stack}
    finally:
        stopped(stack)


@pytest.fixture(scope="module")
def browser(edge):
    """Chromium, once for the file. A service worker registers only from a certificate the browser trusts, and
    playwright presents the tablet's client certificate through a TLS proxy of its own, so certificate errors are
    ignored (the browser resolves nothing but 127.0.0.1: browserkit.CHROMIUM_ARGS)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright's Python package is not installed: pip install -e '.[test]'")
    if not Path(browserkit.CHROMIUM).exists():
        pytest.skip(f"{browserkit.CHROMIUM} is missing: Debian's chromium package (make installs it)")
    driver = sync_playwright().start()
    try:
        chromium = driver.chromium.launch(executable_path=browserkit.CHROMIUM, headless=True,
                                          args=[*browserkit.CHROMIUM_ARGS, "--ignore-certificate-errors"])
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        driver.stop()


def _context(browser, edge):
    origin = f"https://127.0.0.1:{edge['api'].port}"
    return browser.new_context(ignore_https_errors=True, client_certificates=[
        {"origin": origin, "certPath": str(edge["tablet"].cert_path), "keyPath": str(edge["tablet"].key_path)}])


def _player(edge, version):
    return f"https://127.0.0.1:{edge['api'].port}/app/player.html?course={edge['courses'][version]}&learner={LEARNER}"


def _content(page):
    return page.frame_locator("#scorm-frame").frame_locator("#content")


def _wrapper(page):
    return next(f for f in page.frames if f.url.split("#")[0].endswith("/frame.html"))


def _commits(page) -> int:
    return int(page.locator("#scorm-saved").get_attribute("data-commits") or 0)


def _wait_saved_more(page, before: int) -> int:
    """Waits until the player kept one more commit (resume values, statements, refusals) than `before`."""
    page.wait_for_function("n => Number(document.getElementById('scorm-saved')?.dataset.commits || 0) > n", arg=before)
    return _commits(page)


def _open(page, button: str):
    """Opens a part from the player ("#scorm-continue": the first not done; "#scorm-next": flow's next) and waits
    until its page has found the runtime."""
    page.locator(button).click()
    _content(page).locator("body[data-lms='ready']").wait_for(timeout=15000)
    return _content(page)


def _kept_files(page) -> int:
    return _wrapper(page).evaluate("""async () => {
      const cache = await caches.open("throughgate-course-files-v1");
      return (await cache.keys()).filter((r) => r.url.includes("/kept/")).length; }""")


def _stored(page, name: str, key: str | None = None):
    """What the app's IndexedDB holds in one store (every value, or the one under `key`), read in the page."""
    return page.evaluate("""([name, key]) => new Promise((ok, bad) => {
      const req = indexedDB.open("throughgate-app");
      req.onsuccess = () => { const s = req.result.transaction(name).objectStore(name);
        const got = key === null ? s.getAll() : s.get(key); got.onsuccess = () => ok(got.result); };
      req.onerror = () => bad(req.error); })""", [name, key])


def _until(check, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _forwarded_to_hub(edge) -> None:
    """The edge seals what it holds and sends it to the hub, as its uplink jobs do (edge/uplink/stages.py)."""
    cfg, stack = edge["cfg"], edge["stack"]
    hub_keys = HubPublicKeys.from_document(cfg.hub_keys_path.read_text())
    quota = Quota(cfg.quota_bytes, store.outbox_bytes)
    uplink.seal_ready(cfg.edge_id, cfg.uplink, hub_keys, signing_key_from_pem(cfg.signing_key_path.read_bytes()),
                      quota, force=True)
    forwarder = uplink.Forwarder(cfg.uplink, hub_keys, HubClient(cfg.uplink.hub_url, **stack.edge_tls()), quota)
    while forwarder.tick(budget_s=30):
        pass
    assert not store.OutBatch.select().where(store.OutBatch.state == "sealed").exists()


def _statement_ids_at_hub(edge, ids: set[str]) -> list[str]:
    """The ids among `ids` in the hub's records, one per row it stored."""
    with sqlite3.connect(edge["stack"].hub_dir / "hub.db") as hub_db:
        return [row[0] for row in hub_db.execute("SELECT id FROM record WHERE learner = ?", (LEARNER,))
                if row[0] in ids]


def _statements_at_edge(ids: set[str]) -> list[dict]:
    """The statements among `ids` that the edge holds, one per record it stored."""
    found = []
    for row in store.Received.select().where(store.Received.learner == LEARNER):
        if row.body is None:  # delivered to the hub already (another test's), its body let go
            continue
        statement = json.loads(row.body).get("payload") or {}
        if statement.get("id") in ids:
            found.append(statement)
    return found


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_a_unit_completes_offline_and_resumes_after_the_browser_closes_and_reaches_the_edge_and_the_hub_once(
        browser, edge, version):
    context = _context(browser, edge)
    try:
        page = context.new_page()
        page.goto(_player(edge, version))
        page.locator("#scorm-continue").wait_for()
        assert page.locator("[data-item]").count() >= 2  # the item picker: a package of several items

        unit = _open(page, "#scorm-continue")
        assert unit.locator("#entry").text_content() == "ab-initio"
        if version == "2004":  # the manifest's primary objective, satisfied by measure 0.8, and its id
            assert unit.locator("#shown").text_content() == "0.8 playing_satisfied"
        unit.locator("#answer").click()
        unit.locator("#save").click()
        saved = _wait_saved_more(page, 0)
        if version == "1.2":  # one bad value: that answer alone is refused, with the reason shown for support
            unit.locator("#odd").click()
            unit.locator("#save").click()
            saved = _wait_saved_more(page, saved)
            support = page.locator("#scorm-support")
            assert support.is_visible()
            assert "cmi.interactions.1.id: cmi.interactions.1.id 'page1 odd' is not a CMIIdentifier" in \
                support.locator("li").first.text_content()
        deadline = time.monotonic() + 10  # the content origin's worker keeps every file of the version
        while _kept_files(page) < edge["files"][version] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _kept_files(page) == edge["files"][version]

        context.set_offline(True)
        unit.locator("#next").click()
        unit.locator("#answer").click()
        unit.locator("#finish").click()
        saved = _wait_saved_more(page, saved)
        unit = _open(page, "#scorm-next")  # offline: the kept link, the files from the content origin's worker
        unit.locator("#next").click()
        unit.locator("#next").click()  # no save: many packages commit only on unload, which a closing browser loses
        attempt = page.evaluate("() => document.documentElement.dataset.attempt")
        location = {"1.2": "cmi.core.lesson_location", "2004": "cmi.location"}[version]
        _until(lambda: _stored(page, "scorm_attempts", attempt)["cmi"].get(location) == "page-3")  # kept as set
        page.close()  # the browser closed: nothing of the page is left but what it stored

        page = context.new_page()  # comes back, still offline
        page.goto(_player(edge, version))
        page.locator("#scorm-continue").wait_for()
        assert "Done" in page.locator("[data-item]").first.text_content()
        unit = _open(page, "#scorm-continue")
        assert unit.locator("#page").text_content() == "page-3"
        assert unit.locator("#entry").text_content() == "resume"
        assert page.evaluate("() => document.documentElement.dataset.attempt") == attempt
        ids = {kept["id"] for kept in _stored(page, "scorm_statements")}
        assert len(ids) >= 3  # two answers and the unit passed

        context.set_offline(False)
        page.goto(f"https://127.0.0.1:{edge['api'].port}/app/")  # the app sends its outbox
        try:
            _until(lambda: _stored(page, "outbox") == [], 6)
        except AssertionError:  # seen now and then: the first drain's request hangs in playwright's certificate
            page.reload()       # proxy after the offline spell (the app's own timeout is 60 s); the next drain sends
            _until(lambda: _stored(page, "outbox") == [], 15)
        arrived = _statements_at_edge(ids)
        assert sorted(st["id"] for st in arrived) == sorted(ids)  # each statement once
        [passed] = [st for st in arrived if st["verb"]["display"]["en-US"] == "passed"]
        assert passed["result"]["duration"] == {"1.2": "PT0H5M0S", "2004": "PT5M"}[version]
        assert passed["result"]["score"]["raw"] == 80 and passed["result"]["success"] is True
        if version == "1.2":  # the refused value reached the edge too, once, for support (wire/course_refusal.py)
            sent = [json.loads(row.body)["payload"] for row in store.Received.select().where(
                store.Received.kind == "course_refusal", store.Received.learner == LEARNER)]
            assert [(p["element"], p["value"], p["error_code"]) for p in sent] == [
                ("cmi.interactions.1.id", "page1 odd", "405")]
        _forwarded_to_hub(edge)
        _forwarded_to_hub(edge)  # nothing is sent twice: the sealed batches were confirmed
        assert sorted(_statement_ids_at_hub(edge, ids)) == sorted(ids)  # at the hub too, each once
    finally:
        context.close()


def test_a_course_cannot_change_another_courses_offline_copy(browser, edge):
    """Course A's script rewrites course B's kept files in the content origin's Cache Storage, then the player's own
    wrapper page there: offline, B's part is refused with a plain message rather than shown changed, each time;
    online again, B's own files are fetched and kept again."""
    context = _context(browser, edge)
    try:
        page = context.new_page()
        page.goto(_player(edge, "2004"))  # course B, online: its files are kept
        _open(page, "#scorm-continue")
        _until(lambda: _kept_files(page) == edge["files"]["2004"])
        page.goto(_player(edge, "1.2"))  # course A's page, on the same content origin
        _open(page, "#scorm-continue")
        course_a = next(f for f in page.frames if "/c/" in f.url)
        changed = course_a.evaluate("""async (course) => {
          const cache = await caches.open("throughgate-course-files-v1");
          const mine = (await cache.keys()).map((r) => r.url).filter((u) => u.includes(`/kept/${course}/`)
            && u.endsWith(".html"));
          for (const url of mine) await cache.put(url, new Response("<p id='tampered'>Send your PIN to 0800</p>",
            { headers: { "Content-Type": "text/html" } }));
          return mine.length; }""", edge["courses"]["2004"])
        assert changed >= 2

        context.set_offline(True)
        page.goto(_player(edge, "2004"))
        page.locator("#scorm-continue").click()
        refused = _content(page).locator("[role=alert]")
        refused.wait_for(timeout=15000)
        assert "was changed, so it is not shown" in refused.text_content()
        assert "ei newid" in refused.locator("p[lang=cy]").text_content()  # and in Welsh
        assert _content(page).locator("#tampered").count() == 0

        shown = next(f for f in page.frames if "/c/" in f.url)  # the refusal, on the content origin: a script there
        shown.evaluate("""async () => {  // changes the player's own wrapper page, kept for offline, too
          const cache = await caches.open("throughgate-course-files-v1");
          await cache.put(`${location.origin}/frame.html`, new Response("<p id='tampered'>Send your PIN</p>",
            { headers: { "Content-Type": "text/html" } })); }""")
        page.goto(_player(edge, "2004"))
        page.locator("#scorm-continue").click()
        refused = page.frame_locator("#scorm-frame").locator("[role=alert]")
        refused.wait_for(timeout=15000)
        assert "course player kept on this tablet was changed" in refused.text_content()

        context.set_offline(False)
        page.goto(_player(edge, "2004"))
        unit = _open(page, "#scorm-continue")  # online: B's own files again, checked and kept
        assert unit.locator("#tampered").count() == 0
    finally:
        context.close()


def test_a_course_pages_script_cannot_reach_the_apps_data_or_the_tablets_identity(browser, edge):
    context = _context(browser, edge)
    try:
        page = context.new_page()
        page.goto(_player(edge, "1.2"))
        _open(page, "#scorm-continue")
        course = next(f for f in page.frames if "/c/" in f.url)
        api = f"https://127.0.0.1:{edge['api'].port}"
        found = course.evaluate("""async (api) => {
          const out = {};
          out.databases = (await indexedDB.databases()).map((d) => d.name);
          out.appStores = await new Promise((ok) => { const r = indexedDB.open("throughgate-app");
            r.onsuccess = () => ok(r.result.objectStoreNames.length); r.onerror = () => ok(-1); });
          try { out.top = String(window.top.document.title); } catch (e) { out.top = "blocked: " + e.name; }
          try { out.cookie = document.cookie; } catch (e) { out.cookie = "blocked"; }
          const json = {"Content-Type": "application/json"};
          for (const [name, init] of [["me", {}],
                                      ["records", {method: "POST", headers: json, body: '{"records": []}'}],
                                      ["launch", {method: "POST", headers: json, body: '{"learner": "L-0042"}'}]]) {
            const url = name === "me" ? "/v1/tablets/me" : name === "records" ? "/v1/tablets/records"
              : "/v1/courses/workshop-safety/launch";
            try { const r = await fetch(api + url, {credentials: "include", ...init});
                  out[name] = "read " + r.status + " " + (await r.text()).slice(0, 80); }
            catch (e) { out[name] = "blocked: " + e.name; }
          }
          const record = {v: 1, id: "6f1c0e1e-7d4a-4c55-9d52-1b0e1e7d4a4c", kind: "progress_statement",
                          learner: "L-0042", created: new Date().toISOString(), seq: 999, payload: {}};
          try { await fetch(api + "/v1/tablets/records", {method: "POST", mode: "no-cors", credentials: "include",
                            body: JSON.stringify({records: [record]})}); out.form = "sent, answer unreadable"; }
          catch (e) { out.form = "blocked: " + e.name; }
          return out; }""", api)
        assert found["appStores"] == 0, found  # the content origin's own, empty database: not the app's
        assert found["top"].startswith("blocked"), found
        assert found["cookie"] == "", found
        for name in ("me", "records", "launch"):
            assert found[name].startswith("blocked"), found
        # a request the page cannot read but may still send (no-cors, text/plain): refused before anything is kept
        assert store.Received.select().where(store.Received.id == "6f1c0e1e-7d4a-4c55-9d52-1b0e1e7d4a4c").count() == 0
    finally:
        context.close()


def test_the_player_page_has_no_accessibility_violations(browser, edge):
    context = browserkit.new_context(browser, client_certificates=[
        {"origin": f"https://127.0.0.1:{edge['api'].port}", "certPath": str(edge["tablet"].cert_path),
         "keyPath": str(edge["tablet"].key_path)}])
    try:
        page = context.new_page()  # from the app's Library: its "player" screen hands over to the player page
        page.goto(f"https://127.0.0.1:{edge['api'].port}/app/#/player?course={edge['courses']['2004']}")
        page.locator("#scorm-continue").wait_for()
        assert "/app/player.html?" in page.url
        browserkit.assert_accessible(page)
        _open(page, "#scorm-continue")
        browserkit.assert_accessible(page)
        page.locator("button.lang[lang='cy']").click()  # in Welsh too (the page is drawn again in Welsh)
        page.locator("#scorm-continue").wait_for()
        assert page.locator("html").get_attribute("lang") == "cy" and "Ewch ymlaen" in page.locator("main").inner_text()
        browserkit.assert_accessible(page)
    finally:
        context.close()


def _plain_get(port: int, path: str):
    """A GET with no client certificate (the content origin asks for none)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return get(port, context, path)


def test_the_content_origin_serves_a_launchs_files_with_no_certificate_and_refuses_a_changed_or_expired_link(edge):
    course = edge["courses"]["1.2"]
    status, launch = call(edge["tablet"], "POST", f"/v1/courses/{course}/launch", {"learner": LEARNER})
    assert status == 200 and launch["content"].startswith(f"https://127.0.0.1:{edge['content'].port}/c/")
    path = launch["content"].split(f":{edge['content'].port}", 1)[1]
    status, headers, body = _plain_get(edge["content"].port, path + "unit1/index.html")
    assert status == 200 and b"Unit 1" in body
    assert "set-cookie" not in headers and headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"] == f"frame-ancestors 'self' https://127.0.0.1:{edge['api'].port}"
    assert content_origin.server_context(identity.EdgeFiles(edge["cfg"].instance)).verify_mode == ssl.CERT_NONE

    assert _plain_get(edge["content"].port, path + "unit9/index.html")[0] == 404
    key = capability.load_key(edge["cfg"].instance)
    expired, _ = capability.mint(key, learner=LEARNER, device="tab-0", course=course, version=1, now=time.time() - 10,
                                 ttl_s=5)
    status, _, body = _plain_get(edge["content"].port, f"/c/{expired}/unit1/index.html")
    assert status == 403 and json.loads(body)["error"] == "token_expired"
    token = path.split("/")[2]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    status, _, body = _plain_get(edge["content"].port, f"/c/{forged}/unit1/index.html")
    assert status == 403 and json.loads(body)["error"] == "token_forged"
    assert _plain_get(edge["content"].port, "/c/unit1/index.html")[0] in (403, 404)

    # the worker carries what the wrapper's own files hold, as served here, to check its kept copies offline
    worker = _plain_get(edge["content"].port, "/sw.js")[2]
    for name in ("/frame.html", "/frame.js"):
        digest = hashlib.sha256(_plain_get(edge["content"].port, name)[2]).hexdigest()
        assert f"{name}={digest}".encode() in worker
    assert b"__WRAPPER_SHA256__" not in worker


def test_a_tablet_cannot_open_a_course_for_another_learner(edge):
    status, answer = call(edge["tablet"], "POST", f"/v1/courses/{edge['courses']['1.2']}/launch", {"learner": "L-0001"})
    assert (status, answer["error"]) == (403, "learner_mismatch")
    assert "L-0042" in answer["reason"]
