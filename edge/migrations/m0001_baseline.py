"""The edge store as releases before schema versions left it: every table, index and trigger.

Written out as the SQL peewee created (edge.store, edge.console.tables, edge.courses.tables,
edge.attachments.store, at commit 6040b23), so it never changes when a model does: a later change
is a later migration. Idempotent for an unversioned store made by any earlier release (adopted at
version 0): missing tables, indexes and the trigger are created; columns earlier releases lacked are
added (a nullable one at the end with ALTER TABLE, as add_new_columns did; otherwise the table is
rebuilt by copy, with the values FILL gives, then DERIVE fills what it can from each row); the index the
uplink's cut used before d331717 is dropped.
"""

from __future__ import annotations

import re

from edge.migrations import _statements
from wire.schema import SchemaError, Target

TABLES = {
    # edge.store
    "received": 'CREATE TABLE IF NOT EXISTS "received" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "device" VARCHAR(63) '
                'NOT NULL, "seq" INTEGER NOT NULL, "kind" VARCHAR(40) NOT NULL, "priority" INTEGER NOT NULL, "learner" '
                'VARCHAR(64) NOT NULL, "created" VARCHAR(40) NOT NULL, "received" VARCHAR(30) NOT NULL, "size" INTEGER '
                'NOT NULL, "body" TEXT, "batch" VARCHAR(36))',
    "outbatch": 'CREATE TABLE IF NOT EXISTS "outbatch" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "seq" INTEGER NOT NULL, '
                '"priority" INTEGER NOT NULL, "count" INTEGER NOT NULL, "size" INTEGER NOT NULL, "digest" VARCHAR(64) '
                'NOT NULL, "envelope" BLOB, "created" VARCHAR(30) NOT NULL, "state" VARCHAR(12) NOT NULL, "attempts" '
                'INTEGER NOT NULL, "last_error" TEXT, "delivered" VARCHAR(30), "receipt" TEXT)',
    "alarm": 'CREATE TABLE IF NOT EXISTS "alarm" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(40) NOT NULL, '
             '"message" TEXT NOT NULL, "raised" VARCHAR(30) NOT NULL, "cleared" VARCHAR(30))',
    "tablet": 'CREATE TABLE IF NOT EXISTS "tablet" ("device" VARCHAR(63) NOT NULL PRIMARY KEY, "status" VARCHAR(12) '
              'NOT NULL, "serial" VARCHAR(50), "not_after" VARCHAR(30), "enrolled" VARCHAR(30) NOT NULL, "revoked" '
              'VARCHAR(30), "learner" VARCHAR(64))',
    "tabletcert": 'CREATE TABLE IF NOT EXISTS "tabletcert" ("serial" VARCHAR(50) NOT NULL PRIMARY KEY, "device" '
                  'VARCHAR(63) NOT NULL, "not_after" VARCHAR(30) NOT NULL, "issued" VARCHAR(30) NOT NULL, "revoked" '
                  'VARCHAR(30))',
    "enrolmentcode": 'CREATE TABLE IF NOT EXISTS "enrolmentcode" ("digest" VARCHAR(64) NOT NULL PRIMARY KEY, "device" '
                     'VARCHAR(63) NOT NULL, "expires" VARCHAR(30) NOT NULL, "created" VARCHAR(30) NOT NULL, "used" '
                     'VARCHAR(30), "learner" VARCHAR(64))',
    "setting": 'CREATE TABLE IF NOT EXISTS "setting" ("key" VARCHAR(40) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    # edge.console.tables
    "console_staff": 'CREATE TABLE IF NOT EXISTS "console_staff" ("username" VARCHAR(32) NOT NULL PRIMARY KEY, '
                     '"password_hash" VARCHAR(200) NOT NULL, "role" VARCHAR(10) NOT NULL, "created" VARCHAR(30) '
                     'NOT NULL)',
    "console_class": 'CREATE TABLE IF NOT EXISTS "console_class" ("name" VARCHAR(40) NOT NULL PRIMARY KEY, "created" '
                     'VARCHAR(30) NOT NULL)',
    "console_class_learner": 'CREATE TABLE IF NOT EXISTS "console_class_learner" ("id" INTEGER NOT NULL PRIMARY KEY, '
                             '"klass" VARCHAR(40) NOT NULL, "learner" VARCHAR(64) NOT NULL)',
    "console_class_tutor": 'CREATE TABLE IF NOT EXISTS "console_class_tutor" ("id" INTEGER NOT NULL PRIMARY KEY, '
                           '"klass" VARCHAR(40) NOT NULL, "username" VARCHAR(32) NOT NULL)',
    "console_login_failure": 'CREATE TABLE IF NOT EXISTS "console_login_failure" ("id" INTEGER NOT NULL PRIMARY KEY, '
                             '"key" VARCHAR(100) NOT NULL, "at" REAL NOT NULL)',
    "console_learning_record": 'CREATE TABLE IF NOT EXISTS "console_learning_record" ("id" VARCHAR(36) NOT NULL '
                               'PRIMARY KEY, "kind" VARCHAR(40) NOT NULL, "device" VARCHAR(63) NOT NULL, "learner" '
                               'VARCHAR(64) NOT NULL, "created" VARCHAR(40) NOT NULL, "received" VARCHAR(30) NOT NULL, '
                               '"body" TEXT NOT NULL, "activity" VARCHAR(300) NOT NULL, "course" VARCHAR(63) NOT NULL, '
                               '"verb" VARCHAR(40) NOT NULL, "score" REAL, "done" INTEGER NOT NULL, "correct" INTEGER)',
    "console_mark": 'CREATE TABLE IF NOT EXISTS "console_mark" ("submission" VARCHAR(36) NOT NULL PRIMARY KEY, "grade" '
                    'VARCHAR(20) NOT NULL, "feedback" TEXT NOT NULL, "marker" VARCHAR(32) NOT NULL, "marked" '
                    'VARCHAR(30) NOT NULL, "record" VARCHAR(36) NOT NULL)',
    "console_reward_rule": 'CREATE TABLE IF NOT EXISTS "console_reward_rule" ("id" INTEGER NOT NULL PRIMARY KEY, '
                           '"badge" VARCHAR(60) NOT NULL, "measure" VARCHAR(10) NOT NULL, "threshold" REAL NOT NULL, '
                           '"course" VARCHAR(63) NOT NULL, "created" VARCHAR(30) NOT NULL, "created_by" VARCHAR(32) '
                           'NOT NULL)',
    "console_award": 'CREATE TABLE IF NOT EXISTS "console_award" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "rule" '
                     'INTEGER NOT NULL, "badge" VARCHAR(60) NOT NULL, "learner" VARCHAR(64) NOT NULL, "awarded" '
                     'VARCHAR(30) NOT NULL)',
    "console_down_message": 'CREATE TABLE IF NOT EXISTS "console_down_message" ("id" INTEGER NOT NULL PRIMARY KEY, '
                            '"device" VARCHAR(63) NOT NULL, "body" TEXT NOT NULL, "created" VARCHAR(30) NOT NULL, '
                            '"sent" VARCHAR(30))',
    # edge.courses.tables
    "course_state": 'CREATE TABLE IF NOT EXISTS "course_state" ("course" VARCHAR(63) NOT NULL PRIMARY KEY, "status" '
                    'VARCHAR(12) NOT NULL, "stage" VARCHAR(20), "version" INTEGER, "current" INTEGER, "bytes_done" '
                    'INTEGER NOT NULL, "bytes_total" INTEGER NOT NULL, "files_done" INTEGER NOT NULL, "files_total" '
                    'INTEGER NOT NULL, "last_error" TEXT, "last_sync" VARCHAR(30), "updated" VARCHAR(30) NOT NULL)',
    "course_version": 'CREATE TABLE IF NOT EXISTS "course_version" ("id" INTEGER NOT NULL PRIMARY KEY, "course" '
                      'VARCHAR(63) NOT NULL, "version" INTEGER NOT NULL, "envelope" TEXT NOT NULL, "groups" TEXT NOT '
                      'NULL, "state" VARCHAR(12) NOT NULL, "bytes" INTEGER NOT NULL, "published" VARCHAR(30) NOT NULL, '
                      '"retired" VARCHAR(30), "reclaimed" VARCHAR(30))',
    "course_file": 'CREATE TABLE IF NOT EXISTS "course_file" ("id" INTEGER NOT NULL PRIMARY KEY, "version_id" INTEGER '
                   'NOT NULL, "sha256" VARCHAR(64) NOT NULL, "path" TEXT NOT NULL, "size" INTEGER NOT NULL, "type" '
                   'VARCHAR(100) NOT NULL, FOREIGN KEY ("version_id") REFERENCES "course_version" ("id") ON DELETE '
                   'CASCADE)',
    "course_progress": 'CREATE TABLE IF NOT EXISTS "course_progress" ("id" INTEGER NOT NULL PRIMARY KEY, "learner" '
                       'VARCHAR(64) NOT NULL, "course" VARCHAR(63) NOT NULL, "version" INTEGER NOT NULL, "started" '
                       'VARCHAR(30) NOT NULL, "completed" VARCHAR(30))',
    "course_progress_inbox": 'CREATE TABLE IF NOT EXISTS "course_progress_inbox" ("id" VARCHAR(36) NOT NULL PRIMARY '
                             'KEY, "learner" VARCHAR(64) NOT NULL, "body" TEXT NOT NULL)',
    # edge.attachments.store
    "attachment": 'CREATE TABLE IF NOT EXISTS "attachment" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "device" '
                  'VARCHAR(63) NOT NULL, "state" VARCHAR(12) NOT NULL, "chunk_bytes" INTEGER NOT NULL, "sha256" '
                  'VARCHAR(64), "size" INTEGER, "type" VARCHAR(130), "name" TEXT, "created" VARCHAR(30) NOT NULL, '
                  '"touched" VARCHAR(30) NOT NULL, "completed" VARCHAR(30), "forwarded" VARCHAR(30), "hub_refused" '
                  'TEXT)',
    "attachment_chunk": 'CREATE TABLE IF NOT EXISTS "attachment_chunk" ("attachment" VARCHAR(36) NOT NULL, "n" INTEGER '
                        'NOT NULL, "size" INTEGER NOT NULL, "sha256" VARCHAR(64) NOT NULL, PRIMARY KEY ("attachment", '
                        '"n"))',
    "attachment_use": 'CREATE TABLE IF NOT EXISTS "attachment_use" ("record" VARCHAR(36) NOT NULL, "attachment" '
                      'VARCHAR(36) NOT NULL, PRIMARY KEY ("record", "attachment"))',
}

INDEXES = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "outbatch_seq" ON "outbatch" ("seq")',
    'CREATE INDEX IF NOT EXISTS "outbatch_state" ON "outbatch" ("state")',
    'CREATE INDEX IF NOT EXISTS "received_batch" ON "received" ("batch")',
    'CREATE INDEX IF NOT EXISTS "received_device_seq" ON "received" ("device", "seq")',
    'CREATE INDEX IF NOT EXISTS "received_batch_priority_received" ON "received" ("batch", "priority", "received")',
    'CREATE INDEX IF NOT EXISTS "tabletcert_device" ON "tabletcert" ("device")',
    'CREATE INDEX IF NOT EXISTS "console_award_learner" ON "console_award" ("learner")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "console_award_rule_learner" ON "console_award" ("rule", "learner")',
    'CREATE INDEX IF NOT EXISTS "console_class_learner_klass" ON "console_class_learner" ("klass")',
    'CREATE INDEX IF NOT EXISTS "console_class_learner_learner" ON "console_class_learner" ("learner")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "console_class_learner_klass_learner" ON "console_class_learner" '
    '("klass", "learner")',
    'CREATE INDEX IF NOT EXISTS "console_class_tutor_klass" ON "console_class_tutor" ("klass")',
    'CREATE INDEX IF NOT EXISTS "console_class_tutor_username" ON "console_class_tutor" ("username")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "console_class_tutor_klass_username" ON "console_class_tutor" '
    '("klass", "username")',
    'CREATE INDEX IF NOT EXISTS "console_down_message_sent" ON "console_down_message" ("sent")',
    'CREATE INDEX IF NOT EXISTS "console_learning_record_kind_learner_received" ON "console_learning_record" '
    '("kind", "learner", "received")',
    'CREATE INDEX IF NOT EXISTS "console_learning_record_course_learner" ON "console_learning_record" '
    '("course", "learner")',
    'CREATE INDEX IF NOT EXISTS "console_learning_record_learner_received" ON "console_learning_record" '
    '("learner", "received")',
    'CREATE INDEX IF NOT EXISTS "console_login_failure_key" ON "console_login_failure" ("key")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "courseprogress_learner_course_version" ON "course_progress" '
    '("learner", "course", "version")',
    'CREATE INDEX IF NOT EXISTS "courseversion_state" ON "course_version" ("state")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "courseversion_course_version" ON "course_version" ("course", "version")',
    'CREATE INDEX IF NOT EXISTS "versionfile_version_id" ON "course_file" ("version_id")',
    'CREATE INDEX IF NOT EXISTS "versionfile_sha256" ON "course_file" ("sha256")',
    'CREATE INDEX IF NOT EXISTS "attachment_device" ON "attachment" ("device")',
    'CREATE INDEX IF NOT EXISTS "attachment_sha256" ON "attachment" ("sha256")',
    'CREATE INDEX IF NOT EXISTS "attachment_touched" ON "attachment" ("touched")',
    'CREATE INDEX IF NOT EXISTS "attachmentuse_attachment" ON "attachment_use" ("attachment")',
)

TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS course_progress_inbox_fill AFTER INSERT ON received
WHEN NEW.kind = 'progress_statement' AND NEW.body IS NOT NULL
BEGIN INSERT OR IGNORE INTO course_progress_inbox (id, learner, body) VALUES (NEW.id, NEW.learner, NEW.body); END""",
)

RETIRED_INDEXES = ("received_batch_priority",)  # (batch, priority): replaced by the one with received, d331717

# Values for NOT NULL columns an earlier release's table lacks (the table is rebuilt to add them in place).
FILL = {
    ("attachment", "touched"): "COALESCE(completed, created)",  # before 9727570: its last chunk came by then
    ("console_learning_record", "activity"): "''",  # before 499a7a6: then DERIVE reads each row's statement
    ("console_learning_record", "course"): "''",
    ("console_learning_record", "verb"): "''",
    ("console_learning_record", "done"): "0",
}
PROGRESS_COLUMNS = ("activity", "course", "verb", "score", "done", "correct")
CHUNK = 1000


def _derive_progress(db: Target) -> None:
    """console_learning_record from before 499a7a6: what each statement says about progress, read from its
    body with the rules as they were when the columns came (edge.migrations._statements, a frozen copy), so
    progress pages and reward rules count the completions made before. Rows whose body cannot be read keep FILL's."""
    kinds = _statements.STATEMENT_KINDS
    marks = ", ".join("?" * len(kinds))
    sets = ", ".join(f'"{name}" = ?' for name in PROGRESS_COLUMNS)
    after = -1
    while True:
        rows = db.execute(f'SELECT rowid, kind, body FROM "console_learning_record" WHERE kind IN ({marks}) '  # noqa: S608
                          "AND rowid > ? ORDER BY rowid LIMIT ?", (*kinds, after, CHUNK))
        for rowid, kind, body in rows:
            facts = _statements.progress_columns(kind, body)
            if facts != _statements.NOTHING:
                db.execute(f'UPDATE "console_learning_record" SET {sets} WHERE rowid = ?',  # noqa: S608
                           (*facts, rowid))
        if len(rows) < CHUNK:
            return
        after = rows[-1][0]


# Run after a table is rebuilt because it lacked these columns: {(table, columns): fill them from each row}.
DERIVE = {("console_learning_record", PROGRESS_COLUMNS): _derive_progress}


def column_definitions(create_table: str) -> dict[str, str]:
    """{column: its definition} of a CREATE TABLE statement, in order (table constraints left out)."""
    inside = create_table[create_table.index("(") + 1:create_table.rindex(")")]
    parts, depth, start = [], 0, 0
    for at, char in enumerate(inside):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(inside[start:at].strip())
            start = at + 1
    parts.append(inside[start:].strip())
    return {part.split('"')[1]: part for part in parts if part.startswith('"')}


def _columns(db: Target, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


def _catch_up(db: Target, table: str, create_table: str) -> None:
    """Give an existing table the columns of the baseline it lacks, keeping its rows."""
    want = column_definitions(create_table)
    have = _columns(db, table)
    missing = [name for name in want if name not in have]
    if not missing:
        return
    appended = list(want)[:len(have)] == have
    if appended and all("NOT NULL" not in want[name] for name in missing):
        for name in missing:
            db.execute(f'ALTER TABLE "{table}" ADD COLUMN {want[name]}')
        return
    unknown = [name for name in missing if "NOT NULL" in want[name] and (table, name) not in FILL]
    if unknown:
        raise SchemaError(f"{table} lacks the required column(s) {', '.join(unknown)} and no value is known for "
                          "its rows: this store was not made by a Throughgate release")
    rebuilt = f"{table}__m0001"
    db.execute(re.sub(r'^CREATE TABLE IF NOT EXISTS "[^"]+"', f'CREATE TABLE "{rebuilt}"', create_table))
    values = [f'"{name}"' if name in have else FILL.get((table, name), "NULL") for name in want]
    names = ", ".join(f'"{name}"' for name in want)
    db.execute(f'INSERT INTO "{rebuilt}" ({names}) SELECT {", ".join(values)} FROM "{table}" '  # noqa: S608
               "ORDER BY rowid")  # arrival order: the console breaks ties on rowid
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "{rebuilt}" RENAME TO "{table}"')
    for (derived_table, columns), derive in DERIVE.items():
        if derived_table == table and any(name in missing for name in columns):
            derive(db)


def up(db: Target) -> None:
    existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table, create_table in TABLES.items():
        if table in existing:
            _catch_up(db, table, create_table)
        else:
            db.execute(create_table)
    for index in RETIRED_INDEXES:
        db.execute(f'DROP INDEX IF EXISTS "{index}"')
    for statement in (*INDEXES, *TRIGGERS):
        db.execute(statement)
