"""A hostile look at a real edge's GET /metrics: the token file emptied, blanked or removed while the edge
runs, and method and path variants, never let anyone scrape; the token written back works again."""

from __future__ import annotations

import http.client
import ssl

from edge import identity
from throughgate.stack import free_port


def ask(stack, port: int, method: str, path: str, header: str | None) -> int:
    context = ssl.create_default_context(cafile=str(identity.EdgeFiles(stack.edge_dir).ca_cert))
    context.check_hostname = False  # the edge's certificate names the edge, not 127.0.0.1
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        connection.request(method, path, headers={"Authorization": header} if header is not None else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_an_emptied_or_removed_metrics_token_file_lets_no_one_scrape_the_edge(stack_factory):
    port = free_port()
    stack = stack_factory(metrics__port=port)
    stack.start()
    token_file = stack.edge_dir / "metrics.token"
    token = token_file.read_text().strip()
    assert ask(stack, port, "GET", "/metrics", f"Bearer {token}") == 200
    for text in ("", "\n", "  \t\n", None):
        if text is None:
            token_file.unlink()
        else:
            token_file.write_text(text)
        for header in (None, "Bearer", "Bearer ", "Bearer  \t", f"Bearer {token}", "Basic Og=="):
            for method in ("GET", "HEAD"):
                assert ask(stack, port, method, "/metrics", header) == 401, (text, header, method)
    token_file.write_text(token + "\n")
    assert ask(stack, port, "GET", "/metrics", f"Bearer {token}") == 200
    for method, path in (("GET", "//metrics"), ("GET", "/metrics/"), ("GET", "/%6detrics"), ("POST", "/metrics"),
                         ("PROBE", "/metrics")):
        assert ask(stack, port, method, path, None) in (401, 404, 405, 308), (method, path)
    for wrong in (token[:-1], token + "0", token.upper(), token[:16]):
        assert ask(stack, port, "GET", "/metrics", f"Bearer {wrong}") == 401
