"""Release plans at the edge: a new table, learner_plan_field, empty; nothing else changes.

Each row holds one field of a learner's release plan as this edge's staff wrote it (a pathway's status, owner or
notes; pathway "release", field "date": the release date), who wrote it and when, and the release_plan record that
took it to the hub (edge.plans).
"""


def up(db):
    db.execute('CREATE TABLE "learner_plan_field" ("learner" VARCHAR(64) NOT NULL, "pathway" VARCHAR(32) NOT NULL, '
               '"field" VARCHAR(16) NOT NULL, "value" TEXT NOT NULL, "at" VARCHAR(30) NOT NULL, "by" VARCHAR(32) NOT '
               'NULL, "record" VARCHAR(36) NOT NULL, PRIMARY KEY ("learner", "pathway", "field"))')
