"""The admin console's accounts pages: admins (their console accounts and admin API tokens) and workers
(their accounts for the workers' console).

The same services as `throughgate hub admins …` and `hub workers …` (hub/staff/accounts.py,
hub/admins/tokens.py). A setup code or a token is shown once, on the page that answers the form, and
never stored or audited in the clear. An admin cannot disable or reset their own account here: another
security admin does it, so one stolen login cannot lock everyone else out or take over its own reset.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from hub.admins import roles
from hub.admins import tokens as admin_tokens
from hub.console import access, pages
from hub.ingest.storage import utc_now
from hub.refusals import Refused
from hub.staff import accounts
from hub.staff.cli import setup_lines

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

KINDS = {
    # console: (page endpoint, what it is called, list action, manage action)
    accounts.ADMIN: ("console.accounts.admins", "admin", "admins.list", "admins.manage"),
    accounts.WORKER: ("console.accounts.workers", "worker", "workers.list", "workers.manage"),
}
DONE = {
    # ?done= after a change: what the page says
    "disabled": "{name} can no longer log in; their logins have ended. Reset gives them a new setup code.",
    "revoked": "Admin API token {name} is revoked: it no longer works.",
}


def _form_error(exc: Exception) -> str:
    text = exc.reason if isinstance(exc, Refused) else str(exc)
    return f"{text[0].upper()}{text[1:]}." if text else "Check the form and send it again."


def _page(console: str, status: int = 200, error: str | None = None, token_error: str | None = None,
          form: dict | None = None, token_form: dict | None = None):
    endpoint, kind, _list, manage = KINDS[console]
    found = accounts.listing(console)
    context = {
        "console": console, "kind": kind, "endpoint": endpoint, "can_manage": access.may(manage),
        "accounts_found": found, "roles": accounts.ROLES[console], "error": error,
        "form": form or {}, "done": "", "me": g.staff.name, "title": "Admins" if console == accounts.ADMIN else
        "Workers",
    }
    done, named = request.args.get("done", ""), request.args.get("name", "")
    if done == "disabled" and any(a.name == named and a.state == "disabled" for a in found):
        context["done"] = DONE[done].format(name=named)  # said only when it is so: a link alone cannot make it
    if console == accounts.ADMIN:
        now = utc_now()
        context.update(tokens=[(t, t.state(now)) for t in admin_tokens.list_tokens()], token_roles=roles.TOKEN_ROLES,
                       token_error=token_error, token_form=token_form or {}, max_days=admin_tokens.MAX_DAYS)
        if done == "revoked" and any(t.token_id == named and t.revoked_at for t, _state in context["tokens"]):
            context["done"] = DONE[done].format(name=named)
    return render_template("console/accounts.html", **context), status


def _existing(console: str, name: str) -> accounts.Account:
    account = accounts.find(name)
    if account is None or account.console != console:
        other = "Workers" if console == accounts.ADMIN else "Admins"
        raise Refused(404, "unknown_account", f"there is no {KINDS[console][1]} account named {name[:64]!r} (a "
                      f"{'worker' if console == accounts.ADMIN else 'admin'}'s is on the {other} page)")
    return account


def _not_yourself(account: accounts.Account, what: str):
    """A page saying why an admin cannot do this to their own account, or None."""
    if account.name != g.staff.name:
        return None
    access.record(KINDS[account.console][3], account.name, "refused: own account", did=what)
    return pages.error_page(403, f"You cannot {what} your own account from the console. Nothing was changed.",
                            f"You cannot {what} your own account",
                            "Ask another security admin to do it, or the hub's operator (`throughgate hub admins "
                            f"{what} {account.name}` on the hub).")


def _shown_once(account: accounts.Account, code: str, what: str):
    lines = setup_lines(account, code, request.host_url, _hours())
    return render_template("console/accounts_code.html", account=account, code=code, lines=lines, what=what,
                           back=KINDS[account.console][0], title=f"Setup code for {account.name}")


def _hours() -> float:
    return current_app.config["SETUP_CODE_HOURS"]


def _add(console: str):
    form = {name: request.form.get(name, "")[:200] for name in ("name", "display_name", "role", "team")}
    try:
        account, code = accounts.add(form["name"], console, form["role"], form["display_name"], g.staff.name, _hours(),
                                     form["team"] if console == accounts.WORKER else None)
    except accounts.AccountError as exc:
        return _page(console, 400, error=_form_error(exc), form=form)
    access.record(KINDS[console][3], account.name, did="add", console=console, role=account.role,
                  **({"team": account.team} if account.team else {}))
    return _shown_once(account, code, "added")


def _disable(console: str, name: str):
    account = _existing(console, name)
    refused = _not_yourself(account, "disable")
    if refused is not None:
        return refused
    accounts.disable(account.name)
    access.record(KINDS[console][3], account.name, did="disable", console=console)
    return redirect(url_for(KINDS[console][0], done="disabled", name=account.name))


def _reset(console: str, name: str):
    account = _existing(console, name)
    refused = _not_yourself(account, "reset")
    if refused is not None:
        return refused
    account, code = accounts.reset(account.name, _hours())
    access.record(KINDS[console][3], account.name, did="reset", console=console)
    return _shown_once(account, code, "reset")


# admins ----------------------------------------------------------------------------------------------

@bp.get("/admins")
@access.require("admins.list")
def admins():
    return _page(accounts.ADMIN)


@bp.post("/admins/add")
@access.require("admins.manage")
def admins_add():
    return _add(accounts.ADMIN)


@bp.post("/admins/<name>/disable")
@access.require("admins.manage")
def admins_disable(name):
    return _disable(accounts.ADMIN, name)


@bp.post("/admins/<name>/reset")
@access.require("admins.manage")
def admins_reset(name):
    return _reset(accounts.ADMIN, name)


@bp.post("/tokens")
@access.require("admins.manage")
def token_create():
    form = {name: request.form.get(name, "")[:200].strip() for name in ("name", "role", "days")}
    try:
        if not (form["days"].isascii() and form["days"].isdigit() and len(form["days"]) <= 4):
            raise Refused(400, "bad_request", f"days must be a whole number from 1 to {admin_tokens.MAX_DAYS}")
        token, info = admin_tokens.create(form["name"], form["role"], int(form["days"]), g.staff.name)
    except Refused as exc:
        return _page(accounts.ADMIN, 400, token_error=_form_error(exc), token_form=form)
    access.record("admins.manage", info.name, did="token create", token_id=info.token_id, role=info.role,
                  expires=info.expires_at)
    return render_template("console/accounts_token.html", token=token, info=info, title="Admin API token made")


@bp.post("/tokens/<token_id>/revoke")
@access.require("admins.manage")
def token_revoke(token_id):
    info = admin_tokens.revoke(token_id[:40], utc_now())
    access.record("admins.manage", info.name, did="token revoke", token_id=info.token_id)
    return redirect(url_for("console.accounts.admins", done="revoked", name=info.token_id, _anchor="tokens"))


# workers ---------------------------------------------------------------------------------------------

@bp.get("/workers")
@access.require("workers.list")
def workers():
    return _page(accounts.WORKER)


@bp.post("/workers/add")
@access.require("workers.manage")
def workers_add():
    return _add(accounts.WORKER)


@bp.post("/workers/<name>/disable")
@access.require("workers.manage")
def workers_disable(name):
    return _disable(accounts.WORKER, name)


@bp.post("/workers/<name>/reset")
@access.require("workers.manage")
def workers_reset(name):
    return _reset(accounts.WORKER, name)
