"""Refused tablet forms: the form submissions from edges the hub refused, kept for the edge to take back to the
tablet and to prison staff (hub/forms/from_edges.py, GET /v1/edge/forms)."""

# One new table, empty; nothing else changes. `form_refusal` one row per refused record (its id), with the edge,
# tablet and learner it came from, the form, the reason naming the field, and when the edge acknowledged it.

TABLES = (
    'CREATE TABLE IF NOT EXISTS "form_refusal" ("record_id" VARCHAR(36) NOT NULL PRIMARY KEY, "edge_id" '
    'VARCHAR(64) NOT NULL, "device" VARCHAR(64) NOT NULL, "learner" VARCHAR(64) NOT NULL, "form_id" VARCHAR(64) '
    'NOT NULL, "version" VARCHAR(64) NOT NULL, "code" VARCHAR(40) NOT NULL, "reason" TEXT NOT NULL, "refused_at" '
    'VARCHAR(40) NOT NULL, "acked_at" VARCHAR(40))',
    'CREATE INDEX IF NOT EXISTS "formrefusal_edge_id_acked_at" ON "form_refusal" ("edge_id", "acked_at")',
)


def up(db):
    for statement in TABLES:
        db.execute(statement)
