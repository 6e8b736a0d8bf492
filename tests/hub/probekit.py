"""What the admin probe tests share: one raw HTTPS request to a real `throughgate hub run`, and the
metrics token their hubs are given."""

from __future__ import annotations

import http.client

METRICS_TOKEN = "scrape-" + "p" * 40


def raw(hub, context, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """One request exactly as given (method and path not normalised); (status, body text)."""
    connection = http.client.HTTPSConnection("127.0.0.1", hub.port, context=context, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()
