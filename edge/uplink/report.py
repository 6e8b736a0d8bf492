"""The edge's status report, sent to the hub: POST /v1/edge/health over the mutual-TLS hub client.

The hub keeps it (a bounded history per edge) and rates the edge from it; an edge that stops
sending is flagged as silent there. Nothing here retries: the next report goes at the next interval.
"""

from __future__ import annotations

import json

from wire import health

REPORT_PATH = "/v1/edge/health"


def send(client, report: dict) -> str | None:
    """POST one report; None when the hub took it, else why not (the hub unreachable, or its refusal)."""
    try:
        status, body = client.request("POST", REPORT_PATH, health.dumps(health.fit(report)).encode())
    except OSError as exc:
        return str(exc)
    if status == 200:
        return None
    try:
        answer = json.loads(body)
        reason = answer.get("reason") or answer.get("error")
    except (ValueError, AttributeError):
        reason = body[:200].decode(errors="replace")
    return f"the hub refused the status report (HTTP {status}): {reason}"

