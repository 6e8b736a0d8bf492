"""A person's messages: the conversation with delivered and read receipts, and writing to them.
Opening the page marks the person's messages to this worker as read, and tells the person's phone
(a `read` change in their feed, docs/phone-sync.md) at its next sync."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from hub import db
from hub.console import access as console_access
from hub.sync import feed
from hub.sync import messages as service
from hub.sync.changes import MAX_TEXT
from hub.sync.models import Message
from hub.workers import access
from wire.records import timestamp

bp = Blueprint("messages", __name__)


def mark_read(person_id: str, worker: str) -> int:
    """The person's unread messages to this worker are read now; their phone learns it at its next sync."""
    now = timestamp()
    with db.proxy.atomic():
        unread = [row.message_id for row in Message.select(Message.message_id).where(
            (Message.person == person_id) & Message.from_person & (Message.worker == worker)
            & Message.read_at.is_null())]
        if unread:
            Message.update(read_at=now).where(Message.message_id.in_(unread)).execute()
            for message_id in unread:
                feed.append(person_id, "read", message_id, {"message": message_id, "read_at": now})
    return len(unread)


@bp.get("/people/<person_id>/messages")
@access.require("work.messages.read")
def conversation(person_id: str):
    found = access.person(person_id, "messages")
    mark_read(found.person_id, g.staff.name)
    return render_template("work/messages.html", person=found, messages=service.conversation(found.person_id),
                           error=None, text="", max_text=MAX_TEXT, sent=request.args.get("sent", ""))


@bp.post("/people/<person_id>/messages")
@access.require("work.messages.send")
def send(person_id: str):
    found = access.person(person_id, "messages")
    text = request.form.get("text", "")
    if not text.strip() or len(text) > MAX_TEXT:
        error = (f"Write a message of 1 to {MAX_TEXT} characters." if text.strip() else
                 "The message is empty: write what you want to say, then send it.")
        return render_template("work/messages.html", person=found, messages=service.conversation(found.person_id),
                               error=error, text=text[:MAX_TEXT], max_text=MAX_TEXT, sent=""), 400
    sent = service.send_from_worker(found.person_id, g.staff.name, text)
    console_access.record("work.messages.send", found.person_id, message=sent.message_id)
    return redirect(url_for("work.messages.conversation", person_id=found.person_id, sent=sent.message_id), 303)
