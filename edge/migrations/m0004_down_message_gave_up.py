"""Down messages record when the edge gave up on one the tablet never confirmed (down_message.gave_up).

Until now a message was sent until acknowledged, for ever. The publisher now stops after the relay's
down_give_up_days and writes when; rows already there are all still being sent (gave_up empty), so one
written long ago is given up at the publisher's first sweep, and shown on the console as not confirmed.
"""


def up(db):
    db.execute('ALTER TABLE "down_message" ADD COLUMN "gave_up" VARCHAR(30)')
