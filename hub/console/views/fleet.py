"""The admin console's fleet pages: every edge rated worst first (GET /admin/fleet), one edge's full last
report, backlog history and alarms with what to do (GET /admin/edges/<edge_id>), and revoking it
(POST /admin/edges/<edge_id>/revoke: at once, or a request for a second admin with ADMIN_APPROVALS on).

What they show comes from hub/fleet/service.py, as `throughgate hub edges health|show` prints it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from markupsafe import Markup

from hub.approvals import service as approvals
from hub.approvals.models import PENDING
from hub.console import access, charts, pages
from hub.enrolment import edges, revoking
from hub.fleet import rating, service, store
from hub.ingest.storage import utc_now
from hub.refusals import Refused
from wire.records import parse_timestamp, timestamp

bp = Blueprint("fleet", __name__)

SPARK_REPORTS = 48
"""Reports in each overview sparkline (4 hours at one every 5 minutes)."""
RECENT_SHOWN = 12
"""Reports listed in the edge page's table (as `hub edges show`)."""
CONFIRM = "I understand the edge and every tablet behind it stop at once"
DONE = {"asked": "asked", "revoked": "revoked", "already": "already"}


def _silent(health: service.EdgeHealth) -> str | None:
    """'silent for 20 min' (and why) when the rating says the edge is silent, else None."""
    return next((reason for reason in health.rating.reasons if reason.startswith("silent for")), None)


def _left(end: str, now: datetime) -> Markup:
    """'in 12 d 3 h', or 'ran out 2 h ago' in bold."""
    if parse_timestamp(end) <= now:
        return Markup("<strong>ran out {} ago</strong>").format(rating.age(end, now))
    return Markup("in {}").format(rating.age(timestamp(now), parse_timestamp(end)))


def _row(health: service.EdgeHealth, now: datetime) -> dict:
    last = health.last
    report = last.report if last else None
    backlog = [h.backlog_records for h in store.history(health.edge_id, SPARK_REPORTS)]
    outbox = report["outbox"] if report else None
    return {"edge_id": health.edge_id, "rating": health.rating.colour, "reasons": health.rating.reasons,
            "silent": _silent(health), "last": last, "age": rating.age(last.received_at, now) if last else None,
            "version": report["software"]["version"] if report else None, "outbox": outbox,
            "oldest_age": rating.age(outbox["oldest"], now) if outbox and outbox["oldest"] else None,
            "alarms": len(report["alarms"]) if report else None,
            "chart": charts.sparkline(backlog, f"{health.edge_id}: {charts.describe(backlog)}")}


@bp.get("/fleet")
@access.require("edges.health")
def overview():
    now = datetime.now(UTC)
    rows = [_row(h, now) for h in service.overview(now, current_app.config["EDGE_SILENT_AFTER_S"])]
    counts = {colour: sum(1 for r in rows if r["rating"] == colour) for colour in rating.ORDER}
    return render_template("console/fleet.html", rows=rows, counts=counts, spark_reports=SPARK_REPORTS,
                           silent_after_min=current_app.config["EDGE_SILENT_AFTER_S"] // 60)


def _page(edge_id: str, status: int = 200, error: str | None = None):
    now = datetime.now(UTC)
    kept = current_app.config["EDGE_REPORTS_KEPT"]
    found = service.detail(edge_id, now, current_app.config["EDGE_SILENT_AFTER_S"], kept)  # 404: unknown edge
    info = edges.info(edges.find(edge_id), utc_now())
    report = found.last.report if found.last else None
    backlog = [h.backlog_records for h in found.history]
    pending = approvals.blocking("edges.revoke", found.edge_id, utc_now())
    done = DONE.get(request.args.get("done", ""))
    if done in ("revoked", "already") and info.status != "revoked":
        done = None  # said only when it is so: the address alone cannot make the page claim it
    return render_template(
        "console/edge.html", h=found, info=info, report=report, now=now, age=rating.age, silent=_silent(found),
        left=lambda end: _left(end, now),
        certificate_names=rating.CERTIFICATE_NAMES, recent=list(reversed(found.history[-RECENT_SHOWN:])),
        kept_count=len(found.history), kept_most=kept,
        chart=charts.backlog_chart(backlog, [pages.when(h.received_at) for h in found.history],
                                   f"{found.edge_id}: {charts.describe(backlog)}"),
        described=charts.describe(backlog), pending=pending if pending and pending.status == PENDING else None,
        confirm=CONFIRM, error=error, done=done, approvals_on=current_app.config["ADMIN_APPROVALS"]), status


@bp.get("/edges/<edge_id>")
@access.require("edges.health")
def edge(edge_id: str):
    return _page(edge_id)


@bp.post("/edges/<edge_id>/revoke")
@access.require("edges.revoke")
def revoke(edge_id: str):
    try:
        edges.find(edge_id)
    except Refused as exc:
        access.record("edges.revoke", edge_id, f"refused: {exc.code}")
        raise
    if request.form.get("confirm") != "yes":
        return _page(edge_id, 400, "Nothing was changed: tick the box to say you understand that the edge and "
                     "every tablet behind it stop at once, then send the form again.")
    done = revoking.revoke_or_ask(edge_id, g.staff.name, utc_now(), current_app.config["ADMIN_APPROVALS"],
                                  current_app.config["APPROVAL_TTL_S"])
    if done.asked is not None:
        access.record("edges.revoke", edge_id, "pending approval", approval=done.asked.id)
        outcome = "asked"
    elif done.revoked_now:
        access.record("edges.revoke", edge_id, "ok", revoked_at=done.edge.revoked_at)
        outcome = "revoked"
    else:
        access.record("edges.revoke", edge_id, "ok", already_revoked=True)
        outcome = "already"
    return redirect(url_for("console.fleet.edge", edge_id=edge_id, done=outcome) + "#revoke")
