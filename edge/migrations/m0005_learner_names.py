"""Learners' names at the edge: a new table, learner_name, empty; nothing else changes.

Each row holds the name and prison number staff typed or imported for a pseudonymous learner id (edge.learners),
with who set them and when. Personal data, kept only at the edge.
"""


def up(db):
    db.execute('CREATE TABLE "learner_name" ("learner" VARCHAR(64) NOT NULL PRIMARY KEY, "name" VARCHAR(100) NOT '
               'NULL, "prison_number" VARCHAR(20) NOT NULL, "updated_at" VARCHAR(30) NOT NULL, "updated_by" '
               'VARCHAR(32) NOT NULL)')
