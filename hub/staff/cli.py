"""`throughgate hub admins add|list|disable|reset` and `throughgate hub workers add|list|disable|reset`:
console accounts, made on the hub's own machine. `add` and `reset` print a one-time setup code and
the page where it is used; the person chooses their password and adds an authenticator there."""

from __future__ import annotations

from hub import address, config
from hub.staff import accounts
from hub.tables import table


def register(subs, command, with_app, console: str) -> None:
    what = "admin console" if console == accounts.ADMIN else "workers' console"
    cmd = command(subs, "add", with_app(lambda args, app: cmd_add(args, app, console)),
                  f"give someone an account on the {what}; prints their one-time setup code")
    cmd.add_argument("name", metavar="NAME", help="their user name, like alice or j.smith (lower case)")
    cmd.add_argument("--role", required=True, choices=accounts.ROLES[console], help="what they may do (docs/hub.md)")
    cmd.add_argument("--display-name", default="", help="their name as others see it, like 'Alice Jones'")
    if console == accounts.WORKER:
        cmd.add_argument("--team", default="", help="their team, like 'Cardiff probation office'")
    command(subs, "list", with_app(lambda args, app: cmd_list(args, app, console)), f"list the {what}'s accounts")
    cmd = command(subs, "disable", with_app(cmd_disable), "stop an account from logging in; its logins end now")
    cmd.add_argument("name", metavar="NAME")
    cmd = command(subs, "reset", with_app(lambda args, app: cmd_reset(args, app, console)),
                  "a new setup code (forgotten password, lost phone): clears the password and authenticator")
    cmd.add_argument("name", metavar="NAME")


def setup_lines(account: accounts.Account, code: str, base: str, hours: float) -> list[str]:
    """What to tell the person a setup code is for (the CLI prints it; the console's accounts pages show it)."""
    return [f"Setup code for {account.name} ({account.console}, {account.role}): {code}",
            f"It works once, for {hours:g} hours. Give it to {account.display_name} in person or by phone, not "
            "by email.",
            f"They open {base.rstrip('/')}/admin/setup, type their user name and this code, choose a password, and "
            "add the hub to an authenticator app on their phone.",
            *([f"Then they log in to the workers' console at {base.rstrip('/')}/work/login."]
              if account.console == accounts.WORKER else [])]


def _setup_lines(app, account: accounts.Account, code: str) -> None:
    base = address.edge_url(app.config.get("PUBLIC_URL"), address.running(app.instance_path),
                            config.tls_names(app.config)) or "https://<this hub's address>"
    for line in setup_lines(account, code, base, app.config["SETUP_CODE_HOURS"]):
        print(line)


def cmd_add(args, app, console: str) -> int:
    from hub.admins.cli import note, operator

    try:
        account, code = accounts.add(args.name, console, args.role, args.display_name, operator().name,
                                     app.config["SETUP_CODE_HOURS"], getattr(args, "team", None))
    except accounts.AccountError as exc:
        print(f"error: {exc}")
        return 1
    note(account=account.name, role=account.role)
    _setup_lines(app, account, code)
    return 0


def cmd_list(args, app, console: str) -> int:
    found = accounts.listing(console)
    if not found:
        print(f"No {console} accounts yet: `throughgate hub {console}s add NAME --role ROLE` makes one.")
        return 0
    print(table(["NAME", "ROLE", "NAME SHOWN", "TEAM", "STATE", "CREATED", "BY"],
                [[a.name, a.role, a.display_name, a.team, a.state, a.created_at, a.created_by] for a in found]))
    return 0


def cmd_disable(args, app) -> int:
    from hub.admins.cli import note

    try:
        account = accounts.disable(args.name)
    except accounts.AccountError as exc:
        print(f"error: {exc}")
        return 1
    note(account=account.name)
    print(f"{account.name} can no longer log in; their logins have ended. `reset` gives them a new setup code.")
    return 0


def cmd_reset(args, app, console: str) -> int:
    from hub.admins.cli import note

    try:
        account, code = accounts.reset(args.name, app.config["SETUP_CODE_HOURS"])
    except accounts.AccountError as exc:
        print(f"error: {exc}")
        return 1
    note(account=account.name)
    _setup_lines(app, account, code)
    return 0
