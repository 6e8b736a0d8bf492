"""Pull the hub's published forms (GET /v1/edge/forms, over the edge's mutual TLS) and keep the latest version of
each in the edge_form table, and the hub's upload limits in the setting `forms_limits`, so tablets get them from
the edge (GET /v1/tablets/forms) while the hub is away. A form the hub no longer lists is let go. The whole answer
is read before anything is kept, and kept in one transaction: a pull cut off part-way changes nothing. The edge
service's scheduled job calls it (every 2 minutes, edge/jobs.py).

The same answer carries this edge's tablet submissions the hub refused and the edge has not acknowledged: each is
kept once in edge_form_refusal with one down message of type `form_refused` for the learner's tablet (in the same
transaction, so neither exists without the other), and only then acknowledged to the hub (POST
/v1/edge/forms/refusals/ack): a pull cut off before the acknowledgement gets them again, and keeps nothing twice."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from edge import store
from edge.downlink import messages
from edge.forms.tables import EdgeForm, EdgeFormRefusal
from edge.intake import bindings
from wire.records import timestamp

log = logging.getLogger(__name__)
LIMITS = "forms_limits"
MAX_FORMS = 1000
WHAT_TO_DO = "Open the form again, check the answer it names, and send it again. Ask staff if you need help."


class FormPullError(OSError):
    """The hub could not be asked, or answered something this edge cannot read (the message says which)."""


@dataclass(frozen=True)
class Pulled:
    forms: int
    changed: int
    refusals: int = 0  # refusals newly kept here (each with its down message)


def _readable(entry) -> bool:
    return (isinstance(entry, dict) and all(isinstance(entry.get(k), str) and 0 < len(entry[k]) <= 64
                                            for k in ("form_id", "version"))
            and isinstance(entry.get("title"), str) and isinstance(entry.get("fields"), list))


def pull(client) -> Pulled:
    """Keep the hub's forms as they are now; how many there are and how many were new or changed."""
    try:
        status, answer = client.call_json("GET", "/v1/edge/forms", None)
    except OSError as exc:
        raise FormPullError(str(exc)) from None
    if status != 200:
        raise FormPullError(f"hub answered GET /v1/edge/forms with HTTP {status}: {answer.get('error')}: "
                            f"{answer.get('reason')}")
    found, limits = answer.get("forms"), answer.get("limits")
    if not isinstance(found, list) or len(found) > MAX_FORMS or not isinstance(limits, dict):
        raise FormPullError("the hub's list of forms cannot be read")
    readable = [entry for entry in found if _readable(entry)]
    if len(readable) < len(found):
        log.warning("the hub sent %d forms this edge cannot read: skipped", len(found) - len(readable))
    changed = keep(readable, limits)
    found_refusals = answer.get("refusals") or []
    if not isinstance(found_refusals, list):
        raise FormPullError("the hub's list of refused forms cannot be read")
    readable_refusals = [entry for entry in found_refusals if _readable_refusal(entry)]
    if len(readable_refusals) < len(found_refusals):
        log.warning("the hub sent %d refused forms this edge cannot read: skipped",
                    len(found_refusals) - len(readable_refusals))
    kept_now = keep_refusals(readable_refusals)
    if readable_refusals:
        ids = [entry["id"] for entry in readable_refusals]
        try:
            status, answer = client.call_json("POST", "/v1/edge/forms/refusals/ack", {"ids": ids})
        except OSError as exc:
            raise FormPullError(f"refused forms kept, not acknowledged (sent again next time): {exc}") from None
        if status != 200:
            raise FormPullError(f"hub answered POST /v1/edge/forms/refusals/ack with HTTP {status}: "
                                f"{answer.get('error')}: {answer.get('reason')}")
    return Pulled(len(readable), changed, kept_now)


def _readable_refusal(entry) -> bool:
    return (isinstance(entry, dict)
            and all(isinstance(entry.get(k), str) and 0 < len(entry[k]) <= 64 for k in ("id", "device", "learner"))
            and all(isinstance(entry.get(k), str) and len(entry[k]) <= 64 for k in ("form_id", "version", "code"))
            and isinstance(entry.get("reason"), str) and isinstance(entry.get("refused_at"), str))


def refused_message(row: EdgeFormRefusal) -> dict:
    """The down message for the tablet: {"type": "form_refused", "id" (the record's), "learner", "submission",
    "form_id", "version", "title", "code", "reason", "what_to_do"}."""
    return {"type": "form_refused", "id": row.record_id, "learner": row.learner, "submission": row.record_id,
            "form_id": row.form_id, "version": row.version, "title": row.title, "code": row.code,
            "reason": row.reason, "what_to_do": WHAT_TO_DO}


def keep_refusals(found: list[dict]) -> int:
    """Keep each refusal not kept before, with its down message, in one transaction; how many were new."""
    now, kept_now = timestamp(), 0
    with store.writing():
        titles = {row.form_id: row.title for row in EdgeForm.select(EdgeForm.form_id, EdgeForm.title)}
        for entry in found:
            if EdgeFormRefusal.get_or_none(EdgeFormRefusal.record_id == entry["id"]) is not None:
                continue
            row = EdgeFormRefusal.create(
                record_id=entry["id"], device=entry["device"], learner=entry["learner"], form_id=entry["form_id"],
                version=entry["version"], title=titles.get(entry["form_id"], "")[:200], code=entry["code"][:40],
                reason=entry["reason"], refused_at=entry["refused_at"][:30], received=now)
            messages.add(bindings.recipient(row.learner, row.device), refused_message(row))
            kept_now += 1
    return kept_now


def keep(found: list[dict], limits: dict) -> int:
    now, changed = timestamp(), 0
    with store.writing():
        held = {row.form_id: row for row in EdgeForm.select()}
        for entry in found:
            document = json.dumps(entry, ensure_ascii=False, sort_keys=True)
            row = held.pop(entry["form_id"], None)
            if row is not None and row.document == document:
                continue
            EdgeForm.replace(form_id=entry["form_id"], version=entry["version"], title=entry["title"][:200],
                             document=document, fetched_at=now).execute()
            changed += 1
        if held:
            EdgeForm.delete().where(EdgeForm.form_id.in_(list(held))).execute()
        store.Setting.replace(key=LIMITS, value=json.dumps(limits, sort_keys=True)).execute()
    return changed


def kept() -> tuple[list[dict], dict]:
    """The forms kept here (by title) and the hub's upload limits ({} before the first pull)."""
    forms = [json.loads(row.document) for row in EdgeForm.select().order_by(EdgeForm.title, EdgeForm.form_id)]
    row = store.Setting.get_or_none(store.Setting.key == LIMITS)
    return forms, (json.loads(row.value) if row else {})
