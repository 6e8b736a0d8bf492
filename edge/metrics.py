"""The edge's Prometheus metrics (docs/edge.md, "Metrics"), served by `edge run` on the management network.

- `EdgeMetrics`: one registry per EdgeService (never prometheus_client's global one). The relay, the
  forwarder and the course sync job count what happens as it happens; the backlog and the open alarms
  are read from the store at each scrape (StoreCollector).
- `MetricsServer`: GET /metrics over HTTPS on the edge's server certificate, at `[metrics] host` (default:
  the console's address, which a box puts on its management network) and `[metrics] port` (0: off). Only a
  request with `Authorization: Bearer <the text of <instance>/metrics.token>` is answered; the file is
  made (0600) the first time the server starts, and the scraper is given a copy.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from datetime import datetime
from pathlib import Path

import peewee as pw
from flask import Flask, Response, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from edge import identity, store
from provisioning import https
from provisioning.connections import Caps
from provisioning.tokens import digest, same

log = logging.getLogger(__name__)

TOKEN_FILE = "metrics.token"  # noqa: S105 - the file's name, not its secret
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
SCRAPERS = Caps(16, 8, 10.0, ("16 connections", "8 per address", "10 s for a request head"))


class EdgeMetrics:
    """What one edge process counts, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.records_committed = Counter("throughgate_edge_records_committed", "records the relay committed (and then "
                                         "acknowledged)", registry=r)
        self.records_refused = Counter("throughgate_edge_records_refused", "records and down_acks the relay refused, "
                                       "by the code the tablet was sent", ["code"], registry=r)
        self.commit_seconds = Histogram("throughgate_edge_relay_commit_seconds", "time for one relay commit (records "
                                        "and down_acks of one batch, in one transaction)", buckets=COMMIT_BUCKETS,
                                        registry=r)
        self.batches_delivered = Counter("throughgate_edge_batches_delivered", "sealed batches the hub receipted",
                                         registry=r)
        self.records_delivered = Counter("throughgate_edge_records_delivered", "records in those batches", registry=r)
        self.delivery_failures = Counter("throughgate_edge_delivery_failures", "sends of a batch that got no valid "
                                         "receipt (hub unreachable, refused, bad receipt)", registry=r)
        self.course_syncs = Counter("throughgate_edge_course_syncs", "scheduled course syncs, by outcome",
                                    ["outcome"], registry=r)
        r.register(StoreCollector())

    def committed(self, records: int, seconds: float) -> None:
        self.records_committed.inc(records)
        self.commit_seconds.observe(seconds)

    def delivered(self, records: int) -> None:
        self.batches_delivered.inc()
        self.records_delivered.inc(records)


class StoreCollector:
    """The outbox backlog and the open alarms, read from the store at each scrape."""

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily("throughgate_edge_backlog_records", "records waiting for the hub (unsealed or in sealed "
                              "batches not yet receipted)"),
            GaugeMetricFamily("throughgate_edge_backlog_bytes", "bytes the outbox holds for the hub (counted against "
                              "quota_bytes)"),
            GaugeMetricFamily("throughgate_edge_backlog_oldest_seconds", "age of the oldest record waiting for the "
                              "hub; 0 when none waits"),
            GaugeMetricFamily("throughgate_edge_alarm_active", "1 for each open alarm, by code", labels=["code"]),
            GaugeMetricFamily("throughgate_edge_alarm_since_seconds", "when each open alarm was raised (Unix time)",
                              labels=["code"]),
        )

    def describe(self):
        """What collect yields, without touching the store (the registry asks when it is registered)."""
        yield from self._families()

    def collect(self):
        records, size, oldest, alarms, since = self._families()
        opened = store.db.is_closed()
        try:
            waiting, first = backlog()
            records.add_metric([], waiting)
            size.add_metric([], store.outbox_bytes())
            oldest.add_metric([], max(0.0, time.time() - _unix(first)) if first else 0.0)
            for alarm in store.open_alarms():
                alarms.add_metric([alarm.code], 1)
                since.add_metric([alarm.code], _unix(alarm.raised))
        finally:
            if opened:
                store.db.close()
        yield from (records, size, oldest, alarms, since)


def backlog() -> tuple[int, str | None]:
    """(records waiting for the hub, when the oldest of them was received)."""
    sealed = store.OutBatch.select(store.OutBatch.id).where(store.OutBatch.state == "sealed")
    waiting = store.Received.select(pw.fn.COUNT(store.Received.id), pw.fn.MIN(store.Received.received)).where(
        store.Received.batch.is_null() | store.Received.batch.in_(sealed))
    count, first = waiting.tuples().get()
    return int(count or 0), first


def _unix(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def ensure_token(path: Path) -> str:
    """The metrics token in `path`, made (32 random bytes, hex, mode 0600) when missing."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        log.info("made the metrics token %s: give a copy to the Prometheus that scrapes this edge", path)
    return path.read_text().strip()


def authorized(header: str, token_file: Path) -> bool:
    """`Bearer <token>` equal to the token file's text, compared in constant time; never when it is missing."""
    scheme, _, presented = header.partition(" ")
    try:
        expected = token_file.read_text().strip()
    except OSError:
        return False
    return scheme.lower() == "bearer" and bool(presented.strip() and expected) and same(presented.strip(),
                                                                                        digest(expected))


def create_app(metrics: EdgeMetrics, token_file: Path) -> Flask:
    app = Flask("edge.metrics")

    @app.get("/metrics")
    def scrape():
        if not authorized(request.headers.get("Authorization", ""), token_file):
            response = jsonify(error="unauthorized", reason=f"send the edge's metrics token as 'Authorization: Bearer "
                               f"<token>': the text of {TOKEN_FILE} in the edge's instance (docs/edge.md, Metrics)")
            response.headers["WWW-Authenticate"] = 'Bearer realm="throughgate-edge-metrics"'
            return response, 401
        return Response(generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return app


class MetricsServer:
    """GET /metrics over HTTPS, with the bearer token check, until stop()."""

    def __init__(self, metrics: EdgeMetrics, files: identity.EdgeFiles, host: str, port: int):
        token_file = files.instance / TOKEN_FILE
        ensure_token(token_file)
        self.server = https.HttpsServer(create_app(metrics, token_file), host, port,
                                        lambda: identity.server_tls_context(files), name="metrics", caps=SCRAPERS)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> MetricsServer:
        self.server.start()
        log.info("metrics on %s/metrics (bearer token: %s)", self.url, TOKEN_FILE)
        return self

    def reload_certificate(self) -> None:
        self.server.reload_certificate()

    def stop(self) -> None:
        self.server.stop()


def serve(metrics: EdgeMetrics, files: identity.EdgeFiles, host: str, port: int) -> MetricsServer | None:
    """Start the metrics server; one that cannot listen is logged and left out, never keeping the relay from
    running (Prometheus then shows this edge's target down: `up == 0`)."""
    try:
        return MetricsServer(metrics, files, host, port).start()
    except OSError as exc:
        log.error("metrics not served: cannot listen on %s:%s (%s); free the port or set [metrics] port in "
                  "edge.toml to another, then restart the edge", host, port, exc)
        return None
