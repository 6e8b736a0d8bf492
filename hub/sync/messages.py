"""Messages between a person and their workers: a worker's message goes into the person's feed;
the person's arrive as phone changes (hub/sync/changes.py). Receipts: delivered when the phone's
cursor passes the message, read when the phone says so."""

from __future__ import annotations

import uuid

from hub import db
from hub.people import service as people
from hub.refusals import Refused
from hub.sync import feed
from hub.sync.changes import MAX_TEXT
from hub.sync.models import Message, MessageAttachment
from wire.records import timestamp


def send_from_worker(person_id: str, worker: str, text: str, attachments: list[dict] = ()) -> Message:
    """A worker's message to the person, with the photos or voice notes already stored for them
    (hub/sync/uploads.py `keep_whole`: [{"sha256", "type", "bytes"}]); the text may then be empty."""
    person = people.find(person_id)
    if not isinstance(text, str) or (not text.strip() and not attachments) or len(text) > MAX_TEXT:
        raise Refused(400, "bad_request", f"a message is 1 to {MAX_TEXT} characters")
    now = timestamp()
    message_id = str(uuid.uuid4())
    with db.proxy.atomic():
        row = Message.create(message_id=message_id, person=person, from_person=False, worker=worker[:64], text=text,
                             written_at=now, received_at=now)
        for position, ref in enumerate(attachments):
            MessageAttachment.create(message=message_id, position=position, sha256=ref["sha256"],
                                     media_type=ref["type"], bytes=ref["bytes"])
        feed.append(person.person_id, "message", message_id, {"from_person": False, "worker": worker[:64],
                                                              "text": text, "written_at": now,
                                                              **({"attachments": list(attachments)}
                                                                 if attachments else {})})
    return row


def conversation(person_id: str) -> list[Message]:
    return list(Message.select().where(Message.person == person_id).order_by(Message.received_at,
                                                                              Message.message_id))


def attachments_of(messages: list[Message]) -> dict[str, list]:
    """message id -> its attachments (MessageAttachment rows, in order)."""
    found: dict[str, list] = {}
    ids = [m.message_id for m in messages]
    for start in range(0, len(ids), 500):
        for row in (MessageAttachment.select().where(MessageAttachment.message.in_(ids[start:start + 500]))
                    .order_by(MessageAttachment.message, MessageAttachment.position)):
            found.setdefault(row.message_id, []).append(row)
    return found
