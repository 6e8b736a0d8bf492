"""The course sync pipeline: named stages in a fixed order, moved by a thin controller.

    fetch_list  GET the hub's signed course list
    verify      check each manifest's signature with the hub's key (HubPublicKeys.receipt) and every
                rule of wire.courses BEFORE anything of it is used; a course that fails stops here
    plan        work out the files the cache lacks (each sha256 once, across courses)
    download    fetch only those, resuming a partial file with `Range`; each file is hashed as it
                arrives and enters the cache only if size and sha256 match the manifest
    publish     per course, once every file is there: the version becomes current atomically
    reclaim     retained versions no learner is part-way through any more lose their file lists,
                and files no kept version names are deleted (shared files stay)

State per course (tables.CourseState: pending | started | completed | errored, stage, bytes and
files done of the total, last error, last sync) is saved after every stage and every few MB, so
`edge courses list` and the console show where a sync is, and a crash loses at most that.
Collaborators are passed in: a source (source.HubSource, or anything with `courses()` and
`stream(sha, offset)`), the hub's key, and the blob store; only one sync runs at a time (a lock
file in the cache folder).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

from edge.courses import catalogue, plan, progress
from edge.courses.source import SourceError
from edge.courses.tables import COMPLETED, ERRORED, STARTED
from wire.blobs import BlobError, BlobStore
from wire.courses import Manifest, ManifestError, verify_manifest
from wire.records import timestamp
from wire.transfer import Progress, human_bytes

log = logging.getLogger(__name__)

FETCH_LIST, VERIFY, PLAN, DOWNLOAD, PUBLISH, RECLAIM = "fetch_list", "verify", "plan", "download", "publish", "reclaim"
STAGES = (FETCH_LIST, VERIFY, PLAN, DOWNLOAD, PUBLISH, RECLAIM)
SAVE_EVERY_BYTES = 8 * 1024 * 1024


class SyncBusy(RuntimeError):
    pass


@dataclass
class Offer:
    """One course from the hub's list; `manifest` is set only once its signature and rules held."""

    label: str
    envelope: dict
    groups: list[str]
    manifest: Manifest | None = None
    missing: list[plan.Wanted] = field(default_factory=list)


@dataclass
class SyncReport:
    listed: int = 0
    published: list[tuple[str, int]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # course (or "hub") -> reason
    files_fetched: int = 0
    bytes_fetched: int = 0
    reclaimed: list[tuple[str, int]] = field(default_factory=list)
    bytes_freed: int = 0
    progress: Progress = field(default_factory=Progress)

    @property
    def ok(self) -> bool:
        return not self.errors


class CourseSync:
    def __init__(self, source, hub_key, blobs: BlobStore, on_progress: Callable[[Progress], None] | None = None,
                 free_bytes: Callable[[str], int] = lambda path: shutil.disk_usage(path).free):
        self.source, self.hub_key, self.blobs = source, hub_key, blobs.create()
        self.on_progress = on_progress or (lambda _p: None)
        self.free_bytes = free_bytes
        self.report = SyncReport()

    def run(self) -> SyncReport:
        with _exclusive(self.blobs.root / ".sync.lock"):
            progress.absorb()
            offers = self.fetch_list()
            if offers is not None:
                verified = self.verify(offers)
                self.plan(verified)
                for offer in verified:
                    if self.download(offer) and self.publish(offer) is not None:
                        continue
                    if "hub" in self.report.errors:  # the hub went away: the rest waits for the next sync
                        break
                catalogue.retire_unlisted({o.label for o in offers})  # a course with a bad manifest stays
            self.reclaim(offers)
        return self.report

    # stages ---------------------------------------------------------------------------------------
    def fetch_list(self) -> list[Offer] | None:
        try:
            listed = self.source.courses()
        except (OSError, SourceError) as exc:
            self._hub_error(f"{exc}: the courses stay as they are; the next sync tries again "
                            "(`throughgate edge courses sync` to try now)")
            return None
        offers = []
        for entry in listed:
            envelope = entry.get("envelope")
            groups = entry.get("groups") or []
            if not isinstance(envelope, dict) or not isinstance(groups, list):
                self.report.errors["?"] = "an entry of the hub's course list has no envelope: it was skipped"
                continue
            offers.append(Offer(_label(envelope), envelope, [str(g) for g in groups]))
        self.report.listed = len(offers)
        return offers

    def verify(self, offers: list[Offer]) -> list[Offer]:
        verified = []
        for offer in offers:
            catalogue.set_state(offer.label, status=STARTED, stage=VERIFY)
            try:
                offer.manifest = verify_manifest(offer.envelope, self.hub_key)
                if offer.manifest.course != offer.label:
                    raise ManifestError("bad_manifest", "course name changed under verification")
                if catalogue.check_offer(offer.manifest.course, offer.manifest.version, offer.envelope):
                    catalogue.update_groups(offer.label, offer.groups)
                    catalogue.set_state(offer.label, status=COMPLETED, stage=None, version=offer.manifest.version,
                                        current=offer.manifest.version, last_error=None, last_sync=timestamp())
                    continue
            except ManifestError as exc:
                self._course_error(offer.label, VERIFY, f"the hub's manifest failed the check ({exc.code}: "
                                   f"{exc.reason}): nothing of it was used or published. Tell the hub's admin")
                continue
            except catalogue.CatalogueError as exc:
                self._course_error(offer.label, VERIFY, exc.reason)
                continue
            verified.append(offer)
        return verified

    def plan(self, verified: list[Offer]) -> None:
        seen: set[str] = set()
        report = self.report.progress
        for offer in verified:
            catalogue.set_state(offer.label, status=STARTED, stage=PLAN, version=offer.manifest.version)
            offer.missing = [w for w in plan.missing_files([offer.manifest], self.blobs.has) if w.sha256 not in seen]
            seen.update(w.sha256 for w in offer.missing)
            report.files_total += len(offer.missing)
            report.bytes_total += sum(w.size for w in offer.missing)
            catalogue.set_state(offer.label, stage=PLAN, files_total=len(offer.manifest.files), files_done=len(
                offer.manifest.files) - len(offer.missing), bytes_total=offer.manifest.total_size,
                bytes_done=offer.manifest.total_size - sum(w.size for w in offer.missing), last_error=None)
        need = sum(w.size - self.blobs.partial_size(w.sha256) for o in verified for w in o.missing)
        free = self.free_bytes(str(self.blobs.root))
        if need > free:
            for offer in verified:
                offer.missing = []
            self._hub_error(f"not enough space for the new course files: {human_bytes(need)} needed, "
                            f"{human_bytes(free)} free in {self.blobs.root}; free space or move "
                            "[courses] cache_dir, then sync again")
            for offer in verified:
                self._course_error(offer.label, PLAN, self.report.errors["hub"], keep_hub=True)
            verified.clear()

    def download(self, offer: Offer) -> bool:
        """Fetch the offer's missing files; True when all are in the cache."""
        state = catalogue.CourseState.get_by_id(offer.label)
        done_bytes, done_files = state.bytes_done, state.files_done
        catalogue.set_state(offer.label, stage=DOWNLOAD)
        for wanted in offer.missing:
            if self.blobs.has(wanted.sha256, wanted.size):  # another course fetched it meanwhile
                done_bytes, done_files = done_bytes + wanted.size, done_files + 1
                continue
            try:
                self._fetch(offer, wanted, done_bytes)
            except OSError as exc:
                self._hub_error(str(exc))
                self._course_error(offer.label, DOWNLOAD, str(exc), keep_hub=True)
                return False
            except (SourceError, BlobError) as exc:
                if getattr(exc, "code", "") == "range_refused":
                    self.blobs.partial_path(wanted.sha256).unlink(missing_ok=True)
                self._course_error(offer.label, DOWNLOAD, f"{wanted.path}: {exc.reason} Version "
                                   f"{offer.manifest.version} was not published; the next sync tries again, and "
                                   "if this repeats tell the hub's admin")
                return False
            done_bytes, done_files = done_bytes + wanted.size, done_files + 1
            catalogue.set_state(offer.label, bytes_done=done_bytes, files_done=done_files)
        return True

    def publish(self, offer: Offer) -> int | None:
        manifest = offer.manifest
        catalogue.set_state(offer.label, stage=PUBLISH)
        absent = [f.path for f in manifest.files if not self.blobs.has(f.sha256, f.size)]
        if absent:
            self._course_error(offer.label, PUBLISH, f"{len(absent)} file(s) missing from the cache at publish "
                               f"({absent[0]} ...): not published; the next sync fetches them again")
            return None
        replaced = catalogue.publish(manifest, offer.envelope, offer.groups)
        catalogue.set_state(offer.label, status=COMPLETED, stage=None, current=manifest.version, last_error=None,
                            last_sync=timestamp())
        self.report.published.append((manifest.course, manifest.version))
        log.info("course %s version %d published (%d files, %s)%s", manifest.course, manifest.version,
                 len(manifest.files), human_bytes(manifest.total_size),
                 f"; version {replaced} kept while learners are part-way" if replaced else "")
        return manifest.version

    def reclaim(self, offers: list[Offer] | None) -> None:
        progress.absorb()
        part_way = progress.part_way()
        for course, version in plan.reclaimable(catalogue.retained(), part_way):
            catalogue.reclaim(course, version)
            self.report.reclaimed.append((course, version))
        if offers is not None:  # only with the hub's list known: files fetched for a version not yet
            wanted = {f.sha256 for o in offers if o.manifest for f in o.manifest.files}  # published stay
            for sha in plan.unreferenced(self.blobs.shas(), catalogue.kept_shas() | wanted):
                self.report.bytes_freed += self.blobs.remove(sha)
            self.report.bytes_freed += self.blobs.drop_partials(wanted)
        if self.report.reclaimed:
            log.info("reclaimed %s (%s freed)", ", ".join(f"{c} v{v}" for c, v in self.report.reclaimed),
                     human_bytes(self.report.bytes_freed))

    # one file -------------------------------------------------------------------------------------
    def _fetch(self, offer: Offer, wanted: plan.Wanted, course_bytes: int) -> None:
        report = self.report.progress
        report.course, report.path = offer.label, wanted.path
        offset = self.blobs.partial_size(wanted.sha256)
        if offset > wanted.size:
            self.blobs.partial_path(wanted.sha256).unlink()
            offset = 0
        if offset == wanted.size:  # all there, never checked (a crash before the rename): check it now
            self.blobs.download(wanted.sha256, wanted.size, offset).finish()
            self._file_done(wanted.size)
            return
        stream = self.source.stream(wanted.sha256, offset)
        if stream.start:
            report.resumed_from[wanted.sha256] = stream.start
            log.info("resuming %s of %s at byte %d", wanted.path, offer.label, stream.start)
        download = self.blobs.download(wanted.sha256, wanted.size, stream.start)
        report.bytes_done += stream.start
        unsaved = 0
        try:
            for chunk in stream.chunks():
                download.write(chunk)
                report.bytes_done += len(chunk)
                self.report.bytes_fetched += len(chunk)
                unsaved += len(chunk)
                if unsaved >= SAVE_EVERY_BYTES:
                    catalogue.set_state(offer.label, bytes_done=course_bytes + download.offset)
                    unsaved = 0
                self.on_progress(report)
        except BaseException:
            download.close()  # what arrived stays in partial/ for the next sync
            raise
        download.finish()
        self._file_done(0)

    def _file_done(self, extra_bytes: int) -> None:
        report = self.report.progress
        report.files_done += 1
        report.bytes_done += extra_bytes
        self.report.files_fetched += 1
        self.on_progress(report)

    # errors ---------------------------------------------------------------------------------------
    def _hub_error(self, reason: str) -> None:
        self.report.errors.setdefault("hub", reason)
        log.warning("course sync: %s", reason)

    def _course_error(self, course: str, stage: str, reason: str, keep_hub: bool = False) -> None:
        if not keep_hub:
            self.report.errors[course] = reason
        catalogue.set_state(course, status=ERRORED, stage=stage, last_error=reason)
        log.warning("course %s: %s", course, reason)


def _label(envelope: dict) -> str:
    """The course a (not yet verified) envelope claims to be: used to file its state, nothing else."""
    from wire.records import valid_dns_label

    course = (envelope.get("manifest") or {}).get("course") if isinstance(envelope.get("manifest"), dict) else None
    return course if isinstance(course, str) and valid_dns_label(course) else "unnamed"


class _exclusive:
    """One sync at a time per cache (the scheduled job and `edge courses sync` may overlap)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise SyncBusy("another course sync is running (the edge's scheduled job, or another `edge courses "
                           "sync`): wait for it to finish, then look at `throughgate edge courses list`") from None
        return self

    def __exit__(self, *_exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def sync_edge(config, hub_key, on_progress: Callable[[Progress], None] | None = None) -> SyncReport:
    """One sync for an edge (edge.config.EdgeConfig) with the hub's receipt key: what the scheduled
    job and `edge courses sync` run. Raises the `course_sync_failed` alarm while syncs fail."""
    from edge import store
    from edge.courses.source import HubSource

    source = HubSource.for_edge(config)
    try:
        report = CourseSync(source, hub_key, BlobStore(config.courses_dir), on_progress).run()
    finally:
        source.close()
    if report.ok:
        store.clear_alarm("course_sync_failed")
    else:
        first = next(iter(report.errors.items()))
        store.raise_alarm("course_sync_failed", f"course sync: {first[0]}: {first[1]} "
                          "(`throughgate edge courses list` shows every course)")
    return report
