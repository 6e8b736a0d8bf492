"""The person's feed: every change their phones must receive, in `seq` order. Appended to by the
hub's services (a worker's message, a receipt), each append queueing a Web Push to the person's
phones (hub/push/outbox.py); read by a sync from the phone's cursor, a page at
a time (at most PAGE_CHANGES changes and about PAGE_BYTES of JSON), so a first sync after months
holds little memory on either side."""

from __future__ import annotations

import json

from hub.push import outbox
from hub.sync.models import PersonChange
from wire.records import timestamp

PAGE_CHANGES = 200
PAGE_BYTES = 64 * 1024


def append(person_id: str, kind: str, item_id: str, body: dict) -> int:
    row = PersonChange.create(person=person_id, kind=kind, item_id=item_id, at=timestamp(),
                              body=json.dumps(body, separators=(",", ":"), ensure_ascii=False, sort_keys=True))
    outbox.wake(person_id)  # the person's phones get a push (hub/push): queued here, sent by `hub run`'s pusher
    return row.seq


def page(person_id: str, after: int) -> tuple[list[dict], int, bool]:
    """(changes after the cursor, the new cursor, whether more wait)."""
    rows = list(PersonChange.select().where((PersonChange.person == person_id) & (PersonChange.seq > after))
                .order_by(PersonChange.seq).limit(PAGE_CHANGES + 1))
    changes, size, cursor = [], 0, after
    for row in rows[:PAGE_CHANGES]:
        size += len(row.body) + 60
        if changes and size > PAGE_BYTES:
            return changes, cursor, True
        changes.append({"seq": row.seq, "kind": row.kind, "id": row.item_id, "body": json.loads(row.body),
                        "at": row.at})
        cursor = row.seq
    return changes, cursor, len(rows) > PAGE_CHANGES
