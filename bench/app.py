"""Phase 7 of `make bench`: the person's app on low-end phones and costly data (issue 13).

A real `throughgate hub run` (SQLite) serves the app at /app/; Debian's Chromium (playwright, the flags of
tests/browserkit.py) loads it.

- app_first_load_kb: compressed bytes of JS and CSS a first load fetches (page and service worker's precache),
  counted from the network (each .js/.css response's body as it came over the wire: gzip, as webapp/serve.py
  sends it), in a fresh browser context. Phone side: measured against the hub. Tablet side: the edge serves the
  same built files (one app.js for both sides, data-side picks the screens), so it is the same requests with
  each file's size gzipped as serve.py gzips it, from webapp/dist (no edge started). Target <= 300 KB.
- app_screen_ms: each main screen of the phone side (home, messages, appointments, health), loaded afresh with
  the CPU throttled 4x (CDP Emulation.setCPUThrottlingRate), from navigation to its heading and main control
  visible; the slowest screen of each round; median of 3 rounds with min-max. Target <= 1000 ms.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.progress import say
from throughgate.stack import CLI, Proc, free_port

FIRST_LOAD_TARGET_KB = 300
SCREEN_TARGET_MS = 1000
THROTTLE = 4
ROUNDS = 3
WAIT_MS = 15_000
CHROMIUM = "/usr/bin/chromium"
DIST = Path(__file__).resolve().parent.parent / "webapp" / "dist"
# Each main screen: (hash, its heading, its main control as (ARIA role, accessible name)).
SCREENS = (
    ("home", "#/", "Start", ("link", "Messages")),
    ("messages", "#/messages", "Messages", ("button", "Check for new messages")),
    ("appointments", "#/appointments", "Appointments", ("link", "Ask to move it")),
    ("health", "#/health", "Health summary", ("button", "Check for a new summary")),
    ("library", "#/library", "My courses", ("button", "Check for new courses")),
    ("forms", "#/forms", "Forms", ("button", "Check for new forms")),
)


def is_asset(url: str) -> bool:
    """A JS or CSS file (query and fragment ignored)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    return path.endswith((".js", ".mjs", ".css"))


def kb(n: int) -> float:
    return round(n / 1024, 1)


def spread(values: list[float]) -> dict:
    """Median of the rounds with min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "rounds": list(values)}


def gzipped_bytes(dist: Path, paths: list[str]) -> int:
    """What serve.py sends for these built files (a path listed twice counts twice): gzip level 9 of each
    file over 512 bytes."""
    total = 0
    for rel in paths:
        body = (dist / rel).read_bytes()
        total += len(gzip.compress(body, 9, mtime=0)) if len(body) > 512 else len(body)
    return total


def _person(instance: Path) -> tuple[str, str]:
    """A released person with a worker and an appointment, made through the hub's services: (person, code)."""
    from hub import db
    from hub.app import create_app
    from hub.appointments import service as appointments
    from hub.people import service as people
    from hub.staff import accounts
    from hub.workers import caseload

    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'hub.db'}"}, instance_path=instance)
    at = (datetime.now(UTC) + timedelta(days=3)).isoformat(timespec="seconds")
    with app.app_context(), db.connected():
        accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "bench", 1)
        person = people.add("bench")
        caseload.add("olivia", person.person_id, "bench")
        _p, code, _row = people.release(person.person_id, "bench", 7)
        appointments.create(person.person_id, "olivia", "in_person", at, 30, "Cardiff probation office", "olivia")
    return person.person_id, code


def _spki(instance: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from hub import ca

    cert = x509.load_pem_x509_certificate(ca.files(instance).server_cert.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def _first_load(browser, url: str) -> list[tuple[str, int]]:
    """A fresh context loads /app/ until its service worker controls it and has precached: each .js/.css
    response (the page's and the service worker's precache) as (path under /app/, bytes over the wire)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    fetched: list[tuple[str, int]] = []

    def finished(request) -> None:
        if is_asset(request.url):
            path = request.url.split("/app/", 1)[1].split("?", 1)[0]
            fetched.append((path, request.sizes()["responseBodySize"]))

    context.on("requestfinished", finished)
    page = context.new_page()
    page.goto(f"{url}/app/")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller", timeout=WAIT_MS)
    page.wait_for_load_state("networkidle")
    context.close()
    return fetched


def _screens(browser, url: str, offer: str) -> list[dict[str, float]]:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{url}/app/#/activate")
    page.get_by_label("Code from your release letter").fill(offer)
    page.get_by_role("button", name="Set up this phone").click()
    page.wait_for_selector("html[data-screen='messages']", timeout=WAIT_MS)
    page.goto(f"{url}/app/#/appointments")
    page.get_by_role("link", name="Ask to move it").first.wait_for(timeout=WAIT_MS)  # synced once, unthrottled
    cdp = context.new_cdp_session(page)
    rounds = []
    try:
        for _ in range(ROUNDS):
            found = {}
            for name, fragment, heading, (role, control) in SCREENS:
                page.goto("about:blank")
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
                started = time.monotonic()
                page.goto(f"{url}/app/{fragment}", wait_until="commit")
                page.get_by_role("heading", name=heading, level=1).wait_for(timeout=WAIT_MS)
                page.get_by_role(role, name=control).first.wait_for(timeout=WAIT_MS)
                found[name] = (time.monotonic() - started) * 1000
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
            rounds.append(found)
    finally:
        context.close()
    return rounds


def run(workdir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    from hub import ca
    from provisioning.tokens import ActivationOffer

    workdir.mkdir(parents=True, exist_ok=True)
    instance = workdir / "hub"
    env = dict(os.environ)
    subprocess.run([*CLI, "hub", "init", "--instance", str(instance)], check=True, capture_output=True, env=env)
    subprocess.run([*CLI, "hub", "migrate", "--instance", str(instance)], check=True, capture_output=True, env=env)
    _person_id, code = _person(instance)
    port = free_port()
    hub = Proc("hub", [*CLI, "hub", "run", "--instance", str(instance), "--port", str(port)], workdir / "hub.log",
               env).start()
    try:
        from edge.host import broker

        broker.wait_for_port("127.0.0.1", port, 30)
        url = f"https://127.0.0.1:{port}"
        offer = ActivationOffer(url, code, ca.root_pin(ca.load_root(ca.files(instance)))).to_link()
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--ignore-certificate-errors-spki-list={_spki(instance)}"]
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
            try:
                say("app", "first load of /app/ in a fresh Chromium context")
                fetched = _first_load(browser, url)
                say("app", f"screens with the CPU throttled {THROTTLE}x, {ROUNDS} rounds")
                rounds = _screens(browser, url, offer)
            finally:
                browser.close()
    finally:
        hub.stop()
    slowest = [max(r.values()) for r in rounds]
    return {"phone_bytes": sum(n for _p, n in fetched), "fetched": fetched,
            "tablet_bytes": gzipped_bytes(DIST, [p for p, _n in fetched]),
            "rounds": rounds, "slowest": spread(slowest),
            "per_screen": {name: spread([r[name] for r in rounds]) for name, *_ in SCREENS}}


def figures(found: dict | None) -> dict:
    """The JSON line's keys for this phase (None where it did not run)."""
    if not found:
        return {"app_first_load_kb": None, "app_first_load_tablet_kb": None, "app_screen_ms": None,
                "app_screen_ms_min": None, "app_screen_ms_max": None}
    s = found["slowest"]
    return {"app_first_load_kb": kb(found["phone_bytes"]), "app_first_load_tablet_kb": kb(found["tablet_bytes"]),
            "app_screen_ms": round(s["median"]), "app_screen_ms_min": round(s["min"]),
            "app_screen_ms_max": round(s["max"])}


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def table(found: dict | None) -> str:
    if not found:
        return "7 APP: did not run"
    s = found["slowest"]
    phone, tablet, target = found["phone_bytes"], found["tablet_bytes"], FIRST_LOAD_TARGET_KB * 1024
    paths = ", ".join(sorted({p for p, _n in found["fetched"]}))
    lines = [
        "7 APP (the person's app from a real hub's /app/, Debian's Chromium)",
        f"  first load, gzipped JS+CSS, phone:  {kb(phone)} KB   target <= {FIRST_LOAD_TARGET_KB}   "
        f"{verdict(phone <= target)}",
        f"  first load, gzipped JS+CSS, tablet: {kb(tablet)} KB   target <= {FIRST_LOAD_TARGET_KB}   "
        f"{verdict(tablet <= target)}",
        f"    {len(found['fetched'])} responses (page and service worker): {paths}; tablet: the same requests,"
        " each file gzipped as serve.py does",
        f"  slowest screen usable, CPU {THROTTLE}x slower: {s['median']:.0f} ms (min {s['min']:.0f}, "
        f"max {s['max']:.0f}, {ROUNDS} rounds)   target <= {SCREEN_TARGET_MS}   "
        f"{verdict(s['median'] <= SCREEN_TARGET_MS)}",
    ]
    for name, v in found["per_screen"].items():
        lines.append(f"    {name:13} {v['median']:5.0f} ms (min {v['min']:.0f}, max {v['max']:.0f})")
    return "\n".join(lines)


if __name__ == "__main__":
    import tempfile

    result = run(Path(tempfile.mkdtemp(prefix="throughgate-bench-app-")))
    print(table(result))
    print(json.dumps(figures(result)))
