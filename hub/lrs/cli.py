"""`throughgate hub lrs forward|export|status`: learning records as xAPI statements, to an LRS or a file."""

from __future__ import annotations

import sys
import time

from hub import db
from hub.lrs import client as lrs
from hub.lrs import settings as lrs_settings
from hub.lrs.export import export, parse_since
from hub.lrs.forward import Progress, cursor, forward, learning_records
from hub.lrs.job import backoff
from hub.lrs.models import LrsProblem
from hub.tables import table

ATTEMPTS = 5
PROBLEMS_SHOWN = 20


def register(commands, command) -> None:
    """Add `lrs` to the hub's commands; `command` is hub.cli's sub-command maker."""
    parser = commands.add_parser("lrs", help="learning records as xAPI statements: to an LRS, or a file")
    subs = parser.add_subparsers(dest="lrs_command", required=True, metavar="COMMAND")
    cmd = command(subs, "forward", cmd_forward, "send pending statements to the LRS now, with progress")
    cmd.add_argument("--attempts", type=int, default=ATTEMPTS,
                     help=f"tries while the LRS is unavailable, waiting 1 s, 2 s, 4 s ... (default: {ATTEMPTS})")
    cmd = command(subs, "export", cmd_export, "print statements as a JSON array (an LRS's POST body)")
    cmd.add_argument("--since", metavar="T", help="only statements from this date or timestamp on "
                     "(2026-11-01 or 2026-11-01T08:00:00Z)")
    cmd.add_argument("--learner", metavar="L", help="only this learner's statements")
    command(subs, "status", cmd_status, "show the forwarder's cursor, what is pending and what was left out")


def _app_of(args):
    from hub.cli import _app  # hub.cli imports this module to register it

    return _app(args)


def cmd_forward(args) -> int:
    app = _app_of(args)
    settings = lrs_settings.from_config(app.config, app.instance_path)
    if settings is None:
        print("error: LRS_URL is not set: set LRS_URL, LRS_USERNAME and LRS_PASSWORD_FILE (docs/hub.md)",
              file=sys.stderr)
        return 1
    client = lrs.LrsClient(settings)
    with db.connected():
        done = Progress(pending=learning_records(cursor().arrival).count())
        print(f"forwarding {done.pending} learning records to {settings.url} ({settings.batch_size} a batch)",
              flush=True)
        for attempt in range(1, max(1, args.attempts) + 1):
            try:
                forward(client, settings.batch_size, lambda p: print(p.line(), flush=True), done)
                break
            except lrs.Misconfigured as exc:
                print(f"error: {exc.reason}", file=sys.stderr)
                return 1
            except lrs.Unavailable as exc:
                if attempt >= args.attempts:
                    print(f"error: {exc.reason}: what the LRS confirmed is saved; run this again later",
                          file=sys.stderr)
                    return 1
                wait = backoff(attempt, 1, 60)
                print(f"LRS unavailable ({exc}); trying again in {wait:.0f} s", flush=True)
                time.sleep(wait)
    left = " (see `throughgate hub lrs status`)" if done.left_out else ""
    print(f"done: {done.forwarded} forwarded, {done.left_out} left out{left}")
    return 0


def cmd_export(args) -> int:
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"error: --since {exc}", file=sys.stderr)
        return 1
    _app_of(args)
    with db.connected():
        done = export(sys.stdout, since, args.learner)
    print(f"exported {done.statements} statements; {done.left_out} left out (not valid statements: "
          "see `throughgate hub lrs status`)", file=sys.stderr)
    return 0


def cmd_status(args) -> int:
    app = _app_of(args)
    with db.connected():
        state = cursor()
        pending = learning_records(state.arrival).count()
        problems = list(LrsProblem.select().order_by(LrsProblem.arrival.desc()).limit(PROBLEMS_SHOWN))
        total_problems = LrsProblem.select().count()
    print(f"LRS:       {app.config.get('LRS_URL') or '(LRS_URL unset: nothing is forwarded)'}")
    print(f"forwarded: {state.forwarded} statements (cursor {state.arrival}, at {state.updated_at})")
    print(f"pending:   {pending}")
    print(f"left out:  {total_problems}")
    if problems:
        print(table(["RECORD", "KIND", "CURSOR", "REASON"], [[p.record_id, p.kind, p.arrival, p.reason]
                                                            for p in problems]))
    return 0
