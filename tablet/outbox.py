"""The tablet's durable outbox (SQLite, standard library only, so it reads as a reference for
any native app).

A record is checked with the edge's own rules (wire.record_rules), written here, committed, and
only then offered to the edge. It stays `pending` until the edge's application ack names its id;
then it is `acked`. A record the edge refuses for good is kept as `rejected` with the reason until
a person has seen it and clears it (`throughgate tablet rejections list|clear`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, replace

from tablet import migrations
from wire.record_rules import check_tablet_record
from wire.records import Record, new_record
from wire.schema import Schema, migrate
from wire.topics import REPLY_TYPES

SCHEMA = migrations.OUTBOX  # tables outbox, meta (next_seq), inbox: tablet/migrations/outbox/


@dataclass(frozen=True)
class Pending:
    id: str
    seq: int
    body: bytes


def open_database(path: str, schema: Schema) -> sqlite3.Connection:
    """A tablet database: autocommit (transactions are explicit), WAL, and a commit that survives power loss,
    at its schema's latest version (pending migrations applied, each in its own transaction). A file written
    by a newer release raises wire.schema.SchemaTooNew, naming it and both versions, and is left as it was."""
    database = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
    try:
        _use_wal(database)
        database.execute("PRAGMA synchronous=FULL")
        migrate(database, replace(schema, title=f"{schema.title} {path}"))
    except BaseException:
        database.close()
        raise
    return database


def _use_wal(database: sqlite3.Connection, tries: int = 200) -> None:
    """Switch to WAL. Connections opening a new file at once may find it locked: SQLite answers at once
    there, without waiting its busy timeout, so try again for a while (10 s at most)."""
    for attempt in range(1, tries + 1):
        try:
            database.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries:
                raise
            time.sleep(0.05)


class Outbox:
    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, kind: str, learner: str, payload: dict, record_id: str | None = None, *,
            check: bool = True) -> Record:
        """Create a record and commit it. Once this returns, it survives a crash. With `record_id` (chosen
        before, so a retry after a crash cannot record it twice) an id already here raises
        sqlite3.IntegrityError."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
                seq = row[0] if row else 1
                record = new_record(kind, learner, seq, payload, record_id=record_id)
                if check:  # off only in tests that play a tablet without the rules
                    check_tablet_record(record)
                self._db.execute("INSERT INTO outbox (id, seq, body, created) VALUES (?, ?, ?, ?)",
                                 (record.id, seq, record.to_json(), time.time()))
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('next_seq', ?)", (seq + 1,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return record

    def add_many(self, items: list[tuple[str, str, dict]], *, check: bool = True) -> list[Record]:
        """Several records in one commit (kind, learner, payload), each checked as `add` checks it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()
                seq = row[0] if row else 1
                records = [new_record(kind, learner, seq + i, payload)
                           for i, (kind, learner, payload) in enumerate(items)]
                for record in records if check else ():
                    check_tablet_record(record)
                now = time.time()
                self._db.executemany("INSERT INTO outbox (id, seq, body, created) VALUES (?, ?, ?, ?)",
                                     [(r.id, r.seq, r.to_json(), now) for r in records])
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('next_seq', ?)", (seq + len(items),))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return records

    def pending(self, limit: int, exclude: set[str], now: float | None = None, after_seq: int = 0) -> list[Pending]:
        """Up to `limit` records to send, in seq order, skipping `exclude` (in flight) and deferred ones.
        after_seq: only records after this one (the sender's cursor), so a busy sender reads only new rows."""
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT id, seq, body FROM outbox WHERE state='pending' AND seq > ? AND not_before <= ? "
                "ORDER BY seq LIMIT ?", (after_seq, now, limit + len(exclude))).fetchall()
        return [Pending(*row) for row in rows if row[0] not in exclude][:limit]

    def acked(self, ids: list[str]) -> int:
        """Mark records acknowledged: one transaction, so one disk sync however many ids."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.executemany("UPDATE outbox SET state='acked' WHERE id=? AND state='pending'",
                                           [(i,) for i in ids])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return cur.rowcount

    def rejected(self, record_id: str, reason: str) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET state='rejected', reason=? WHERE id=? AND state='pending'",
                             (reason, record_id))

    def defer(self, record_id: str | None, until: float) -> None:
        """The edge asked us to wait (its outbox is full): keep the record, send it later."""
        with self._lock:
            if record_id is None:
                self._db.execute("UPDATE outbox SET not_before=? WHERE state='pending'", (until,))
            else:
                self._db.execute("UPDATE outbox SET not_before=? WHERE id=?", (until, record_id))

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        counts = {"pending": 0, "acked": 0, "rejected": 0}
        counts.update(dict(rows))
        return counts

    def rejections(self) -> list[tuple[str, int, str]]:
        with self._lock:
            return self._db.execute(
                "SELECT id, seq, reason FROM outbox WHERE state='rejected' ORDER BY seq").fetchall()

    def rejected_records(self, record_id: str | None = None) -> list[tuple[Record, str]]:
        """The records the edge refused, oldest first, each with the edge's reason (one, by id)."""
        with self._lock:
            rows = self._db.execute("SELECT body, reason FROM outbox WHERE state='rejected' AND (? IS NULL OR id = ?) "
                                    "ORDER BY seq", (record_id, record_id)).fetchall()
        return [(Record(**{k: v for k, v in record_json(body).items() if k != "v"}), reason) for body, reason in rows]

    def clear_rejections(self, record_id: str | None = None) -> int:
        """Forget refused records once a person has seen them (all, or one by id); how many. Sequence numbers
        are never reused (they come from meta's next_seq), so the edge's sequence check is unaffected."""
        with self._lock:
            cur = self._db.execute("DELETE FROM outbox WHERE state='rejected' AND (? IS NULL OR id = ?)",
                                   (record_id, record_id))
            return cur.rowcount

    def keep_message(self, message: dict) -> bool:
        """Keep a down message from the edge for the learner (feedback, award, or a later type: any but the
        relay's answers), committed before this returns. False if already kept (or not a message to keep)."""
        kind = message.get("type")
        if not isinstance(kind, str) or kind in REPLY_TYPES or not isinstance(message.get("id"), str):
            return False
        with self._lock:
            cur = self._db.execute("INSERT OR IGNORE INTO inbox (id, type, body, received) VALUES (?, ?, ?, ?)",
                                   (message["id"], message["type"], json.dumps(message), time.time()))
            return cur.rowcount == 1

    def messages(self, type_: str | None = None) -> list[dict]:
        """Kept feedback and award messages, oldest first (one type, or all)."""
        with self._lock:
            rows = self._db.execute("SELECT body FROM inbox WHERE ? IS NULL OR type = ? ORDER BY received, id",
                                    (type_, type_)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def ids(self, state: str | None = None) -> list[str]:
        with self._lock:
            if state:
                return [r[0] for r in self._db.execute("SELECT id FROM outbox WHERE state=? ORDER BY seq", (state,))]
            return [r[0] for r in self._db.execute("SELECT id FROM outbox ORDER BY seq")]


def record_json(body: bytes) -> dict:
    return json.loads(body)
