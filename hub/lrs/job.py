"""The forwarder `throughgate hub run` starts when LRS_URL is set: a thread that forwards every
LRS_INTERVAL_S seconds, and backs off (1 s, 2 s, 4 s ... at most LRS_INTERVAL_S) while the LRS is
unavailable. Progress and problems go to the log (never the secret)."""

from __future__ import annotations

import logging

import peewee

from hub import background, db
from hub.lrs import client as lrs
from hub.lrs import settings as lrs_settings
from hub.lrs.forward import forward

log = logging.getLogger("hub.lrs")


def backoff(failures: int, first_s: float, most_s: float) -> float:
    """Seconds to wait after `failures` failures in a row: doubling from first_s, at most most_s."""
    return min(most_s, first_s * 2 ** max(0, failures - 1))


class Forwarder(background.Job):
    def __init__(self, client: lrs.LrsClient, batch_size: int, interval_s: float, first_backoff_s: float = 1.0):
        self.client, self.batch_size = client, batch_size
        self.interval_s, self.first_backoff_s = interval_s, first_backoff_s
        self.failures = 0
        super().__init__("lrs-forwarder")

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.wait(self._run_once())
            self._wake.clear()

    def _run_once(self) -> float:
        """Forward what is pending; return the seconds to wait before the next run."""
        try:
            with db.proxy.connection_context():
                progress = forward(self.client, self.batch_size, lambda p: log.info("lrs: %s", p.line()))
        except (lrs.Unavailable, lrs.Misconfigured, peewee.DatabaseError) as exc:
            return self._failed(logging.ERROR if isinstance(exc, lrs.Misconfigured) else logging.WARNING, exc)
        except Exception as exc:  # a bug must not end forwarding for good: log it, back off, go on
            log.exception("lrs: forwarding failed")
            return self._failed(logging.ERROR, exc)
        if self.failures:
            log.info("lrs: the LRS answers again after %d failed run(s)", self.failures)
        self.failures = 0
        if progress.forwarded or progress.left_out:
            log.info("lrs: run done: %s", progress.line())
        return self.interval_s


    def _failed(self, level: int, exc: Exception) -> float:
        self.failures += 1
        wait = backoff(self.failures, self.first_backoff_s, self.interval_s)
        log.log(level, "lrs: forwarding stopped (%s); trying again in %.0f s", exc, wait)
        return wait


def start(app) -> Forwarder | None:
    """Start forwarding for a serving hub; None (and a log line) when LRS_URL is unset."""
    settings = lrs_settings.from_config(app.config, app.instance_path)
    if settings is None:
        log.info("lrs: LRS_URL is unset: learning records are not forwarded")
        return None
    log.info("lrs: forwarding to %s every %d s, %d statements a batch", settings.url, settings.interval_s,
             settings.batch_size)
    return Forwarder(lrs.LrsClient(settings), settings.batch_size, settings.interval_s).start()
