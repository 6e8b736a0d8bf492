"""Pull the hub's published forms (GET /v1/edge/forms, over the edge's mutual TLS) and keep the latest version of
each in the edge_form table, and the hub's upload limits in the setting `forms_limits`, so tablets get them from
the edge (GET /v1/tablets/forms) while the hub is away. A form the hub no longer lists is let go. The whole answer
is read before anything is kept, and kept in one transaction: a pull cut off part-way changes nothing. The edge
service's scheduled job calls it (every 2 minutes, edge/jobs.py)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from edge import store
from edge.forms.tables import EdgeForm
from wire.records import timestamp

log = logging.getLogger(__name__)
LIMITS = "forms_limits"
MAX_FORMS = 1000


class FormPullError(OSError):
    """The hub could not be asked, or answered something this edge cannot read (the message says which)."""


@dataclass(frozen=True)
class Pulled:
    forms: int
    changed: int


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
    return Pulled(len(readable), keep(readable, limits))


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
