"""`throughgate hub edges health` (every edge, worst first) and `hub edges show EDGE` (one edge's last report,
its alarms with what to do, and its backlog over time). Every text an edge sent is printed through
wire.text.for_terminal (hub/tables.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hub import db
from hub.fleet import rating, service
from hub.tables import table
from wire.text import for_terminal

HISTORY_SHOWN = 12


def register(edge_commands, command, open_app) -> None:
    """Add `health` and `show` to `hub edges`: `command` is hub.cli's sub-command maker, `open_app(args)`
    the app for an instance (its settings: EDGE_SILENT_AFTER_S)."""
    cmd = command(edge_commands, "health", lambda args: cmd_health(args, open_app),
                  "every edge rated red, amber or green from its last status report, worst first")
    cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cmd = command(edge_commands, "show", lambda args: cmd_show(args, open_app),
                  "one edge's last status report, its alarms with what to do, and its backlog over time")
    cmd.add_argument("edge_id", metavar="EDGE_ID")
    cmd.add_argument("--history", type=int, default=HISTORY_SHOWN, metavar="N",
                     help=f"how many recent reports to list (default: {HISTORY_SHOWN})")
    cmd.add_argument("--json", action="store_true", help="print JSON (the full report) instead of text")


def cmd_health(args, open_app) -> int:
    app = open_app(args)
    now = datetime.now(UTC)
    with db.connected():
        found = service.overview(now, app.config["EDGE_SILENT_AFTER_S"])
    if args.json:
        print(json.dumps([h.to_dict(now) | {"report": None, "history": []} for h in found], indent=2))
        return 0
    if not found:
        print("No edges yet: enrol one with a token from `throughgate hub tokens create EDGE_ID`")
        return 0
    rows = []
    for h in found:
        last = h.last
        rows.append([h.edge_id, h.rating.colour.upper(), f"{rating.age(last.received_at, now)} ago" if last else None,
                     last.backlog_records if last else None, len(last.report["alarms"]) if last else None,
                     "; ".join(h.rating.reasons) or None])
    print(table(["EDGE", "RATING", "LAST REPORT", "BACKLOG", "ALARMS", "WHY"], rows))
    return 0


def cmd_show(args, open_app) -> int:
    app = open_app(args)
    now = datetime.now(UTC)
    with db.connected():
        found = service.detail(args.edge_id, now, app.config["EDGE_SILENT_AFTER_S"], max(0, args.history))
    if args.json:
        print(json.dumps(found.to_dict(now), indent=2, ensure_ascii=False))
        return 0
    print("\n".join(show_lines(found, now)))
    return 0


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size < 2**30 else f"{size / 2**30:.1f} GiB"


def _summary(report: dict, stored, now: datetime) -> list[str]:
    software, outbox, disk = report["software"], report["outbox"], report["disk"]
    certs, tablets = report["certificates"], report["tablets"]
    skew = report["clock_skew_s"]
    share = f" ({disk['free_bytes'] / disk['total_bytes']:.0%})" if disk["total_bytes"] else ""
    return [
        f"last report:    {stored.received_at} ({rating.age(stored.received_at, now)} ago; the edge's clock said "
        f"{report['sent_at']})",
        f"software:       {software['version']}, up {rating.age(software['started_at'], now)} "
        f"(since {software['started_at']})",
        f"outbox:         {outbox['records']} records, {outbox['bytes']} bytes, {outbox['batches']} sealed batches; "
        f"oldest waiting since {outbox['oldest'] or '-'}",
        f"last delivery:  {report['last_delivery'] or 'none yet'}",
        f"clock skew:     {'unknown' if skew is None else f'{skew:+.1f} s (hub minus edge)'}",
        f"disk:           {_mib(disk['free_bytes'])} free of {_mib(disk['total_bytes'])}{share}",
        *(f"{'certificates:' if i == 0 else '':16}{rating.CERTIFICATE_NAMES[k].removeprefix('the ')} until "
          f"{certs[k] or '-'}" for i, k in enumerate(rating.CERTIFICATE_NAMES)),
        f"tablets:        {tablets['enrolled']} enrolled, {tablets['active_24h']} active in the last 24 h, "
        f"{tablets['revoked']} revoked",
    ]


def _alarms(report: dict) -> list[str]:
    lines = [f"alarms ({len(report['alarms']) or 'none'}):"]
    for alarm in report["alarms"]:
        lines.append(f"  ! {alarm['code']} since {alarm['since']}: {alarm['message']}")
        lines.append(f"    what to do: {alarm['what_to_do']}")
    return lines


def show_lines(found: service.EdgeHealth, now: datetime) -> list[str]:
    """The text of `hub edges show`: what an edge sent is escaped line by line (the tables escape each cell)."""
    lines = [f"edge {found.edge_id}: {found.rating.colour.upper()}", *[f"  - {r}" for r in found.rating.reasons]]
    last = found.last
    if last is None:
        lines.append("no status report yet (an edge sends one at start and every uplink.report_interval_s)")
        return [for_terminal(line) for line in lines]
    report = last.report
    lines = [for_terminal(line) for line in [*lines, "", *_summary(report, last, now), "", *_alarms(report), ""]]
    lines.append("courses:")
    lines.append(table(["COURSE", "STATUS", "VERSION", "OFFERED", "LAST SYNC", "LAST ERROR"],
                       [[c["course"], c["status"], c["version"], c["current"], c["last_sync"], c["last_error"]]
                        for c in report["courses"]]) if report["courses"] else "  none")
    shown = len(found.history)
    lines += ["", f"backlog over time (last {shown} report{'' if shown == 1 else 's'}, oldest first):",
              table(["RECEIVED", "RECORDS", "BYTES"],
                    [[h.received_at, h.backlog_records, h.backlog_bytes] for h in found.history])]
    return lines
