"""Edges' status reports: the edge_report table (the newest EDGE_REPORTS_KEPT of each edge)."""

# One new table and its index; nothing else changes. Edges that ran before this release start
# reporting when they are upgraded; until then the hub rates them silent (docs/hub.md, "Edge health").

TYPES = {"sqlite": {"serial": "INTEGER", "bigint": "INTEGER"}, "postgresql": {"serial": "SERIAL", "bigint": "BIGINT"}}

TABLES = (
    'CREATE TABLE IF NOT EXISTS "edge_report" ("id" {serial} NOT NULL PRIMARY KEY, "edge_id" VARCHAR(64) NOT NULL, '
    '"received_at" VARCHAR(40) NOT NULL, "sent_at" VARCHAR(40) NOT NULL, "backlog_records" {bigint} NOT NULL, '
    '"backlog_bytes" {bigint} NOT NULL, "report" TEXT NOT NULL)',
    'CREATE INDEX IF NOT EXISTS "edgereport_edge_id_id" ON "edge_report" ("edge_id", "id")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
