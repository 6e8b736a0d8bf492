"""The tablet API's record routes: the app on a managed tablet sends its records and takes its down messages
over HTTPS, into the very path the relay takes from MQTT (edge.intake.commit.Intake).

    GET  /v1/tablets/me            {"device", "edge", "learner" (the bound learner, or null), "plan"}
    POST /v1/tablets/records       {"records": [record, ...]} (at most 100) ->
                                   {"acked": [id, ...], "refused": [{"id", "code", "reason"[, "retry_after"]}],
                                    "committed": n}
    GET  /v1/tablets/down          {"messages": [down message, ...] (oldest first, at most 100), "waiting": n}
    POST /v1/tablets/down/ack      {"ids": [down message id, ...]} (at most 100) -> {"waiting": n}

Every route needs the certificate of an enrolled tablet that is not revoked; the device is its CN, never a
field, as on MQTT. Each record goes through Intake.take as an MQTT message on that device's up topic would:
the same rules and refusals (protocol.md's table, the bound learner's `learner_mismatch` included), the same
unique id (a resend is acknowledged again, never stored twice), and the answer comes only after the commit
(a failed commit answers 503 and acknowledges nothing). The down messages are the ones the MQTT publisher
sends; one counts as delivered only when the tablet acknowledges it here (or on MQTT) after committing it.

A course page runs in an origin of its own (edge/courses/serve.py), so it cannot read these answers; the POST
routes also take only `application/json` (which a cross-origin page cannot send without a preflight this API
never allows) and refuse a request the browser marks as coming from another site (`Sec-Fetch-Site`), so no
course script can record or acknowledge anything as the tablet.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from edge import store
from edge.attachments.api import tablet_device
from edge.downlink.tables import DownMessage
from edge.intake.commit import Intake
from edge.intake.rules import Arrived
from edge.plans import items as plan_items
from wire import topics

log = logging.getLogger(__name__)

bp = Blueprint("tablet_records", __name__, url_prefix="/v1/tablets")

MAX_RECORDS = 100  # records in one POST (the app sends its outbox in batches of this many)
MAX_BODY = 2 * 1024 * 1024  # bytes of one POST: room for a few whole-size (64 KiB) records with JSON escapes
MAX_DOWN = 100  # down messages in one GET, and ids in one acknowledgement (wire.topics.MAX_DOWN_ACK_IDS)


def _refuse(code: str, reason: str, status: int):
    return jsonify(error=code, reason=reason), status


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


@bp.before_request
def _authenticate():
    device = tablet_device()
    if device is None:
        return _refuse("client_certificate_required", "records need the certificate of an enrolled tablet that "
                       "is not revoked", 401)
    g.device = device
    if request.method == "POST":
        site = request.headers.get("Sec-Fetch-Site")
        if site not in (None, "same-origin", "none"):
            return _refuse("cross_origin", "only the tablet's app, from this edge's own origin, may send this", 403)
        if request.mimetype != "application/json":
            return _refuse("bad_request", "send JSON (Content-Type: application/json)", 415)
    return None


def _body() -> dict | None:
    """The request's JSON object, or None when it is not one (NaN, Infinity and huge numbers are not JSON)."""
    request.max_content_length = MAX_BODY
    try:
        data = json.loads(request.get_data(cache=False), parse_constant=_no_constant)
    except RequestEntityTooLarge:
        raise
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _intake() -> Intake | None:
    return current_app.config.get("INTAKE")


def _no_intake():
    return _refuse("not_taking_records", "this tablet API is not joined to the edge's relay: send over MQTT, or "
                   "ask IT to check the edge service", 503)


def _take(batch: list[Arrived]):
    try:
        return _intake().take(batch)
    except Exception:
        log.exception("the tablet API could not commit %d messages from %s; the tablet sends them again",
                      len(batch), g.device)
        store.raise_alarm("relay_commit_failed", "the relay could not write to its store; "
                          "check disk space and the edge log")
        return None


def _not_committed():
    return _refuse("not_committed", "the edge could not store this just now: nothing was kept, send it again "
                   "later", 503)


@bp.get("/me")
def me():
    tablet = store.Tablet.get(store.Tablet.device == g.device)
    return jsonify(device=g.device, edge=current_app.config["EDGE"].edge_id, learner=tablet.learner,
                   plan=plan_items.plan(tablet.learner) if tablet.learner else None)


@bp.post("/records")
def records():
    if _intake() is None:
        return _no_intake()
    try:
        body = _body()
    except RequestEntityTooLarge:
        return _refuse("too_large", f"send at most {MAX_BODY} bytes in one request: fewer records at once", 413)
    sent = body.get("records") if body is not None else None
    if not isinstance(sent, list) or not 1 <= len(sent) <= MAX_RECORDS:
        return _refuse("bad_request", f'send {{"records": [record, ...]}} with 1 to {MAX_RECORDS} records', 400)
    up = topics.up(g.device)
    # each record as the bytes a tablet would publish (compact UTF-8 JSON), so its size is judged the same way
    batch = [Arrived(up, json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode(), n, 0)
             for n, record in enumerate(sent)]
    taken = _take(batch)
    if taken is None:
        return _not_committed()
    _intake().answered(taken)  # (a down_ack among the records is taken as on MQTT)
    result = taken.result
    refused = [{"id": r.record_id, "code": r.code, "reason": r.reason,
                **({"retry_after": r.retry_after} if r.retry_after is not None else {})}
               for r in result.refusals]
    return jsonify(acked=result.acks.get(g.device, []), refused=refused, committed=len(result.rows))


@bp.get("/down")
def down():
    rows = (DownMessage.select(DownMessage.body)
            .where(DownMessage.device == g.device, DownMessage.acked.is_null(), DownMessage.gave_up.is_null())
            .order_by(DownMessage.id).limit(MAX_DOWN))
    waiting = (DownMessage.select()
               .where(DownMessage.device == g.device, DownMessage.acked.is_null(), DownMessage.gave_up.is_null())
               .count())
    return jsonify(messages=[json.loads(row.body) for row in rows], waiting=waiting)


@bp.post("/down/ack")
def down_ack():
    if _intake() is None:
        return _no_intake()
    body = _body()
    ids = body.get("ids") if body is not None else None
    if (not isinstance(ids, list) or not 1 <= len(ids) <= MAX_DOWN
            or not all(isinstance(i, str) and 0 < len(i) <= 36 for i in ids)):
        return _refuse("bad_request", f'send {{"ids": [id, ...]}}: 1 to {MAX_DOWN} down message ids', 400)
    taken = _take([Arrived(topics.up(g.device), topics.down_ack_message(ids), 0, 0)])
    if taken is None:
        return _not_committed()
    _intake().answered(taken)
    return jsonify(waiting=taken.waiting.get(g.device, 0))
