"""Pull the release plan items the hub merged for this prison's learners (GET /v1/edge/plans?after=N, over the
edge's mutual TLS) and send each to the learner's tablet as a `plan` down message, so what a worker wrote at the
hub reaches the tablet before release. The cursor is kept in the store (setting `plans_cursor`) and moves only
after a page is queued: a pull cut off part-way asks again from the same place, and a message already queued for
a tablet is not queued twice (its id names the hub's entry). The edge service's scheduled job calls it (every
minute, edge/jobs.py)."""

from __future__ import annotations

import logging

from edge import store
from edge.downlink import messages
from edge.downlink.tables import DownMessage
from edge.intake import bindings
from edge.plans import items
from wire import plans
from wire.records import valid_learner

log = logging.getLogger(__name__)
CURSOR = "plans_cursor"
PAGES = 50  # at most this many pages a run: the rest comes next minute


class PlanPullError(OSError):
    """The hub could not be asked, or answered something this edge cannot read (the message says which)."""


def _cursor() -> int:
    row = store.Setting.get_or_none(store.Setting.key == CURSOR)
    return int(row.value) if row and row.value.isdigit() else 0


def pull(client) -> int:
    """Queue the hub's new plan items for the learners' tablets; how many were queued."""
    queued = 0
    for _ in range(PAGES):
        after = _cursor()
        try:
            status, answer = client.call_json("GET", f"/v1/edge/plans?after={after}", None)
        except OSError as exc:
            raise PlanPullError(str(exc)) from None
        if status != 200:
            raise PlanPullError(f"hub answered GET /v1/edge/plans with HTTP {status}: {answer.get('error')}: "
                                f"{answer.get('reason')}")
        found, cursor = answer.get("items"), answer.get("cursor")
        if not isinstance(found, list) or type(cursor) is not int or cursor < after:
            raise PlanPullError("the hub's page of plan items cannot be read")
        queued += _queue(found, cursor)
        if not answer.get("more"):
            break
    return queued


def _queue(found: list, cursor: int) -> int:
    queued = 0
    with store.writing():
        for entry in found:
            learner, pathway, item = (entry.get(k) for k in ("learner", "pathway", "item")) if isinstance(
                entry, dict) else (None, None, None)
            seq = entry.get("seq") if isinstance(entry, dict) else None
            if not (valid_learner(learner) and (pathway == plans.RELEASE or pathway in plans.PATHWAY_KEYS)
                    and isinstance(item, dict) and type(seq) is int):
                log.warning("the hub sent a plan item this edge cannot read: skipped")
                continue
            device = bindings.recipient(learner, None)
            message_id = f"hub-plan-{seq}"
            if device and not DownMessage.select().where((DownMessage.device == device)
                                                         & (DownMessage.message_id == message_id)).exists():
                messages.add(device, items.message(message_id, learner, {**item, "pathway": pathway}))
                queued += 1
        store.Setting.replace(key=CURSOR, value=str(cursor)).execute()
    return queued
