"""`throughgate edge courses sync|list`: fetch courses from the hub now, and see each course's state."""

from __future__ import annotations

import json
import sys

from edge import config as edge_config
from edge import store
from edge.courses import catalogue
from edge.courses.sync import SyncBusy, sync_edge
from wire.keys import HubPublicKeys
from wire.text import for_terminal
from wire.transfer import ProgressBar, human_bytes


def _open(args) -> edge_config.EdgeConfig:
    cfg = edge_config.load(args.instance)
    store.open_store(str(cfg.db_path), migrate=False)  # only edge run migrates
    return cfg


def sync(args) -> int:
    cfg = _open(args)
    if not cfg.hub_keys_path.exists():
        print(f"edge {cfg.edge_id} is not enrolled with a hub: run `throughgate edge enrol` first", file=sys.stderr)
        return 2
    key = HubPublicKeys.from_document(cfg.hub_keys_path.read_text()).receipt
    bar = ProgressBar()
    try:
        report = sync_edge(cfg, key, bar)
    except SyncBusy as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        bar.close()
    for course, version in report.published:
        print(f"published {course} version {version}")
    for course, version in report.reclaimed:
        print(f"reclaimed {course} version {version} (no learner part-way)")
    if report.listed or report.files_fetched:
        print(f"courses listed by the hub: {report.listed}; fetched {report.files_fetched} file(s), "
              f"{human_bytes(report.bytes_fetched)}; freed {human_bytes(report.bytes_freed)}")
    for course, reason in report.errors.items():
        print(f"error: {course}: {for_terminal(reason)}", file=sys.stderr)
    return 0 if report.ok else 1


def listing(args) -> int:
    _open(args)
    rows = catalogue.states()
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print("no courses yet: `throughgate edge courses sync` fetches the ones the hub targets at this edge")
        return 0
    print(f"{'course':24} {'status':10} {'current':>7} {'kept':8} {'bytes':>21} {'files':>11}  last sync")
    for row in rows:
        kept = ",".join(str(v) for v in row["retained"]) or "-"
        done = f"{human_bytes(row['bytes_done'])}/{human_bytes(row['bytes_total'])}"
        files = f"{row['files_done']}/{row['files_total']}"
        print(f"{row['course']:24} {row['status']:10} {row['current'] or '-':>7} {kept:8} {done:>21} {files:>11}  "
              f"{row['last_sync'] or '-'}")
        if row["last_error"]:
            print(f"  ! {for_terminal(row['last_error'])}")
    return 0


def register(sub) -> None:
    """Add `courses` to `throughgate edge`'s subcommands."""
    courses = sub.add_parser("courses", help="the course cache: sync from the hub, list state")
    csub = courses.add_subparsers(dest="courses_command", required=True, metavar="ACTION")
    p = csub.add_parser("sync", help="fetch new course versions from the hub now, with a progress bar")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=sync)
    p = csub.add_parser("list", help="each course: state, current and kept versions, progress, last error")
    p.add_argument("--instance", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=listing)
