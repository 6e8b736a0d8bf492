"""The edge's status report (wire/health.py), gathered from its store and files: what it sends the hub
every uplink.report_interval_s, and what `throughgate edge status` prints. One source for both.

Each alarm carries its what-to-do line: RUNBOOK by alarm code (the alarm's own message, which says
what happened, when the code has none here).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import shutil
import time

import peewee as pw

from edge import identity, store
from edge.courses import catalogue
from provisioning import pki
from wire import health
from wire.records import timestamp

RUNBOOK = {
    "hub_unreachable": "Check the box's route to the hub (firewall, DNS, proxy) and that the hub runs; records wait "
                       "in the outbox meanwhile. `throughgate edge status` shows the backlog",
    "quota_reached": "The outbox is full and tablets are told to wait: restore the hub link first; if the backlog "
                     "cannot drain, raise quota_bytes in edge.toml and restart throughgate-edge",
    "crl_expiring": "The tablet CRL is not being re-issued: read the edge log (journalctl -u throughgate-edge) for "
                    "why, fix it and restart throughgate-edge; when the CRL runs out no tablet can connect",
    "edge_cert_expiring": "Run `throughgate edge renew --instance /var/lib/throughgate/edge`; if the hub refuses, "
                          "make a new token (`throughgate hub tokens create EDGE`) and enrol the box again",
    "clock_skew": "Set the box's time: `timedatectl status`, and check NTP (systemd-timesyncd) reaches a server",
    "broker_permissions": "Check that Mosquitto runs with this edge's configuration "
                          "(systemctl status throughgate-mosquitto); the edge retries every few seconds",
    "broker_store_large": "Mosquitto's persistence file is large: find the tablets that do not collect their "
                          "messages, or restart throughgate-mosquitto in a quiet hour",
    "wifi_restart_needed": "Restart hostapd (systemctl restart throughgate-hostapd) before the certificate it "
                           "serves runs out",
    "course_sync_failed": "Run `throughgate edge courses list` on the box to see which course fails and why; "
                          "check the hub link",
    "relay_commit_failed": "The edge cannot write to its store: check free disk and the store file's permissions, "
                           "then restart throughgate-edge",
    "attachments_not_forwarded": "Check the hub link; the edge sends the attachments again by itself",
    "attachment_refused": "Raise the hub's MAX_ATTACHMENT_BYTES if the file should be taken, then run "
                          "`throughgate edge attachments retry` on the box",
}


def _cut(text: str) -> str:
    return text if len(text) <= health.MAX_TEXT else text[:health.MAX_TEXT - 1] + "…"


def software_version() -> str:
    try:
        return importlib.metadata.version("throughgate")[:health.MAX_NAME]
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def alarms() -> list[dict]:
    return [{"code": a.code[:health.MAX_NAME], "since": a.raised, "message": _cut(a.message),
             "what_to_do": _cut(RUNBOOK.get(a.code, a.message))} for a in store.open_alarms()[:health.MAX_ALARMS]]


def outbox() -> dict:
    """Records not yet confirmed by the hub (unsealed, or in a sealed batch), their bytes, the oldest."""
    sealed = store.OutBatch.select(store.OutBatch.id).where(store.OutBatch.state == "sealed")
    waiting = store.Received.select().where(store.Received.batch.is_null() | store.Received.batch.in_(sealed))
    oldest = waiting.select(pw.fn.MIN(store.Received.received)).scalar()
    return {"records": waiting.count(), "bytes": store.outbox_bytes(), "oldest": oldest, "batches": sealed.count()}


def last_delivery() -> str | None:
    return (store.OutBatch.select(pw.fn.MAX(store.OutBatch.delivered))
            .where(store.OutBatch.state == "delivered").scalar())


def tablets(now: dt.datetime) -> dict:
    since = timestamp(now - dt.timedelta(hours=24))
    active = (store.Received.select(pw.fn.COUNT(store.Received.device.distinct()))
              .where(store.Received.received >= since).scalar())
    return {"enrolled": store.Tablet.select().where(store.Tablet.status == "active").count(),
            "active_24h": int(active or 0),
            "revoked": store.Tablet.select().where(store.Tablet.status == "revoked").count()}


def _not_after(path, load) -> str | None:
    try:
        thing = load(path.read_bytes())
    except (OSError, ValueError, pki.PkiError):
        return None
    end = getattr(thing, "not_valid_after_utc", None) or thing.next_update_utc
    return timestamp(end) if end else None


def certificates(files: identity.EdgeFiles) -> dict:
    return {"edge_client": _not_after(files.edge_cert, pki.load_cert),
            "server": _not_after(files.server_cert, pki.load_cert),
            "tablet_ca": _not_after(files.ca_cert, pki.load_cert),
            "crl": _not_after(files.crl, pki.load_crl)}


def courses() -> list[dict]:
    return [{"course": s["course"], "status": s["status"], "stage": s["stage"], "version": s["version"],
             "current": s["current"], "last_sync": s["last_sync"],
             "last_error": _cut(s["last_error"]) if s["last_error"] else None}
            for s in catalogue.states()[:health.MAX_COURSES]]


def disk(instance) -> dict:
    usage = shutil.disk_usage(instance)
    return {"free_bytes": usage.free, "total_bytes": usage.total}


def report(config, started_at: float | None = None, clock_skew_s: float | None = None) -> dict:
    """The edge's report now (store open). started_at: the service's start (time.time()); None: now."""
    now = dt.datetime.now(dt.UTC)
    started = started_at if started_at is not None else time.time()
    return {
        "format": health.FORMAT, "edge_id": config.edge_id, "sent_at": timestamp(now),
        "software": {"version": software_version(),
                     "started_at": timestamp(dt.datetime.fromtimestamp(started, dt.UTC)),
                     "uptime_s": round(max(0.0, time.time() - started), 1)},
        "alarms": alarms(), "outbox": outbox(), "last_delivery": last_delivery(),
        "clock_skew_s": None if clock_skew_s is None else round(clock_skew_s, 1),
        "disk": disk(config.instance), "certificates": certificates(identity.EdgeFiles(config.instance)),
        "tablets": tablets(now), "courses": courses(),
    }


def status_extras(config) -> dict:
    """What `throughgate edge status` prints besides the store's counts: the same gathering as the report."""
    now = dt.datetime.now(dt.UTC)
    return {"oldest_waiting": outbox()["oldest"], "alarm_actions": [a["what_to_do"] for a in alarms()],
            "tablets": tablets(now), "certificates": certificates(identity.EdgeFiles(config.instance)),
            "disk_free_bytes": disk(config.instance)["free_bytes"],
            "courses": {c["course"]: c["status"] for c in courses()}}
