"""`throughgate hub workers caseload add|remove|list`: which people a worker works with (they see
them, and only them, in the workers' console; a team manager sees their team's)."""

from __future__ import annotations

from hub.people import service as people
from hub.tables import table
from hub.workers import caseload


def register(worker_subs, command, with_app) -> None:
    parser = worker_subs.add_parser("caseload", help="the people each worker works with (and sees in the console)")
    subs = parser.add_subparsers(dest="caseload_command", required=True, metavar="COMMAND")
    cmd = command(subs, "add", with_app(cmd_add), "put a person in a worker's caseload")
    cmd.add_argument("name", metavar="WORKER")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd = command(subs, "remove", with_app(cmd_remove), "take a person out of a worker's caseload")
    cmd.add_argument("name", metavar="WORKER")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd = command(subs, "list", with_app(cmd_list), "the people in a worker's caseload")
    cmd.add_argument("name", metavar="WORKER")


def _note(**detail) -> None:
    from hub.admins.cli import note

    note(**detail)


def cmd_add(args, app) -> int:
    from hub.admins.cli import operator

    entry, new = caseload.add(args.name, args.person_id, operator().name)
    _note(person=entry.person_id)
    print(f"{entry.person_id} is in {entry.worker}'s caseload" + ("." if new else f" (since {entry.added_at})."))
    return 0


def cmd_remove(args, app) -> int:
    person = people.find(args.person_id)
    if not caseload.remove(args.name, person.person_id):
        print(f"{person.person_id} was not in {args.name}'s caseload: nothing changed.")
        return 0
    _note(person=person.person_id)
    print(f"{person.person_id} is no longer in {args.name}'s caseload.")
    return 0


def cmd_list(args, app) -> int:
    found = caseload.of_worker(args.name)
    if not found:
        print(f"No one in {args.name}'s caseload yet: `throughgate hub workers caseload add {args.name} PERSON` "
              "adds someone.")
        return 0
    rows = []
    for entry in found:
        person = people.find(entry.person_id)
        rows.append([person.person_id, person.status, person.release_date, entry.added_at, entry.added_by])
    print(table(["PERSON", "STATUS", "RELEASE DATE", "ADDED", "BY"], rows))
    return 0
