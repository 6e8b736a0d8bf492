"""The edge service: store, broker (in development), relay and uplink, started and stopped together."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta

from edge import broker, jobs, store, uplink
from edge import config as edge_config
from edge.hubclient import HubClient
from edge.quota import Quota
from edge.relay import Relay
from wire.keys import HubPublicKeys, signing_key_from_pem
from wire.records import timestamp

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 15


class EdgeService:
    def __init__(self, config: edge_config.EdgeConfig):
        self.config = config
        self.child_broker: broker.ChildBroker | None = None
        self.relay: Relay | None = None
        self.scheduler = None
        self.forwarder: uplink.Forwarder | None = None
        self._lock = threading.Lock()

    def start(self) -> EdgeService:
        cfg = self.config
        for path in (cfg.signing_key_path, cfg.hub_keys_path, cfg.relay_secret_path):
            if not path.exists():
                raise edge_config.ConfigError(f"{path} is missing: run `throughgate edge init` for this instance")
        self.signing_key = signing_key_from_pem(cfg.signing_key_path.read_bytes())
        self.hub_keys = HubPublicKeys.from_document(cfg.hub_keys_path.read_text())
        store.open_store(str(cfg.db_path))
        self.quota = Quota(cfg.quota_bytes, store.outbox_bytes)
        self.quota.refresh()
        if cfg.broker.dev:
            files = broker.BrokerFiles(cfg.broker_dir)
            broker.write_files(files, cfg.broker)
            self.child_broker = broker.ChildBroker(files, cfg.broker.host, cfg.broker.port).start()
        self.forwarder = uplink.Forwarder(cfg.uplink, self.hub_keys, HubClient(cfg.uplink.hub_url,
                                          cfg.uplink.timeout_s), self.quota)
        self.relay = Relay(cfg, cfg.relay_secret_path.read_text().strip(), self.quota).start()
        self.scheduler = jobs.schedule(self)
        self.scheduler.start()
        if self.relay.subscribed.wait(READY_TIMEOUT_S):
            cfg.ready_path.write_text(f"{os.getpid()}\n")
        else:
            log.warning("the relay is not subscribed after %ss; is Mosquitto running on %s:%s?",
                        READY_TIMEOUT_S, cfg.broker.host, cfg.broker.port)
        log.info("edge %s running: broker %s:%s, hub %s, outbox %d of %d bytes used", cfg.edge_id,
                 cfg.broker.host, cfg.broker.port, cfg.uplink.hub_url, self.quota.used, self.quota.limit)
        return self

    # what the jobs call
    def seal_ready(self, force: bool = False) -> int:
        with self._lock:
            return uplink.seal_ready(self.config.edge_id, self.config.uplink, self.hub_keys,
                                     self.signing_key, self.quota, force)

    def forward(self) -> int:
        return self.forwarder.tick()

    def prune(self) -> tuple[int, int]:
        cutoff = datetime.now(UTC) - timedelta(days=self.config.retention_days)
        records, batches = store.prune(timestamp(cutoff))
        if batches:
            log.info("pruned %d delivered batches (%d record ids) older than %s days", batches, records,
                     self.config.retention_days)
        return records, batches

    def stop(self) -> None:
        self.config.ready_path.unlink(missing_ok=True)
        if self.scheduler:
            self.scheduler.shutdown(wait=True)
        if self.relay:
            self.relay.stop()
        if self.child_broker:
            self.child_broker.stop()
        store.db.close()
        log.info("edge stopped")

    def run_forever(self) -> None:
        stopping = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stopping.set())
        self.start()
        try:
            stopping.wait()
        finally:
            self.stop()
