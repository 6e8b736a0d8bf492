"""Names and case references for the people in workers' caseloads, sealed: a new table, person_name."""

# Only the people in at least one worker's caseload have a row (hub/workers/names.py): their name,
# prison number and probation case reference, sealed with the hub's console key (one Fernet token, so a
# copy of the database alone does not give them), with who set them and when. Taking someone out of
# the last caseload that holds them deletes their row. Nothing else changes; the table starts empty.

TABLE = ('CREATE TABLE IF NOT EXISTS "person_name" ("person_id" VARCHAR(16) NOT NULL PRIMARY KEY, '
         '"sealed" TEXT NOT NULL, "set_at" VARCHAR(40) NOT NULL, "set_by" VARCHAR(80) NOT NULL, '
         'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT)')


def up(db):
    db.execute(TABLE)
