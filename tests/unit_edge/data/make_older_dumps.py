"""Make the older edge-store dumps from edge-store-2026-12-07.sql by taking out, by hand as it were, what
later releases added, rows kept (run from the repository root: python tests/unit_edge/data/make_older_dumps.py):

    edge-store-before-bindings.sql  as releases before 4000acf left it: no `learner` on tablet and
                                    enrolmentcode, no attachment.hub_refused (c3a3d49); the
                                    course_progress_inbox_fill trigger there as in today's dump
    edge-store-before-touched.sql   before 9727570 and 499a7a6: also no attachment.touched (a NOT NULL
                                    column in the middle of the table) and none of the progress columns of
                                    console_learning_record (activity … correct), nor their indexes
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = HERE / "edge-store-2026-12-07.sql"
TRIGGER = "CREATE TRIGGER course_progress_inbox_fill AFTER INSERT ON received"  # today's dump has it

BEFORE_BINDINGS = {"tablet": ["learner"], "enrolmentcode": ["learner"], "attachment": ["hub_refused"]}
BEFORE_TOUCHED = {**BEFORE_BINDINGS, "attachment": ["touched", "hub_refused"],
                  "console_learning_record": ["activity", "course", "verb", "score", "done", "correct"]}
INDEXES_BEFORE_TOUCHED = ("attachment_touched", "console_learning_record_course_learner",
                          "console_learning_record_learner_received")


def split_top(text: str) -> list[str]:
    """Split on commas outside quotes and parentheses (SQL literals, column definitions)."""
    parts, depth, quoted, start = [], 0, False, 0
    for at, char in enumerate(text):
        if char == "'":
            quoted = not quoted  # '' inside a string toggles twice
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and char == "," and depth == 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return parts


def without_columns(sql: str, drop: dict[str, list[str]], indexes: tuple[str, ...] = ()) -> str:
    positions: dict[str, list[int]] = {}
    out = []
    for line in sql.splitlines():
        create = re.match(r'CREATE TABLE IF NOT EXISTS "([a-z_]+)" \((.*)\);$', line)
        insert = re.match(r"INSERT INTO ([a-z_]+) VALUES\((.*)\);$", line)
        index = re.match(r'CREATE (?:UNIQUE )?INDEX "([a-z_]+)"', line)
        if create and create[1] in drop:
            parts = split_top(create[2])
            gone = [i for i, part in enumerate(parts) if part.strip().split('"')[1:2] and
                    part.strip().startswith('"') and part.strip().split('"')[1] in drop[create[1]]]
            positions[create[1]] = gone
            kept = [part for i, part in enumerate(parts) if i not in gone]
            line = f'CREATE TABLE IF NOT EXISTS "{create[1]}" ({",".join(kept).strip()});'
        elif insert and insert[1] in positions:
            values = [v for i, v in enumerate(split_top(insert[2])) if i not in positions[insert[1]]]
            line = f"INSERT INTO {insert[1]} VALUES({','.join(values)});"
        elif index and index[1] in indexes:
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def derived(name: str, what: str) -> str:
    return (f"-- {name}: derived from {TODAY.name} by make_older_dumps.py\n"
            f"-- ({what}, rows kept); that dump's own header follows.\n")


def main() -> None:
    today = TODAY.read_text()
    assert TRIGGER in today, f"{TODAY.name} lacks the course_progress_inbox_fill trigger: was it made at 7b5a6cd?"
    (HERE / "edge-store-before-bindings.sql").write_text(
        derived("edge-store-before-bindings.sql", "columns added since 4000acf and c3a3d49 taken out")
        + without_columns(today, BEFORE_BINDINGS))
    (HERE / "edge-store-before-touched.sql").write_text(
        derived("edge-store-before-touched.sql", "also the columns and indexes of 9727570 and 499a7a6 taken out")
        + without_columns(today, BEFORE_TOUCHED, INDEXES_BEFORE_TOUCHED))


if __name__ == "__main__":
    main()
