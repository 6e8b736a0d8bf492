"""Course content is served to tablets in a CSP sandbox, an origin of its own: a course page opened
from the edge's tablet API in real Chromium (holding the tablet's client certificate, on 127.0.0.1)
cannot use the tablet's certificate against the rest of the API (attachments, certificate renewal).
Behind nginx: tests/courses/test_courses_nginx.py."""

from __future__ import annotations

import hashlib

import pytest

from edge import identity
from edge.courses.serve import CONTENT_POLICY
from edge.tablets.api import TabletApiServer
from tests.courses.conftest import running_copy, stopped
from tests.courses.courses_kit import coursekit, get, import_course, open_edge_store, run_sync

PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>waiting</title></head><body><script>
fetch("/v1/attachments/limits", {credentials: "include"})
  .then(r => r.text()).then(t => { document.title = "READ " + t; })
  .catch(e => { document.title = "BLOCKED " + e; });
</script></body></html>
"""


@pytest.fixture(scope="module")
def served(built_stack, tmp_path_factory):
    """A synced course holding a page with a script, and the edge's tablet API on its port."""
    folder = tmp_path_factory.mktemp("served-sandbox")
    stack = running_copy(built_stack, folder / "stack")
    try:
        coursekit.build_native_zip(folder / "v1.zip", extra={"lesson/page.html": PAGE})
        import_course(stack, folder / "v1.zip")
        devices = stack.add_devices(1)
        cfg = open_edge_store(stack)
        run_sync(stack)
        identity.ensure_server_cert(identity.EdgeFiles(cfg.instance), cfg.edge_id, cfg.server_name)
        with TabletApiServer(cfg) as server:
            yield server, devices["tab-0000"]
    finally:
        stopped(stack)


def test_course_html_is_served_in_a_csp_sandbox_without_the_apis_origin(served):
    server, tablet = served
    status, headers, body = get(server.port, tablet.ssl_context(), f"/v1/content/{hashlib.sha256(PAGE).hexdigest()}")
    assert (status, body) == (200, PAGE)
    policy = [d.strip() for d in headers.get("content-security-policy", "").split(";")]
    sandbox = next((d for d in policy if d.startswith("sandbox")), None)
    assert sandbox is not None and "allow-same-origin" not in sandbox, headers
    assert headers["content-security-policy"] == CONTENT_POLICY
    assert headers["x-content-type-options"] == "nosniff"


def test_a_script_in_course_html_cannot_call_the_tablet_api_with_the_tablets_certificate(served, browser):
    """Without the sandbox the page ran at the API's origin (a security review found it): its fetch went
    out with the tablet's certificate and read the answer (it could as well upload attachments or renew
    the certificate)."""
    server, tablet = served
    origin = f"https://127.0.0.1:{server.port}"
    context = browser.new_context(ignore_https_errors=True, client_certificates=[
        {"origin": origin, "certPath": str(tablet.cert_path), "keyPath": str(tablet.key_path)}])
    try:
        page = context.new_page()
        page.goto(f"{origin}/v1/content/{hashlib.sha256(PAGE).hexdigest()}")
        page.wait_for_function("document.title !== 'waiting'")
        title = page.title()
    finally:
        context.close()
    assert title.startswith("BLOCKED"), title

