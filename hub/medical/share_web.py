"""The pages a GP or pharmacy opens from a link the person shared: /health/shared/<secret> (the summary
in plain words, for a clinician), /bundle.json (the IPS bundle, FHIR R4 JSON) and /summary.pdf.

No login: the address is the secret (hub/medical/shares.py). So each answer says so to everything
between: `Referrer-Policy: no-referrer` (the secret never leaves in a Referer), `Cache-Control:
no-store`, `X-Robots-Tag: noindex`, and a CSP that allows nothing but the page's own inline style, by
its hash. Failed secrets count against the address like wrong console logins (LOGIN_FAILURES in
LOGIN_WINDOW_S, hub/staff/throttle.py), so guessing is as slow as it is hopeless (256 bits).
Every use is counted on the share and recorded as a health read the person sees on their phone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from hub.medical import printable, service, shares
from hub.refusals import Refused
from hub.staff import throttle
from wire import ips

bp = Blueprint("health_share", __name__, url_prefix="/health/shared", template_folder="templates")
ROLE = "clinician via share"
PURPOSE = "opened the link the person shared ({made_for})"
STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;max-width:52rem;padding:1rem;color:#0b0c0c;"
    "background:#fff}h1{font-size:1.75rem;margin:.5rem 0}h2{font-size:1.3rem;margin:1.5rem 0 .5rem;"
    "border-top:1px solid #b1b4b6;padding-top:1rem}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #b1b4b6}"
    ".warning{border:4px solid #d4351c;padding:.75rem 1rem;margin:1rem 0;font-weight:700}"
    ".warning p{margin:.25rem 0}.muted{color:#505a5f}a{color:#1d70b8}a:focus{outline:3px solid #fd0;"
    "background:#fd0;color:#0b0c0c}.downloads a{display:inline-block;margin:0 1.5rem .5rem 0;font-weight:700}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}dt{font-weight:700}dd{margin:0}"
)
CSP = (f"default-src 'none'; style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}';"
       " img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")


@bp.after_app_request
def _headers(response: Response) -> Response:
    """Every answer under /health/shared/, the hub's own 404 and 405 for a wrong path or method included
    (those are not this blueprint's), since the address itself is the secret."""
    if not request.path.startswith(shares.PATH):
        return response
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CSP
    return response


def _page(template: str, status: int = 200, **values) -> Response:
    return Response(render_template(template, style=Markup(STYLE), **values), status=status,  # noqa: S704
                    mimetype="text/html")


@bp.errorhandler(Refused)
def _refused(exc: Refused) -> Response:
    titles = {410: "This link has expired", 429: "Too many wrong links", 404: "No health summary here"}
    response = _page("health_share/ended.html", exc.status, title=titles.get(exc.status, "This link does not work"),
                     reason=exc.reason)
    if exc.status == 429:
        response.headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return response


def _opened(secret: str, what: str):
    """The share and the person's summary it opens, counted and recorded as a read; Refused otherwise."""
    keys = (f"share:{(request.remote_addr or 'unknown')[:60]}",)
    config = current_app.config
    wait, at = throttle.count_attempt(keys, config["LOGIN_FAILURES"], config["LOGIN_WINDOW_S"])
    if wait > 0:
        raise Refused(429, "too_many_tries", f"too many links that do not work came from your address: wait "
                      f"{math.ceil(wait / 60)} minutes, then open the link again; if it still does not work, "
                      f"{shares.ASK_AGAIN}", retry_after=math.ceil(wait))
    known = shares.find(secret)
    if known is not None and known.revoked_at is None:  # a real link, working or expired: not a guess
        throttle.take_back(keys, at, forget=False)
    share = shares.open(secret)
    if service.summary_meta(share.person_id) is None:  # nothing to read: no read recorded
        raise Refused(404, "no_summary", f"the person no longer has a health summary here; {shares.ASK_AGAIN}, or "
                      "ask them for their summary another way")
    opened = service.read(share.person_id, who=f"share:{share.share_id[:8]}", role=ROLE,
                          purpose=PURPOSE.format(made_for=share.made_for), via="share", what=what)
    if opened is None or opened.summary is None:
        raise Refused(404, "no_summary", f"the person no longer has a health summary here; {shares.ASK_AGAIN}, or "
                      "ask them for their summary another way")
    shares.used(share)
    return share, opened


@bp.get("/<secret>")
def summary(secret: str):
    share, opened = _opened(secret, "summary")
    plain = ips.plain(opened.summary, opened.appointments)
    return _page("health_share/shared.html", plain=plain, expires_at=share.expires_at,
                 bundle_url=url_for(".bundle", secret=secret), pdf_url=url_for(".pdf", secret=secret))


@bp.get("/<secret>/bundle.json")
def bundle(secret: str):
    _share, opened = _opened(secret, "bundle")
    return Response(json.dumps(opened.summary, ensure_ascii=False, indent=1), mimetype="application/fhir+json",
                    headers={"Content-Disposition": 'attachment; filename="health-summary.json"'})


@bp.get("/<secret>/summary.pdf")
def pdf(secret: str):
    _share, opened = _opened(secret, "printable")
    return Response(printable.pdf(ips.plain(opened.summary, opened.appointments)), mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="health-summary.pdf"'})
