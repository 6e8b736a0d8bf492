"""`throughgate edge console`: the console over HTTPS on the edge's server certificate, with the reward job,
until SIGTERM or SIGINT. Its down messages (feedback, awards) wait in the store; the edge service publishes them
(edge.downlink)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from edge import identity, store
from edge.config import EdgeConfig
from edge.console import learning, rewards
from edge.console.app import create_app
from provisioning import https
from provisioning.stopping import StopSignals
from wire.records import timestamp

log = logging.getLogger(__name__)

CERT_CHECK_S = 300.0
FORGET_EVERY_S = 3600.0


class Console:
    """The app on provisioning.https, and a job thread (rewards, forgetting old records, certificate reload)."""

    def __init__(self, config: EdgeConfig, port: int | None = None):
        self.config = config
        self.files = identity.EdgeFiles(config.instance)
        identity.ensure_server_cert(self.files, config.edge_id, config.server_name)
        self.app = create_app(config)
        self.server = https.HttpsServer(self.app, config.console.host, config.console.port if port is None else port,
                                        lambda: identity.server_tls_context(self.files), name="console")
        self._stop = threading.Event()
        self._jobs = threading.Thread(target=self._run_jobs, name="console-jobs", daemon=True)
        self._cert_mtime = self.files.server_cert.stat().st_mtime
        self._forgotten_at = 0.0

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> Console:
        self.server.start()
        self._jobs.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._jobs.join(timeout=10)
        self.server.stop()

    def _run_jobs(self) -> None:
        every = min(self.config.console.rewards_every_s, CERT_CHECK_S)
        while not self._stop.wait(every):
            try:
                rewards.evaluate()
                if time.monotonic() - self._forgotten_at > FORGET_EVERY_S:
                    self.forget_old()
                mtime = self.files.server_cert.stat().st_mtime
                if mtime != self._cert_mtime:  # the edge service renewed it
                    self.server.reload_certificate()
                    self._cert_mtime = mtime
            except Exception:
                log.exception("console job failed; will retry")
            finally:
                if not store.db.is_closed():
                    store.db.close()

    def forget_old(self) -> int:
        cutoff = timestamp(datetime.now(UTC) - timedelta(days=self.config.console.keep_days))
        self._forgotten_at = time.monotonic()
        forgotten = learning.forget_older_than(cutoff)
        if forgotten:
            log.info("forgot %d learning records kept for tutors, received before %s", forgotten, cutoff)
        return forgotten

    def run_forever(self) -> None:
        stopping = StopSignals()
        self.start()
        print(f"console for edge {self.config.edge_id} at {self.url} (certificate for {self.config.server_name})",
              flush=True)
        try:
            stopping.wait()
        finally:
            self.stop()
