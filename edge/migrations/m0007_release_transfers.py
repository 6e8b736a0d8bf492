"""Release at the edge and transfers in: three new tables, empty; nothing else changes.

learner_release holds, for each learner released at this edge's console, the SHA-256 of their latest one-time
activation code (never the code), when it was issued and expires, and by whom. transfer_in and
transferred_record hold what the hub sent of a learner's record at earlier prisons, imported under their id here.
"""

STATEMENTS = (
    'CREATE TABLE "learner_release" ("learner" VARCHAR(64) NOT NULL PRIMARY KEY, "code_sha256" VARCHAR(64) NOT NULL, '
    '"issued_at" VARCHAR(30) NOT NULL, "expires_at" VARCHAR(30) NOT NULL, "issued_by" VARCHAR(32) NOT NULL, '
    '"record" VARCHAR(36) NOT NULL)',
    'CREATE TABLE "transfer_in" ("transfer" VARCHAR(36) NOT NULL PRIMARY KEY, "learner" VARCHAR(64) NOT NULL, '
    '"records" INTEGER NOT NULL, "imported_at" VARCHAR(30) NOT NULL)',
    'CREATE INDEX "transferin_learner" ON "transfer_in" ("learner")',
    'CREATE TABLE "transferred_record" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "transfer" VARCHAR(36) NOT NULL, '
    '"learner" VARCHAR(64) NOT NULL, "kind" VARCHAR(40) NOT NULL, "from_edge" VARCHAR(64) NOT NULL, "from_learner" '
    'VARCHAR(64) NOT NULL, "created" VARCHAR(40) NOT NULL, "payload" TEXT NOT NULL)',
    'CREATE INDEX "transferredrecord_transfer" ON "transferred_record" ("transfer")',
    'CREATE INDEX "transferredrecord_learner" ON "transferred_record" ("learner")',
)


def up(db):
    for statement in STATEMENTS:
        db.execute(statement)
