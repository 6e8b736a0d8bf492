"""Courses on the tablet: downloaded once from the edge's tablet API, then used offline.

    GET /v1/courses           with If-None-Match: the list's ETag (304: nothing changed)
    GET /v1/content/<sha256>  each file the tablet does not hold yet; `Range: bytes=N-` resumes one

Everything lives in the tablet's folder:

    courses.sqlite                          each course version: its manifest, downloading | available
    courses/blobs/<aa>/<sha256>             a verified file, once, whatever course or version names it
    courses/partial/<sha256>                a download in progress, resumed from its length
    courses/library/<course>/v<version>/    an available version as its own tree (hard links to the
                                            blobs), so an entry page's relative links work offline

All downloads go over one kept-alive TLS connection with the tablet's certificate. A dropped
connection is opened again and the file resumes from its partial length. A file becomes a blob only
when its size and sha256 match the manifest; a mismatch is deleted and reported, and its version
does not become available. Paths follow wire.courses' rules (checked again on every manifest), and
each one is resolved inside its version's tree before anything is written there. The edge has
checked the hub's signature; the tablet trusts the edge it pinned at enrolment.

Old versions: the newest available version of a course is the one that opens. An older one stays
until the version the edge lists is complete, then it goes (its tree, and every blob no kept version
names). A course the edge no longer lists is removed at the next sync that reaches the edge.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tablet import migrations
from tablet.attachments import EdgeApi
from tablet.outbox import open_database
from wire.blobs import BlobError, BlobStore
from wire.courses import Manifest, ManifestError, ManifestFile, check_path, href_path, parse_fields
from wire.transfer import Progress

CHUNK = 256 * 1024
SCHEMA = migrations.COURSES  # tables course_version, meta (list_etag): tablet/migrations/courses/
OFFLINE = "the courses you have still work offline; run the sync again when the edge is in reach"


class CoursesError(Exception):
    """code: unreachable | refused | not_available | unsafe_path | bad_answer; reason: what to do."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class Held:
    course: str
    version: int
    title: str
    state: str
    files_held: int
    files_total: int
    bytes_held: int
    bytes_total: int


class Shelf:
    """The tablet's own course cache (see the module's docstring); works with no network."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.blobs = BlobStore(self.folder / "courses").create()
        self.library = self.folder / "courses" / "library"
        self.library.mkdir(exist_ok=True, mode=0o750)
        self.db = open_database(str(self.folder / "courses.sqlite"), SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def syncing(self):
        """One sync of this folder at a time (two would write the same partial files)."""
        with open(self.folder / "courses" / "sync.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CoursesError("busy", "another course sync of this tablet is running: let it finish") from None
            yield

    def etag(self) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'list_etag'").fetchone()
        return row[0] if row else None

    def set_etag(self, etag: str | None) -> None:
        if etag:
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('list_etag', ?)", (etag,))

    def versions(self, state: str | None = None) -> list[tuple[Manifest, str]]:
        rows = self.db.execute("SELECT manifest, state FROM course_version WHERE ?1 IS NULL OR state = ?1 "
                               "ORDER BY course, version", (state,)).fetchall()
        return [(parse_fields(json.loads(text)), found) for text, found in rows]

    def take(self, listed: list[Manifest], refused: set[str] = frozenset()) -> None:
        """The edge's current list: new versions to download; superseded downloads and courses no
        longer listed go (an available version stays until the listed one is complete). A course
        whose listed manifest was refused keeps what the tablet has."""
        wanted = {m.course: m for m in listed}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            rows = self.db.execute("SELECT course, version, state FROM course_version").fetchall()
            for course, version, state in rows:
                current = wanted.get(course)
                if course in refused:
                    continue
                if current is None or (state == "downloading" and version != current.version):
                    self.db.execute("DELETE FROM course_version WHERE course = ? AND version = ?", (course, version))
            for m in wanted.values():
                self.db.execute("INSERT OR IGNORE INTO course_version (course, version, manifest) VALUES (?, ?, ?)",
                                (m.course, m.version, json.dumps(m.to_fields(), separators=(",", ":"))))
        self.reclaim()

    def complete(self, manifest: Manifest) -> bool:
        return all(self.blobs.has(f.sha256, f.size) for f in manifest.files)

    def tree(self, course: str, version: int) -> Path:
        return self.library / course / f"v{version}"

    def publish(self, manifest: Manifest) -> None:
        """Every file is verified: make the version's tree, mark it available, drop older versions."""
        final = self.tree(manifest.course, manifest.version)
        building = final.with_name(final.name + ".part")
        shutil.rmtree(building, ignore_errors=True)
        for f in manifest.files:
            target = _inside(building, f.path, self.library)
            os.makedirs(target.parent, mode=0o750, exist_ok=True)
            try:
                os.link(self.blobs.path(f.sha256), target)
            except FileExistsError:
                raise CoursesError("unsafe_path", f"{manifest.course} names {f.path!r} twice") from None
            except OSError:  # a filesystem without hard links
                shutil.copyfile(self.blobs.path(f.sha256), target)
        shutil.rmtree(final, ignore_errors=True)  # left by a sync stopped between these two steps
        os.replace(building, final)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("UPDATE course_version SET state = 'available', available = ? WHERE course = ? AND "
                            "version = ?", (time.time(), manifest.course, manifest.version))
            self.db.execute("DELETE FROM course_version WHERE course = ? AND version != ?",
                            (manifest.course, manifest.version))
        self.reclaim()

    def reclaim(self) -> None:
        """Trees, blobs and partial files no kept version names."""
        kept = self.versions()
        trees = {self.tree(m.course, m.version) for m, state in kept if state == "available"}
        for course in self.library.iterdir():
            for tree in course.iterdir():
                if tree not in trees:
                    shutil.rmtree(tree, ignore_errors=True)
            if not any(course.iterdir()):
                course.rmdir()
        named = {f.sha256 for m, _ in kept for f in m.files}
        for sha in self.blobs.shas() - named:
            self.blobs.remove(sha)
        self.blobs.drop_partials(named)

    def held(self) -> list[Held]:
        found = []
        for m, state in self.versions():
            have = [f for f in m.files if self.blobs.has(f.sha256, f.size)]
            found.append(Held(m.course, m.version, m.title, state, len(have), len(m.files),
                              sum(f.size for f in have), m.total_size))
        return found

    def path(self, course: str, item: str | None = None) -> Path:
        """The local file of a course's entry (or of one item), in its newest available version."""
        found = [m for m, state in self.versions("available") if m.course == course]
        if not found:
            listed = [h for h in self.held() if h.course == course]
            hint = "the edge has not offered it"
            if listed:
                hint = (f"version {listed[0].version} has {listed[0].files_held} of {listed[0].files_total} files: "
                        "run `throughgate tablet courses sync` in reach of the edge")
            raise CoursesError("not_available", f"{course} is not available offline: {hint}")
        manifest = found[-1]
        href = manifest.entry
        if item is not None:
            items = {i.id: i.href for i in manifest.items}
            if item not in items:
                raise CoursesError("not_available", f"{course} version {manifest.version} has no item {item!r}: "
                                   f"its items are {', '.join(items) or 'none'}")
            href = items[item]
        return _inside(self.tree(course, manifest.version), href_path(href), self.library)


def _inside(root: Path, path: str, library: Path) -> Path:
    """root/path, if the path is safe by wire.courses' rules and, every link followed, stays inside
    root and the library (a link planted in the tablet's folder leads nowhere else either)."""
    check_path(path)
    target = (root / path).resolve()
    if not (target.is_relative_to(root.resolve()) and target.is_relative_to(library.resolve())):
        raise CoursesError("unsafe_path", f"{path!r} leads outside the course's folder: refused")
    return target


class CourseApi(EdgeApi):
    """The edge's course routes on one kept-alive connection, counting requests, connections and bytes."""

    requests = connections = bytes_received = 0

    def open(self, path: str, headers: dict) -> http.client.HTTPResponse:
        return self.exchange("GET", path, None, headers)

    def on_request(self, new_connection: bool) -> None:
        self.connections += new_connection
        self.requests += 1

    def unreachable(self, exc: Exception) -> Exception:
        return CoursesError("unreachable", f"the edge at {self.host}:{self.port} did not answer ({exc}): {OFFLINE}")

    def chunks(self, response: http.client.HTTPResponse):
        """A file's body; OSError when the connection drops before its end (the caller resumes)."""
        try:
            while chunk := response.read(CHUNK):
                self.bytes_received += len(chunk)
                yield chunk
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise OSError(f"the connection dropped mid-file ({exc or type(exc).__name__})") from exc
        if response.length not in (None, 0):
            self.close()
            raise OSError("the edge's answer ended early")

    def refusal(self, response: http.client.HTTPResponse) -> str:
        body = response.read(4000)
        try:
            answer = json.loads(body)
            return f"{response.status} {answer.get('error')}: {answer.get('reason')}"
        except (ValueError, AttributeError):
            return f"{response.status}"


class CourseSync:
    """One sync: the list (If-None-Match), the missing files, then each complete version published."""

    def __init__(self, shelf: Shelf, api: CourseApi, on_progress=None):
        self.shelf, self.api, self.on_progress = shelf, api, on_progress or (lambda _p: None)
        self.files = self.file_bytes = 0
        self.changed = False
        self.refused: list[tuple[str, str, str]] = []  # (course, path, reason)
        self.published: list[tuple[str, int]] = []
        self.resumed: dict[str, int] = {}  # sha256 -> the byte a download resumed at

    def run(self) -> CourseSync:
        with self.shelf.syncing():
            return self._run()

    def _run(self) -> CourseSync:
        try:
            self._take_list()
            pending = [m for m, _ in self.shelf.versions("downloading")]
            missing = {f.sha256: (m.course, f) for m in pending for f in m.files
                       if not self.shelf.blobs.has(f.sha256, f.size)}
            progress = Progress(files_total=len(missing), bytes_total=sum(f.size for _, f in missing.values()))
            for course, f in missing.values():
                progress.course, progress.path = course, f.path
                self._fetch(course, f, progress)
                progress.files_done += 1
                self.on_progress(progress)
            for m in pending:
                if self.shelf.complete(m):
                    self.shelf.publish(m)
                    self.published.append((m.course, m.version))
        finally:
            self.api.close()
        return self

    def _take_list(self) -> None:
        etag = self.shelf.etag()
        response = self.api.open("/v1/courses", {"If-None-Match": etag} if etag else {})
        if response.status == 304:
            response.read()
            return
        if response.status != 200:
            raise CoursesError("refused", f"the edge refused the course list ({self.api.refusal(response)}); "
                               f"{OFFLINE}")
        try:
            listed = json.loads(response.read())["courses"]
            envelopes = [entry["envelope"]["manifest"] for entry in listed]
        except (ValueError, KeyError, TypeError):
            raise CoursesError("bad_answer", f"the edge's course list is not {{\"courses\": [...]}}; "
                               f"{OFFLINE}") from None
        manifests = []
        for fields in envelopes:
            try:
                manifests.append(parse_fields(fields))
            except ManifestError as exc:
                course = fields.get("course", "?") if isinstance(fields, dict) else "?"
                self.refused.append((str(course), "", f"its manifest breaks a rule ({exc}): ask staff to check "
                                     "the course at the edge"))
        self.changed = True
        self.shelf.take(manifests, {course for course, _, _ in self.refused})
        if not self.refused:  # a list taken whole: a later 304 means nothing to do
            self.shelf.set_etag(response.getheader("ETag"))

    def _fetch(self, course: str, f: ManifestFile, progress: Progress) -> None:
        blobs, stalled, base = self.shelf.blobs, 0, progress.bytes_done
        while True:
            offset = blobs.partial_size(f.sha256)
            offset = offset if offset <= f.size else 0
            try:
                download = (self._receive(f, offset, progress, base) if offset < f.size
                            else blobs.download(f.sha256, f.size, offset))
                download.finish()
                self.files += 1
                return
            except BlobError as exc:
                self.refused.append((course, f.path, _refusal(exc, f)))
                return
            except OSError as exc:
                stalled = 0 if blobs.partial_size(f.sha256) > offset else stalled + 1
                if stalled >= 2:
                    raise CoursesError("unreachable", f"{exc}; {_resumes(blobs, f)}; {OFFLINE}") from None
            except CoursesError as exc:
                if exc.code == "unreachable" and blobs.partial_size(f.sha256):
                    raise CoursesError(exc.code, f"{_resumes(blobs, f)}; {exc.reason}") from None
                raise

    def _receive(self, f: ManifestFile, offset: int, progress: Progress, base: int):
        """The file's bytes from `offset` into its partial file; returns the Download to finish."""
        response = self.api.open(f"/v1/content/{f.sha256}", {"Range": f"bytes={offset}-"} if offset else {})
        if response.status == 206 and offset and (response.getheader("Content-Range") or "").startswith(
                f"bytes {offset}-"):
            self.resumed[f.sha256] = offset
        elif response.status == 200:
            offset = 0  # the whole file again
        else:
            reason = self.api.refusal(response)
            if response.status in (401, 403):
                raise CoursesError("refused", f"the edge refused this tablet ({reason}); {OFFLINE}")
            raise BlobError("not_served", f"the edge answered {reason}")
        download = self.shelf.blobs.download(f.sha256, f.size, offset)
        try:
            for chunk in self.api.chunks(response):
                try:
                    download.write(chunk)
                except OSError as exc:  # this tablet's storage, not the network
                    with contextlib.suppress(OSError):
                        download.close()
                    raise CoursesError("storage", f"cannot write {f.path} on this tablet ({exc}): free some "
                                       "space and sync again; the courses you have still work offline") from None
                self.file_bytes += len(chunk)
                progress.bytes_done = base + download.offset
        except OSError:
            download.close()  # what arrived stays, flushed, for the resume
            raise
        return download


def _resumes(blobs: BlobStore, f: ManifestFile) -> str:
    return f"{f.path} resumes at byte {blobs.partial_size(f.sha256)} of {f.size} next time"


def _refusal(exc: BlobError, f: ManifestFile) -> str:
    if exc.code == "not_served":
        return f"{exc.reason}; run the sync again later, and tell staff if it stays"
    return (f"{exc.code}: what the edge sent is not the {f.size} bytes with sha256 {f.sha256[:12]}... the manifest "
            "gives: the file was deleted and the course does not open from it; tell staff")
