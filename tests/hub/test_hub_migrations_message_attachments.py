"""Migration 0012 (photos and voice notes in messages: message_attachment, phone_upload) on a saved hub
with rows (tests/hub/data "today", brought to version 11, with a released person, their phone, a
message from them in their feed and a caseload added as version 11 holds them), on SQLite and
PostgreSQL: every row stays, the two new tables match the models and start empty, and the old
message then carries an attachment."""

from __future__ import annotations

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.sync.models import Message, MessageAttachment, PhoneUpload
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "message_attachments")
NEW = ("message_attachment", "phone_upload")
PERSON = "P-8XXH-XDWK"
MESSAGE = "65731d6c-c811-4182-9f23-875bfab24efd"
SHA = "ab" * 32
OLD_ROWS = (  # what a hub before version 12 holds of a released person who wrote to their worker
    "INSERT INTO person (person_id, status, release_date, released_at, created_at, created_by) VALUES "
    "('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', '2026-11-01T09:00:00.000Z', 'cli:root')",
    "INSERT INTO phone (key_id, person_id, jwk, alg, label, activated_at) VALUES ('key-1', 'P-8XXH-XDWK', '{}', "
    "'Ed25519', 'phone', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO phone_change (change_id, person_id, kind, digest, key_id, applied_at) VALUES "
    "('65731d6c-c811-4182-9f23-875bfab24efd', 'P-8XXH-XDWK', 'message', '00', 'key-1', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO message (message_id, person_id, from_person, worker, text, written_at, received_at) VALUES "
    "('65731d6c-c811-4182-9f23-875bfab24efd', 'P-8XXH-XDWK', TRUE, 'olivia', 'Thank you', "
    "'2026-12-01T09:00:00.000Z', '2026-12-01T09:00:01.000Z')",
    "INSERT INTO person_change (person_id, kind, item_id, body, at) VALUES ('P-8XXH-XDWK', 'message', "
    "'65731d6c-c811-4182-9f23-875bfab24efd', '{\"text\":\"Thank you\"}', '2026-12-01T09:00:01.000Z')",
    "INSERT INTO caseload (worker, person_id, added_at, added_by) VALUES ('olivia', 'P-8XXH-XDWK', "
    "'2026-12-01T09:00:00.000Z', 'cli:root')",
)


def test_a_saved_hub_keeps_its_rows_and_then_its_messages_carry_photos(hub_db_url, instance):
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert before["person"] and before["message"] and before["phone"] and before["person_change"]
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        PhoneUpload.create(person=PERSON, sha256=SHA, key_id="key-1", media_type="image/jpeg", bytes=120_000,
                           started_at="2026-12-02T09:00:00.000Z", completed_at="2026-12-02T09:00:05.000Z")
        MessageAttachment.create(message=MESSAGE, position=0, sha256=SHA, media_type="image/jpeg", bytes=120_000)
        old = Message.get(Message.message_id == MESSAGE)
        assert old.text == "Thank you"
        assert [(a.sha256, a.bytes) for a in MessageAttachment.select().where(MessageAttachment.message == old)] == [
            (SHA, 120_000)]
