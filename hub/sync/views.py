"""GET /v1/phone/views?after=N: who looked at the person's record, for their own phone (signed like a
sync). Every read a worker's console makes of a person's data is recorded (hub/workers/caseload.py,
person_read); the person sees each: the worker's name and role, what they looked at, and when.
At most PAGE a request, oldest first after `after` (the last id received; 0 at first)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from hub.phones import service as phones
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.workers.models import PersonRead
from provisioning import signatures

bp = Blueprint("views", __name__, url_prefix="/v1/phone")
PAGE = 200
WHAT = {"list": "your name in their list", "person": "your record", "messages": "your messages",
        "letter": "your release letter", "plan": "your release plan", "attachment": "a photo or voice note you sent"}


@bp.get("/views")
def views():
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, b"")
    after = request.args.get("after", "0")
    if not after.isdigit() or len(after) > 18:
        raise Refused(400, "bad_request", "'after' is the id of the last view you received (0 at first)")
    rows = list(PersonRead.select().where((PersonRead.person == caller.person_id) & (PersonRead.id > int(after)))
                .order_by(PersonRead.id).limit(PAGE + 1))
    names = {a.name: a for a in StaffAccount.select().where(StaffAccount.name.in_({r.worker for r in rows}))}
    found = [{"id": r.id, "who": names[r.worker].display_name if r.worker in names else r.worker,
              "role": names[r.worker].role if r.worker in names else "", "what": WHAT.get(r.what, r.what),
              "at": r.at} for r in rows[:PAGE]]
    return jsonify(views=found, more=len(rows) > PAGE)
