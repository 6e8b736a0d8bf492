"""Learning records on the tablet: progress and quiz answers as xAPI statements (also from SCORM 1.2
and SCORM 2004 runtime values), and assignment submissions with attachments.

A SCORM commit records what its values say element by element (tablet/scorm.py): an element whose value
the data model does not allow is kept in learning.sqlite's scorm_refusal with the reason, logged, and
shown by `throughgate tablet status`, and sent once to support as a `course_refusal` record
(wire/course_refusal.py), while the rest of the commit is recorded as usual.

Statements go straight into the outbox (one record each; the record id is the statement's id).
An assignment submission is *held* in learning.sqlite, with a copy of each file, until the
learner's tablet reaches the edge: `release()` uploads the attachments (resumably) and only then
puts the submission record into the outbox, under the id chosen when it was held, so a release
repeated after a crash records it once. The edge refuses a submission whose attachments it does
not hold, so this order matters.

    learning = Learning(folder, outbox)
    learning.progress("L-0042", "maths-1", "unit-3", "completed", {"completion": True})
    learning.scorm_commit("L-0042", "maths-1", "unit-3", cmi_values, attempt)
    learning.submit_assignment("L-0042", "english-2", "essay-3", "My essay", [("page-1.jpg", "image/jpeg")])
    learning.release(Uploader(EdgeApi(identity)))
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tablet import migrations, scorm, scorm2004
from tablet.attachments import AttachmentError, Limits, Uploader, file_digest
from tablet.outbox import Outbox, open_database
from wire import course_refusal, xapi
from wire.learning import AttachmentRef, check_payload, submission_attachments
from wire.records import Record, RecordError, timestamp

SCHEMA = migrations.LEARNING  # tables submission, limits, scorm_refusal: tablet/migrations/learning/

log = logging.getLogger(__name__)


@dataclass
class Released:
    recorded: list[str] = field(default_factory=list)  # record ids now in the outbox
    refused: list[tuple[str, str]] = field(default_factory=list)  # (record id, why) the edge never takes


@dataclass
class Committed:
    """What a SCORM commit recorded (records new in the outbox) and refused (each element with why, and the
    error code its LMSGetLastError gives)."""

    recorded: list[Record] = field(default_factory=list)
    refused: list[scorm.Refusal] = field(default_factory=list)


RETRY_LATER = {"unreachable", "too_many_uploads", "bad_answer"}  # the upload may work another time


class Learning:
    def __init__(self, folder: str | Path, outbox: Outbox):
        self.folder, self.outbox = Path(folder), outbox
        self.files = self.folder / "attachments"
        self._lock = threading.Lock()
        self._db = open_database(str(self.folder / "learning.sqlite"), SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # statements -----------------------------------------------------------------------------
    def record_statement(self, kind: str, learner: str, statement: dict) -> Record | None:
        """Check the statement as the edge will, then record it. None if this statement id is already
        in the outbox (the same SCORM values committed twice)."""
        check_payload(Record(str(statement.get("id")), kind, learner, timestamp(), 1, statement))
        try:
            return self.outbox.add(kind, learner, statement)
        except sqlite3.IntegrityError:
            return None

    def progress(self, learner: str, course: str, item: str | None, verb: str, result: dict | None = None,
                 name: str | None = None) -> Record:
        statement = xapi.statement(learner, verb, xapi.activity_id(course, item), name, result)
        return self.record_statement("progress_statement", learner, statement)

    def quiz_answer(self, learner: str, course: str, question: str, response: str,
                    success: bool | None = None) -> Record:
        result = {"response": response} | ({"success": success} if success is not None else {})
        statement = xapi.statement(learner, "answered", xapi.activity_id(course, question), result=result)
        return self.record_statement("quiz_answer", learner, statement)

    def scorm_commit(self, learner: str, course: str, item: str, cmi: dict[str, str], attempt: str,
                     when: str | None = None, version: str = "1.2") -> Committed:
        """What a SCORM package's LMSCommit/LMSFinish (version "1.2", tablet/scorm.py) or Commit/Terminate
        ("2004", tablet/scorm2004.py) says, as records, element by element: a refused element is kept
        (scorm_refusals) and logged, the rest recorded. Values committed again record nothing new; a new value
        is a new statement."""
        mapper = {"1.2": scorm.commit, "2004": scorm2004.commit}[version]
        mapped = mapper(cmi, learner=learner, course=course, item=item, attempt=attempt,
                        timestamp=when or timestamp())
        self._keep_refusals(learner, course, item, attempt, mapped.refused)
        recorded = [r for kind, statement in mapped.statements
                    if (r := self.record_statement(kind, learner, statement))]
        return Committed(recorded, mapped.refused)

    def _keep_refusals(self, learner: str, course: str, item: str, attempt: str,
                       refused: list[scorm.Refusal]) -> None:
        if not refused:
            return
        with self._lock:
            known = set(self._db.execute("SELECT element, value FROM scorm_refusal WHERE attempt = ?", (attempt,)))
        for r in refused:  # to support first (once: by its id), then kept here, so a crash between loses nothing
            if (r.element, r.value) not in known:
                self._send_refusal(learner, course, item, attempt, r)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                new = [r for r in refused if self._db.execute(
                    "INSERT OR IGNORE INTO scorm_refusal (attempt, element, value, learner, course, item, reason, "
                    "error_code, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (attempt, r.element, r.value, learner, course, item, r.reason, r.error_code, time.time()),
                ).rowcount]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        for r in new:
            log.warning("SCORM value refused for %s in %s/%s (attempt %s): %s", learner, course, item, attempt,
                        r.reason)

    def _send_refusal(self, learner: str, course: str, item: str, attempt: str, r: scorm.Refusal) -> None:
        """A course_refusal record in the outbox (wire/course_refusal.py), so support sees it at the edge's console
        and the hub; its id comes from the attempt, element and value, so it is recorded once."""
        try:
            payload = course_refusal.payload(course=course, version=None, item=item, attempt=attempt,
                                             element=r.element, value=r.value, error_code=r.error_code,
                                             reason=r.reason)
            self.outbox.add(course_refusal.KIND, learner, payload,
                            record_id=course_refusal.refusal_id(attempt, r.element, payload["value"]))
        except sqlite3.IntegrityError:
            pass  # already in the outbox
        except (RecordError, ValueError) as exc:  # e.g. an attempt id that is not a UUID: kept here only
            log.warning("SCORM refusal for %s in %s/%s not sent to support: %s", learner, course, item, exc)

    def scorm_refusals(self) -> list[dict]:
        """SCORM values refused, oldest first: attempt, element, value, learner, course, item, reason, error_code."""
        with self._lock:
            cursor = self._db.execute("SELECT attempt, element, value, learner, course, item, reason, error_code "
                                      "FROM scorm_refusal ORDER BY created, rowid")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # assignment submissions -----------------------------------------------------------------
    def submit_assignment(self, learner: str, course: str, assignment: str, text: str,
                          files: list[tuple[str | Path, str]]) -> str:
        """Hold a submission with copies of its files (path, media type); returns its record id. Checked
        against the edge's limits last seen, so an over-limit file is refused now, offline."""
        limits = self.last_limits()
        refs = []
        record_id = str(uuid.uuid4())
        for path, media_type in files:
            sha256, size = file_digest(path)
            if limits is not None:
                Uploader.check(size, media_type, limits)
            refs.append(AttachmentRef(str(uuid.uuid4()), sha256, size, media_type, Path(path).name).to_dict())
        payload = {"assignment": assignment, "course": course, "text": text, "attachments": refs}
        submission_attachments(payload, record_id)  # raises RecordError as the edge would
        for (path, _type), ref in zip(files, refs, strict=True):  # checked: now keep copies
            self.files.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, self.files / ref["id"])
        with self._lock:
            self._db.execute("INSERT INTO submission (record_id, learner, payload, created) VALUES (?, ?, ?, ?)",
                             (record_id, learner, json.dumps(payload), time.time()))
        return record_id

    def held(self) -> list[tuple[str, str, dict]]:
        with self._lock:
            rows = self._db.execute("SELECT record_id, learner, payload FROM submission WHERE state='held' "
                                    "ORDER BY created").fetchall()
        return [(rid, learner, json.loads(payload)) for rid, learner, payload in rows]

    def refused(self) -> list[tuple[str, str]]:
        with self._lock:
            return self._db.execute("SELECT record_id, reason FROM submission WHERE state='refused'").fetchall()

    def last_limits(self) -> Limits | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM limits").fetchone()
        if row is None:
            return None
        body = json.loads(row[0])
        return Limits(body["max_bytes"], body["chunk_bytes"], tuple(body["types"]))

    def _remember_limits(self, limits: Limits) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO limits VALUES (1, ?)", (json.dumps(asdict(limits)),))

    def release(self, uploader: Uploader) -> Released:
        """Upload the held submissions' attachments and record each submission whose attachments are all
        at the edge. Stops at the first upload that may work later (AttachmentError: the edge unreachable);
        a submission the edge can never take is kept as refused, with why."""
        held = self.held()
        released = Released()
        if not held:
            return released
        self._remember_limits(uploader.limits())
        for record_id, learner, payload in held:
            try:
                for ref in payload["attachments"]:
                    uploader.upload(self.files / ref["id"], ref["type"], ref["name"], ref["id"])
            except AttachmentError as exc:
                if exc.code in RETRY_LATER:
                    raise
                released.refused.append((record_id, self._set(record_id, "refused", f"{exc.code}: {exc.reason}")))
                continue
            try:
                self.outbox.add("assignment_submission", learner, payload, record_id=record_id)
            except sqlite3.IntegrityError:
                pass  # recorded before a crash; not twice
            except RecordError as exc:
                released.refused.append((record_id, self._set(record_id, "refused", f"{exc.code}: {exc.reason}")))
                continue
            self._set(record_id, "recorded", None)
            released.recorded.append(record_id)
        return released

    def _set(self, record_id: str, state: str, reason: str | None) -> str | None:
        with self._lock:
            self._db.execute("UPDATE submission SET state=?, reason=? WHERE record_id=?", (state, reason, record_id))
        return reason
