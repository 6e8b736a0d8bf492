"""`throughgate hub workers caseload add|remove|list`: which people a worker works with (they see
them, and only them, in the workers' console; a team manager sees their team's)."""

from __future__ import annotations

from hub.people import service as people
from hub.refusals import Refused
from hub.tables import table
from hub.workers import caseload, names


def register(worker_subs, command, with_app) -> None:
    parser = worker_subs.add_parser("caseload", help="the people each worker works with (and sees in the console)")
    subs = parser.add_subparsers(dest="caseload_command", required=True, metavar="COMMAND")
    cmd = command(subs, "add", with_app(cmd_add), "put a person in a worker's caseload")
    cmd.add_argument("name", metavar="WORKER")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--name", dest="name_of_person", metavar="NAME",
                     help="the person's name, kept (sealed) while a caseload holds them")
    cmd.add_argument("--prison-number", default="", help="their prison number, like A1234BC")
    cmd.add_argument("--case-reference", default="", help="their probation case reference (CRN), like X123456")
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

    kept = names.normal(args.name_of_person, args.prison_number, args.case_reference) if args.name_of_person else None
    if kept is None and (args.prison_number or args.case_reference):
        raise Refused(400, "bad_request", "a prison number or case reference is kept with the person's name: add "
                      "--name too")
    entry, new = caseload.add(args.name, args.person_id, operator().name)
    if kept is not None:
        with app.app_context():  # the names are sealed with this instance's console key
            names.set_names(entry.person_id, kept, operator().name)
    _note(person=entry.person_id, **({"names": "set"} if kept else {}))
    print(f"{entry.person_id} is in {entry.worker}'s caseload" + ("." if new else f" (since {entry.added_at}).")
          + (" Their name is kept for the workers who see them." if kept else ""))
    return 0


def cmd_remove(args, app) -> int:
    person = people.find(args.person_id)
    removed, forgotten = caseload.remove(args.name, person.person_id)
    if not removed:
        print(f"{person.person_id} was not in {args.name}'s caseload: nothing changed.")
        return 0
    _note(person=person.person_id)
    print(f"{person.person_id} is no longer in {args.name}'s caseload."
          + (" No caseload holds them now, so the hub no longer keeps their name." if forgotten else ""))
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
