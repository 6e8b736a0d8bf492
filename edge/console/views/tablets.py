"""Enrolled tablets: enrolment codes with their QR code, and revocation (IT staff and the manager)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from edge import identity
from edge.console import downlink
from edge.console.access import DEVICE_ROLES, require
from edge.host import broker
from edge.tablets import registry as tablets
from provisioning.qr import qr_svg
from provisioning.tokens import EnrolmentOffer

bp = Blueprint("tablets", __name__, url_prefix="/tablets")


def _page(offer: dict | None = None, error: str | None = None, status: int = 200):
    return render_template("tablets.html", tablets=tablets.listing(), offer=offer, error=error), status


@bp.get("/")
@require(*DEVICE_ROLES)
def index():
    return _page()


@bp.post("/code")
@require(*DEVICE_ROLES)
def code():
    cfg = current_app.config["EDGE"]
    device = request.form.get("device", "").strip()
    learner = request.form.get("learner", "").strip() or None
    try:
        made, expires = tablets.create_code(device, cfg.tablets.code_ttl_s, learner=learner)
    except tablets.TabletError as exc:
        return _page(error=exc.reason, status=exc.status)
    offer = EnrolmentOffer(cfg.edge_id, device, made, f"https://{cfg.tablets.api_host}:{cfg.tablets.api_port}",
                           identity.ca_pin(identity.EdgeFiles(cfg.instance)))
    uri = offer.to_uri()
    return _page(offer={"device": device, "code": made, "expires": expires, "uri": uri, "qr": qr_svg(uri),
                        "learner": learner})


@bp.post("/<device>/revoke")
@require(*DEVICE_ROLES)
def revoke(device: str):
    cfg = current_app.config["EDGE"]
    try:
        count = tablets.revoke(device, identity.EdgeFiles(cfg.instance), cfg.tablets.crl_days)
    except tablets.TabletError as exc:
        return _page(error=exc.reason, status=exc.status)
    # Closing its live connection with the console's own broker user: the console never holds the relay's password.
    outcome = broker.cut_off(cfg, device, as_user=(broker.CONSOLE_USER, downlink.broker_password(cfg)))
    flash(f"Tablet {device} revoked ({count} certificate(s)); new CRL written; {outcome}.")
    return redirect(url_for("tablets.index"))
