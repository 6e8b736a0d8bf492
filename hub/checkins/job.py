"""The check-in retention job `throughgate hub run` starts: a thread that deletes the check-in photos that are
due (hub/checkins/retention.py) once soon after start and then every EVERY_S (daily). It holds no rule: what
is due is retention.purge's to say. Several replicas may each run it: a delete is harmless twice."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import peewee

from hub import background, db
from hub.checkins import retention
from hub.sync import uploads

log = logging.getLogger("hub.checkins")

EVERY_S = 24 * 3600.0
FIRST_AFTER_S = 90.0
"""The first run waits a while, so a hub that is restarting does not purge while it migrates and starts."""
RETRY_S = 600.0


class RetentionJob(background.Job):
    def __init__(self, store: uploads.Store, every_s: float = EVERY_S, first_after_s: float = FIRST_AFTER_S):
        self.store, self.every_s, self.first_after_s = store, every_s, first_after_s
        super().__init__("checkin-retention")

    def _loop(self) -> None:
        wait = self.first_after_s
        while not self._wake.wait(wait) and not self._stopping:
            wait = self.run_once()

    def run_once(self, now: datetime | None = None) -> float:
        """Purge what is due at `now` (the clock a test passes in); the seconds to wait before the next run."""
        try:
            with db.proxy.connection_context():
                done = retention.purge(now or datetime.now(UTC), self.store)
        except peewee.DatabaseError as exc:
            log.warning("check-in retention: the database did not answer (%s): trying again in %.0f s", exc, RETRY_S)
            return RETRY_S
        except Exception:  # a bug must not end retention for good: log it, try again later
            log.exception("check-in retention: a run failed")
            return RETRY_S
        log.info("check-in retention: deleted %d photo(s) and %d nonce(s) past their keeping time", done.photos,
                 done.nonces)
        return self.every_s


def start(app) -> RetentionJob:
    store = uploads.Store(app.config["ATTACHMENTS_DIR"], app.config["ATTACHMENTS_KEY_FILE"])
    return RetentionJob(store).start()
