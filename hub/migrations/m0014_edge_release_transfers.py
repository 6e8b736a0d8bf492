"""Transfers between prisons: a new table, transfer, empty; nothing else changes."""

# A release made at a prison's edge console needs no new table: its code is an activation_code row like the
# hub's own (issued_by names the edge). A transfer (`hub people transfer P --to EDGE --learner L`) links the
# person at the new prison (person_learner) and adds a `transfer` row: that edge fetches what the person did at
# earlier prisons (GET /v1/edge/transfers) and says when it has imported it (delivered_at, records). One
# transfer per learner id at an edge, so running the command twice adds nothing.

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'

TABLES = (
    'CREATE TABLE IF NOT EXISTS "transfer" ("transfer_id" VARCHAR(36) NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) '
    'NOT NULL, "edge_id" VARCHAR(64) NOT NULL, "learner" VARCHAR(64) NOT NULL, "requested_at" VARCHAR(40) NOT NULL, '
    f'"requested_by" VARCHAR(80) NOT NULL, "delivered_at" VARCHAR(40), "records" INTEGER, {PERSON_FK})',
    'CREATE INDEX IF NOT EXISTS "transfer_person_id" ON "transfer" ("person_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "transfer_edge_id_learner" ON "transfer" ("edge_id", "learner")',
    'CREATE INDEX IF NOT EXISTS "transfer_edge_id_delivered_at" ON "transfer" ("edge_id", "delivered_at")',
)


def up(db):
    for statement in TABLES:
        db.execute(statement)
