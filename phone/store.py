"""The phone's own database (SQLite): what the person did offline waits in `outbox` until the hub
accepts it (its id is made here, so resending it after a lost answer stores it once); what the hub
sent is in `feed`, by the hub's seq; `state` keeps the cursor. A change the hub refuses moves to
`refused` with the reason: nothing the person wrote is dropped silently."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from wire.records import timestamp

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, "
    "queued_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS feed (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, "
    "body TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS refused (id TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, "
    "error TEXT NOT NULL, reason TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS uploaded (sha256 TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS health (name TEXT PRIMARY KEY, body BLOB NOT NULL)",
)
HEALTH_DUE = "health_due"
"""Set with a sync's `health` change, in the same transaction; cleared once the summary is fetched, so a
fetch cut short is made again at the next sync, though the cursor has moved past the change."""
KEPT = "attachment_incomplete"
"""A refusal that keeps the change in the outbox: its attachment is uploaded again, then it is resent."""


class Store:
    def __init__(self, path: str | Path):
        self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA secure_delete=ON")  # a health summary deleted is overwritten, not left in free pages
        for statement in SCHEMA:
            self.db.execute(statement)

    def close(self) -> None:
        self.db.close()

    def queue(self, kind: str, body: dict) -> str:
        change_id = str(uuid.uuid4())
        self.db.execute("INSERT INTO outbox VALUES (?, ?, ?, ?)", (change_id, kind, json.dumps(body), timestamp()))
        return change_id

    def pending(self, limit: int) -> list[dict]:
        rows = self.db.execute("SELECT id, kind, body FROM outbox ORDER BY queued_at, id LIMIT ?", (limit,))
        return [{"id": i, "kind": k, "body": json.loads(b)} for i, k, b in rows]

    @property
    def cursor(self) -> int:
        row = self.db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone()
        return int(row[0]) if row else 0

    def apply(self, answer: dict) -> int:
        """The hub's answer, in one transaction: accepted changes leave the outbox, refused ones move
        to `refused` (but a message whose attachment the hub lacks stays, to be sent after it), the
        feed grows, the cursor moves. Returns how many changes left the outbox."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for change_id in answer.get("accepted", []):
                self.db.execute("DELETE FROM outbox WHERE id = ?", (change_id,))
            settled = len(answer.get("accepted", []))
            for refusal in answer.get("refused", []):
                row = self.db.execute("SELECT kind, body FROM outbox WHERE id = ?", (refusal.get("id"),)).fetchone()
                if row and refusal.get("error") == KEPT:
                    for ref in json.loads(row[1]).get("attachments", []):
                        self.db.execute("DELETE FROM uploaded WHERE sha256 = ?", (ref["sha256"],))
                elif row:
                    settled += 1
                    self.db.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?, ?)",
                                    (refusal["id"], row[0], row[1], refusal.get("error", ""),
                                     refusal.get("reason", "")))
                    self.db.execute("DELETE FROM outbox WHERE id = ?", (refusal["id"],))
            for change in answer.get("changes", []):
                self.db.execute("INSERT OR REPLACE INTO feed VALUES (?, ?, ?, ?, ?)",
                                (change["seq"], change["kind"], change["id"], json.dumps(change["body"]),
                                 change.get("at", "")))
                if change["kind"] == "health":
                    self.db.execute("INSERT OR REPLACE INTO state VALUES (?, '1')", (HEALTH_DUE,))
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('cursor', ?)", (str(answer["cursor"]),))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return settled

    def uploaded(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM uploaded WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def mark_uploaded(self, sha256: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO uploaded VALUES (?)", (sha256,))

    def refuse(self, change_id: str, error: str, reason: str) -> None:
        """The hub will never take this change (its attachment, say): it leaves the outbox for `refused`."""
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT OR REPLACE INTO refused SELECT id, kind, body, ?, ? FROM outbox WHERE id = ?",
                        (error, reason, change_id))
        self.db.execute("DELETE FROM outbox WHERE id = ?", (change_id,))
        self.db.execute("COMMIT")

    def messages(self) -> list[dict]:
        """Every message once (the feed may hold a message's id more than once across pages), oldest
        first, then those still waiting in the outbox."""
        seen, found = set(), []
        for _seq, change_id, body in self.db.execute("SELECT seq, id, body FROM feed WHERE kind = 'message' "
                                                     "ORDER BY seq"):
            if change_id not in seen:
                seen.add(change_id)
                found.append({"id": change_id, **json.loads(body), "sent": True})
        for change_id, body in self.db.execute("SELECT id, body FROM outbox WHERE kind = 'message' "
                                               "ORDER BY queued_at"):
            if change_id not in seen:
                found.append({"id": change_id, "from_person": True, **json.loads(body), "sent": False})
        return found

    def latest(self, kind: str) -> dict[str, dict]:
        """Each item of this kind as the newest feed entry left it (the hub sends an item whole at each
        change: a release plan's pathways, appointments), by id."""
        return {item_id: json.loads(body) for item_id, body in self.db.execute(
            "SELECT id, body FROM feed WHERE kind = ? ORDER BY seq", (kind,))}

    def contacts(self) -> dict:
        """Whom the person can write to, as the hub's newest `contacts` change says: {"workers": [...],
        "teams": [...]}, each with the `to` a message uses."""
        row = self.db.execute("SELECT body FROM feed WHERE kind = 'contacts' ORDER BY seq DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row else {"workers": [], "teams": []}

    def refusals(self) -> list[dict]:
        return [{"id": i, "kind": k, "body": json.loads(b), "error": e, "reason": r}
                for i, k, b, e, r in self.db.execute("SELECT * FROM refused")]

    # the health summary (docs/phone-sync.md, "Health summary"): the hub's answer, and its printable forms
    def health_due(self) -> bool:
        return self.db.execute("SELECT 1 FROM state WHERE key = ?", (HEALTH_DUE,)).fetchone() is not None

    def health_fetched(self) -> None:
        """The hub said the phone holds the newest summary: nothing is due."""
        self.db.execute("DELETE FROM state WHERE key = ?", (HEALTH_DUE,))

    def health_record(self) -> str | None:
        """The `record` of the summary this phone holds (None before the first fetch)."""
        row = self.db.execute("SELECT value FROM state WHERE key = 'health_record'").fetchone()
        return row[0] if row else None

    def keep_health(self, answer: dict, files: dict[str, bytes]) -> None:
        """The hub's GET /v1/phone/health answer and the files made from it (`html`, `pdf`), replacing
        what was kept, in one transaction; `carried` false or no summary keeps nothing but the record."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM health")
            if answer.get("carried") and answer.get("summary"):
                self.db.execute("INSERT INTO health VALUES ('answer', ?)", (json.dumps(answer).encode(),))
                for name, body in files.items():
                    self.db.execute("INSERT INTO health VALUES (?, ?)", (name, body))
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('health_record', ?)", (answer.get("record") or "",))
            self.db.execute("DELETE FROM state WHERE key = ?", (HEALTH_DUE,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and no old copy waits in the write-ahead log

    def health(self) -> dict | None:
        """The summary as the hub last sent it: {"carried", "record", "uploaded_at", "summary",
        "appointments", "plain"}; None when the phone holds none."""
        row = self.db.execute("SELECT body FROM health WHERE name = 'answer'").fetchone()
        return json.loads(row[0]) if row else None

    def health_file(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT body FROM health WHERE name = ?", (name,)).fetchone()
        return bytes(row[0]) if row else None
