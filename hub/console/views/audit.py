"""The admin console's audit pages: the trail newest first (50 a page, filtered by actor and action),
checking its hash chain (hub/audit/chain.py), and downloading it as `throughgate hub audit export`
prints it (JSON lines), to keep off the hub and check later with `hub audit verify --against FILE`.

Reading the trail is not audited (it would add an entry per page); checking the chain and downloading
it are, as the CLI's `audit verify` and `audit export` are.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, stream_with_context

from hub.audit import trail
from hub.audit.models import AuditEntry
from hub.console import access
from hub.ingest.storage import utc_now
from hub.refusals import Refused

bp = Blueprint("audit", __name__)
PER_PAGE = 50


def _filters() -> tuple[str, str, int | None]:
    actor, action = request.args.get("actor", "").strip()[:80], request.args.get("action", "").strip()[:40]
    before = request.args.get("before", "")
    if before and not (before.isascii() and before.isdigit() and len(before) <= 18):
        raise Refused(400, "bad_query", "'before' is an entry's number: use the Older link to page back")
    return actor, action, int(before) if before else None


def _details(text: str) -> list[tuple[str, str]] | str:
    try:
        found = json.loads(text)
    except ValueError:
        return text
    if not isinstance(found, dict):
        return text
    return [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            for key, value in found.items()]


@bp.get("/audit")
@access.require("audit.read")
def index():
    actor, action, before = _filters()
    query = AuditEntry.select().order_by(AuditEntry.seq.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    rows = list(query.limit(PER_PAGE + 1))
    older = rows[PER_PAGE - 1].seq if len(rows) > PER_PAGE else None
    entries = [(trail.as_dict(row), _details(row.detail)) for row in rows[:PER_PAGE]]
    actions = sorted({row.action for row in AuditEntry.select(AuditEntry.action).distinct()} | ({action} - {""}))
    return render_template("console/audit.html", title="Audit trail", entries=entries, actor=actor, action=action,
                           actions=actions, before=before, older=older, per_page=PER_PAGE)


@bp.get("/audit/check")
@access.require("audit.read")
def check():
    verdict = trail.verify()
    broken = None
    if not verdict.intact:
        row = AuditEntry.get_or_none(AuditEntry.seq == verdict.broken_at)
        broken = (trail.as_dict(row), _details(row.detail)) if row is not None else None
    access.record("audit.read", "chain", "intact" if verdict.intact else f"broken at {verdict.broken_at}",
                  did="check the chain", entries=verdict.count)
    return render_template("console/audit_check.html", title="Check the audit trail's chain", verdict=verdict,
                           broken=broken)


@bp.get("/audit/export")
@access.require("audit.read")
def export():
    """Every entry as JSON lines, as `throughgate hub audit export` prints them (this download's own
    audit entry included, as the last line)."""
    access.record("audit.read", "export", did="download the export")
    name = f"throughgate-hub-audit-{utc_now()[:19].replace(':', '').replace('-', '')}Z.jsonl"

    def lines():
        for entry in trail.entries():
            yield json.dumps(entry, ensure_ascii=False) + "\n"

    return Response(stream_with_context(lines()), mimetype="application/jsonl",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
