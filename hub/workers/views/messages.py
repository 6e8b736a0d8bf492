"""A person's messages: the conversation with delivered and read receipts, and writing to them.
Opening the page marks the person's messages to this worker as read, and tells the person's phone
(a `read` change in their feed, docs/phone-sync.md) at its next sync."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from hub import db
from hub.console import access as console_access
from hub.limits import body_limit
from hub.refusals import Refused
from hub.sync import feed, uploads, uploads_api
from hub.sync import messages as service
from hub.sync.changes import MAX_TEXT
from hub.sync.models import Message
from hub.workers import access, caseload, names
from wire import media
from wire.records import timestamp

bp = Blueprint("messages", __name__)
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; media-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
"""The messages page shows the person's photos and plays their voice notes, from this console only."""


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
    return _page(found, None, "", request.args.get("sent", ""))


def _page(found, error, text, sent):
    conversation = service.conversation(found.person_id)
    g.page_csp = PAGE_CSP
    return render_template("work/messages.html", person=found, messages=conversation, error=error, text=text,
                           max_text=MAX_TEXT, sent=sent, attachments=service.attachments_of(conversation),
                           describe=media.describe, kind_of=media.kind_of,
                           names=names.names_of([found.person_id]).get(found.person_id),
                           photo_mb=current_app.config["PHONE_PHOTO_MAX_BYTES"] // (1024 * 1024),
                           voice_mb=current_app.config["PHONE_VOICE_MAX_BYTES"] // (1024 * 1024))


@bp.get("/people/<person_id>/attachments/<sha256>")
@access.require("work.messages.read")
def attachment(person_id: str, sha256: str):
    """A photo or voice note of one of the person's messages (a read of their data: recorded)."""
    found = caseload.visible(g.staff, person_id)
    row = uploads.attachment_of(found.person_id, sha256) if found is not None else None
    if row is None:
        abort(404)
    caseload.record_reads(g.staff.name, [found.person_id], "attachment")
    return uploads_api.send_sealed(found.person_id, row, download=request.args.get("download") == "1")


@bp.post("/people/<person_id>/messages")
@body_limit("WORK_MESSAGE_FORM_BYTES")
@access.require("work.messages.send")
def send(person_id: str):
    found = access.person(person_id, "messages")
    text = request.form.get("text", "")
    upload = request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else b""
    if (not text.strip() and not data) or len(text) > MAX_TEXT:
        error = (f"Write a message of 1 to {MAX_TEXT} characters." if text.strip() else
                 "The message is empty: write what you want to say, or attach a photo or voice note, then send it.")
        return _page(found, error, text[:MAX_TEXT], ""), 400
    attachments = []
    if data:
        try:
            attachments.append(uploads.keep_whole(uploads_api.store(), found.person_id, data,
                                                  uploads.Rules.from_config(current_app.config)))
        except Refused as exc:
            return _page(found, f"Not sent: {exc.reason}.", text[:MAX_TEXT], ""), 400
    sent = service.send_from_worker(found.person_id, g.staff.name, text, attachments)
    console_access.record("work.messages.send", found.person_id, message=sent.message_id)
    return redirect(url_for("work.messages.conversation", person_id=found.person_id, sent=sent.message_id), 303)
