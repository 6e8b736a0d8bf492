"""`throughgate demo`: hub, Mosquitto and an edge as real processes, 50 tablets, and the hub
going down once on the way. Exits 0 only when every record arrived exactly once.

Then the person's app for one phone and one tablet: the hub seeded with demo people (one released today,
with an activation code), one tablet's certificate as a .p12 file, and where to open each. On a terminal
it keeps serving until Ctrl-C; with stdin not a terminal, or THROUGHGATE_DEMO_EXIT=1, it exits at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from provisioning import pki
from tablet.fleet import Fleet
from throughgate.stack import CLI, Stack, free_port

DEMO_SETTINGS = {  # quicker than production (docs/edge.md), so the demo takes well under 2 minutes
    "uplink__batch_age_s": 1.0,
    "uplink__interval_s": 0.5,
    "uplink__backoff_base_s": 0.5,
    "uplink__backoff_max_s": 5.0,
}


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def wait_until(predicate, timeout: float, every: float = 0.5, progress=None) -> bool:
    deadline = time.monotonic() + timeout
    last = 0.0
    while time.monotonic() < deadline:
        if predicate():
            return True
        if progress and time.monotonic() - last > 3:
            last = time.monotonic()
            progress()
        time.sleep(every)
    return False


def _hub_outage(stack: Stack, after: float, down_for: float) -> None:
    time.sleep(after)
    say("hub: killed (kill -9); the edge keeps committing and sealing, and retries with backoff")
    stack.hub.kill9()
    time.sleep(down_for)
    stack.start_hub()
    say("hub: back")


def _seed_activation(stack: Stack) -> tuple[str, str, str]:
    """`hub seed` on the demo's hub: (person id, activation code, the link its letter's QR code holds) of the
    person it releases today."""
    done = subprocess.run([*CLI, "hub", "seed", "--instance", str(stack.hub_dir)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **stack.env})
    if done.returncode != 0:
        raise RuntimeError(f"throughgate hub seed failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    lines = done.stdout.splitlines()
    line = next(line for line in lines if line.startswith("Activation code for "))
    person, _, code = line.removeprefix("Activation code for ").partition(": ")
    link = next(word.strip("'") for line in lines for word in line.split() if "/app/#/activate?" in word)
    return person, code.strip(), link


def _tablet_p12(tablet, path: Path) -> str:
    """The tablet's key and certificate (with its edge's tablet CA) as a .p12 for a browser; returns the password."""
    password = secrets.token_urlsafe(9)
    data = pkcs12.serialize_key_and_certificates(
        tablet.device.encode(), pki.load_key(tablet.key_path.read_bytes()),
        pki.load_cert(tablet.cert_path.read_bytes()), [pki.load_cert(tablet.ca_path.read_bytes())],
        BestAvailableEncryption(password.encode()))
    path.write_bytes(data)
    path.chmod(0o600)
    return password


def _app(stack: Stack, tablet, workdir: Path) -> None:
    """Print where to open the person's app on a phone (the hub) and on a tablet (the edge)."""
    person, code, link = _seed_activation(stack)
    p12 = workdir / f"{tablet.device}.p12"
    password = _tablet_p12(tablet, p12)
    say("the person's app (127.0.0.1 only; the certificates come from the demo's own CAs, so the browser warns):")
    print(f"  phone:  open {stack.hub_url}/app/ and type the activation code {code} ({person}, released today),",
          flush=True)
    print(f"          or open the link its release letter's square code holds: {link}", flush=True)
    print(f"  tablet: import {p12} (password {password}) into the browser, then open "
          f"https://127.0.0.1:{stack.api_port}/app/ and choose {tablet.device}'s certificate", flush=True)
    print(f"  offline: a browser keeps the app for offline use only from a site it trusts; to try that, import "
          f"{Path(stack.hub_dir, 'ca', 'root.pem')} and {tablet.ca_path} as certificate authorities "
          "(the demo's own: remove them after)", flush=True)


def _serve_until_interrupted() -> bool:
    """On a terminal, unless THROUGHGATE_DEMO_EXIT=1: keep everything running until Ctrl-C."""
    if os.environ.get("THROUGHGATE_DEMO_EXIT") == "1" or not sys.stdin.isatty():
        return False
    say("serving until Ctrl-C (THROUGHGATE_DEMO_EXIT=1 or no terminal: exit at once)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("stopping everything")
    return True


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_demo(args) -> int:
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="throughgate-demo-"))
    # the hub's content origin too, where a released person's phone plays their courses (CONTENT_PORT)
    stack = Stack(workdir, env={"THROUGHGATE_HUB_CONTENT_PORT": str(free_port())}, **DEMO_SETTINGS)
    fleet = None
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, kill: stop everything we started
        signal.signal(signum, _interrupt)
    started = time.monotonic()
    try:
        say(f"setting up in {workdir}: hub root CA, keys and admin token; edge keys and tablet CA; "
            "the edge enrolled with a one-time token")
        stack.build()
        stack.start()
        say(f"hub on {stack.hub_url} (mutual TLS), Mosquitto on 127.0.0.1:{stack.mqtt_port} "
            f"(TLS, tablet certificates only), edge {stack.edge_id} running")
        say(f"enrolling {args.tablets} tablets: one-time code each, key and CSR made on the tablet")
        logging.getLogger("edge.tablets.registry").setLevel(logging.WARNING)  # per-certificate lines: the edge log
        devices = stack.add_devices(args.tablets)
        fleet = Fleet(devices, workdir / "tablets", "127.0.0.1", stack.mqtt_port).start()
        say(f"{args.tablets} tablets each recording {args.records} records over ~{args.spread:.0f}s")
        outage = threading.Thread(target=_hub_outage, args=(stack, args.spread / 3, args.spread / 2), daemon=True)
        outage.start()
        fleet.submit_over(args.records, args.spread)
        outage.join()

        def tablets_progress():
            pending = sum(c.outbox.counts()["pending"] for c in fleet.clients.values())
            say(f"tablets: {pending} records waiting for the edge's ack")

        if not fleet.wait_flushed(60):
            tablets_progress()
        submitted = fleet.result.submitted_count

        def hub_has_all() -> bool:
            status = stack.edge_status()
            return status["unsealed"] == 0 and status["records_waiting"] == 0

        def edge_progress():
            status = stack.edge_status()
            say(f"edge: {status['received']} committed, {status['records_waiting'] + status['unsealed']} "
                f"waiting for the hub, {status['batches_delivered']} batches delivered")

        wait_until(hub_has_all, 90, progress=edge_progress)
        result = fleet.stop()
        fleet = None
        at_hub = stack.hub_records()
        status = stack.edge_status()
        counts = Counter(r["id"] for r in at_hub)
        sent = {rid for ids in result.submitted.values() for rid in ids}
        lost = len(sent - set(counts))
        duplicated = sum(n - 1 for n in counts.values() if n > 1)
        say(f"done in {time.monotonic() - started:.0f}s; logs in {workdir}")
        print(f"submitted={submitted} stored_at_edge={status['received']} stored_at_hub={len(counts)} "
              f"lost={lost} duplicated={duplicated}", flush=True)
        ok = lost == 0 and duplicated == 0 and submitted == len(counts) == status["received"]
        _app(stack, devices[min(devices)], workdir)
        _serve_until_interrupted()
        return 0 if ok else 1
    except KeyboardInterrupt:
        say("interrupted: stopping everything")
        return 130
    finally:
        if fleet is not None:
            fleet.stop()
        stack.stop()


def register(parts) -> None:
    p = parts.add_parser("demo", help="hub, broker, edge and simulated tablets; the hub fails once")
    p.add_argument("--tablets", type=int, default=50)
    p.add_argument("--records", type=int, default=20, help="records per tablet")
    p.add_argument("--spread", type=float, default=15.0, help="seconds over which tablets record")
    p.add_argument("--workdir", help="keep everything here (default: a new temporary folder)")
    p.set_defaults(func=run_demo)


if __name__ == "__main__":
    sys.exit(run_demo(None))
