"""`throughgate tablet ...`: the reference client from a shell (outbox, send, status, simulate)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tablet.client import TabletClient
from tablet.outbox import Outbox
from wire.records import KINDS, RecordError


def submit(args) -> int:
    try:
        payload = json.loads(args.payload)
        record = Outbox(args.outbox).add(args.kind, args.learner, payload)
    except (ValueError, RecordError) as exc:
        print(f"not recorded: {exc}", file=sys.stderr)
        return 2
    print(record.id)
    return 0


def send(args) -> int:
    outbox = Outbox(args.outbox)
    password = Path(args.password_file).read_text().strip()
    client = TabletClient(args.device, password, args.host, args.port, outbox).start()
    started = time.monotonic()
    try:
        while not client.wait_flushed(1.0):
            if client.refused:
                print(f"the edge refused {args.device}: {client.refused}; check the device password",
                      file=sys.stderr)
                return 1
            if time.monotonic() - started > args.timeout:
                print(f"timed out; {outbox.counts()['pending']} records still waiting for the edge "
                      "(they stay in the outbox: run send again)", file=sys.stderr)
                return 1
            print(f"waiting: {outbox.counts()['pending']} pending", file=sys.stderr)
    finally:
        client.stop()
    counts = outbox.counts()
    print(f"acked={counts['acked']} pending={counts['pending']} rejected={counts['rejected']}")
    return 0 if counts["rejected"] == 0 else 1


def status(args) -> int:
    outbox = Outbox(args.outbox)
    counts = outbox.counts()
    print(f"acked={counts['acked']} pending={counts['pending']} rejected={counts['rejected']}")
    for record_id, seq, reason in outbox.rejections():
        print(f"  rejected seq={seq} id={record_id}: {reason}")
    return 0


def register(parts) -> None:
    tablet = parts.add_parser("tablet", help="the reference tablet client")
    sub = tablet.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("submit", help="record something in the local outbox (works offline)")
    p.add_argument("--outbox", required=True, help="the outbox file (SQLite), created if missing")
    p.add_argument("--kind", required=True, choices=sorted(KINDS))
    p.add_argument("--learner", required=True)
    p.add_argument("--payload", required=True, help="a JSON object")
    p.set_defaults(func=submit)

    p = sub.add_parser("send", help="send everything pending to the edge and wait for its acks")
    p.add_argument("--outbox", required=True)
    p.add_argument("--device", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=1883)
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(func=send)

    p = sub.add_parser("status", help="what is acked, pending, or refused (with the reason)")
    p.add_argument("--outbox", required=True)
    p.set_defaults(func=status)
