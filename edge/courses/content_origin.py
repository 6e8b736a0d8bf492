"""The edge's content origin: course files on an HTTPS port of their own (`courses.content_port`), so that a
SCORM package runs at an origin that holds no credential, next to the runtime it looks for. The routes, the
wrapper page and the headers are provisioning/content_origin.py's (the hub serves phones the same way); this
module says where the edge's files are (its course cache, the versions it serves) and the app's origin (the
tablet API's, https://<host>:<tablets.api_port>).

Why not the tablet API's port: a page there runs with the tablet's client certificate (the sandbox without
allow-same-origin stopped that, and also stopped the SCORM API lookup, which needs the content and its API on
one origin). Here the server asks for no client certificate and sets no cookie, so a course's scripts have
nothing of the tablet's to use. Each file's URL carries a short-lived token (provisioning/capability.py) that
only the tablet API makes.
"""

from __future__ import annotations

from flask import Flask, request

from edge.config import EdgeConfig
from edge.courses.serve import Reader
from edge.courses.tables import CURRENT, RETAINED, CourseVersion, VersionFile
from edge.identity import EdgeFiles
from provisioning import capability, content_origin, https
from wire.blobs import BlobStore

_FILES, _VERSIONS = VersionFile._meta.table_name, CourseVersion._meta.table_name
FILE_SQL = (f'SELECT f.sha256, f.size, f.type FROM "{_FILES}" f JOIN "{_VERSIONS}" v ON v.id = f.version_id '  # noqa: S608
            'WHERE v.course = ? AND v.version = ? AND v.state IN (?, ?) AND f.path = ? LIMIT 1')
PATHS_SQL = (f'SELECT f.path FROM "{_FILES}" f JOIN "{_VERSIONS}" v ON v.id = f.version_id '  # noqa: S608
             'WHERE v.course = ? AND v.version = ? AND v.state IN (?, ?) ORDER BY f.path')


class _Reader(Reader):
    """serve.Reader, with every row of a query too."""

    def all(self, sql: str, params: tuple) -> list[tuple]:
        if self._conn is None:
            self.one("SELECT 1", ())  # opens the connection
        with self._lock:
            return self._conn.execute(sql, params).fetchall()


def app_origin(config: EdgeConfig) -> str:
    """The tablet app's origin as this browser sees it: the host it asked for here, the tablet API's port."""
    return content_origin.origin(request.host, config.tablets.api_host, config.tablets.api_port)


def create_app(config: EdgeConfig) -> Flask:
    reader = _Reader(config.db_path)

    def file(course: str, version: int, path: str):
        return reader.one(FILE_SQL, (course, version, CURRENT, RETAINED, path))

    def paths(course: str, version: int) -> list[str]:
        return [row[0] for row in reader.all(PATHS_SQL, (course, version, CURRENT, RETAINED))]

    files = content_origin.Files(file=file, paths=paths, blob=BlobStore(config.courses_dir).path,
                                 missing="staff should run `throughgate edge courses sync`")
    app = content_origin.create_app(token_key=capability.load_key(config.instance), files=files,
                                    app_origin=lambda: app_origin(config), where="edge")
    app.config.update(EDGE=config, READER=reader)
    return app


def server_context(files: EdgeFiles):
    """The edge's server certificate; no client certificate is asked for (provisioning/content_origin.py)."""
    return content_origin.server_context(files.server_cert, files.server_key)


class ContentOriginServer(https.HttpsServer):
    def __init__(self, config: EdgeConfig, port: int | None = None):
        files = EdgeFiles(config.instance)
        host = config.courses.content_host or config.tablets.api_host
        super().__init__(create_app(config), host, config.courses.content_port if port is None else port,
                         lambda: server_context(files),
                         name="content-origin")
