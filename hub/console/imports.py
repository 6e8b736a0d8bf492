"""Course imports started from the admin console: the upload is already a file in the blob store's
tmp/ folder (in the instance); a background thread imports it with the same service as the API and
the CLI (hub.courses.importer.import_package) while the browser watches a progress page.

Stages, in order (one small vocabulary, saved after each step):

    received -> checking -> storing (files N of M) -> publishing -> done | failed

A job's state is a small JSON file, `<instance>/course-imports/<job>.json`, written whole then
renamed: every process of a hub on this host reads the same state, whichever process runs the
import (no table needed). A job whose process stopped (restart, crash) stops being updated; after
STALE_S, or at once if its process is gone, it reads as failed, with what to do. One import runs at
a time in each process; the next waits in `received`. The newest KEEP jobs are kept.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from hub import db
from hub.audit import trail
from hub.courses.archive import members, open_zip
from hub.courses.blobs import BlobStore, Stored
from hub.courses.cli import format_text, scorm_lines
from hub.courses.importer import import_package
from hub.courses.package import Limits, PackageError
from wire.records import timestamp

log = logging.getLogger("hub.console.imports")

FOLDER = "course-imports"
RECEIVED, CHECKING, STORING, PUBLISHING, DONE, FAILED = "received", "checking", "storing", "publishing", "done", \
    "failed"
STAGES = (RECEIVED, CHECKING, STORING, PUBLISHING, DONE)
FINAL = (DONE, FAILED)
KEEP = 50
STALE_S = 15 * 60
"""A job not updated for this long, and not finished, was stopped with its process."""
SAVE_EVERY_S = 0.5
WAIT_BEAT_S = 30
_JOB_ID = re.compile(r"[0-9a-f]{16}")
_one_at_a_time = threading.Lock()

ADVICE = {
    "bad_zip": "Check that you chose the package zip itself, and download it again if it may be damaged; then "
               "import it again.",
    "unknown_format": "Zip the package's contents, not the folder that holds them: imsmanifest.xml (SCORM) or "
                      "course.json (native) must be at the top of the zip.",
    "unsupported_format": "Export the course from its authoring tool as SCORM 1.2 or SCORM 2004, then import that "
                          "package.",
    "course_name_taken": "Import the package again and type a course name in the form: the first name the reason "
                         "gives to import it as a course of its own, or the existing course's name to make it that "
                         "course's next version.",
    "zip_bomb": "This zip is not a course package the hub can take. Ask whoever supplied it for the original "
                "package.",
    "too_large": "Split the course into smaller ones, or ask the hub's operator whether the limits in docs/hub.md "
                 "should be raised.",
    "too_many_files": "Split the course into smaller ones, or ask the hub's operator whether COURSE_MAX_FILES "
                      "should be raised.",
    "bad_course": "Give a course name of lower-case letters, digits and '-' in the form, and import it again.",
    "interrupted": "Import the package again: nothing was published by the stopped import.",
    "internal": "Try again in a minute. If it keeps happening, tell the hub's operator the time it happened.",
}
DEFAULT_ADVICE = ("Fix the package as the reason says (or send the reason to whoever supplied it), then import it "
                  "again.")


def folder(instance_path: str | os.PathLike) -> Path:
    return Path(instance_path) / FOLDER


def valid_id(job_id: str) -> bool:
    return isinstance(job_id, str) and bool(_JOB_ID.fullmatch(job_id))


def _write(directory: Path, job: dict) -> None:
    job["updated_at"] = timestamp()
    job["updated_s"] = time.time()
    part = directory / f".{job['id']}.{threading.get_ident()}.part"
    part.write_text(json.dumps(job, ensure_ascii=False))
    os.replace(part, directory / f"{job['id']}.json")


def create(directory: Path, *, filename: str, size: int, course: str | None, by: str, spool: str | None = None) -> dict:
    """A new job in `received` for the upload at `spool`; the oldest beyond KEEP are forgotten."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    job = {"id": secrets.token_hex(8), "filename": filename[:200], "size": size, "course": course, "by": by,
           "started_at": timestamp(), "stage": RECEIVED, "waiting": False, "files_done": 0, "files_total": None,
           "result": None, "error": None, "pid": os.getpid(), "spool": spool}
    _write(directory, job)
    _forget_old(directory)
    return job


def _forget_old(directory: Path) -> None:
    found = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in found[KEEP:]:
        path.unlink(missing_ok=True)


def read(directory: Path, job_id: str) -> dict | None:
    """The job as the progress page shows it (a stopped one reads as failed), or None if unknown."""
    if not valid_id(job_id):
        return None
    try:
        job = json.loads((directory / f"{job_id}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if job["stage"] not in FINAL and _stopped(job):
        job.update(stage=FAILED, failed_at=job["stage"], error={
            "code": "interrupted",
            "reason": "the import stopped part-way: the hub was restarted, or the process running it ended"})
        if job.get("spool"):  # the upload its process would have removed
            Path(job["spool"]).unlink(missing_ok=True)
    job["advice"] = ADVICE.get((job.get("error") or {}).get("code"), DEFAULT_ADVICE) if job.get("error") else None
    return job


def _stopped(job: dict) -> bool:
    if time.time() - job.get("updated_s", 0) > STALE_S:
        return True
    try:
        os.kill(job["pid"], 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError, TypeError):
        pass
    return False


class _CountingStore(BlobStore):
    """The blob store, saying when each file starts and is stored (the importer stores the package's
    files one by one, once every check that needs no file content has passed)."""

    def __init__(self, root, starting: Callable[[], None], stored: Callable[[], None]):
        super().__init__(root)
        self._starting, self._stored = starting, stored

    def put(self, chunks) -> Stored:
        self._starting()
        result = super().put(chunks)
        self._stored()
        return result


def run(directory: Path, job: dict, spool: str, store: BlobStore, key, limits: Limits,
        audit: Callable[[str, str, dict], None]) -> dict:
    """Import the spooled package through its stages, saving the job after each; `audit(target, outcome,
    detail)` records the result. Removes the spool. Returns the finished job."""
    last_save = 0.0

    def save(force: bool = True, **changes) -> None:
        nonlocal last_save
        job.update(changes)
        if force or time.monotonic() - last_save >= SAVE_EVERY_S:
            _write(directory, job)
            last_save = time.monotonic()

    def starting() -> None:
        if job["stage"] == CHECKING:
            save(stage=STORING)

    def stored() -> None:
        done = job["files_done"] + 1
        last = done >= (job["files_total"] or 0)
        save(force=last, files_done=done, stage=PUBLISHING if last else STORING)

    try:
        save(stage=CHECKING, waiting=False)
        with open_zip(spool, limits) as archive:
            total = len(members(archive, limits))
        save(files_total=total)  # still checking: the package's own manifest is read next
        imported = import_package(spool, _CountingStore(store.root, starting, stored), key, limits, job["course"])
        result = {k: v for k, v in imported.to_dict().items() if k != "manifest"}
        scorm = imported.envelope["manifest"].get("scorm")
        result["format_text"] = format_text(imported.format, scorm)
        result["notes"] = scorm_lines(imported.envelope["manifest"]["items"], scorm) if scorm else []
        final = {"stage": DONE, "result": result}
        recorded = (imported.course, "ok", {"version": imported.version, "unchanged": imported.unchanged})
    except PackageError as exc:
        final = {"stage": FAILED, "error": {"code": exc.code, "reason": exc.reason}}
        recorded = (job["course"] or job["filename"], f"refused: {exc.code}", {})
    except Exception as exc:  # a full disk, a database away: say so on the page, keep the details in the log
        log.exception("course import %s failed", job["id"])
        final = {"stage": FAILED, "error": {"code": "internal", "reason": "the hub could not finish the import "
                                            f"({type(exc).__name__})"}}
        recorded = (job["course"] or job["filename"], "error", {})
    finally:
        Path(spool).unlink(missing_ok=True)
    try:  # in the trail before the page says it is over
        audit(recorded[0], recorded[1], {**recorded[2], "file": job["filename"], "job": job["id"]})
    except Exception:
        log.exception("course import %s: could not append to the audit trail", job["id"])
    if final["stage"] == FAILED:
        final["failed_at"] = job["stage"]
    save(**final)
    return job


def start(directory: Path, job: dict, spool: str, store: BlobStore, key, limits: Limits,
          actor: trail.Actor, page: str) -> threading.Thread:
    """Run the import in a background thread (after any import this process is running)."""
    def audit(target: str, outcome: str, detail: dict) -> None:
        trail.append(actor, "courses.import", target, outcome, {"page": page, **detail})

    def work() -> None:
        while not _one_at_a_time.acquire(timeout=WAIT_BEAT_S):
            job["waiting"] = True
            _write(directory, job)  # still alive, still waiting
        try:
            with db.proxy.connection_context():
                run(directory, job, spool, store, key, limits, audit)
        finally:
            _one_at_a_time.release()

    if _one_at_a_time.locked():
        job["waiting"] = True
        _write(directory, job)
    thread = threading.Thread(target=work, name=f"course-import-{job['id']}", daemon=True)
    thread.start()
    return thread
