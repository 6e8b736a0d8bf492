"""nginx in front of the edge (bench/nginx.py and bench/accel.py, the option phase 5 of the bench
measures; the box does not use it): the edge authorises every request and answers with
X-Accel-Redirect; nginx (Debian's nginx-light, from a generated config) sends the file with the
same headers, 304 and Range, in the same CSP sandbox."""

from __future__ import annotations

import hashlib
import json
import shutil
from urllib.parse import quote

import pytest

from bench import nginx
from bench.accel import AccelServer
from edge import identity
from edge.courses.serve import CONTENT_POLICY
from edge.host.broker import wait_for_port
from edge.tablets import registry as tablets
from tablet.identity import pinned_context
from tests.courses.conftest import running_copy, stopped
from tests.courses.courses_kit import get, synced_course
from throughgate.stack import free_port


@pytest.fixture(scope="module")
def fronted(built_stack, tmp_path_factory):
    if shutil.which("nginx") is None and not shutil.which("/usr/sbin/nginx"):
        pytest.skip("nginx is not installed: `make deps` installs nginx-light")
    folder = tmp_path_factory.mktemp("nginx")
    stack = running_copy(built_stack, folder / "stack")
    accel = server = None
    try:
        members, devices, cfg = synced_course(stack, folder, seed=5)
        files = identity.EdgeFiles(cfg.instance)
        accel = AccelServer(cfg, free_port()).start()
        port = free_port()
        block = nginx.server_block(host="127.0.0.1", port=port, server_name=cfg.server_name, cert=files.server_cert,
                                   key=files.server_key, tablet_ca=files.ca_cert, edge_port=accel.port,
                                   blobs=cfg.courses_dir / "blobs")
        server = nginx.Nginx(folder / "nginx", nginx.standalone_conf(folder / "nginx", block, workers=1)).start()
        wait_for_port("127.0.0.1", port, 10)
        yield port, devices, members, cfg
    finally:
        for part in (server, accel):
            if part is not None:
                part.stop()
        stopped(stack)


def test_nginx_sends_what_the_edge_authorised_with_etag_304_and_range(fronted):
    port, devices, members, _ = fronted
    context = devices["tab-0000"].ssl_context()
    status, _, body = get(port, context, "/v1/courses")
    assert status == 200 and json.loads(body)["courses"][0]["envelope"]["manifest"]["course"] == "intro-maths"
    video = members["media/basics.mp4"]
    sha = hashlib.sha256(video).hexdigest()
    status, headers, body = get(port, context, f"/v1/content/{sha}")
    assert (status, body) == (200, video)
    assert (headers["etag"], headers["content-type"]) == (f'"{sha}"', "video/mp4")
    assert headers["cache-control"] == "private, max-age=31536000, immutable"
    assert "x-accel-redirect" not in headers
    assert get(port, context, f"/v1/content/{sha}", {"If-None-Match": f'"{sha}"'})[0] == 304
    status, headers, body = get(port, context, f"/v1/content/{sha}", {"Range": "bytes=100-199"})
    assert (status, body, headers["content-range"]) == (206, video[100:200], f"bytes 100-199/{len(video)}")


def test_nginx_in_front_refuses_what_the_edge_refuses(fronted):
    port, devices, members, cfg = fronted
    sha = hashlib.sha256(members["index.html"]).hexdigest()
    anonymous = pinned_context(devices["tab-0000"].ca_path.read_text(), cfg.server_name)
    assert get(port, anonymous, f"/v1/content/{sha}")[0] == 401
    borrowed = quote(devices["tab-0000"].cert_path.read_text())  # a tablet's certificate, without its key
    assert get(port, anonymous, f"/v1/content/{sha}", {"X-Tablet-Cert": borrowed})[0] == 401
    revoked_context = devices["tab-0001"].ssl_context()
    assert get(port, devices["tab-0000"].ssl_context(), "/v1/content/" + "0" * 64)[0] == 404
    assert get(port, devices["tab-0000"].ssl_context(), "/_blobs/" + sha[:2] + "/" + sha)[0] == 404  # internal only
    tablets.revoke("tab-0001", identity.EdgeFiles(cfg.instance), cfg.tablets.crl_days)
    assert get(port, revoked_context, f"/v1/content/{sha}")[0] == 403
    assert get(port, revoked_context, f"/v1/content/{sha}", {"X-Tablet-Cert": borrowed})[0] == 403


def test_behind_nginx_course_files_keep_the_sandbox(fronted):
    """nginx drops an upstream's own headers on X-Accel-Redirect: its config adds the policy itself."""
    port, devices, members, _ = fronted
    sha = hashlib.sha256(members["index.html"]).hexdigest()
    status, headers, _ = get(port, devices["tab-0000"].ssl_context(), f"/v1/content/{sha}")
    assert status == 200
    assert headers["content-security-policy"] == CONTENT_POLICY
    assert headers["x-content-type-options"] == "nosniff"
