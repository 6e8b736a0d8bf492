"""Migration 0010 (push subscriptions, the push outbox, reminders claimed) on a saved hub with rows
(tests/hub/data "today", brought to version 9, with a released person, their phone, feed and an
appointment added as version 9 holds them), on SQLite and PostgreSQL: every row stays, the three new
tables match the models and start empty; then the phone subscribes, a worker's message queues one
push for it, and the appointment's reminder is claimed once."""

from __future__ import annotations

from datetime import UTC, datetime

from dumpkit import inserting, migrate, step_adds_tables

from hub import db
from hub.app import create_app
from hub.push import outbox, reminders, subscriptions
from hub.push.models import PushOutbox
from hub.staff import accounts
from hub.sync import messages
from wire import schema

STEP = next(step for step in schema.load("hub.migrations") if step.name == "push")
NEW = ("push_subscription", "push_outbox", "reminder_sent")
PERSON, KEY, APPOINTMENT = "P-8XXH-XDWK", "e-lELOKOjELh32rmUKVHl4LRrz6uaqdRU4D5HbkTNs8", \
    "2c1e1593-07d0-43b9-b352-ee5e76c7486b"
OLD_ROWS = (  # what a hub at version 9 holds of a released person with a phone and an appointment
    "INSERT INTO person VALUES ('P-8XXH-XDWK', 'released', '2026-12-01', '2026-12-01T09:00:00.000Z', "
    "'2026-11-01T09:00:00.000Z', 'cli:root')",
    "INSERT INTO phone VALUES ('e-lELOKOjELh32rmUKVHl4LRrz6uaqdRU4D5HbkTNs8', 'P-8XXH-XDWK', '{}', 'Ed25519', "
    "'phone', '2026-12-01T09:00:00.000Z', NULL, NULL, NULL)",
    "INSERT INTO person_change (person_id, kind, item_id, body, at) VALUES ('P-8XXH-XDWK', 'message', "
    "'d6b536b6-0383-46d1-992a-718fa624a715', '{\"text\":\"Hello\"}', '2026-12-01T09:00:00.000Z')",
    "INSERT INTO appointment VALUES ('2c1e1593-07d0-43b9-b352-ee5e76c7486b', 'P-8XXH-XDWK', 'olivia', 'in_person', "
    "'2027-01-11T10:00:00.000Z', '2027-01-11T10:30:00.000Z', 'Cardiff office', NULL, 'scheduled', "
    "'2026-12-01T09:00:00.000Z', '2026-12-01T09:00:00.000Z')",
)


def test_a_saved_hub_keeps_its_rows_and_then_pushes_to_its_phones(hub_db_url, instance):
    before = step_adds_tables(hub_db_url, STEP, NEW, inserting(OLD_ROWS))
    assert before["person"] and before["phone"] and before["appointment"]
    migrate(hub_db_url)
    create_app({"DATABASE_URL": hub_db_url}, instance_path=instance)
    with db.connected():
        accounts.add("olivia", accounts.WORKER, "offender_manager", "Olivia", "test", 1)
        keys = {"p256dh": "BPBuXWg8H10jCpxaPPNagT-TQhtbHlgjr5KKavxGb2e4_vMVy-jMuE6Ya_JaZVnDEUrcCxFT4mshpT2UWpylpes",
                "auth": "8ZCEvCU7BIPjLZH0sDcNDg"}
        subscriptions.save(KEY, PERSON, subscriptions.parse({"endpoint": "https://fcm.googleapis.com/fcm/send/x",
                                                             "keys": keys}, ("fcm.googleapis.com",)))
        messages.send_from_worker(PERSON, "olivia", "Hello again")
        assert [(row.key_id, row.topic) for row in PushOutbox.select()] == [(KEY, outbox.SYNC)]
        assert reminders.enqueue_due(datetime(2027, 1, 10, 12, 0, tzinfo=UTC)) == [(APPOINTMENT, "day")]
