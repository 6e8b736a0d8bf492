"""`throughgate hub teams add|list|show|set|duty`: the teams people can write to, each team's promised
reply time, and who is on duty (members also set their own duty in the workers' console)."""

from __future__ import annotations

import argparse

from hub.admins.cli import note, operator, with_app
from hub.tables import table
from hub.teams import rules, service


def _promise(text: str) -> int:
    try:
        return rules.promise_minutes(text)
    except rules.RuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(commands, command, open_app) -> None:
    part = commands.add_parser("teams", help="teams people can write to: the promised reply time, who is on duty")
    subs = part.add_subparsers(dest="teams_command", required=True, metavar="COMMAND")
    cmd = command(subs, "add", with_app(open_app, cmd_add), "let people write to a team (its workers are those "
                  "whose account has this team)")
    cmd.add_argument("name", metavar="NAME", help="the team, as in its workers' accounts, like 'Cardiff probation'")
    cmd.add_argument("--reply-within", type=_promise, default=rules.DEFAULT_REPLY_WITHIN_MIN, metavar="TIME",
                     help="the team's promise: each message answered within this time, or flagged to its managers; "
                          "like 4h, 90m or 1d (default 1d)")
    command(subs, "list", with_app(open_app, cmd_list), "list teams: reply time, members, who is on duty, waiting")
    cmd = command(subs, "show", with_app(open_app, cmd_show), "one team: its members and their duty, and the "
                  "messages waiting for an answer")
    cmd.add_argument("name", metavar="NAME")
    cmd = command(subs, "set", with_app(open_app, cmd_set), "change a team's promised reply time")
    cmd.add_argument("name", metavar="NAME")
    cmd.add_argument("--reply-within", type=_promise, required=True, metavar="TIME", help="like 4h, 90m or 1d")
    cmd = command(subs, "duty", with_app(open_app, cmd_duty), "put a worker on duty for their team, or off")
    cmd.add_argument("worker", metavar="WORKER")
    on_off = cmd.add_mutually_exclusive_group(required=True)
    on_off.add_argument("--on", action="store_true", help="on duty: the team's messages come to them")
    on_off.add_argument("--off", action="store_true", help="off duty")


def _duty_line(team: str) -> str:
    names = [row.name for row in service.on_duty(team)]
    if names:
        return f"On duty: {', '.join(names)}."
    managers = [row.name for row in service.managers(team)]
    return ("Nobody is on duty: messages go to the team's manager" + (f" ({', '.join(managers)})." if managers else
            "s, and it has none: give it one (`throughgate hub workers add NAME --role team_manager --team ...`)."))


def cmd_add(args, app) -> int:
    team = service.add(args.name, args.reply_within, operator().name)
    note(reply_within_min=team.reply_within_min)
    members = service.members(team.name)
    print(f"Team {team.name}: each message from a person is answered within "
          f"{rules.duration_text(team.reply_within_min)}, or flagged to the team's managers.")
    print(f"Members: {', '.join(m.name for m in members) or 'none yet (workers whose account has this team)'}.")
    print(_duty_line(team.name))
    return 0


def cmd_list(args, app) -> int:
    teams = service.listing()
    if not teams:
        print("No teams yet: `throughgate hub teams add NAME --reply-within 4h` makes one.")
        return 0
    rows = []
    for team in teams:
        waiting = service.waiting(team)
        rows.append([team.name, rules.duration_text(team.reply_within_min), len(service.members(team.name)),
                     ", ".join(m.name for m in service.on_duty(team.name)) or "nobody",
                     len(waiting), sum(1 for w in waiting if w.flagged)])
    print(table(["TEAM", "REPLY WITHIN", "MEMBERS", "ON DUTY", "WAITING", "TOO LONG"], rows))
    return 0


def cmd_show(args, app) -> int:
    team = service.find(args.name)
    print(f"Team {team.name}: replies within {rules.duration_text(team.reply_within_min)} (since {team.updated_at}).")
    on_duty = {row.name for row in service.on_duty(team.name)}
    members = service.members(team.name)
    if members:
        print(table(["WORKER", "ROLE", "ON DUTY"], [[m.name, m.role.replace("_", " "), "yes" if m.name in on_duty
                                                     else "no"] for m in members]))
    print(_duty_line(team.name))
    waiting = service.waiting(team)
    if not waiting:
        print("No message is waiting for an answer.")
        return 0
    print(table(["PERSON", "MESSAGES", "WAITING SINCE", "WAITED", "FLAGGED"],
                [[w.person_id, len(w.messages), w.received_at, rules.duration_text(w.waited_min),
                  "yes: past the promise" if w.flagged else "no"] for w in waiting]))
    return 0


def cmd_set(args, app) -> int:
    team = service.set_promise(args.name, args.reply_within)
    note(reply_within_min=team.reply_within_min)
    print(f"Team {team.name} now replies within {rules.duration_text(team.reply_within_min)}; messages waiting "
          "longer are flagged to its managers.")
    return 0


def cmd_duty(args, app) -> int:
    worker = service.set_duty(args.worker, args.on, operator().name)
    note(worker=worker.name, on_duty=bool(args.on))
    print(f"{worker.name} is {'on' if args.on else 'off'} duty for {worker.team}. {_duty_line(worker.team)}")
    return 0
