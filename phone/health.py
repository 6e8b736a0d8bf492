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


def lines(found: dict) -> list[str]:
    """What `throughgate phone health` prints: the warning first, then each part of the summary."""
    out = [f"WARNING: {warning}" for warning in found["warnings"]]
    patient = found["patient"]
    if patient["name"]:
        out.append(f"Health summary of {patient['name']}" + (f", born {patient['born']}" if patient["born"] else ""))
    made = found["made"]
    if made["at"]:
        out.append("Made " + ", ".join(p for p in (made["at"], made["by"], made["organisation"]) if p))
    if found["release_date"]:
        out.append(f"Release date: {found['release_date']}")
    out.append("Medicines:" if found["medicines"] else "Medicines: none recorded")
    for medicine in found["medicines"]:
        details = [medicine["dose"]] + [f"{label} {medicine[key]}" for key, label in (
            ("last_given", "last given"), ("days_supplied", "days supplied:"),
            ("prescription_issued", "prescription:")) if medicine[key]]
        out.append(f"  {medicine['name']}" + (f": {'; '.join(d for d in details if d)}" if any(details) else ""))
    ost = found["ost"]
    if ost:
        out.append(f"Opioid substitution: {ost['drug']}" + (f" ({ost['form']})" if ost["form"] else "")
                   + (f", {ost['daily_dose']}" if ost["daily_dose"] else ""))
        for key, label in (("last_supervised_dose", "last supervised dose"),
                           ("dosed_on_release_day", "dosed on the day of release"),
                           ("prescriber", "community prescriber"), ("pharmacy", "pharmacy"),
                           ("first_dose_appointment", "first dosing appointment")):
            if ost[key]:
                out.append(f"  {label}: {ost[key]}")
        if ost["depot"]:
            depot = ost["depot"]
            out.append("  depot injection: " + ", ".join(p for p in (
                depot["product"], depot["dose"], depot["given"] and f"given {depot['given']}",
                depot["next_due"] and f"next due {depot['next_due']}") if p))
    if found["naloxone"]:
        naloxone = found["naloxone"]
        out.append(f"Naloxone: {naloxone['kits'] or 'not recorded'} kit(s)"
                   + (f" on {naloxone['when']}" if naloxone["when"] else "")
                   + f"; training given: {naloxone['training_given'] or 'not recorded'}")
    if found["gp"]:
        out.append(f"GP: {found['gp']['practice'] or 'not known'}"
                   + (f" ({found['gp']['status']})" if found["gp"]["status"] else ""))
    out.append("Allergies:" if found["allergies"] else f"Allergies: {found['allergies_none'] or 'none recorded'}")
    out += [f"  {a['what']}" + "".join(f", {a[k]}" for k in ("reaction", "severity") if a[k])
            for a in found["allergies"]]
    out.append("Problems:" if found["problems"] else f"Problems: {found['problems_none'] or 'none recorded'}")
    out += [f"  {p['what']}" + "".join(f", {p[k]}" for k in ("since", "status") if p[k]) for p in found["problems"]]
    if found["appointments"]:
        out.append("Upcoming health appointments:")
        out += ["  " + ", ".join(p for p in (a["when"], a["what"], a["where"], a["with"]) if p)
                for a in found["appointments"]]
    return out


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
