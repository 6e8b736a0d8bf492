"""`throughgate hub health import|show|reads|erase|rotate-key|retention`: health records from the hub's own
machine. The operator (`cli:<user>`) holds the database and the keys anyway, so these are for what the
consoles do not do (a first upload from a file, erasure on request, the hub key, retention); reading a
summary here is recorded like any other read (via `cli`), and the person sees it on their phone.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from hub.admins.cli import note, operator, with_app
from hub.admins.roles import HOST
from hub.medical import keys, retention, service
from hub.medical.models import APPOINTMENTS, SUMMARY
from hub.medical.purposes import PURPOSES
from hub.people import service as people
from hub.refusals import Refused
from hub.tables import table
from wire import ips, ips_text
from wire.text import for_terminal

MAX_FILE = 16 * 1024 * 1024
REFUSED = 2
"""The exit code of an upload the checks refused (each problem printed on its own line)."""


def register(commands, command, open_app) -> None:
    part = commands.add_parser("health", help="people's health summaries: import, read, erase; the hub's health key "
                               "and retention")
    subs = part.add_subparsers(dest="health_command", required=True, metavar="COMMAND")
    cmd = command(subs, "import", with_app(open_app, cmd_import), "upload a person's health summary (an IPS "
                  "bundle, FHIR R4 JSON) or their health appointments")
    cmd.add_argument("--person", required=True, metavar="PERSON", help="the person's id, like P-7K2M-Q9XD")
    cmd.add_argument("--appointments", action="store_true", help="FILE is a bundle of FHIR Appointments, not a summary")
    cmd.add_argument("file", metavar="FILE", help="the bundle, FHIR JSON")
    cmd = command(subs, "show", with_app(open_app, cmd_show), "read a person's health summary in plain words (the "
                  "read is recorded, and the person sees it)")
    cmd.add_argument("--person", required=True, metavar="PERSON")
    cmd.add_argument("--purpose", required=True, choices=list(PURPOSES), help="why you read it: "
                     + "; ".join(f"{key} ({words})" for key, words in PURPOSES.items()))
    cmd = command(subs, "reads", with_app(open_app, cmd_reads), "who read a person's health summary, and why")
    cmd.add_argument("--person", required=True, metavar="PERSON")
    cmd = command(subs, "erase", with_app(open_app, cmd_erase), "erase a person's health records and their key")
    cmd.add_argument("--person", required=True, metavar="PERSON")
    cmd = command(subs, "rotate-key", with_app(open_app, cmd_rotate_key), "make a new hub health key and rewrap "
                  "every person's key under it (records untouched)")
    cmd.add_argument("--retire-old", action="store_true", help="instead: drop the old hub keys once nothing uses "
                     "them (after every hub replica has the new key file)")
    cmd = command(subs, "retention", with_app(open_app, cmd_retention), "delete the health data past its keeping "
                  "time now (hub run does it daily)")
    cmd.add_argument("--dry-run", action="store_true", help="only count what is due")


def _read_file(name: str) -> bytes:
    path = Path(name)
    try:
        if path.stat().st_size > MAX_FILE:
            raise Refused(413, "too_large", f"{name} is over {MAX_FILE // (1024 * 1024)} MiB: a health "
                                  "summary is far smaller; check it is the right file")
        return path.read_bytes()
    except OSError as exc:
        raise Refused(400, "unreadable", f"cannot read {name} ({exc.strerror or exc}): check the path") from None


def problem_lines(problems) -> list[str]:
    """One line a problem: the resource, the path, the reason (aligned, so a long list reads as a table)."""
    width = max((len(p.resource) for p in problems), default=0)
    path_width = max((len(p.path) for p in problems), default=0)
    return [for_terminal(f"{p.resource:<{width}}  {p.path:<{path_width}}  {p.reason}") for p in problems]


def cmd_import(args, app) -> int:
    kind = APPOINTMENTS if args.appointments else SUMMARY
    note(person=args.person, kind=kind)
    with app.app_context():  # the person's key is wrapped with this instance's hub key
        try:
            bundle = service.parse(_read_file(args.file), kind)
            made = service.import_bundle(args.person, bundle, kind, operator().name, HOST, "cli")
        except service.HealthRefused as exc:
            note(problems=len(exc.problems))
            print(f"error: {for_terminal(args.file)} was refused, nothing was stored: correct each problem and "
                  "import it again", file=sys.stderr)
            for line in problem_lines(exc.problems):
                print(line, file=sys.stderr)
            return REFUSED
    note(record=made.record_id)
    what = "health summary" if kind == SUMMARY else "health appointments"
    person = args.person.strip().upper()
    if made.created:
        print(f"Stored the {what} of {person} as record {made.record_id} ({made.resources} resources), sealed "
              "with the person's own key.")
    else:
        print(f"Already stored: this is the {what} of {person} as record {made.record_id}; nothing changed.")
    return 0


def cmd_show(args, app) -> int:
    note(person=args.person, purpose=args.purpose)
    who = operator().name
    with app.app_context():
        opened = service.read(args.person, who, HOST, PURPOSES[args.purpose], "cli", "summary")
    person = args.person.strip().upper()
    if opened is None:
        print(f"{person} has no health summary at this hub.")
        return 0
    meta = opened.meta
    print(f"Health summary of {person}: record {meta.record_id}, uploaded {meta.uploaded_at} by {meta.uploaded_by} "
          f"({meta.uploaded_role}, via {meta.via}).")
    for line in map(for_terminal, ips_text.lines(ips.plain(opened.summary, opened.appointments))):
        print(line)
    print(f"This read is recorded ({who}, {PURPOSES[args.purpose]}): {person} sees it on their phone.")
    return 0


def cmd_reads(args, app) -> int:
    note(person=args.person)
    person = people.find(args.person)
    rows = service.reads(person.person_id, limit=service.MAX_READS)
    if not rows:
        print(f"Nobody has read the health summary of {person.person_id}.")
        return 0
    print(table(["WHEN", "WHO", "ROLE", "VIA", "WHAT", "WHY"],
                [[r.at, for_terminal(r.who), r.role, r.via, r.what, for_terminal(r.purpose)] for r in rows]))
    return 0


def cmd_erase(args, app) -> int:
    note(person=args.person)
    erased = service.erase(args.person, operator().name)
    note(records=erased)
    print(f"Erased the health records of {args.person.strip().upper()} ({erased} record(s)) and their key, and "
          "stopped their share links. Who read them stays recorded. Database backups taken before now still open "
          "them with this hub's health-keys.json: run `throughgate hub health rotate-key`, then (once every replica "
          "has the new file) `rotate-key --retire-old`, so that none does.")
    return 0


def _progress(done: int, total: int) -> None:
    print(f"rewrapped {done} of {total} person key(s)", file=sys.stderr)


def cmd_rotate_key(args, app) -> int:
    done = keys.rotate(app.instance_path, retire_old=args.retire_old, say=_progress)
    note(current=done.current, rewrapped=done.rewrapped, retired=list(done.retired))
    path = keys.key_path(app.instance_path)
    if args.retire_old:
        retired = ", ".join(str(kid) for kid in done.retired) or "none (nothing old was left)"
        print(f"Hub health key {done.current} is the only key now; retired: {retired}. Copy {path} to every hub "
              "replica.")
        return 0
    print(f"Hub health key {done.current} is current; {done.rewrapped} person key(s) rewrapped, no record touched. "
          f"Copy {path} to every hub replica, then run `throughgate hub health rotate-key --retire-old`.")
    return 0


def cmd_retention(args, app) -> int:
    due = retention.purge(datetime.now(UTC), dry_run=args.dry_run)
    note(dry_run=args.dry_run, records=due.records, shares=due.shares, reads=due.reads)
    verb = "Due for deletion" if args.dry_run else "Deleted"
    print(f"{verb}: {due.records} health record(s), {due.shares} share link(s), {due.reads} read record(s).")
    print(table(["KIND OF HEALTH DATA", "KEPT FOR"], [list(rule) for rule in retention.RULES]))
    return 0
