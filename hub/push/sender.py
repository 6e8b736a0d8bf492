"""Pushing: one message to one subscription over HTTP (pywebpush: VAPID, aes128gcm, `Urgency: high`,
a TTL), and draining the outbox with it.

What each answer means (RFC 8030): 201 (or 200, 202) delivered to the push service; 404 or 410 the
subscription is gone, so it is removed and nothing more goes to it; 429, 5xx or no answer: tried again
after a back-off (RETRY_FIRST_S doubling to RETRY_MOST_S), at most MAX_TRIES times; any other 4xx: the
push service refuses this message for good (logged, not retried). The log names the push service's
host and the answer, never the endpoint's path (the subscription's secret)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from hub.checkins import reminders as checkin_reminders
from hub.push import outbox, reminders, subscriptions
from hub.push.models import PushSubscription

log = logging.getLogger("hub.push")

TIMEOUT_S = 10.0
MAX_TRIES = 8
RETRY_FIRST_S = 10.0
RETRY_MOST_S = 3600.0
GONE = (404, 410)


@dataclass(frozen=True)
class Push:
    endpoint: str
    p256dh: str
    auth: str
    body: bytes
    ttl_s: int
    topic: str | None
    """RFC 8030 Topic: a newer push with the same topic replaces one the push service still holds."""


Pusher = Callable[[Push], int | None]
"""Sends one push; the push service's status, or None when it could not be reached."""


@dataclass
class Drained:
    pushed: int = 0
    gone: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


def host(endpoint: str) -> str:
    return urlsplit(endpoint).hostname or "?"


class WebPusher:
    """The real pusher: pywebpush, imported when the first push goes (every CLI start would pay for it)."""

    def __init__(self, key, subject: str, timeout_s: float = TIMEOUT_S):
        from py_vapid import Vapid
        from requests import Session

        self.vapid, self.subject, self.timeout_s = Vapid(private_key=key), subject, timeout_s
        self.session = Session()

    def __call__(self, push: Push) -> int | None:
        from pywebpush import WebPushException, webpush
        from requests import RequestException

        headers = {"Urgency": "high", **({"Topic": push.topic} if push.topic else {})}
        try:
            answer = webpush({"endpoint": push.endpoint, "keys": {"p256dh": push.p256dh, "auth": push.auth}},
                             push.body, vapid_private_key=self.vapid, vapid_claims={"sub": self.subject},
                             ttl=push.ttl_s, headers=headers, timeout=self.timeout_s, requests_session=self.session)
        except WebPushException as exc:
            return exc.response.status_code if exc.response is not None else None
        except RequestException:
            return None
        return answer.status_code


def backoff(tries: int) -> float:
    return min(RETRY_MOST_S, RETRY_FIRST_S * 2 ** max(0, tries - 1))


def _ttl(topic: str, sync_ttl_s: int, now: datetime) -> int:
    if topic == outbox.SYNC:
        return sync_ttl_s
    if topic.startswith(checkin_reminders.TOPIC + ":"):
        return min(sync_ttl_s, checkin_reminders.seconds_left(topic, now))
    return min(sync_ttl_s, reminders.seconds_left(topic.split(":")[1], now))


def drain(push: Pusher, sync_ttl_s: int, now: datetime | None = None) -> Drained:
    """Push every row due at `now` that this sender claims; what happened to them."""
    now = now or datetime.now(UTC)
    now_s, result = now.timestamp(), Drained()
    for row in outbox.due(now_s):
        if not outbox.claim(row, now_s):
            continue  # another hub took it
        sub = PushSubscription.get_or_none(PushSubscription.phone == row.key_id)
        if sub is None:
            outbox.drop(row)
            continue
        if row.topic.startswith(checkin_reminders.TOPIC + ":"):
            if not checkin_reminders.still_due(row.topic, now):
                outbox.drop(row)
                result.skipped += 1
                continue
        elif row.topic != outbox.SYNC:
            _reminder, appointment_id, when = row.topic.split(":")
            if not reminders.still_due(appointment_id, when, now):
                outbox.drop(row)
                result.skipped += 1
                continue
        try:
            status = push(Push(sub.endpoint, sub.p256dh, sub.auth, outbox.payload(row.topic),
                               _ttl(row.topic, sync_ttl_s, now), row.topic if row.topic == outbox.SYNC else None))
        except Exception:  # a bug in one push must not hold the others: it is retried, then given up
            log.exception("push: a %s push to %s failed", row.topic.split(":")[0], host(sub.endpoint))
            status = None
        _answered(row, status, host(sub.endpoint), now_s, result)
    return result


def _answered(row, status: int | None, where: str, now_s: float, result: Drained) -> None:
    kind = row.topic.split(":")[0]
    if status in (200, 201, 202):
        outbox.done(row, now_s)
        result.pushed += 1
    elif status in GONE:
        subscriptions.remove(row.key_id)
        log.info("push: %s answered %d for a %s push: the phone's subscription is gone, removed", where, status,
                 kind)
        result.gone += 1
    elif status is None or status == 429 or status >= 500:
        tries = row.tries + 1
        if tries >= MAX_TRIES:
            outbox.drop(row)
            log.warning("push: %s did not take a %s push in %d tries (last: %s): given up", where, kind, tries,
                        status or "no answer")
            result.failed += 1
            return
        wait = backoff(tries)
        outbox.retry(row, now_s + wait)
        log.warning("push: %s did not take a %s push (%s): trying again in %.0f s", where, kind,
                    status or "no answer", wait)
        result.retrying += 1
    else:
        outbox.drop(row)
        log.warning("push: %s refused a %s push with %d: not retried (a 401 or 403 may mean the phone subscribed "
                    "with another VAPID key: it subscribes again)", where, kind, status)
        result.failed += 1
