"""SCORM values the tablet refused, one row per element and value in an attempt, kept with the reason
for support to read (`throughgate tablet status`; tablet.learning.Learning.scorm_refusals)."""

STATEMENTS = (
    """CREATE TABLE scorm_refusal (
    attempt   TEXT NOT NULL,              -- the attempt's UUID (the statements' context.registration)
    element   TEXT NOT NULL,              -- e.g. cmi.core.score.raw
    value     TEXT NOT NULL,              -- what the content set
    learner   TEXT NOT NULL,
    course    TEXT NOT NULL,
    item      TEXT NOT NULL,
    reason    TEXT NOT NULL,              -- names the element and the value
    error_code TEXT NOT NULL,             -- what LMSGetLastError answers for it (SCORM 1.2: 405)
    created   REAL NOT NULL,
    PRIMARY KEY (attempt, element, value) -- the same bad value committed again is kept once
)""",
)


def up(db):
    for sql in STATEMENTS:
        db.execute(sql)
