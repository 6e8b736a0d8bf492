"""`throughgate hub checkins schedule|show|retention`: check-ins from the hub's own machine (docs/checkins.md).
Workers set schedules and read check-ins in the workers' console too (hub/checkins/web.py). `show` reads a
person's check-ins, and the read is recorded as a worker's would be (person_read)."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.admins.cli import note, operator, with_app
from hub.checkins import evidence, retention, schedules, service
from hub.people import service as people
from hub.sync import uploads
from hub.tables import table
from hub.workers import caseload
from wire.records import timestamp


def register(commands, command, open_app) -> None:
    part = commands.add_parser("checkins", help="check-ins: a person's schedule, their check-ins, photo retention")
    subs = part.add_subparsers(dest="checkins_command", required=True, metavar="COMMAND")
    cmd = command(subs, "schedule", with_app(open_app, cmd_schedule), "set a released person's check-in schedule "
                  "(it replaces the one before): a window every N days at an expected place")
    cmd.add_argument("person", metavar="PERSON")
    cmd.add_argument("--every-days", required=True, metavar="N", help=f"{schedules.MIN_DAYS} (weekly) to "
                     f"{schedules.MAX_DAYS} (every 8 weeks)")
    cmd.add_argument("--start", required=True, metavar="WHEN", help="when the first window opens: a date "
                     "(09:00 UTC that day) or an RFC 3339 time")
    cmd.add_argument("--window-hours", required=True, metavar="H", help="how long each window stays open")
    cmd.add_argument("--lat", required=True, metavar="LAT", help="the expected place's latitude")
    cmd.add_argument("--lon", required=True, metavar="LON", help="the expected place's longitude")
    cmd.add_argument("--radius", required=True, metavar="METRES", help="the radius around it, in metres")
    cmd = command(subs, "show", with_app(open_app, cmd_show), "a person's schedule, windows and check-ins (the "
                  "read is recorded)")
    cmd.add_argument("person", metavar="PERSON")
    command(subs, "retention", with_app(open_app, cmd_retention), "delete check-in photos past their keeping time "
            "now (`hub run` does it daily), and print the policy")


def cmd_schedule(args, app) -> int:
    row = schedules.set_schedule(args.person, operator().name, args.every_days, args.start, args.window_hours,
                                 args.lat, args.lon, args.radius)
    note(person=row.person_id, schedule=row.schedule_id, every_days=row.every_days)
    slot = schedules.next_slot(row, datetime.now(UTC))
    print(f"Check-ins for {row.person_id}: every {row.every_days} days, a {row.window_hours}-hour window, within "
          f"{row.radius_m} m of {row.lat:.5f}, {row.lon:.5f}. Next window opens {timestamp(slot.opens_at)}. The "
          "phone learns it at its next sync.")
    return 0


def cmd_show(args, app) -> int:
    person = people.find(args.person)
    now = datetime.now(UTC)
    caseload.record_reads(operator().name, [person.person_id], "check-ins")
    note(person=person.person_id)
    row = schedules.current(person.person_id)
    if row is None:
        print(f"{person.person_id} has no check-in schedule.")
    else:
        print(f"{person.person_id}: every {row.every_days} days from {row.starts_at}, {row.window_hours}-hour window, "
              f"within {row.radius_m} m of {row.lat:.5f}, {row.lon:.5f} (set by {row.set_by}).")
    shown = service.of_person(person.person_id)
    states = schedules.slot_states(schedules.history(person.person_id), [s.row for s in shown], now)
    if states:
        counts = schedules.summary(states)
        print(f"{counts.windows} window(s): {counts.in_window} with a check-in in the window, {counts.late} late, "
              f"{counts.missed} with no check-in; longest run with no check-in: {counts.longest_gap}.")
        print(table(["WINDOW OPENS", "CLOSES", "WHAT CAME"],
                    [[timestamp(s.slot.opens_at), timestamp(s.slot.closes_at), s.state] for s in states[:20]]))
    if not shown:
        print("No check-ins yet.")
        return 0
    print(table(["CHECK-IN", "PHONE'S TIME", "RECEIVED", "DRIFT", "DISTANCE", "OUTCOME", "FLAGS OR WHY"],
                [[s.row.checkin_id[:8], s.row.device_time or "-", s.row.received_at, s.drift or "-",
                  "-" if s.distance_m is None else f"{s.distance_m:.0f} m", s.row.outcome,
                  ", ".join(evidence.WORDS.get(r["code"], r["code"]) for r in s.reasons) or "-"] for s in shown]))
    return 0


def cmd_retention(args, app) -> int:
    store = uploads.Store(app.config["ATTACHMENTS_DIR"], app.config["ATTACHMENTS_KEY_FILE"])
    done = retention.purge(datetime.now(UTC), store)
    note(photos=done.photos, nonces=done.nonces)
    print(table(["CHECK-IN", "KEPT"], [list(rule) for rule in retention.RULES]))
    print(f"Deleted {done.photos} photo(s) and {done.nonces} nonce(s) past their keeping time.")
    return 0
