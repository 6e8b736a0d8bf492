"""The hub's content origin, for phones after release: course files on an HTTPS port of their own
(`CONTENT_PORT`), no client certificate asked for, no cookie, so a course's scripts run at an origin that holds
nothing of the person's (their phone's signing key and IndexedDB are the app's origin's, /app/ on the hub's
port). The routes, the wrapper page and the headers are provisioning/content_origin.py's, the edge's too; this
module says where the hub's files are (its blob store, any version of a course it holds) and the app's origin
(`https://<the host the phone asked for>:<the hub's port>`).

A file's URL carries a capability token (provisioning/capability.py) that only the signed phone route
POST /v1/phone/courses/<course>/launch makes (hub/courses/phone_api.py), for the person, their phone's key, one
course version, for 4 hours; the key is the hub's own, `<instance>/content-token.key`.
"""

from __future__ import annotations

from flask import Flask, request

from hub import ca, db, server
from hub.courses.blobs import BlobStore
from hub.courses.models import Course, CourseFile, CourseVersion
from provisioning import capability, content_origin, https


def create_app(hub_app: Flask, hub_port: int) -> Flask:
    """The content origin's app for this hub (`hub_app` gives the settings; its database is bound already).
    `hub_port`: the port the app is served on, the only origin that may frame course files."""
    config = hub_app.config

    def version_query(course: str, version: int):
        return (CourseVersion.select(CourseVersion.id).join(Course)
                .where((Course.slug == course) & (CourseVersion.version == version)))

    def file(course: str, version: int, path: str):
        row = (CourseFile.select(CourseFile.sha256, CourseFile.size, CourseFile.type)
               .where(CourseFile.version.in_(version_query(course, version)) & (CourseFile.path == path)).first())
        return None if row is None else (row.sha256, row.size, row.type)

    def paths(course: str, version: int) -> list[str]:
        return [row.path for row in CourseFile.select(CourseFile.path)
                .where(CourseFile.version.in_(version_query(course, version))).order_by(CourseFile.path)]

    files = content_origin.Files(file=file, paths=paths, blob=BlobStore.from_config(config).path,
                                 missing="the hub's operator should restore COURSE_BLOB_DIR from its backup")
    app = content_origin.create_app(token_key=capability.load_key(hub_app.instance_path), files=files,
                                    app_origin=lambda: content_origin.origin(request.host, "localhost", hub_port),
                                    where="hub")

    @app.teardown_request
    def _close(_exc):
        db.release()

    return app


class HubContentServer(https.HttpsServer):
    """`hub run`'s second listener, on CONTENT_PORT (host: the hub's own), with the hub's connection caps."""

    def __init__(self, hub_app: Flask, host: str, hub_port: int, port: int):
        paths = ca.files(hub_app.instance_path)
        super().__init__(create_app(hub_app, hub_port), host, port,
                         lambda: content_origin.server_context(paths.server_cert, paths.server_key),
                         name="hub-content", caps=server.caps(hub_app.config))
