"""`make bench`: how fast Throughgate moves records on this machine, in one run.

    .venv/bin/python bench/run.py [--quick] [--keep]

Six phases, each in its own module, each bounded in count and time:

    1 broker_only  Mosquitto alone, as the edge configures it: the baseline for 2
    2 relay        the same records through the real edge, committed and acked end to end
    3 storm        1,000 tablets with full outboxes connect at once
    4 uplink       sealed batches over HTTP: bytes on the wire, hub ingest on SQLite and PostgreSQL
    5 content      course files to 200 tablets: the edge's tablet API against nginx (bench/content.py)
    6 phones       phones after release: a no-change sync's bytes and requests, syncs/s (bench/phones.py)
    7 app          the person's app: first load's gzipped JS+CSS, screens usable with the CPU 4x slower (bench/app.py)

Progress goes to stderr; stdout gets a table and, as its last line, one JSON object.
Simulated tablets keep their outboxes on tmpfs (/dev/shm) when there is one: each real tablet
syncs to its own flash, while here they would all wait on one disk, shared with the edge.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/run.py` from anywhere

from bench import app, broker_only, content, phones, relay, report, storm, uplink  # noqa: E402
from bench.payloads import DEVICE, record_bodies, sample_items  # noqa: E402
from bench.progress import say  # noqa: E402

POSTGRES_URL = os.environ.get("THROUGHGATE_BENCH_POSTGRES", "postgresql://127.0.0.1:5432/test")
TMPFS = Path("/dev/shm")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Throughgate benchmark (see docs/bench.md)")
    parser.add_argument("--records", type=int, default=20_000, help="records for phases 1 and 2")
    parser.add_argument("--storm-tablets", type=int, default=1000)
    parser.add_argument("--storm-records", type=int, default=200, help="records queued in each tablet")
    parser.add_argument("--storm-workers", type=int, default=8, help="processes sharing the tablets")
    parser.add_argument("--storm-timeout", type=float, default=300.0, help="seconds")
    parser.add_argument("--uplink-records", type=int, default=20_000)
    parser.add_argument("--postgres", default=POSTGRES_URL,
                        help="server for a throw-away database ($THROUGHGATE_BENCH_POSTGRES); '' to skip")
    parser.add_argument("--content-seconds", type=float, default=10.0, help="phase 5: seconds per load")
    parser.add_argument("--phones", type=int, default=2000, help="phase 6: phones, each with a history")
    parser.add_argument("--phone-seconds", type=float, default=10.0, help="phase 6: seconds of no-change syncs")
    parser.add_argument("--only", action="append",
                        choices=["broker", "relay", "storm", "uplink", "content", "phones", "app"],
                        help="run just this phase (repeatable); the JSON line then has nulls for the rest")
    parser.add_argument("--quick", action="store_true", help="a small run to check the bench itself")
    parser.add_argument("--keep", action="store_true", help="keep the working folders (logs, databases)")
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.storm_tablets, args.storm_records = 2000, 100, 20
        args.storm_timeout, args.uplink_records = 60.0, 2000
        args.content_seconds = 2.0
        args.phones, args.phone_seconds = 200, 3.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="throughgate-bench-"))
    tablets = Path(tempfile.mkdtemp(prefix="throughgate-bench-", dir=TMPFS if TMPFS.is_dir() else workdir))
    say("bench", f"working in {workdir}, tablet outboxes in {tablets}")
    items = sample_items(DEVICE, args.records)
    phases = {
        "broker": lambda: broker_only.run(workdir / "broker-only", DEVICE, record_bodies(items)),
        "relay": lambda: relay.run(workdir / "relay", tablets / "relay", DEVICE, items),
        "storm": lambda: storm.run(workdir / "storm", tablets / "storm", args.storm_tablets, args.storm_records,
                                   args.storm_workers, args.storm_timeout),
        "uplink": lambda: uplink.run(workdir / "uplink", args.uplink_records, postgres_url=args.postgres or None),
        "content": lambda: content.run(workdir / "content", args.content_seconds),
        "phones": lambda: phones.run(workdir / "phones", args.phones, seconds=args.phone_seconds),
        "app": lambda: app.run(workdir / "app"),
    }
    results: dict[str, dict | None] = {}
    try:
        for name, phase in phases.items():
            if args.only and name not in args.only:
                continue
            try:
                results[name] = phase()
            except Exception:
                traceback.print_exc()
                say(name, "failed; the other phases go on")
                results[name] = None
    finally:
        if args.keep:
            say("bench", f"kept {workdir} and {tablets}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(tablets, ignore_errors=True)
    figures = report.summary(results, time.monotonic() - started)
    figures.update(content.figures(results.get("content")))
    figures.update(phones.figures(results.get("phones")))
    figures.update(app.figures(results.get("app")))
    print(report.table(results, figures))
    if "content" in results:
        print(content.table(results["content"]))
    if "phones" in results:
        print(phones.table(results["phones"]))
    if "app" in results:
        print(app.table(results["app"]))
    print(report.json_line(figures), flush=True)
    return 1 if figures["failed_phases"] else 0


if __name__ == "__main__":
    sys.exit(main())
