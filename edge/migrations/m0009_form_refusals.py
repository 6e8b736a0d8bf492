"""Refused tablet forms at the edge: a new table, edge_form_refusal, empty; nothing else changes.

Each row is one tablet submission the hub refused, as the edge's forms pull got it (edge/forms/pull.py): kept with
the down message that tells the tablet, and listed for staff on the console's Refused values page.
"""


def up(db):
    db.execute('CREATE TABLE "edge_form_refusal" ("record_id" VARCHAR(36) NOT NULL PRIMARY KEY, "device" VARCHAR(64) '
               'NOT NULL, "learner" VARCHAR(64) NOT NULL, "form_id" VARCHAR(64) NOT NULL, "version" VARCHAR(64) NOT '
               'NULL, "title" VARCHAR(200) NOT NULL, "code" VARCHAR(40) NOT NULL, "reason" TEXT NOT NULL, '
               '"refused_at" VARCHAR(30) NOT NULL, "received" VARCHAR(30) NOT NULL)')
