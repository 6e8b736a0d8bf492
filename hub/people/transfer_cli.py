"""`throughgate hub people transfer PERSON --to EDGE_ID --learner LEARNER`: the person moved to another prison; what
they did at earlier prisons goes to that prison's edge (hub/people/transfers.py)."""

from __future__ import annotations

from hub.admins.cli import note, operator
from hub.people import transfers


def register(subs, command, wrap) -> None:
    cmd = command(subs, "transfer", wrap(cmd_transfer),
                  "the person moved to another prison: link them there and send that edge their record")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--to", dest="edge", required=True, metavar="EDGE_ID", help="the new prison's edge")
    cmd.add_argument("--learner", required=True, metavar="LEARNER", help="their learner id at the new prison")
    cmd.add_argument("--send-courses", action="store_true",
                     help="also send that edge the courses they were taking that it does not have (for everyone there)")


def cmd_transfer(args, app) -> int:
    found, new = transfers.transfer(args.person_id, args.edge, args.learner, operator().name)
    earlier = ", ".join(f"{link.learner}@{link.edge_id}" for link in
                        transfers.earlier_links(found.person_id, found.edge_id, found.learner))
    if not new:
        state = (f"{found.edge_id} imported {found.records} records at {found.delivered_at}" if found.delivered_at
                 else f"{found.edge_id} has not fetched it yet")
        print(f"{found.person_id} was already transferred to {found.edge_id} as {found.learner} "
              f"(transfer {found.transfer_id}, {state}): nothing added.")
    else:
        note(person=found.person_id, edge=found.edge_id)
        print(f"{found.person_id} is {found.learner} at {found.edge_id} now (transfer {found.transfer_id}).")
        print(f"Their progress, submissions, feedback and badges from {earlier} go to {found.edge_id} when it next "
              "asks the hub (within a minute while it is online).")
    _courses(args, found)
    return 0


def _courses(args, found) -> None:
    taking = transfers.courses_of(found)
    missing = transfers.courses_missing(found, taking)
    if not taking:
        return
    if missing and args.send_courses:
        transfers.send_courses(found, missing)
        note(person=found.person_id, edge=found.edge_id, courses=missing)
        print(f"Courses sent to {found.edge_id} for everyone there: {', '.join(missing)}.")
    elif missing:
        print(f"Courses they were taking that {found.edge_id} does not have: {', '.join(missing)}. Add "
              f"--send-courses to send them, or `throughgate hub courses target COURSE --edge {found.edge_id} "
              "[--group G]`.")
    else:
        print(f"Courses they were taking, all at {found.edge_id} already: {', '.join(taking)}.")
