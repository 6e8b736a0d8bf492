"""GET /metrics of a real `throughgate hub run`, after real traffic from an enrolled edge: what a
Prometheus server scraping it with the metrics token reads (parsed by prometheus_client's own parser),
and no one without that token reads anything."""

from __future__ import annotations

import pytest
from hubkit import edge_records, https, post_envelope, stored_count
from hubprocess import HubProcess
from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "scrape-" + "m" * 40


@pytest.fixture
def hub(app, instance, hub_db_url, tmp_path):
    (instance / "metrics.token").write_text(METRICS_TOKEN + "\n")
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log").start()
    yield process
    process.stop()


def scrape(hub, context, token: str | None = METRICS_TOKEN) -> tuple[int, dict | str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return https("GET", f"{hub.url}/metrics", context, headers=headers)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} for every sample, read by the library's parser."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_metrics_count_the_batches_records_and_refusals_the_hub_answered(hub, edge, connect_as):
    context = connect_as(edge)
    first = edge_records(3)
    envelope = edge.seal(first)
    assert post_envelope(hub.url, context, envelope)[0] == 200
    assert post_envelope(hub.url, context, edge.seal([first[0], *edge_records(1, first_seq=10)]))[0] == 200
    assert post_envelope(hub.url, context, envelope)[1]["error"] == "replay"
    assert post_envelope(hub.url, context, edge.seal(edge_records(1), edge_id="edge-2"))[1]["error"] == "edge_mismatch"

    status, text = scrape(hub, connect_as())
    assert status == 200
    values = samples(text)
    assert values[("throughgate_hub_batches_stored_total", ())] == 2
    assert values[("throughgate_hub_records_stored_total", ())] == 4 == stored_count()
    assert values[("throughgate_hub_records_duplicate_total", ())] == 1
    assert values[("throughgate_hub_batches_refused_total", (("code", "replay"),))] == 1
    assert values[("throughgate_hub_batches_refused_total", (("code", "edge_mismatch"),))] == 1
    assert values[("throughgate_hub_edges", (("status", "active"),))] == 1
    assert values[("throughgate_hub_request_duration_seconds_count", (("method", "POST"), ("route", "/v1/batches")))] \
        == 4


def test_metrics_are_refused_without_the_metrics_token(hub, edge, connect_as, auth_headers):
    for context in (connect_as(), connect_as(edge)):  # a stranger, and an enrolled edge's certificate alone
        status, body = scrape(hub, context, token=None)
        assert status == 401 and "METRICS_TOKEN_FILE" in body["reason"]
    assert scrape(hub, connect_as(), token="scrape-" + "x" * 40)[0] == 401
    admin_status, _ = https("GET", f"{hub.url}/metrics", connect_as(), headers=auth_headers)
    assert admin_status == 401  # the admin token is not the metrics token


def test_no_metrics_token_file_means_no_one_may_scrape(app, instance, hub_db_url, tmp_path, connect_as):
    process = HubProcess(instance, hub_db_url, tmp_path / "hub.log").start()
    try:
        assert scrape(process, connect_as())[0] == 401
        assert scrape(process, connect_as(), token="")[0] == 401
    finally:
        process.stop()
