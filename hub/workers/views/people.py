"""My people (the worker's caseload; a team manager's team's), a person's page, release and new
activation codes (shown once, with the printable letter), and switching a phone off. Every page that
shows a person's data records the read (hub/workers/caseload.py)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for

from hub import ca
from hub.console import access as console_access
from hub.enrolment.tokens import edge_hub_url
from hub.people import service
from hub.people.cli import CODE_DAYS
from hub.people.models import IN_CUSTODY, ActivationCode
from hub.phones import service as phones
from hub.phones.models import Phone
from hub.refusals import Refused
from hub.release import letter
from hub.sync.models import Message
from hub.workers import access, caseload, names
from provisioning.tokens import ActivationOffer, TokenError, digest, normalise_code
from wire.records import timestamp

bp = Blueprint("people", __name__)

LETTER_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
              "frame-ancestors 'none'; base-uri 'none'")


@bp.get("/people")
@access.require("work.people.read")
def index():
    found = caseload.people_of(g.staff)
    unread = {}
    if found:
        for row in Message.select(Message.person).where(
                Message.person.in_([p.person_id for p in found]) & Message.from_person
                & (Message.worker == g.staff.name) & Message.read_at.is_null()):
            unread[row.person_id] = unread.get(row.person_id, 0) + 1
    caseload.record_reads(g.staff.name, [p.person_id for p in found], "list")
    team = g.staff.role == caseload.TEAM_MANAGER and g.staff.team
    workers = {p.person_id: caseload.workers_of(g.staff, p.person_id) for p in found} if team else {}
    return render_template("work/people.html", people=found, unread=unread, team=team, workers=workers,
                           names=names.names_of([p.person_id for p in found]))


def _latest_code(person_id: str) -> ActivationCode | None:
    return (ActivationCode.select().where(ActivationCode.person == person_id)
            .order_by(ActivationCode.issued_at.desc()).first())


def _code_state(row: ActivationCode | None) -> str:
    if row is None:
        return "none issued yet"
    if row.used_at:
        return f"used at {row.used_at} to set up a phone"
    if row.withdrawn_at:
        return "withdrawn"
    if row.expires_at <= timestamp():
        return f"expired at {row.expires_at}"
    return f"issued {row.issued_at} by {row.issued_by}, works until {row.expires_at} (not used yet)"


@bp.get("/people/<person_id>")
@access.require("work.people.read")
def person(person_id: str):
    found = access.person(person_id, "person")
    return render_template("work/person.html", person=found, names=names.names_of([found.person_id]).get(
                               found.person_id), learners=service.learners(found.person_id),
                           phones=phones.phones_of(found.person_id), code_state=_code_state(
                               _latest_code(found.person_id)), workers=caseload.workers_of(g.staff, found.person_id),
                           released=found.status != IN_CUSTODY, days=CODE_DAYS,
                           revoked=request.args.get("revoked", ""), named=request.args.get("named") == "1")


@bp.post("/people/<person_id>/names")
@access.require("work.people.names")
def set_names(person_id: str):
    found = access.person(person_id, "names")
    kept = names.normal(request.form.get("name", ""), request.form.get("prison_number", ""),
                        request.form.get("case_reference", ""))
    names.set_names(found.person_id, kept, g.staff.name)
    console_access.record("work.people.names", found.person_id)
    return redirect(url_for("work.people.person", person_id=found.person_id, named="1"), 303)


def _days() -> int:
    raw = request.form.get("days", "").strip() or str(CODE_DAYS)
    if not raw.isdigit() or not 1 <= int(raw) <= 28:
        raise Refused(400, "bad_request", "an activation code lasts 1 to 28 days: type a whole number of days")
    return int(raw)


def _offer(code: str) -> ActivationOffer:
    hub_url = edge_hub_url(current_app.config, current_app.instance_path) or "https://hub.invalid"
    return ActivationOffer(hub_url, code, ca.root_pin(current_app.extensions["hub_ca"]))


def _code_page(found, code: str, row: ActivationCode, released_now: bool):
    return render_template("work/activation.html", person=found, code=code, expires_at=row.expires_at,
                           released_now=released_now, offer=_offer(code).to_link())


@bp.post("/people/<person_id>/release")
@access.require("work.people.release")
def release(person_id: str):
    found = access.person(person_id, "activation")
    days = _days()
    was_in_custody = found.status == IN_CUSTODY
    found, code, row = service.release(found.person_id, g.staff.name, days)
    console_access.record("work.people.release", found.person_id, days=days)
    return _code_page(found, code, row, was_in_custody)


@bp.post("/people/<person_id>/code")
@access.require("work.people.release")
def new_code(person_id: str):
    found = access.person(person_id, "activation")
    if found.status == IN_CUSTODY:
        raise Refused(409, "not_released", "this person is not released yet: release them first, which gives their "
                      "first code")
    code, row = service.issue_code(found.person_id, g.staff.name, _days())
    console_access.record("work.people.code", found.person_id)
    return _code_page(found, code, row, False)


@bp.post("/people/<person_id>/letter")
@access.require("work.people.release")
def release_letter(person_id: str):
    """The printable letter for the code just shown (the hub keeps only its SHA-256, so the page that
    showed it sends it back): only the person's current, unused code."""
    found = access.person(person_id, "letter")
    try:
        code = normalise_code(request.form.get("code", ""))
    except TokenError:
        raise Refused(400, "bad_request", "the letter is made from the code page: release the person or give a new "
                      "code, then choose the letter there") from None
    row = ActivationCode.get_or_none((ActivationCode.code_sha256 == digest(code))
                                     & (ActivationCode.person == found.person_id))
    if row is None or row.used_at or row.withdrawn_at or row.expires_at <= timestamp():
        raise Refused(410, "code_not_usable", "this code is used, withdrawn or expired, so its letter would not work: "
                      "give a new code, and print its letter")
    kept = names.names_of([found.person_id]).get(found.person_id)
    made = letter.Letter(name=kept.name if kept else "", offer=_offer(code), expires_at=row.expires_at,
                         issued_at=row.issued_at, prison="", contacts=())
    if request.form.get("format") == "pdf":
        response = Response(letter.pdf(made), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="release-letter-{found.person_id}.pdf"'
        response.headers["Cache-Control"] = "no-store"
        return response
    g.page_csp = LETTER_CSP
    return Response(letter.html(made), mimetype="text/html")


@bp.post("/people/<person_id>/phones/<key_id>/revoke")
@access.require("work.phones.revoke")
def revoke_phone(person_id: str, key_id: str):
    found = access.person(person_id, "phones")
    phone = Phone.get_or_none((Phone.key_id == key_id[:64]) & (Phone.person == found.person_id))
    if phone is None:
        raise Refused(404, "unknown_phone", "this person has no such phone: choose one from their page")
    phones.revoke(phone.key_id, g.staff.name)
    console_access.record("work.phones.revoke", found.person_id, phone=phone.key_id)
    return redirect(url_for("work.people.person", person_id=found.person_id, revoked=phone.key_id), 303)
