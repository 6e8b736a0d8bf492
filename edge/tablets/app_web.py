"""The person's app for tablets, at /app/ on the tablet API's HTTPS port (<html data-side="tablet">): the same
built files and headers as the hub's /app/ for phones (webapp/serve.py). The page may frame the content origin
(`courses.content_port` on the host the tablet asked for, as edge/courses/serve.py hands it out), where the
SCORM player runs course files with no credential of the tablet's; nothing else.

No client certificate is needed for these static files; the app's data requests (/v1/tablets/records, ...)
carry the tablet's certificate, as the tablet API asks for it."""

from __future__ import annotations

from flask import current_app, request

from webapp import serve


def _content_origin() -> tuple[str, ...]:
    config = current_app.config["EDGE"]
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    return (f"https://{host}:{config.courses.content_port}",)


bp = serve.blueprint("app", side="tablet", frame_src=_content_origin)
