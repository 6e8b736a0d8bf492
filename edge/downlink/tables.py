"""The down-message table, in the edge store (edge.store.db).

A row is written with the record it announces (the console's mark or award, in that transaction), published
by edge.downlink.publisher while `acked` is empty, and marked `acked` by the relay when the tablet says it
has committed the message, or `gave_up` by the publisher when the tablet has not confirmed it after the
relay's down_give_up_days. The schema changes through edge/migrations (m0003 made this table from the
console's console_down_message, m0004 added gave_up).
"""

from __future__ import annotations

import json

import peewee as pw

from edge import store


class DownMessage(store.BaseModel):
    """A message for one tablet, sent again until the tablet acknowledges its `message_id`."""

    device = pw.CharField(max_length=63)
    message_id = pw.CharField(max_length=36)  # the message's own "id" (its staff record's id): what the tablet acks
    body = pw.TextField()  # the message as sent (compact JSON)
    created = pw.CharField(max_length=30)
    sent = pw.CharField(max_length=30, null=True)  # when the broker last took it (None: never yet)
    attempts = pw.IntegerField(default=0)  # how many times the broker took it
    due = pw.CharField(max_length=30)  # when the publisher sends it (again), unless acknowledged by then
    acked = pw.CharField(max_length=30, null=True)  # when the tablet acknowledged it: delivered
    gave_up = pw.CharField(max_length=30, null=True)  # when the edge stopped sending it, unconfirmed (m0004)

    class Meta:
        table_name = "down_message"
        indexes = ((("device", "message_id"), True), (("acked", "due"), False))

    @property
    def kind(self) -> str:
        """The message's "type" (feedback, award, ...), for pages that list messages without their content."""
        try:
            found = json.loads(self.body).get("type")
        except (ValueError, AttributeError):
            found = None
        return found if isinstance(found, str) else "unknown"


MODELS = (DownMessage,)
