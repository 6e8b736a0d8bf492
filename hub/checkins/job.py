"""The check-in retention job `throughgate hub run` starts: a thread that deletes the check-in photos that are
due (hub/checkins/retention.py) once soon after start and then every EVERY_S (daily). It holds no rule: what
is due is retention.purge's to say. Several replicas may each run it: a delete is harmless twice."""

from __future__ import annotations

import logging
from datetime import datetime

from hub import background
from hub.checkins import retention
from hub.sync import uploads

log = logging.getLogger("hub.checkins")

EVERY_S = 24 * 3600.0
FIRST_AFTER_S = 90.0
"""The first run waits a while, so a hub that is restarting does not purge while it migrates and starts."""


class RetentionJob(background.DailyJob):
    def __init__(self, store: uploads.Store, every_s: float = EVERY_S, first_after_s: float = FIRST_AFTER_S):
        self.store = store
        super().__init__("checkin-retention", "check-in retention", log, every_s, first_after_s)

    def work(self, now: datetime) -> str:
        done = retention.purge(now, self.store)
        return f"deleted {done.photos} photo(s) and {done.nonces} nonce(s) past their keeping time"


def start(app) -> RetentionJob:
    store = uploads.Store(app.config["ATTACHMENTS_DIR"], app.config["ATTACHMENTS_KEY_FILE"])
    return RetentionJob(store).start()
