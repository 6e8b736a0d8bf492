"""A job that `throughgate hub run` keeps running beside the server (the LRS forwarder, health retention, Web
Push, check-in photo retention): its own daemon thread, which stop() wakes from its wait and joins. Each job
writes its own `_loop`, or is a `DailyJob`, which runs its `work` soon after start and then once a day."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import peewee

from hub import db


class Job:
    def __init__(self, name: str):
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 30) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        raise NotImplementedError


class DailyJob(Job):
    """`work(now)` once `first_after_s` after start (so a restarting hub does not purge while it migrates), then
    every `every_s`; after a failure (the database away, or a bug, which must not end the job for good), again in
    RETRY_S. `work` returns the line to log; it holds the rules, this holds only the timing."""

    RETRY_S = 600.0

    def __init__(self, name: str, what: str, log: logging.Logger, every_s: float, first_after_s: float):
        self.what, self.log, self.every_s, self.first_after_s = what, log, every_s, first_after_s
        super().__init__(name)

    def work(self, now: datetime) -> str:
        raise NotImplementedError

    def _loop(self) -> None:
        wait = self.first_after_s
        while not self._wake.wait(wait) and not self._stopping:
            wait = self.run_once()

    def run_once(self, now: datetime | None = None) -> float:
        """One run at `now` (the clock a test passes in); the seconds to wait before the next run."""
        try:
            with db.proxy.connection_context():
                said = self.work(now or datetime.now(UTC))
        except peewee.DatabaseError as exc:
            self.log.warning("%s: the database did not answer (%s): trying again in %.0f s", self.what, exc,
                             self.RETRY_S)
            return self.RETRY_S
        except Exception:  # noqa: BLE001 (a bug must not end the job for good: log it, try again later)
            self.log.exception("%s: a run failed", self.what)
            return self.RETRY_S
        self.log.info("%s: %s", self.what, said)
        return self.every_s
