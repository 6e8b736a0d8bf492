"""The person's app for phones, at /app/ on the hub's port (<html data-side="phone">): its built files from
webapp.DIST, served by webapp.serve's blueprint (the edge serves the same to tablets). Static, no data: the
phone's own key signs its data requests (/v1/phone/...), so these routes need no login (OPEN_ROUTES). The page may
frame the hub's content origin (CONTENT_PORT), where the course player runs course files, and nothing else."""

from __future__ import annotations

from flask import current_app, redirect, request

from provisioning import content_origin
from webapp import serve


def _content_origin() -> tuple[str, ...]:
    """The hub's content origin (CONTENT_PORT, on the host the phone asked for), where the course player's
    frames come from (hub/courses/content_origin.py); none where the hub serves none."""
    port = current_app.config["CONTENT_PORT"]
    return () if port is None else (content_origin.origin(request.host, "localhost", port),)


bp = serve.blueprint("webapp", side="phone", frame_src=_content_origin)


@bp.get("/")
def home():
    """The hub's bare address, which the release letter gives the person: the app."""
    return redirect("/app/", 302)
