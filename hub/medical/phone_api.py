"""The person's own health summary, from their phone: /v1/phone/health/... (docs/phone-sync.md, "Health
summary"). Every request is signed by the phone's key like a sync (hub/phones/service.check), and
answers only about the person whose phone signed it.

- GET  /v1/phone/health             the summary to keep offline: {"carried", "record", "uploaded_at",
                                    "summary", "appointments", "plain"}; 204 when `?record=` is what the
                                    phone holds already (a sync's "health" change says when to ask)
- GET  /v1/phone/health/bundle      the IPS bundle (application/fhir+json); `?part=appointments` the
                                    health appointments' bundle
- GET  /v1/phone/health/printable   `?format=html|pdf`
- POST /v1/phone/health/choice      {"carried": bool}: whether the person carries a summary at all
- GET|POST /v1/phone/health/shares  their links for a GP or pharmacy; POST {"made_for", "days"} makes one
- POST /v1/phone/health/shares/<share_id>/revoke
- POST /v1/phone/health/workers     {"worker", "shared"}: let one of their own workers read it, or not
- GET  /v1/phone/health/reads       who read it: ?after=N, a page at a time

Contents come only through service.read, so each is a health read the person then sees in /reads.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request

from hub import errors, limits
from hub.medical import printable, purposes, service, share_web, shares
from hub.medical.models import HealthWorkerShare
from hub.phones import service as phones
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.workers.models import Caseload
from provisioning import qr, signatures
from wire import ips

bp = Blueprint("phone_health", __name__, url_prefix="/v1/phone/health")
PAGE = 200
NOT_CARRIED = "not-carried"
OWN = {"who": "person", "role": "person", "purpose": "the person's own copy", "via": "phone"}
PURPOSE_WORDS = {**purposes.PURPOSES, OWN["purpose"]: "your own copy"}
PRINTABLE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
VIA_WORDS = {"console": "the workers' console", "api": "the health system's link to the hub",
             "cli": "the hub's command line", "phone": "your phone", "share": "a link you shared"}
WHAT_WORDS = {"summary": "your health summary", "bundle": "your health summary as a FHIR file",
              "printable": "your printable health summary", "appointments": "your health appointments",
              "existence": "whether you have a health summary"}


def _caller(body: bytes = b"") -> phones.Caller:
    return phones.check(request.method, signatures.request_url(request.environ), request.headers, body)


def _signed_json() -> tuple[phones.Caller, dict]:
    caller = _caller(limits.read_body())
    return caller, errors.json_object()


def _version(person_id: str, carried: bool) -> str:
    """What the phone holds when it holds the newest: the summary's record id, then `.` and the health
    appointments' when there are any; NOT_CARRIED when the person said no; "" when nothing is held.
    Read from the records' ids alone: nothing is opened, nothing is a read."""
    if not carried:
        return NOT_CARRIED
    summary, appointments = service.summary_meta(person_id), service.appointments_meta(person_id)
    summary, appointments = (summary.record_id if summary else ""), (appointments.record_id if appointments else "")
    return summary + (f".{appointments}" if appointments else "")


def _not_carried() -> Refused:
    return Refused(409, "not_carried", "you chose not to carry a health summary, so the hub keeps none for you: "
                   "`throughgate phone health carry yes` (or the app's health page) changes that")


def _open(caller: phones.Caller, what: str) -> service.Opened:
    if not service.choice(caller.person_id):
        raise _not_carried()
    if service.summary_meta(caller.person_id) is None:  # checked first: a read of nothing is not recorded
        raise Refused(404, "no_summary", "there is no health summary for you yet: health care staff upload it before "
                      "your release, and your phone gets it with the next sync")
    opened = service.read(caller.person_id, what=what, **OWN)
    if opened is None or opened.summary is None:
        raise Refused(404, "no_summary", "there is no health summary for you yet: health care staff upload it before "
                      "your release, and your phone gets it with the next sync")
    return opened


@bp.get("")
def health():
    caller = _caller()
    carried = service.choice(caller.person_id)
    version = _version(caller.person_id, carried)
    if request.args.get("record") == version:
        return Response(status=204)
    answer = {"carried": carried, "record": version or None, "uploaded_at": None, "summary": None,
              "appointments": None, "plain": None}
    if carried and version:
        opened = service.read(caller.person_id, what="summary", **OWN)
        if opened is not None:
            answer.update(uploaded_at=opened.meta.uploaded_at if opened.meta else None, summary=opened.summary,
                          appointments=opened.appointments,
                          plain=ips.plain(opened.summary, opened.appointments) if opened.summary else None)
    return jsonify(answer)


@bp.get("/bundle")
def bundle():
    caller = _caller()
    part = request.args.get("part", "summary")
    if part not in ("summary", "appointments"):
        raise Refused(400, "bad_request", "'part' is summary (the IPS bundle, the default) or appointments")
    opened = _open(caller, "bundle" if part == "summary" else "appointments")
    found = opened.summary if part == "summary" else opened.appointments
    if found is None:
        raise Refused(404, "no_appointments", "no health appointments were uploaded for you")
    return Response(json.dumps(found, ensure_ascii=False), mimetype="application/fhir+json",
                    headers={"Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="health-{part}.json"'})


@bp.get("/printable")
def printable_summary():
    caller = _caller()
    kind = request.args.get("format", "html")
    if kind not in ("html", "pdf"):
        raise Refused(400, "bad_request", "'format' is html or pdf")
    opened = _open(caller, "printable")
    plain = ips.plain(opened.summary, opened.appointments)
    if kind == "pdf":
        return Response(printable.pdf(plain), mimetype="application/pdf", headers={
            "Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="health-summary.pdf"'})
    return Response(printable.html(plain), mimetype="text/html", headers={
        "Cache-Control": "no-store", "Content-Security-Policy": PRINTABLE_CSP})


@bp.post("/choice")
def choice():
    caller, body = _signed_json()
    carried = body.get("carried")
    if type(carried) is not bool:
        raise Refused(400, "bad_request", 'send {"carried": true} to carry a health summary, {"carried": false} '
                      "for the hub to keep none")
    stopped = 0 if carried else sum(shares.state(s) == "working" for s in shares.of(caller.person_id))
    service.set_choice(caller.person_id, carried, by="person")  # no: erased, links stopped, the phone told
    return jsonify(carried=carried, shares_stopped=stopped)


def _share_view(share) -> dict:
    return {"share_id": share.share_id, "made_for": share.made_for, "created_at": share.created_at,
            "expires_at": share.expires_at, "revoked_at": share.revoked_at, "uses": share.uses,
            "state": shares.state(share)}


def _own_workers(person_id: str) -> dict[str, StaffAccount]:
    """The workers whose caseload holds the person (the only ones they write to, or share with)."""
    names = [row.worker for row in Caseload.select(Caseload.worker).where(Caseload.person == person_id)]
    return {row.name: row for row in StaffAccount.select().where(StaffAccount.name.in_(names)
                                                                  & (StaffAccount.console == "worker"))}


@bp.get("/shares")
def list_shares():
    caller = _caller()
    shared = {row.worker for row in HealthWorkerShare.select(HealthWorkerShare.worker)
              .where(HealthWorkerShare.person == caller.person_id)}
    workers = [{"worker": name, "name": row.display_name, "role": row.role, "shared": name in shared}
               for name, row in sorted(_own_workers(caller.person_id).items())]
    return jsonify(shares=[_share_view(s) for s in shares.of(caller.person_id)], workers=workers)


@bp.post("/shares")
def make_share():
    caller, body = _signed_json()
    if not service.choice(caller.person_id):
        raise _not_carried()
    if service.summary_meta(caller.person_id) is None:
        raise Refused(409, "no_summary", "there is no health summary to share yet: health care staff upload it")
    share, secret = shares.make(caller.person_id, body.get("made_for"), body.get("days", shares.DEFAULT_DAYS))
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    url = base + shares.path(secret)
    return jsonify(share_id=share.share_id, url=url, expires_at=share.expires_at, made_for=share.made_for,
                   qr_svg=qr.qr_svg(url)), 201


@bp.post("/shares/<share_id>/revoke")
def revoke_share(share_id: str):
    caller = _caller(limits.read_body())
    return jsonify(_share_view(shares.revoke(caller.person_id, share_id)))


@bp.post("/workers")
def share_with_worker():
    caller, body = _signed_json()
    worker, shared = str(body.get("worker") or "").strip().lower()[:64], body.get("shared")
    if type(shared) is not bool:
        raise Refused(400, "bad_request", 'send {"worker": "<a worker of yours>", "shared": true or false}')
    if worker not in _own_workers(caller.person_id):
        # Only the person's own workers; saying which others exist would tell a phone the hub's worker names.
        raise Refused(404, "unknown_worker", f"{worker!r} is not one of your workers: choose one from your list "
                      "(`throughgate phone health shares` shows them)")
    service.share_with_worker(caller.person_id, worker, shared)
    return jsonify(worker=worker, shared=shared)


def _who(row, names: dict[str, StaffAccount]) -> str:
    if row.who == "person":
        return "You"
    if row.who.startswith("share:"):
        return "Someone with your link"
    if row.who.startswith("cli:"):
        return f"The hub's operator ({row.who.removeprefix('cli:')})"
    return names[row.who].display_name if row.who in names else row.who


def _purpose(text: str) -> str:
    shared = share_web.PURPOSE.split("{")[0]
    if text.startswith(shared) and text.endswith(")"):
        return f"opened your link for {text.removeprefix(shared)[:-1]}"
    return PURPOSE_WORDS.get(text, text)


@bp.get("/reads")
def reads():
    caller = _caller()
    after = request.args.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        raise Refused(400, "bad_request", "'after' is the id of the last read you received (0 at first)")
    rows = list(service.reads(caller.person_id, int(after), PAGE + 1))
    names = {a.name: a for a in StaffAccount.select().where(StaffAccount.name.in_({r.who for r in rows}))}
    found = [{"id": r.id, "who": _who(r, names), "role": "" if r.role == "person" else r.role.replace("_", " "),
              "purpose": _purpose(r.purpose), "how": VIA_WORDS.get(r.via, r.via),
              "what": WHAT_WORDS.get(r.what, r.what), "at": r.at} for r in rows[:PAGE]]
    return jsonify(reads=found, more=len(rows) > PAGE)
