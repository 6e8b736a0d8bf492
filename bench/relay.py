"""Phase 2: the same records through the real edge, committed and acknowledged end to end.

One TabletClient (the same publisher count as the broker-only phase) holds the same records
in its outbox and flushes them to a Stack's Mosquitto; the edge process commits each batch to
SQLite and acks; the rate counts a record once the ack reached the tablet and was applied to
its outbox. The hub is not started: in production it runs elsewhere, not on these two cores.
The edge still cuts and seals batches every second, as it would. The tablet's outbox sits on
tmpfs, as in the storm (see bench/run.py), so the figure is the edge's, not this disk's.

Rate = records acked / (first publish -> last ack applied on the tablet).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.ackclock import AckClock, percentile
from bench.progress import cpu_seconds, say
from tablet.fleet import Fleet
from throughgate.stack import Stack


def run(workdir: Path, tablets_dir: Path, device: str, items: list[tuple[str, str, dict]],
        timeout: float = 180.0) -> dict:
    stack = Stack(workdir / "stack").build()
    fleet = None
    try:
        stack.start_broker()
        stack.start_edge()
        devices = stack.add_devices(1, prefix=device.rsplit("-", 1)[0])
        if list(devices) != [device]:
            raise RuntimeError(f"expected device {device}, Stack made {list(devices)}")
        clock = AckClock()
        fleet = Fleet(devices, tablets_dir, "127.0.0.1", stack.mqtt_port, on_ack=clock.on_ack)
        tablet = fleet.clients[device]
        tablet.outbox.add_many(items)
        clock.watch(tablet)
        pids = {"edge": stack.edge.popen.pid, "broker": stack.broker.proc.pid}
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        tablet_cpu_before = time.process_time()
        say("relay", f"one tablet flushing {len(items)} records through the edge")
        fleet.start()
        _wait_acked(clock, len(items), timeout)
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        cpu["tablet"] = time.process_time() - tablet_cpu_before
        result = fleet.stop()
        fleet = None
        committed = stack.edge_status()["received"]
    finally:
        if fleet is not None:
            fleet.stop()
        stack.stop()
    seconds = clock.last_ack - clock.first_publish if clock.acked else None
    say("relay", f"{clock.acked}/{len(items)} acked in {seconds or 0:.2f}s; edge committed {committed}")
    return {
        "records": len(items),
        "acked": clock.acked,
        "committed_at_edge": committed,
        "acked_in_outbox": result.acked,
        "publishes": clock.published,
        "seconds": seconds,
        "per_s": clock.acked / seconds if seconds else None,
        "p50_ms": _ms(percentile(clock.latencies, 50)),
        "p99_ms": _ms(percentile(clock.latencies, 99)),
        "cpu_s": cpu,
    }


def _wait_acked(clock: AckClock, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    next_report = time.monotonic() + 5
    while clock.acked < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        if time.monotonic() >= next_report:
            next_report += 5
            say("relay", f"{clock.acked}/{expected} acked")


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000
