"""Phase 6: phones after release. Against a real `throughgate hub run` (SQLite):

    sync_nochange_bytes  one no-change sync of an up-to-date phone, request and response together, headers
                         included: HTTP bytes through a TLS-ending counting proxy (bench/wireproxy.py)
    sync_round_trips     HTTP requests that sync made
    sync_per_s, p99_ms   no-change syncs per second by PHONES phones, each holding HISTORY messages, from
                         THREADS threads for SECONDS, each sync a signed request on a new TLS connection,
                         as the reference client (phone/client.py) makes it

The phones are registered straight into the hub's database (activation is not what is measured), each
with its own Ed25519 key. Each person's history is made through the hub's own services, as in life:
in their worker's caseload (their contacts), HISTORY messages from the worker, two appointments (one
moved, with its reason), and three fields of their release plan. Each phone first syncs its history
once (first_sync_per_s), then the timed part.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from bench.progress import say
from bench.wireproxy import TlsCountingProxy
from throughgate.stack import CLI, Proc, free_port

HUB_ENV = {"THROUGHGATE_HUB_MAX_CONNECTIONS": "512", "THROUGHGATE_HUB_MAX_CONNECTIONS_PER_ADDRESS": "512"}


def _register(instance: Path, phones: int, history: int, folders: Path) -> tuple[list[tuple], bytes, int]:
    """People, phones (keys made here, as phones make theirs) and their histories, in the hub's database."""
    from hub import ca, db
    from hub.app import create_app
    from hub.people.models import RELEASED, Person
    from hub.phones.models import Phone
    from hub.staff import accounts
    from hub.sync.models import PersonChange
    from phone import identity
    from provisioning import pki, signatures
    from provisioning.files import write_private
    from wire.records import timestamp

    app = create_app({"DATABASE_URL": f"sqlite:///{instance / 'hub.db'}"}, instance_path=instance)
    root = pki.cert_to_pem(ca.load_root(ca.files(instance)).cert)
    made = []
    with app.app_context(), db.connected(), db.proxy.atomic():
        accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia Jones", "bench", 1, "Cardiff probation")
        for n in range(phones):
            person_id = f"P-{n // 10000:04d}-{n % 10000:04d}"
            Person.create(person_id=person_id, status=RELEASED, released_at=timestamp(), created_at=timestamp(),
                          created_by="bench")
            key = ed25519.Ed25519PrivateKey.generate()
            jwk = signatures.public_jwk(key.public_key())
            key_id = signatures.key_id(key.public_key())
            Phone.create(key_id=key_id, person=person_id, jwk=json.dumps(jwk), alg="Ed25519", label="bench",
                         activated_at=timestamp())
            _history(person_id, history)
            folder = folders / f"phone-{n}"
            folder.mkdir(parents=True)
            write_private(folder / identity.KEY_FILE, key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            made.append((folder, person_id, key_id))
        changes = PersonChange.select().where(PersonChange.person == made[0][1]).count() if made else 0
    return made, root, changes


def _history(person_id: str, messages_: int) -> None:
    """What a person released a few weeks ago has: a worker, messages, appointments, a release plan."""
    from hub.appointments import service as appointments
    from hub.plans import service as plans
    from hub.sync import messages
    from hub.workers import caseload
    from wire.records import timestamp

    caseload.add("olivia", person_id, "bench")
    for m in range(messages_):
        messages.send_from_worker(person_id, "olivia", f"({m}) Your appointment is on Monday at 10:00 at the "
                                  "Cardiff office. Bring your ID and your licence letter.")
    first = appointments.create(person_id, "olivia", "in_person", "2027-01-11T10:00:00Z", 45,
                                "Cardiff probation office, 2nd floor", "olivia")
    appointments.move(first.appointment_id, "2027-01-12T14:30:00Z", "You start work on the 11th", "olivia")
    appointments.create(person_id, "olivia", "phone", "2027-01-25T09:00:00Z", 15, "Olivia will call you",
                        "olivia")
    for pathway, field, value in (("accommodation", "status", "done"), ("accommodation", "owner", "Olivia"),
                                  ("gp", "notes", "Registered at Canton surgery, Cardiff.")):
        plans.edit(person_id, pathway, field, value, "olivia", None, timestamp())


def _activate_files(folder: Path, hub: str, person: str, key_id: str, root: bytes) -> None:
    from phone import identity

    identity.save_activation(folder, identity.Activation(hub, "bench", person, key_id), root)


def _timed_syncs(folders: list[Path], threads: int, seconds: float) -> list[float]:
    from phone import client

    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(mine: list[Path]) -> None:
        i = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.sync(mine[i % len(mine)])
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
            i += 1

    chunks = [folders[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks if chunk]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies


def run(workdir: Path, phones: int = 2000, history: int = 20, seconds: float = 10.0, threads: int = 8) -> dict:
    from hub import ca
    from phone import client

    workdir.mkdir(parents=True, exist_ok=True)
    instance = workdir / "hub"
    env = {**os.environ, **HUB_ENV}
    subprocess.run([*CLI, "hub", "init", "--instance", str(instance)], check=True, capture_output=True, env=env)
    subprocess.run([*CLI, "hub", "migrate", "--instance", str(instance)], check=True, capture_output=True, env=env)
    say("phones", f"registering {phones} phones, each with {history} messages, 2 appointments and a plan")
    made, root, changes = _register(instance, phones, history, workdir / "phones")
    port = free_port()
    hub = Proc("hub", [*CLI, "hub", "run", "--instance", str(instance), "--port", str(port)], workdir / "hub.log",
               env).start()
    try:
        from edge.host import broker

        broker.wait_for_port("127.0.0.1", port, 30)
        url = f"https://127.0.0.1:{port}"
        for folder, person, key_id in made:
            _activate_files(folder, url, person, key_id, root)
        say("phones", f"first syncs: {phones} phones fetch their history")
        started = time.monotonic()
        firsts: list[int] = []

        def first(mine) -> None:
            firsts.extend(client.sync(folder).received for folder, _p, _k in mine)

        workers = [threading.Thread(target=first, args=(made[i::threads],)) for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        first_s = time.monotonic() - started
        assert len(firsts) == phones and all(n == changes for n in firsts), "a phone missed part of its history"

        paths = ca.files(instance)
        proxy = TlsCountingProxy(port, str(paths.server_cert), str(paths.server_key), str(paths.root_cert)).start()
        probe = made[0][0]
        _activate_files(probe, f"https://127.0.0.1:{proxy.port}", made[0][1], made[0][2], root)
        result = client.sync(probe)
        time.sleep(0.2)
        proxy.stop()
        nochange = proxy.upstream + proxy.downstream
        _activate_files(probe, url, made[0][1], made[0][2], root)
        say("phones", f"a no-change sync: {proxy.upstream} bytes up, {proxy.downstream} down, "
                      f"{result.rounds} request(s)")

        say("phones", f"no-change syncs for {seconds:.0f} s from {threads} threads")
        latencies = _timed_syncs([f for f, _p, _k in made], threads, seconds)
    finally:
        hub.stop()
    latencies.sort()
    return {
        "phones": phones, "history": history, "changes": changes, "threads": threads,
        "first_sync_per_s": phones / first_s,
        "nochange_bytes": nochange, "nochange_up": proxy.upstream, "nochange_down": proxy.downstream,
        "round_trips": result.rounds,
        "per_s": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else None,
    }


NOCHANGE_TARGET = 1024
ROUND_TRIPS_TARGET = 1


def figures(found: dict | None) -> dict:
    """The JSON line's keys for this phase (None where it did not run)."""
    found = found or {}

    def rounded(key: str, digits: int = 1):
        return round(found[key], digits) if found.get(key) is not None else None

    return {"sync_nochange_bytes": found.get("nochange_bytes"), "sync_round_trips": found.get("round_trips"),
            "sync_per_s": rounded("per_s"), "sync_p99_ms": rounded("p99_ms"),
            "sync_first_per_s": rounded("first_sync_per_s"), "sync_phones": found.get("phones")}


def table(found: dict | None) -> str:
    if not found:
        return "6 PHONES: did not run"
    verdict = "ok" if found["nochange_bytes"] <= NOCHANGE_TARGET else "OVER"
    return "\n".join([
        "6 PHONES (hub run, SQLite; each sync a signed request on a new TLS connection)",
        f"  no-change sync, HTTP bytes both ways: {found['nochange_bytes']} B "
        f"({found['nochange_up']} up, {found['nochange_down']} down)   target <= {NOCHANGE_TARGET}   {verdict}",
        f"  requests per no-change sync: {found['round_trips']}   target {ROUND_TRIPS_TARGET}",
        f"  {found['phones']} phones x {found['changes']} changes ({found['history']} messages, appointments, "
        f"a plan): first syncs {found['first_sync_per_s']:.1f}/s",
        f"  no-change syncs, {found['threads']} threads: {found['per_s']:.1f}/s, p50 {found['p50_ms']:.0f} ms, "
        f"p99 {found['p99_ms']:.0f} ms",
    ])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(run(Path(tempfile.mkdtemp()), phones=int(sys.argv[1]) if len(sys.argv) > 1 else 200, seconds=5))
