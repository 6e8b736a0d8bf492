"""Tablets fetch course content from the edge's tablet HTTPS API (the real TLS server, a tablet's
real certificate): the course list, files with ETag, 304, Range and immutable caching; nothing
without a certificate, nothing for a revoked tablet, nothing unpublished."""

from __future__ import annotations

import hashlib
import http.client
import json
from urllib.parse import quote

import pytest

from edge import config as edge_config
from edge import identity
from edge.tablets import registry as tablets
from edge.tablets.api import TabletApiServer
from tablet.identity import pinned_context
from tests.courses.conftest import running_copy, stopped
from tests.courses.courses_kit import get, synced_course


@pytest.fixture(scope="module")
def served(built_stack, tmp_path_factory):
    """A synced course, the edge's tablet API on its port, and two enrolled tablets (the second is
    for revoking); shared by this module's tests, which only read."""
    folder = tmp_path_factory.mktemp("served")
    stack = running_copy(built_stack, folder / "stack")
    try:
        members, devices, cfg = synced_course(stack, folder, seed=3)
        with TabletApiServer(cfg) as server:
            yield server, devices, members, cfg
    finally:
        stopped(stack)


def test_a_tablet_gets_the_verified_course_list_and_files_with_caching_headers(served):
    server, devices, members, _ = served
    tablet = devices["tab-0000"]
    status, headers, body = get(server.port, tablet.ssl_context(), "/v1/courses")
    assert status == 200
    (course,) = json.loads(body)["courses"]
    assert course["envelope"]["manifest"]["course"] == "intro-maths" and course["groups"] == []
    assert get(server.port, tablet.ssl_context(), "/v1/courses", {"If-None-Match": headers["etag"]})[0] == 304

    video = members["media/basics.mp4"]
    sha = hashlib.sha256(video).hexdigest()
    status, headers, body = get(server.port, tablet.ssl_context(), f"/v1/content/{sha}")
    assert (status, body) == (200, video)
    assert headers["etag"] == f'"{sha}"'
    assert headers["cache-control"] == "private, max-age=31536000, immutable"
    assert headers["content-type"] == "video/mp4" and headers["accept-ranges"] == "bytes"

    status, headers, body = get(server.port, tablet.ssl_context(), f"/v1/content/{sha}", {"If-None-Match": f'"{sha}"'})
    assert (status, body) == (304, b"") and headers["etag"] == f'"{sha}"'

    status, headers, body = get(server.port, tablet.ssl_context(), f"/v1/content/{sha}", {"Range": "bytes=1000-"})
    assert (status, body) == (206, video[1000:])
    assert headers["content-range"] == f"bytes 1000-{len(video) - 1}/{len(video)}"
    status, headers, _ = get(server.port, tablet.ssl_context(), f"/v1/content/{sha}", {"Range": "bytes=999999999-"})
    assert (status, headers["content-range"]) == (416, f"bytes */{len(video)}")


def test_without_a_tablet_certificate_nothing_is_served(served):
    server, devices, members, cfg = served
    anonymous = pinned_context(devices["tab-0000"].ca_path.read_text(), cfg.server_name)
    sha = hashlib.sha256(members["index.html"]).hexdigest()
    borrowed = {"X-Tablet-Cert": quote(devices["tab-0000"].cert_path.read_text())}  # trusted only behind nginx
    for path in ("/v1/courses", f"/v1/content/{sha}"):
        for headers in ({}, borrowed):
            status, _, body = get(server.port, anonymous, path, headers)
            assert status == 401 and json.loads(body)["error"] == "client_certificate_required"


def test_a_tablet_fetches_a_whole_course_over_one_kept_alive_tls_connection(served):
    server, devices, members, _ = served
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=devices["tab-0000"].ssl_context(), timeout=30)
    try:
        status, listing = fetch(conn, "/v1/courses")
        first = conn.sock
        (course,) = json.loads(listing)["courses"]
        files = course["envelope"]["manifest"]["files"]
        for entry in files:
            assert fetch(conn, f"/v1/content/{entry['sha256']}") == (200, members[entry["path"]])
        assert len(files) > 1 and conn.sock is first  # one handshake for all of them
    finally:
        conn.close()


def test_a_revoked_tablet_is_refused_even_on_a_connection_opened_before(served):
    server, devices, _, cfg = served
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=devices["tab-0001"].ssl_context(), timeout=30)
    try:
        assert fetch(conn, "/v1/courses")[0] == 200
        tablets.revoke("tab-0001", identity.EdgeFiles(cfg.instance), edge_config.load(cfg.instance).tablets.crl_days)
        status, body = fetch(conn, "/v1/courses")  # the same TLS connection, kept alive
        assert status == 403 and json.loads(body)["error"] == "tablet_revoked"
    finally:
        conn.close()
    status, _, body = get(server.port, devices["tab-0001"].ssl_context(), "/v1/courses")
    assert status == 403 and json.loads(body)["error"] == "tablet_revoked"


def fetch(conn: http.client.HTTPSConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def test_only_files_of_published_versions_are_served(served):
    server, devices, _, cfg = served
    tablet = devices["tab-0000"]
    unpublished = cfg.courses_dir / "blobs" / "ab" / ("ab" * 32)
    unpublished.parent.mkdir(exist_ok=True)
    unpublished.write_bytes(b"not in any published version")
    for sha in ("ab" * 32, "0" * 64, "not-a-hash"):
        status, _, body = get(server.port, tablet.ssl_context(), f"/v1/content/{sha}")
        assert status == 404 and json.loads(body)["error"] == "not_found"
