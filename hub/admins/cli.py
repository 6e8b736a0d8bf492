"""`throughgate hub admins add|list|disable|reset` and `hub workers …` (console accounts, hub/staff/cli.py),
`throughgate hub admins token create|list|revoke`, `hub approvals list|approve|refuse` and
`hub audit export|verify`, and the audit entry every admin command writes (`audited`).

These run on the hub's own machine as its operator, `cli:<user>` (the login name, or SUDO_USER under
sudo): the host holds the keys and the database, so the CLI acts at once and may decide any request
(hub/admins/roles.py HOST); it is recorded in the audit trail with the source `cli`.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from hub import config, db
from hub.admins import legacy, roles
from hub.admins import tokens as admin_tokens
from hub.approvals import service as approvals
from hub.audit import trail
from hub.ingest.storage import utc_now
from hub.refusals import Refused
from hub.staff import accounts
from hub.staff import cli as staff_cli
from hub.tables import table
from hub.workers import cli as workers_cli
from wire.schema import SchemaError

TARGET_ARGS = ("edge_id", "course", "name", "token_id", "request_id", "file")
"""Positional arguments that name what a command acts on (its audit entry's target)."""
_BY_COMMAND = {cli: name for name, action in roles.ACTIONS.items() for cli in action.cli.split(", ") if cli}


def operator() -> trail.Actor:
    user = os.environ.get("SUDO_USER") or getpass.getuser()
    return trail.Actor(f"cli:{user}", roles.HOST, "cli")


def action_of(prog: str) -> str | None:
    """The roles.ACTIONS name of a command from its parser's prog (`throughgate hub tokens create`)."""
    words = prog.split()
    command = " ".join(words[words.index("hub") + 1:]) if "hub" in words else ""
    return _BY_COMMAND.get(command)


def audited(func, prog: str):
    """func(args) -> exit code, appending one audit entry (outcome ok or failed) when the command (its
    parser's prog) is an admin action."""
    action = action_of(prog)
    if action is None:
        return func
    command = prog[prog.index("hub"):]

    def run(args) -> int:
        code = 1
        _noted.clear()
        try:
            code = func(args)
            return code
        finally:
            _append(args, action, command, "ok" if code == 0 else "failed")

    return run


_noted: dict = {}


def note(**detail) -> None:
    """Add to the audit entry of the command now running (never a secret)."""
    _noted.update(detail)


def _append(args, action: str, command: str, outcome: str) -> None:
    if db.proxy.obj is None:
        return  # no instance: nothing was done
    target = "/".join(str(getattr(args, name)) for name in TARGET_ARGS if getattr(args, name, None) is not None)
    try:
        with db.connected():
            trail.append(operator(), action, target, outcome, {"command": command, **_noted})
    except SchemaError:
        return  # the command was refused for the same reason, said once by its error: nothing was done
    except Exception as exc:  # noqa: BLE001 (the command's own outcome stands; say why it was not recorded)
        print(f"warning: not recorded in the audit trail ({str(exc).strip()})", file=sys.stderr)


def register(commands, command, open_app) -> None:
    admins = commands.add_parser("admins", help="admins' console accounts, and admin API tokens: each for one admin "
                                 "and one role, expiring")
    admin_subs = admins.add_subparsers(dest="admins_command", required=True, metavar="COMMAND")
    staff_cli.register(admin_subs, command, lambda func: with_app(open_app, func), accounts.ADMIN)
    workers = commands.add_parser("workers", help="workers' accounts for the workers' console")
    worker_subs = workers.add_subparsers(dest="workers_command", required=True, metavar="COMMAND")
    staff_cli.register(worker_subs, command, lambda func: with_app(open_app, func), accounts.WORKER)
    workers_cli.register(worker_subs, command, lambda func: with_app(open_app, func))
    token_parser = admin_subs.add_parser("token", help="make, list and revoke admin API tokens")
    token_subs = token_parser.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    cmd = command(token_subs, "create", with_app(open_app, cmd_token_create),
                  "make an admin API token for one admin and role; it is printed once")
    cmd.add_argument("name", metavar="NAME", help="the admin (a person, or a named automation)")
    cmd.add_argument("--role", required=True, choices=roles.TOKEN_ROLES, help="what the token may do (docs/hub.md)")
    cmd.add_argument("--days", type=int, required=True, help=f"days it works, 1 to {admin_tokens.MAX_DAYS}")
    command(token_subs, "list", with_app(open_app, cmd_token_list), "list admin API tokens (never their secrets)")
    cmd = command(token_subs, "revoke", with_app(open_app, cmd_token_revoke), "stop an admin API token now")
    cmd.add_argument("token_id", metavar="TOKEN_ID")

    approvals_parser = commands.add_parser("approvals", help="requests waiting for a second admin")
    approval_subs = approvals_parser.add_subparsers(dest="approvals_command", required=True, metavar="COMMAND")
    cmd = command(approval_subs, "list", with_app(open_app, cmd_approvals_list), "list approval requests")
    cmd.add_argument("--all", action="store_true", help="also those decided or expired")
    for name, func, what in (("approve", cmd_approve, "approve a request: it takes effect now"),
                             ("refuse", cmd_refuse, "refuse a request: it never takes effect")):
        cmd = command(approval_subs, name, with_app(open_app, func), what)
        cmd.add_argument("request_id", type=int, metavar="ID")

    audit_parser = commands.add_parser("audit", help="the audit trail of admin actions")
    audit_subs = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    command(audit_subs, "export", with_app(open_app, cmd_audit_export), "print every audit entry as JSON lines")
    cmd = command(audit_subs, "verify", with_app(open_app, cmd_audit_verify),
                  "check the audit trail's hash chain; exit 1 naming the first broken entry")
    cmd.add_argument("--against", metavar="FILE", help="also check that every entry of this earlier export "
                     "(kept off the hub) is still there, unchanged")


def with_app(open_app, func):
    """A command's function run with the instance's app and a connection to its database at this schema version."""
    def run(args) -> int:
        app = open_app(args)
        with db.connected():
            return func(args, app)

    return run


def cmd_token_create(args, app) -> int:
    token, info = admin_tokens.create(args.name, args.role, args.days, operator().name)
    note(token_id=info.token_id, role=info.role, expires=info.expires_at)
    print(f"Admin token {info.token_id} for {info.name}, role {info.role}, until {info.expires_at}.")
    print("It is shown only now and the hub keeps only its SHA-256: give it to its admin, who sends it as")
    print("'Authorization: Bearer <token>'.")
    print(f"  {token}")
    return 0


def cmd_token_list(args, app) -> int:
    now = utc_now()
    found = admin_tokens.list_tokens()
    if found:
        print(table(["TOKEN ID", "ADMIN", "ROLE", "CREATED", "BY", "EXPIRES", "STATE"],
                    [[t.token_id, t.name, t.role, t.created_at, t.created_by, t.expires_at, t.state(now)]
                     for t in found]))
    else:
        print(f"No admin tokens yet: `throughgate hub admins token create NAME --role ROLE --days N "
              f"--instance {args.instance}`")
    if app.config.get("ADMIN_TOKEN_SHA256"):
        expires = legacy.expires_at(app.config["ADMIN_TOKEN_DAYS"]) or "(now)"
        state = "stopped working" if expires <= now else "stops working"
        print(f"hub.toml admin token (ADMIN_TOKEN_SHA256): role {app.config['ADMIN_TOKEN_ROLE']}, {state} at "
              f"{expires}; remove it from {os.path.join(app.instance_path, config.CONFIG_FILE)} once every admin "
              "has a token of their own")
    return 0


def cmd_token_revoke(args, app) -> int:
    info = admin_tokens.revoke(args.token_id, utc_now())
    note(admin=info.name, role=info.role)
    print(f"Admin token {info.token_id} ({info.name}, {info.role}) revoked at {info.revoked_at}: it is refused "
          "from now on.")
    return 0


def cmd_approvals_list(args, app) -> int:
    found = approvals.list_requests(utc_now(), pending_only=not args.all)
    if not found:
        print("No requests wait for approval." if not args.all else "No approval requests yet.")
        return 0
    print(table(["ID", "ACTION", "TARGET", "ASKED BY", "ASKED", "EXPIRES", "STATUS", "DECIDED BY"],
                [[r.id, r.action, r.target or "-", r.requested_by, r.requested_at, r.expires_at, r.status,
                  r.decided_by or ""] for r in found]))
    return 0


def cmd_approve(args, app) -> int:
    done = approvals.approve(args.request_id, operator().name, roles.HOST, utc_now(), app.config["SEALING_KEY_FILE"])
    note(decided="approved", action=done.action, on=done.target, requested_by=done.requested_by)
    print(f"Approved request {done.id}: {_what(done)} (asked by {done.requested_by}) takes effect now.")
    return 0


def cmd_refuse(args, app) -> int:
    done = approvals.refuse(args.request_id, operator().name, roles.HOST, utc_now())
    note(decided="refused", action=done.action, on=done.target, requested_by=done.requested_by)
    print(f"Refused request {done.id}: {_what(done)} (asked by {done.requested_by}) will not happen.")
    return 0


def _what(request: approvals.Request) -> str:
    return f"{request.action} {request.target}" if request.target else request.action


def cmd_audit_export(args, app) -> int:
    for entry in trail.entries():
        sys.stdout.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return 0


def cmd_audit_verify(args, app) -> int:
    verdict = trail.verify()
    if not verdict.intact:
        print(f"error: audit entry {verdict.broken_at} is broken: {verdict.problem}. The {verdict.count} entries "
              "before it hold; compare with an earlier `throughgate hub audit export` to see what changed.",
              file=sys.stderr)
        return 1
    if args.against:
        problem = _differs_from(Path(args.against))
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
    print(f"{verdict.count} entries, chain intact; last entry's sha256 {verdict.head}"
          + (f"; every entry of {args.against} is there unchanged" if args.against else ""))
    return 0


def _differs_from(path: Path) -> str:
    """Why the trail no longer holds an earlier export's entries ('' if it does)."""
    try:
        kept = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise Refused(400, "bad_export", f"cannot read {path} as an audit export (JSON lines): {exc}") from None
    now = {entry["seq"]: entry["sha256"] for entry in trail.entries()}
    for entry in kept:
        if entry.get("seq") not in now:
            return (f"audit entry {entry.get('seq')} of {path} is missing: the trail was cut short or entries were "
                    "removed")
        if now[entry["seq"]] != entry.get("sha256"):
            return (f"audit entry {entry['seq']} differs from {path}: it, or one before it, was rewritten (the "
                    "chain was recomputed)")
    return ""
