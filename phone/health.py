"""The person's health summary on the reference phone (docs/phone-sync.md, "Health summary").

A sync fetches it when the hub says it changed (phone/client.py `health_refresh`) and keeps it in the
phone's store with its printable HTML and PDF, so `lines` shows it and `export` writes it with no
network at all: the summary in plain words is made here, from the stored bundle, by the same
wire.ips.plain the hub uses, with today's date (an appointment that has passed drops out offline too).
The rest speaks to the hub, each request signed: the person's shares for a GP or pharmacy, their
choice to carry a summary at all, which of their own workers may read it, and who read it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import quote

from phone import client
from phone.store import Store
from wire import ips

EXPORTS = {"bundle": "the FHIR bundle (JSON)", "html": "the printable summary (HTML)", "pdf": "the printable "
           "summary (PDF)"}


def _signed(folder: str | Path, method: str, path: str, body: dict | None = None) -> dict:
    done, key, context = client._signing(Path(folder))
    data = json.dumps(body).encode() if body is not None else b""
    status, answer = client._request(done.hub, context, method, path, data, key)
    if status not in (200, 201):
        raise client._refusal(status, answer)
    return json.loads(answer)


def plain(store: Store, today: str | None = None) -> dict | None:
    """The kept summary in plain words (wire.ips.plain), or None when the phone holds none."""
    kept = store.health()
    if kept is None:
        return None
    return ips.plain(kept.get("summary"), kept.get("appointments"), today or date.today().isoformat())


def export(store: Store, what: str, out: str | Path) -> int:
    """Write the kept bundle, HTML or PDF to `out`, offline; its size."""
    kept = store.health()
    if kept is None:
        raise client.PhoneError("no_summary", "this phone holds no health summary: sync first (it comes once health "
                                "care staff upload it), or check that you chose to carry one")
    data = json.dumps(kept["summary"], indent=1, ensure_ascii=False).encode() if what == "bundle" \
        else store.health_file(what)
    if data is None:
        raise client.PhoneError("not_kept", f"this phone holds no copy of {EXPORTS[what]}: sync again")
    Path(out).write_bytes(data)
    return len(data)


def share(folder: str | Path, made_for: str, days: int | None = None) -> dict:
    """A new link for a GP or pharmacy: {"share_id", "url", "expires_at", "made_for", "qr_svg"}. The
    link is shown this once: the hub keeps only its SHA-256."""
    return _signed(folder, "POST", "/v1/phone/health/shares",
                   {"made_for": made_for, **({"days": days} if days is not None else {})})


def shares(folder: str | Path) -> dict:
    """{"shares": [...], "workers": [...]}: the person's links, and their own workers (whether each may
    read the summary)."""
    return _signed(folder, "GET", "/v1/phone/health/shares")


def revoke(folder: str | Path, share_id: str) -> dict:
    return _signed(folder, "POST", f"/v1/phone/health/shares/{quote(share_id, safe='')}/revoke", {})


def carry(folder: str | Path, carried: bool, store: Store) -> dict:
    """The person's choice; no deletes the phone's copy at once (the hub keeps none either), yes fetches
    the summary if there is one."""
    answer = _signed(folder, "POST", "/v1/phone/health/choice", {"carried": carried})
    client.health_refresh(folder, store)
    return answer


def share_with(folder: str | Path, worker: str, shared: bool) -> dict:
    return _signed(folder, "POST", "/v1/phone/health/workers", {"worker": worker, "shared": shared})


def reads(folder: str | Path, after: int = 0) -> list[dict]:
    """Every read of the person's health summary after `after`, oldest first."""
    found: list[dict] = []
    while True:
        answer = _signed(folder, "GET", f"/v1/phone/health/reads?after={after}")
        found += answer["reads"]
        if not answer.get("more") or not answer["reads"]:
            return found
        after = answer["reads"][-1]["id"]
