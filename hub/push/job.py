"""The pusher `throughgate hub run` starts: a thread that pushes what the outbox holds as soon as this
process adds to it (outbox.kick) and at least every PUSH_POLL_S (another hub may have added), and
claims the due appointment reminders every REMINDER_EVERY_S. A request that changes a person's feed
only adds an outbox row: it never waits for a push service."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import peewee

from hub import db
from hub.checkins import reminders as checkin_reminders
from hub.push import outbox, reminders, sender, vapid

log = logging.getLogger("hub.push")

REMINDER_EVERY_S = 60.0
GATHER_S = 0.05
"""After a kick, how long to wait for the change's transaction to commit (and for more to coalesce)."""


class PushJob:
    def __init__(self, push: sender.Pusher, sync_ttl_s: int, poll_s: float):
        self.push, self.sync_ttl_s, self.poll_s = push, sync_ttl_s, poll_s
        self._stopping = False
        self._reminded_at = 0.0
        self._thread = threading.Thread(target=self._loop, name="push-sender", daemon=True)

    def start(self) -> PushJob:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 30) -> None:
        self._stopping = True
        outbox.kick.set()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stopping:
            if outbox.kick.wait(self.poll_s):
                time.sleep(GATHER_S)
            outbox.kick.clear()
            if not self._stopping:
                self.run_once()

    def run_once(self) -> None:
        now = datetime.now(UTC)
        try:
            with db.proxy.connection_context():
                if now.timestamp() - self._reminded_at >= REMINDER_EVERY_S:
                    self._reminded_at = now.timestamp()
                    claimed = reminders.enqueue_due(now)
                    if claimed:
                        log.info("push: %d appointment reminder(s) due", len(claimed))
                    windows = checkin_reminders.enqueue_due(now)
                    if windows:
                        log.info("push: %d check-in window reminder(s) due", len(windows))
                done = sender.drain(self.push, self.sync_ttl_s, now)
        except peewee.DatabaseError as exc:
            log.warning("push: the database did not answer (%s): trying again in %.0f s", exc, self.poll_s)
            return
        except Exception:  # a bug must not end pushing for good: log it, go on at the next poll
            log.exception("push: a run failed")
            return
        if done.pushed or done.gone or done.failed:  # each push is not worth a line at info on a busy hub
            log.log(logging.INFO if done.gone or done.failed else logging.DEBUG, "push: %d pushed, %d subscriptions "
                    "gone, %d failed", done.pushed, done.gone, done.failed)


def start(app) -> PushJob | None:
    """Start pushing for a serving hub (making its VAPID key if it has none); None, and a log line
    saying what to set, when there is no VAPID subject."""
    key = vapid.load_or_make(app.config["VAPID_KEY_FILE"])
    subject = vapid.subject(app.config)
    if subject is None:
        log.warning("push: neither VAPID_SUBJECT nor PUBLIC_URL is set: phones are not woken by Web Push, nor "
                    "reminded of appointments; set VAPID_SUBJECT (like \"mailto:ops@example.org\") in hub.toml")
        return None
    log.info("push: phones are woken by Web Push (VAPID subject %s)", subject)
    return PushJob(sender.WebPusher(key, subject), app.config["PUSH_TTL_S"], app.config["PUSH_POLL_S"]).start()
