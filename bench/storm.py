"""Phase 3: a reconnect storm. Many tablets, each with records queued while offline, connect at once.

Worker processes (spawned, so none inherits another's threads) each run a tablet.fleet.Fleet.
Each fills its outboxes (Fleet.queue), says it is ready, and waits; the parent then releases
all of them together. Every record's latency runs from its first MQTT publish to its ack
being applied on the tablet (see bench/ackclock.py). The phase ends when every record is
acked or the timeout passes; what completed by then is reported either way.

Seconds = release of all workers -> last ack applied on any tablet.

At most 125 tablets share a process: paho's network loop uses select(), which cannot watch a
file descriptor numbered 1024 or more, and each tablet holds six (its outbox's SQLite file,
WAL and shared memory, paho's socket pair and the MQTT socket). Past that, paho's select()
raises ValueError, which paho takes for a lost connection, and the tablet reconnects forever
without a word (eclipse-paho/paho.mqtt.python#183, #819).

The outboxes live on tmpfs (see bench/run.py): a real tablet syncs to its own flash, while here
a thousand of them would otherwise queue behind one disk, shared with the edge.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import resource
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.ackclock import AckClock, percentile
from bench.progress import cpu_seconds, say
from throughgate.stack import Stack

PREPARE_TIMEOUT_S = 300  # for the workers to fill their outboxes
MAX_TABLETS_PER_PROCESS = 125  # 6 file descriptors each must stay below select()'s 1024


def run(workdir: Path, tablets_dir: Path, sessions: int = 1000, per_session: int = 200, workers: int = 8,
        timeout: float = 180.0) -> dict:
    if -(-sessions // workers) > MAX_TABLETS_PER_PROCESS:
        raise ValueError(f"{sessions} tablets in {workers} processes: at most {MAX_TABLETS_PER_PROCESS} "
                         "fit in one (paho's select() limit); use more workers")
    stack = Stack(workdir / "stack").build()
    context = multiprocessing.get_context("spawn")
    procs: list = []
    try:
        stack.start_broker()
        stack.start_edge()
        devices = stack.add_devices(sessions, prefix="storm")
        names = sorted(devices)
        shards = [{name: devices[name] for name in names[i::workers]} for i in range(workers)]
        go, ready, results = context.Event(), context.Queue(), context.Queue()
        acked = context.Array("q", workers, lock=False)
        procs = [context.Process(target=_worker, name=f"bench-storm-{i}", daemon=True,
                                 args=(i, shard, str(tablets_dir / f"tablets-{i}"), stack.mqtt_port, per_session,
                                       timeout, go, ready, results, acked))
                 for i, shard in enumerate(shards)]
        for proc in procs:
            proc.start()
        say("storm", f"{workers} worker processes queueing {per_session} records in each of {sessions} outboxes")
        _wait_ready(procs, ready)
        expected = sessions * per_session
        pids = {"edge": stack.edge.popen.pid, "broker": stack.broker.proc.pid}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        say("storm", f"all {sessions} tablets connect now")
        released = time.monotonic()
        go.set()
        seen = _watch(acked, expected, released, timeout, stack.edge_dir / "edge.db")
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        reports = [results.get(timeout=120) for _ in procs]
        committed = stack.edge_status()["received"]
    finally:
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.terminate()
        stack.stop()
    latencies = [ms for report in reports for ms in report["latencies_ms"]]
    done = sum(report["acked"] for report in reports)
    last_ack = max((r["last_ack"] for r in reports if r["last_ack"] is not None), default=None)
    complete = done == expected
    cpu["tablets"] = sum(r["cpu_s"] for r in reports)
    say("storm", f"{done}/{expected} acked" + (f" in {last_ack - released:.1f}s" if complete else
        f" before the {timeout:.0f}s timeout") + f"; edge committed {committed}")
    return {
        "sessions": sessions,
        "per_session": per_session,
        "workers": workers,
        "records": expected,
        "timeout_s": timeout,
        "complete": complete,
        "acked": done,
        "seconds": last_ack - released if complete else None,
        "acked_per_s": done / (last_ack - released if complete else timeout),
        "p50_ms": percentile(latencies, 50),  # of the records acked
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=None),
        "edge_all_committed_s": seen["edge_all_committed_s"],
        "committed_when_stopped": seen["committed_at_end"],
        "committed_at_edge": committed,
        "publishes": sum(r["published"] for r in reports),
        "errors": sum(r["errors"] for r in reports),
        "cpu_s": cpu,
    }


def _wait_ready(procs: list, ready) -> None:
    deadline, waiting = time.monotonic() + PREPARE_TIMEOUT_S, len(procs)
    while waiting:
        try:
            ready.get(timeout=1)
            waiting -= 1
        except queue.Empty:
            if any(not proc.is_alive() for proc in procs) or time.monotonic() > deadline:
                raise RuntimeError("a storm worker died or did not get ready; see its traceback above") from None


def _watch(acked, expected: int, released: float, timeout: float, edge_db: Path) -> dict:
    """Until every record is acked or time is up; notes when the edge had committed them all."""
    seen = {"edge_all_committed_s": None, "committed_at_end": None}
    next_check, next_report = released + 1, released + 5
    while time.monotonic() < released + timeout + 5 and sum(acked) < expected:
        time.sleep(0.1)
        now = time.monotonic()
        if now >= next_check and seen["edge_all_committed_s"] is None:
            next_check += 1
            committed = _committed(edge_db)
            seen["committed_at_end"] = committed
            if committed is not None and committed >= expected:
                seen["edge_all_committed_s"] = now - released
        if now >= next_report:
            next_report += 5
            say("storm", f"after {now - released:.0f}s: {_committed(edge_db)} committed at the edge, "
                f"{sum(acked)}/{expected} acked on the tablets")
    seen["committed_at_end"] = _committed(edge_db)
    return seen


def _committed(edge_db: Path) -> int | None:
    """Records in the edge's store so far (read-only; the edge writes in WAL mode, so readers do not block it)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{edge_db}?mode=ro", uri=True, timeout=1)) as db:
            return db.execute("SELECT COUNT(*) FROM received").fetchone()[0]
    except sqlite3.Error:
        return None


def _worker(index: int, devices: dict[str, str], workdir: str, port: int, per_session: int, timeout: float,
            go, ready, results, acked) -> None:
    """One process: a Fleet of tablets with full outboxes, released by `go`."""
    from tablet.client import TabletClient
    from tablet.fleet import Fleet

    clock = AckClock()
    fleet = Fleet(devices, workdir, "127.0.0.1", port, seed=index + 1, on_ack=clock.on_ack)
    fleet.queue(per_session)
    for tablet in fleet.clients.values():
        clock.watch(tablet)
    expected = len(devices) * per_session
    ready.put(index)
    go.wait()
    deadline = time.monotonic() + timeout
    cpu_before = _own_cpu()
    fleet.start()
    while clock.acked < expected and time.monotonic() < deadline:
        acked[index] = clock.acked
        time.sleep(0.1)
    acked[index] = clock.acked
    cpu = _own_cpu() - cpu_before
    errors = sum(len(tablet.errors) for tablet in fleet.clients.values())
    with ThreadPoolExecutor(32) as pool:  # Fleet.stop stops one tablet after another: slow for hundreds
        list(pool.map(TabletClient.stop, fleet.clients.values()))
    fleet.stop()
    results.put({
        "acked": clock.acked,
        "published": clock.published,
        "last_ack": clock.last_ack,
        "errors": errors,
        "cpu_s": cpu,
        "latencies_ms": [s * 1000 for s in clock.latencies],
    })


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
