"""The admin console's enrolment tokens page: make a one-time token for an edge (shown once, with the
`throughgate edge enrol` command that `throughgate hub tokens create` prints, and its QR code), list
tokens (never their secrets) and cancel an unused one.

With ADMIN_APPROVALS on, a token made here enrols nothing until a second admin approves its request
on the Approvals page, as with POST /v1/admin/enrolment-tokens (202).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from hub import ca
from hub.approvals import service as approvals
from hub.console import access
from hub.enrolment import tokens
from hub.ingest.storage import utc_now
from hub.refusals import Refused
from provisioning.qr import qr_svg

bp = Blueprint("enrolment", __name__)

EDGE_ID_RULE = ("1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit; it "
                "becomes the edge's DNS name")
MAX_HOURS = tokens.MAX_TTL_S // 3600
WAITING = "waiting for approval"


def _default_hours() -> int:
    return max(1, min(MAX_HOURS, current_app.config["TOKEN_TTL_S"] // 3600))


def _rows(now: str) -> list[dict]:
    """Newest first: each token's id, edge, times and state (never its secret)."""
    rows = []
    for info in reversed(tokens.list_tokens()):
        state = info.state(now)
        waiting = approvals.blocking("enrolment_tokens.create", info.token_id, now) if state == tokens.UNUSED else None
        look = state
        if waiting is not None and waiting.status == approvals.PENDING:
            shown, look = f"{WAITING} (request {waiting.id})", "waiting"
        elif waiting is not None:
            shown, look = f"not usable: request {waiting.id} {waiting.status}", "expired"
        else:
            shown = state
        rows.append({"info": info, "state": state, "look": look, "shown": shown, "cancellable": state == tokens.UNUSED})
    return rows


def _cancelled(token_id: str) -> str:
    """The token the page says was cancelled, only when it was (the address alone cannot make it claim so)."""
    found = next((info for info in tokens.list_tokens() if info.token_id == token_id), None)
    return token_id if found is not None and found.state(utc_now()) == tokens.CANCELLED else ""


def _list_page(status: int = 200, errors: list[str] | None = None, form: dict | None = None):
    now = utc_now()
    page = render_template("console/enrolment.html", rows=_rows(now), errors=errors or [],
                           form=form or {"edge_id": "", "hours": str(_default_hours())}, rule=EDGE_ID_RULE,
                           max_hours=MAX_HOURS, approvals_on=current_app.config["ADMIN_APPROVALS"],
                           cancelled=_cancelled(request.args.get("cancelled", "")))
    return page, status


@bp.get("/enrolment-tokens", endpoint="tokens")
@access.require("enrolment_tokens.list")
def list_page():
    return _list_page()


def _hours(text: str) -> tuple[int | None, str | None]:
    if not text.strip():
        return None, f"Enter how many hours the token stays usable: a whole number from 1 to {MAX_HOURS}."
    try:
        hours = int(text.strip())
    except ValueError:
        return None, f"'{text.strip()[:20]}' is not a whole number of hours: enter one from 1 to {MAX_HOURS}."
    if not 1 <= hours <= MAX_HOURS:
        return None, f"Enter a number of hours from 1 to {MAX_HOURS} (30 days)."
    return hours, None


@bp.post("/enrolment-tokens")
@access.require("enrolment_tokens.create")
def create():
    edge_id = request.form.get("edge_id", "").strip()
    form = {"edge_id": edge_id, "hours": request.form.get("hours", "")}
    errors = []
    if not edge_id:
        errors.append(f"Enter the edge id the token is for: {EDGE_ID_RULE}.")
    hours, problem = _hours(form["hours"])
    if problem:
        errors.append(problem)
    if errors:
        return _list_page(400, errors, form)
    try:
        current_app.extensions["hub_terms"].edge_name(edge_id)  # a name it can have
        token, info = tokens.create(edge_id, hours * 3600)
    except Refused as exc:
        access.record("enrolment_tokens.create", edge_id, f"refused: {exc.code}")
        reason = exc.body().get("reason", "")
        return _list_page(exc.status if exc.status < 500 else 400, [f"{reason[:1].upper()}{reason[1:]}."], form)
    now = utc_now()
    asked = (approvals.ask("enrolment_tokens.create", info.token_id, {"edge_id": info.edge_id,
                                                                       "expires": info.expires},
                           g.staff.name, current_app.config["APPROVAL_TTL_S"], now)
             if current_app.config["ADMIN_APPROVALS"] else None)
    access.record("enrolment_tokens.create", info.token_id, "pending approval" if asked else "ok",
                  edge_id=info.edge_id, expires=info.expires, **({"approval": asked.id} if asked else {}))
    hub_url = tokens.edge_hub_url(current_app.config, current_app.instance_path)
    command = tokens.enrol_command(token, ca.root_pin(current_app.extensions["hub_ca"]), hub_url)
    qr = qr_svg(command).replace("<svg ", '<svg role="img" aria-label="QR code of the enrolment command above" ', 1)
    return render_template("console/enrolment_token.html", info=info, token=str(token), command=command, qr=qr,
                           asked=asked, hub_url=hub_url, edge_instance=tokens.EDGE_INSTANCE)


@bp.post("/enrolment-tokens/<token_id>/cancel")
@access.require("enrolment_tokens.cancel")
def cancel(token_id: str):
    try:
        info = tokens.cancel(token_id, utc_now())
    except Refused as exc:
        access.record("enrolment_tokens.cancel", token_id[:64], f"refused: {exc.code}")
        raise
    access.record("enrolment_tokens.cancel", info.token_id, "ok", edge_id=info.edge_id)
    return redirect(url_for("console.enrolment.tokens", cancelled=info.token_id), 303)
