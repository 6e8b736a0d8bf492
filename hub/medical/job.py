"""The health retention job `throughgate hub run` starts: a thread that deletes the health data that is
due (hub/medical/retention.py) once soon after start and then every EVERY_S (daily). It holds no rule:
what is due is retention.purge's to say. Several replicas may each run it: a delete is harmless twice."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import peewee

from hub import background, db
from hub.medical import retention

log = logging.getLogger("hub.health")

EVERY_S = 24 * 3600.0
FIRST_AFTER_S = 60.0
"""The first run waits a minute, so a hub that is restarting does not purge while it migrates and starts."""
RETRY_S = 600.0
"""After a failed run (the database away), the next try."""


class RetentionJob(background.Job):
    def __init__(self, every_s: float = EVERY_S, first_after_s: float = FIRST_AFTER_S):
        self.every_s, self.first_after_s = every_s, first_after_s
        super().__init__("health-retention")

    def _loop(self) -> None:
        wait = self.first_after_s
        while not self._wake.wait(wait) and not self._stopping:
            wait = self.run_once()

    def run_once(self, now: datetime | None = None) -> float:
        """Purge what is due; the seconds to wait before the next run."""
        try:
            with db.proxy.connection_context():
                due = retention.purge(now or datetime.now(UTC))
        except peewee.DatabaseError as exc:
            log.warning("health retention: the database did not answer (%s): trying again in %.0f s", exc, RETRY_S)
            return RETRY_S
        except Exception:  # a bug must not end retention for good: log it, try again later
            log.exception("health retention: a run failed")
            return RETRY_S
        log.info("health retention: deleted %d record(s), %d share link(s), %d read record(s) past their keeping "
                 "time", due.records, due.shares, due.reads)
        return self.every_s


def start(app) -> RetentionJob:
    return RetentionJob().start()
