"""POST /v1/phone/sync: one signed request, `{"cursor": N, "changes": [...]}`; the answer is
`{"cursor": M, "changes": [...], "accepted": [ids], "refused": [{"id", "error", "reason"}], "more": bool}`,
or 204 with no body when nothing was sent and nothing changed (docs/phone-sync.md)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request

from hub import limits
from hub.phones import service as phones
from hub.push import outbox
from hub.refusals import Refused
from hub.sync import changes, feed
from provisioning import signatures

bp = Blueprint("sync", __name__, url_prefix="/v1/phone")


def _request(body: bytes) -> tuple[int, list]:
    try:
        sent = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise Refused(400, "bad_request", 'send a JSON object: {"cursor": <the last cursor you received, 0 at '
                      'first>, "changes": [...]}') from None
    if not isinstance(sent, dict):
        raise Refused(400, "bad_request", 'send a JSON object: {"cursor": N, "changes": [...]}')
    cursor, sent_changes = sent.get("cursor", 0), sent.get("changes", [])
    if type(cursor) is not int or cursor < 0:
        raise Refused(400, "bad_request", "'cursor' is the whole number the last sync answered (0 at first)")
    if not isinstance(sent_changes, list) or len(sent_changes) > changes.MAX_CHANGES:
        raise Refused(400, "bad_request", f"'changes' is a list of at most {changes.MAX_CHANGES}: send the rest "
                      "in the next sync")
    return cursor, sent_changes


@bp.post("/sync")
def sync():
    body = limits.read_body()
    caller = phones.check(request.method, signatures.request_url(request.environ), request.headers, body)
    cursor, sent = _request(body)
    accepted, refused = [], []
    with outbox.syncing(caller.key_id):  # no Web Push to this phone for what it sent itself
        for change in sent:
            try:
                changes.apply(caller, change)
                accepted.append(change["id"])
            except changes.ChangeRefused as exc:
                refused.append({"id": change.get("id") if isinstance(change, dict) else None, "error": exc.code,
                                "reason": exc.reason})
    changes.mark_delivered(caller.person_id, cursor)
    found, new_cursor, more = feed.page(caller.person_id, cursor)
    if not found and not sent:
        return Response(status=204)
    return jsonify(cursor=new_cursor, changes=found, accepted=accepted, refused=refused, more=more)
