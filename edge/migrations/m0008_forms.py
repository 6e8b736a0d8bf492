"""Forms at the edge: a new table, edge_form, empty; nothing else changes.

Each row holds the latest version of one form the hub published (its field list as JSON), fetched by the edge's
forms pull (edge/forms/pull.py) and served to tablets at GET /v1/tablets/forms.
"""


def up(db):
    db.execute('CREATE TABLE "edge_form" ("form_id" VARCHAR(64) NOT NULL PRIMARY KEY, "version" VARCHAR(64) NOT NULL, '
               '"title" VARCHAR(200) NOT NULL, "document" TEXT NOT NULL, "fetched_at" VARCHAR(30) NOT NULL)')
