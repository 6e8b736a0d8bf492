"""GET /metrics: the hub's Prometheus metrics (docs/hub.md, "Metrics"), for a scraper holding the metrics token.

Each app has its own registry (`extensions["hub_metrics"]`), so apps in one process never share counts.
Counters are counted as requests finish (`after_request`): a batch answered 200 adds its receipt's
counts, any other answer to POST /v1/batches counts as refused under its error code. Edges by status
are read from the database at scrape time.

Who may scrape: `Authorization: Bearer <token>`, where the token is the text of METRICS_TOKEN_FILE,
compared in constant time; no file, no scrape. This check is `authorized()`, and nothing else.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, request
from peewee import fn
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from hub.models import ACTIVE, REVOKED, Edge
from provisioning.tokens import digest, same

log = logging.getLogger("hub.metrics")

bp = Blueprint("metrics", __name__)

BATCHES_ENDPOINT = "batches.receive_batch"
COURSES_ENDPOINT = "edge_courses.courses"
UNMATCHED = "unmatched"
"""The route label of a request no route matched: paths anyone sends never become labels."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
"""The method label of any other method: a made-up method (anyone may send `PROBE1`, `PROBE2`...) never
becomes a label, so the label sets stay bounded however much a stranger sends."""
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HubMetrics:
    """One app's metrics, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.batches_stored = Counter("throughgate_hub_batches_stored", "batches stored and receipted (first time)",
                                      registry=r)
        self.records_stored = Counter("throughgate_hub_records_stored", "records stored (not held before)",
                                      registry=r)
        self.records_duplicate = Counter("throughgate_hub_records_duplicate",
                                         "records in stored batches the hub already held", registry=r)
        self.batches_refused = Counter("throughgate_hub_batches_refused",
                                       "answers to POST /v1/batches other than 200, by error code", ["code"],
                                       registry=r)
        self.course_syncs = Counter("throughgate_hub_course_syncs", "course lists sent to edges (GET /v1/courses)",
                                    registry=r)
        self.request_seconds = Histogram("throughgate_hub_request_duration_seconds",
                                         "time to answer a request, by route and method", ["route", "method"],
                                         buckets=LATENCY_BUCKETS, registry=r)
        r.register(EdgesCollector())

    def finished(self, response: Response) -> None:
        """Count one answered request."""
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
        started = g.pop("metrics_started", None)
        if started is not None:
            method = request.method if request.method in METHODS else OTHER_METHOD
            self.request_seconds.labels(route, method).observe(time.perf_counter() - started)
        if request.endpoint == BATCHES_ENDPOINT:
            self._batch(response)
        elif request.endpoint == COURSES_ENDPOINT and response.status_code == 200:
            self.course_syncs.inc()

    def _batch(self, response: Response) -> None:
        body = response.get_json(silent=True) if response.is_json else None
        body = body if isinstance(body, dict) else {}
        if response.status_code == 200:
            receipt = body.get("receipt") or {}
            self.batches_stored.inc()
            self.records_stored.inc(receipt.get("stored", 0))
            self.records_duplicate.inc(receipt.get("duplicates", 0))
        else:
            self.batches_refused.labels(str(body.get("error") or response.status_code)).inc()


class EdgesCollector:
    """Edges by status, read when scraped."""

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily("throughgate_hub_edges", "edges enrolled at this hub, by status", labels=["status"])

    def describe(self):
        """What collect yields, without touching the database (the registry asks when it is registered)."""
        yield self._family()

    def collect(self):
        family = self._family()
        counts = {ACTIVE: 0, REVOKED: 0}
        counts.update(Edge.select(Edge.status, fn.COUNT(Edge.edge_id)).group_by(Edge.status).tuples())
        for status, count in counts.items():
            family.add_metric([status], count)
        yield family


def init_app(app) -> None:
    """Register before everything else that runs before a request, so even an early refusal is timed."""
    metrics = app.extensions["hub_metrics"] = HubMetrics()

    @app.before_request
    def _start():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        try:
            metrics.finished(response)
        except Exception:  # noqa: BLE001 - counting never costs an edge its answer
            log.exception("could not count a request in the metrics")
        return response

    app.register_blueprint(bp)


def authorized(headers, token_file: str | None) -> bool:
    """A bearer token equal to the metrics token file's text (stripped); never when the file is unset or missing."""
    scheme, _, presented = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip() or not token_file:
        return False
    try:
        expected = Path(token_file).read_text().strip()
    except OSError:
        return False
    return bool(expected) and same(presented.strip(), digest(expected))


@bp.get("/metrics")
def scrape():
    if not authorized(request.headers, current_app.config.get("METRICS_TOKEN_FILE")):
        response = jsonify(error="unauthorized", reason="send the hub's metrics token as 'Authorization: Bearer "
                           "<token>': the text of the hub's METRICS_TOKEN_FILE (docs/hub.md, Metrics)")
        response.headers["WWW-Authenticate"] = 'Bearer realm="throughgate-hub-metrics"'
        return response, 401
    return Response(generate_latest(current_app.extensions["hub_metrics"].registry), mimetype=None,
                    headers={"Content-Type": CONTENT_TYPE_LATEST})
