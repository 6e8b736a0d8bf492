"""Each person's secret calendar URL, GET /v1/calendar/<token>.ics: the token is 32 random bytes
(base64url), shown once; the hub keeps its SHA-256. A new token replaces the old one, which then
answers 404 like any unknown token."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from flask import Blueprint, Response

from hub import db
from hub.appointments import ical
from hub.appointments.models import CalendarFeed
from hub.people import service as people
from hub.refusals import Refused
from wire.records import timestamp

bp = Blueprint("calendar", __name__, url_prefix="/v1/calendar")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(person_id: str, by: str, replace: bool = False) -> str:
    """A new feed token for the person; refused if they have one and `replace` is not asked for
    (it was shown once and cannot be shown again)."""
    person = people.find(person_id)
    token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    with db.proxy.atomic():
        known = CalendarFeed.get_or_none(CalendarFeed.person == person.person_id)
        if known and not replace:
            raise Refused(409, "calendar_exists", f"{person.person_id} has a calendar feed already (made "
                          f"{known.made_at}); its address was shown only then: --new makes a new one and the old "
                          "one stops working")
        CalendarFeed.delete().where(CalendarFeed.person == person.person_id).execute()
        CalendarFeed.create(person=person.person_id, token_sha256=_digest(token), made_at=timestamp(),
                            made_by=by[:80])
    return token


def path(token: str) -> str:
    return f"/v1/calendar/{token}.ics"


@bp.get("/<token>.ics")
def calendar(token: str):
    known = CalendarFeed.get_or_none(CalendarFeed.token_sha256 == _digest(token)) if _TOKEN.fullmatch(token) else None
    if known is None:
        raise Refused(404, "unknown_calendar", "no calendar at this address: it was replaced by a newer one, or "
                      "never was; ask your worker for the new address")
    return Response(ical.feed(known.person_id), mimetype="text/calendar",
                    headers={"Cache-Control": "no-store", "Content-Disposition": 'inline; filename="appointments.ics"'})
