"""Release at the prison (the manager's page): mark a learner released, which shows their one-time activation code
once with its QR code, and prints the release letter (a page to print, or a PDF) from it. Works while the hub is
away: the code is made here, and the hub hears of it in the edge's next batch (edge/release/service.py)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request

from edge.console.access import require
from edge.identity import EdgeFiles
from edge.release import service
from provisioning import pki
from provisioning.letter import LetterError, html, pdf
from provisioning.qr import qr_svg
from provisioning.tokens import ActivationOffer
from wire.records import valid_learner

bp = Blueprint("release", __name__, url_prefix="/learners/learner/<learner>/release")

LETTER_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
              "frame-ancestors 'none'; base-uri 'none'")


def _learner(learner: str) -> str:
    if not valid_learner(learner):
        abort(404)
    return learner


def _hub() -> tuple[str, str]:
    """The hub's address and its root's pin, as the phone will check them (what the edge enrolled with)."""
    config = current_app.config["EDGE"]
    root = EdgeFiles(config.instance).hub_root
    if not root.exists():
        raise service.ReleaseError("this edge is not enrolled at a hub yet, so a phone could not be set up from the "
                                   "letter: ask IT staff to enrol it (throughgate edge enrol)", 409)
    return config.uplink.hub_url, pki.spki_sha256(pki.load_cert(root.read_bytes()))


def _form(learner: str, error: str | None = None, status: int = 200):
    return render_template("release/form.html", learner=learner, kept=service.latest(learner), error=error,
                           days=service.DAYS), status


@bp.get("/")
@require("manager")
def form(learner: str):
    return _form(_learner(learner))


@bp.post("/")
@require("manager")
def release(learner: str):
    learner = _learner(learner)
    raw = request.form.get("days", "").strip() or str(service.DAYS)
    try:
        hub_url, pin = _hub()
        if not raw.isdigit():
            raise service.ReleaseError("a code lasts a whole number of days, like 7")
        made = service.release(learner, g.member.username, int(raw))
    except service.ReleaseError as exc:
        return _form(learner, exc.reason, exc.status)
    uri = ActivationOffer(hub_url, made.code, pin).to_link()
    return render_template("release/code.html", learner=learner, made=made, uri=uri, qr=qr_svg(uri))


@bp.post("/letter")
@require("manager")
def letter(learner: str):
    learner = _learner(learner)
    try:
        hub_url, pin = _hub()
        made = service.letter_for(learner, request.form.get("code", ""), hub_url, pin)
        if request.form.get("format") == "pdf":
            response = Response(pdf(made), mimetype="application/pdf")
            response.headers["Content-Disposition"] = f'attachment; filename="release-letter-{learner}.pdf"'
            response.headers["Cache-Control"] = "no-store"
            return response
    except service.ReleaseError as exc:
        return _form(learner, exc.reason, exc.status)
    except LetterError as exc:
        return _form(learner, str(exc), 500)
    response = Response(html(made), mimetype="text/html")
    response.headers["Content-Security-Policy"] = LETTER_CSP
    return response
