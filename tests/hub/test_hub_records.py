"""GET /v1/records and /v1/records/summary: admin token only, filters, cursor, counts."""

from __future__ import annotations

import pytest
from hubkit import edge_records, post_batch


@pytest.fixture
def stored(client, make_edge):
    """Seven records from two edges, three devices, three learners, two kinds."""
    north, south = make_edge("edge-north"), make_edge("edge-south")
    post_batch(client, north, north.seal(edge_records(3, device="tablet-1", learner="L-1")))
    post_batch(client, north, north.seal(edge_records(2, device="tablet-2", learner="L-2", kind="message")))
    post_batch(client, south, south.seal(edge_records(2, device="tablet-3", learner="L-1", kind="message")))


@pytest.mark.parametrize("path", ["/v1/records", "/v1/records/summary"])
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dGVzdDp0ZXN0", "Bearer"])
def test_records_api_without_the_admin_token_gets_401(client, stored, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert set(response.get_json()) == {"error", "reason"}


def test_records_api_is_closed_when_no_token_is_configured(app, client, stored, auth_headers):
    app.config["ADMIN_TOKEN_SHA256"] = None
    assert client.get("/v1/records", headers=auth_headers).status_code == 401


def test_records_are_listed_in_hub_arrival_order(client, stored, auth_headers):
    records = client.get("/v1/records", headers=auth_headers).get_json()
    cursors = [r["cursor"] for r in records]
    assert len(cursors) == 7 and cursors == sorted(cursors)
    assert [r["device"] for r in records] == ["tablet-1"] * 3 + ["tablet-2"] * 2 + ["tablet-3"] * 2


@pytest.mark.parametrize("query, expected", [
    ("edge=edge-south", 2),
    ("device=tablet-2", 2),
    ("learner=L-1", 5),
    ("kind=message", 4),
    ("edge=edge-north&kind=message", 2),
    ("learner=nobody", 0),
])
def test_records_filters_narrow_the_list(client, stored, auth_headers, query, expected):
    records = client.get(f"/v1/records?{query}", headers=auth_headers).get_json()
    assert len(records) == expected
    for name, value in (pair.split("=") for pair in query.split("&")):
        assert all(r[name] == value for r in records)


def test_records_pages_follow_the_after_cursor(client, stored, auth_headers):
    seen, after = [], 0
    while True:
        page = client.get(f"/v1/records?limit=3&after={after}", headers=auth_headers).get_json()
        if not page:
            break
        assert len(page) <= 3
        seen += [r["id"] for r in page]
        after = page[-1]["cursor"]
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=ten", "after=-1"])
def test_records_refuses_a_bad_limit_or_cursor(client, auth_headers, query):
    response = client.get(f"/v1/records?{query}", headers=auth_headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_query"


def test_summary_counts_per_edge_learner_and_kind(client, stored, auth_headers):
    summary = client.get("/v1/records/summary", headers=auth_headers).get_json()
    assert summary == {
        "total": 7,
        "by_edge": {"edge-north": 5, "edge-south": 2},
        "by_learner": {"L-1": 5, "L-2": 2},
        "by_kind": {"message": 4, "progress_statement": 3},
    }
