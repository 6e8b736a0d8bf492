"""`throughgate hub appointments add|move|cancel|propose|accept|decline|list|history|calendar`: a person's
appointments on the hub's own machine (the workers' console does the same for workers). Each change is
kept with who made it (`cli:<user>` here), when and why; `calendar` prints the person's secret feed
address once (`--new` makes a new one, and the old one stops working)."""

from __future__ import annotations

import json

from hub.admins.cli import note, operator, with_app
from hub.appointments import calendar, jitsi, service
from hub.appointments.models import KINDS
from hub.tables import table


def register(commands, command, open_app) -> None:
    part = commands.add_parser("appointments", help="a person's appointments, their history, the calendar feed")
    subs = part.add_subparsers(dest="appointments_command", required=True, metavar="COMMAND")
    cmd = command(subs, "add", with_app(open_app, cmd_add), "make an appointment; the person's phone has it at its "
                  "next sync")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--worker", required=True, metavar="WORKER", help="the worker the person meets")
    _when(cmd)
    cmd.add_argument("--minutes", type=int, default=30, help="how long (default 30)")
    cmd.add_argument("--kind", choices=KINDS, default="in_person")
    cmd.add_argument("--place", required=True, metavar="TEXT", help="where, or how to join")
    cmd = command(subs, "move", with_app(open_app, cmd_move), "move an appointment to another time, saying why")
    _target(cmd)
    _when(cmd)
    cmd.add_argument("--request", type=int, metavar="N", help="the person's reschedule request this accepts")
    cmd = command(subs, "cancel", with_app(open_app, cmd_cancel), "cancel an appointment, saying why")
    _target(cmd)
    cmd = command(subs, "propose", with_app(open_app, cmd_propose), "offer the person another time (it moves only "
                  "when you move it)")
    _target(cmd)
    _when(cmd)
    cmd.add_argument("--request", type=int, metavar="N", help="the person's reschedule request this answers")
    cmd = command(subs, "decline", with_app(open_app, cmd_decline), "say no to the person's reschedule request, "
                  "saying why")
    _target(cmd)
    cmd.add_argument("--request", type=int, required=True, metavar="N")
    cmd = command(subs, "list", with_app(open_app, cmd_list), "a person's appointments, with requests waiting")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd = command(subs, "history", with_app(open_app, cmd_history), "every change to an appointment: who, when, why")
    cmd.add_argument("appointment_id", metavar="ID")
    cmd = command(subs, "calendar", with_app(open_app, cmd_calendar), "make the person's secret calendar feed address "
                  "and print it once")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--new", action="store_true", help="replace their address: the old one stops working")


def _when(cmd) -> None:
    cmd.add_argument("--at", required=True, metavar="TIME", help="when it starts, with its zone: 2027-01-11T10:00Z")


def _target(cmd) -> None:
    cmd.add_argument("appointment_id", metavar="ID")
    cmd.add_argument("--reason", required=True, metavar="TEXT", help="why: kept in the history, shown to the person")


def _by() -> str:
    return operator().name


def _said(row) -> None:
    note(person=row.person_id, appointment=row.appointment_id)


def cmd_add(args, app) -> int:
    video = jitsi.from_config(app.config)
    row = service.create(args.person_id, args.worker, args.kind, args.at, args.minutes, args.place, _by(), video)
    _said(row)
    print(f"Appointment {row.appointment_id} for {row.person_id} with {row.worker}: {row.starts_at} to "
          f"{row.ends_at}, {row.kind.replace('_', ' ')}, {row.place}.")
    if row.kind == "video":
        print(f"Video link: {row.video_url}" if row.video_url else "No video link: this hub has no video service "
              "(JITSI_URL, JITSI_APP_ID, JITSI_SECRET_FILE in hub.toml); tell the person how to join.")
    print("Their phone has it at its next sync.")
    return 0


def cmd_move(args, app) -> int:
    video = jitsi.from_config(app.config) if service.find(args.appointment_id).kind == "video" else None
    row = service.move(args.appointment_id, args.at, args.reason, _by(), video=video, accepted=args.request)
    _said(row)
    print(f"Appointment {row.appointment_id} moved to {row.starts_at} to {row.ends_at}"
          + (f", accepting request {args.request}" if args.request else "") + ". Their phone has it at its next sync.")
    return 0


def cmd_cancel(args, app) -> int:
    row = service.cancel(args.appointment_id, args.reason, _by())
    _said(row)
    print(f"Appointment {row.appointment_id} is cancelled. Their phone has it at its next sync.")
    return 0


def cmd_propose(args, app) -> int:
    change = service.propose(args.appointment_id, args.at, args.reason, _by(), args.request)
    row = service.find(args.appointment_id)
    _said(row)
    print(f"Proposed {json.loads(change.detail)['starts_at']} for appointment {row.appointment_id}; it stays at "
          f"{row.starts_at} until you move it. Their phone has the proposal at its next sync.")
    return 0


def cmd_decline(args, app) -> int:
    service.decline(args.appointment_id, args.request, args.reason, _by())
    row = service.find(args.appointment_id)
    _said(row)
    print(f"Request {args.request} declined; appointment {row.appointment_id} stays at {row.starts_at}.")
    return 0


def cmd_list(args, app) -> int:
    found = service.listing(args.person_id)
    if not found:
        print("No appointments yet: `throughgate hub appointments add` makes one.")
        return 0
    print(table(["ID", "STARTS", "ENDS", "KIND", "WORKER", "STATUS", "REQUESTS WAITING", "PLACE"],
                [[row.appointment_id, row.starts_at, row.ends_at, row.kind, row.worker, row.status,
                  ", ".join(str(r.id) for r in service.pending_requests(row.appointment_id)) or None, row.place[:40]]
                 for row in found]))
    return 0


def _detail(what: str, detail: dict) -> str:
    parts = []
    if "from" in detail:
        parts.append(f"from {detail['from']['starts_at']}")
    if "starts_at" in detail and what != "created":
        parts.append(f"to {detail['starts_at']}")
    elif what == "created":
        parts.append(f"at {detail['starts_at']}")
    if "wanted" in detail:
        parts.append(f"wants: {detail['wanted']}")
    if "minutes" in detail:
        parts.append(f"{detail['minutes']} minutes late")
    if "request" in detail:
        parts.append(f"request {detail['request']}")
    return "; ".join(parts) or None


def cmd_history(args, app) -> int:
    row = service.find(args.appointment_id)
    _said(row)
    print(table(["N", "AT", "BY", "WHAT", "REASON", "DETAIL"],
                [[c.id, c.at, c.by, c.what, c.reason, _detail(c.what, json.loads(c.detail))]
                 for c in service.history(row.appointment_id)]))
    return 0


def cmd_calendar(args, app) -> int:
    from hub.enrolment.tokens import edge_hub_url

    token = calendar.new_token(args.person_id, _by(), replace=args.new)
    note(person=args.person_id.strip().upper())
    base = edge_hub_url(app.config, app.instance_path) or "https://hub.invalid"
    print(f"Calendar feed for {args.person_id.strip().upper()}" + (" (the old address no longer works)" if args.new
                                                                    else "") + ":")
    print(f"  {base}{calendar.path(token)}")
    print("It is shown only now: give it to the person for their calendar app. Anyone with it sees their "
          "appointments' times and places; `--new` replaces it.")
    return 0
