"""The person's app for phones, at /app/ on the hub's port (<html data-side="phone">): its built files from
webapp.DIST, served by webapp.serve's blueprint (the edge serves the same to tablets). Static, no data: the
phone's own key signs its data requests (/v1/phone/...), so these routes need no login (OPEN_ROUTES)."""

from __future__ import annotations

from flask import redirect

from webapp import serve

bp = serve.blueprint("webapp", side="phone")


@bp.get("/")
def home():
    """The hub's bare address, which the release letter gives the person: the app."""
    return redirect("/app/", 302)
