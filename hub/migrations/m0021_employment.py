"""Help into work: the job links, videos and checklists employment advisers publish, and people's checklist ticks
(hub/employment)."""

# Two new tables; nothing else changes, and they start empty. `employment_item` a job link, video or checklist as
# published (for everyone, or one person), a video by the SHA-256 of its bytes in the hub's blob store (and of its
# WebVTT captions); `checklist_tick` each tick or untick of a checklist step a person's phone sent, its id the
# phone's change id.

TYPES = {
    "sqlite": {"big": "INTEGER", "bool": "INTEGER"},
    "postgresql": {"big": "BIGINT", "bool": "BOOLEAN"},
}

PERSON_FK = 'FOREIGN KEY ("person_id") REFERENCES "person" ("person_id") ON DELETE RESTRICT'

TABLES = (
    'CREATE TABLE IF NOT EXISTS "employment_item" ("item_id" VARCHAR(32) NOT NULL PRIMARY KEY, "kind" VARCHAR(16) '
    'NOT NULL, "title" VARCHAR(200) NOT NULL, "text" TEXT NOT NULL, "url" VARCHAR(2000), "steps" TEXT NOT NULL, '
    '"video_sha256" VARCHAR(64), "video_type" VARCHAR(40), "video_bytes" {big}, "captions_sha256" VARCHAR(64), '
    '"captions_bytes" {big}, "person_id" VARCHAR(16), "published_by" VARCHAR(80) NOT NULL, "published_at" '
    'VARCHAR(40) NOT NULL, "withdrawn_at" VARCHAR(40), ' + PERSON_FK + ')',
    'CREATE INDEX IF NOT EXISTS "employmentitem_person_id_published_at" ON "employment_item" ("person_id", '
    '"published_at")',

    'CREATE TABLE IF NOT EXISTS "checklist_tick" ("tick_id" VARCHAR(64) NOT NULL PRIMARY KEY, "person_id" VARCHAR(16) '
    'NOT NULL, "item_id" VARCHAR(32) NOT NULL, "step" INTEGER NOT NULL, "done" {bool} NOT NULL, "ticked_at" '
    'VARCHAR(40) NOT NULL, "received_at" VARCHAR(40) NOT NULL, ' + PERSON_FK + ', FOREIGN KEY ("item_id") '
    'REFERENCES "employment_item" ("item_id") ON DELETE RESTRICT)',
    'CREATE INDEX IF NOT EXISTS "checklisttick_person_id_item_id" ON "checklist_tick" ("person_id", "item_id")',
)


def up(db):
    types = TYPES[db.dialect]
    for statement in TABLES:
        db.execute(statement.format(**types))
