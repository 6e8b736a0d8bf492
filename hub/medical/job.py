"""The health retention job `throughgate hub run` starts: a thread that deletes the health data that is
due (hub/medical/retention.py) once soon after start and then every EVERY_S (daily). It holds no rule:
what is due is retention.purge's to say. Several replicas may each run it: a delete is harmless twice."""

from __future__ import annotations

import logging
from datetime import datetime

from hub import background
from hub.medical import retention

log = logging.getLogger("hub.health")

EVERY_S = 24 * 3600.0
FIRST_AFTER_S = 60.0
"""The first run waits a minute, so a hub that is restarting does not purge while it migrates and starts."""


class RetentionJob(background.DailyJob):
    def __init__(self, every_s: float = EVERY_S, first_after_s: float = FIRST_AFTER_S):
        super().__init__("health-retention", "health retention", log, every_s, first_after_s)

    def work(self, now: datetime) -> str:
        due = retention.purge(now)
        return (f"deleted {due.records} record(s), {due.shares} share link(s), {due.reads} read record(s) past "
                "their keeping time")


def start(app) -> RetentionJob:
    return RetentionJob().start()
