"""Import learners' names from a CSV export of the prison's records: all or nothing.

The file: UTF-8 (with or without a byte order mark), comma- or semicolon-separated (read from the header
row), a header row naming the columns (learner id, name, and optionally prison number, in common spellings:
HEADERS), at most MAX_BYTES and MAX_ROWS. `preview` says what an import would do to each row (new, changed,
unchanged, refused, with the line number and what to fix); `apply` imports in one transaction only when no row
is refused, so a file with one bad line changes nothing.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field

from edge import store
from edge.learners import names
from edge.learners.tables import LearnerName

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
HEADERS = {
    "learner": {"learner", "learner id", "learnerid", "learner ref", "learner reference", "id", "pseudonym",
                "throughgate id"},
    "name": {"name", "full name", "fullname", "learner name", "learner full name", "display name"},
    "prison_number": {"prison number", "prisonnumber", "prison no", "prison num", "prisoner number",
                      "noms number", "noms", "noms id", "offender number"},
}
STATES = ("new", "changed", "unchanged", "refused")


class ImportRefused(ValueError):
    """The file as a whole cannot be read (not UTF-8, too big, no header); the message says what to fix."""


@dataclass(frozen=True)
class Row:
    line: int
    learner: str
    name: str
    prison_number: str
    state: str  # one of STATES
    problem: str = ""  # refused: what to fix
    before: str = ""  # changed: the name kept now


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    @property
    def refused(self) -> list[Row]:
        return [row for row in self.rows if row.state == "refused"]

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(state)} {state}" for state in STATES)


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[_\-.#:]", " ", text.strip().lower()).split())


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _header_key(title)
        for column, spellings in HEADERS.items():
            if key in spellings:
                if column in found:
                    raise ImportRefused(f"line 1: two columns are the {column.replace('_', ' ')} "
                                        f"({header[found[column]]!r} and {title!r}): remove one")
                found[column] = index
    missing = [c for c in ("learner", "name") if c not in found]
    if missing:
        raise ImportRefused("line 1 must be a header row naming the columns: 'learner id', 'name' and optionally "
                            f"'prison number'; no column is the {' or the '.join(missing)}: rename the header "
                            "(or add the header row)")
    return found


def read(data: bytes) -> list[tuple[int, str, str, str]]:
    """(line, learner, name, prison number) of each data row, as written; ImportRefused for the whole file."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(f"the file is {len(data) // 1024} KiB: the console takes at most "
                            f"{MAX_BYTES // 1024 // 1024} MiB; split it into smaller files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"the file is not UTF-8 (byte {exc.start + 1}): save it again as 'CSV UTF-8'") from None
    if "\x00" in text:
        raise ImportRefused("the file holds NUL bytes, so it is not a CSV file: export it again as 'CSV UTF-8'")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRefused("the file is empty: export the learners with a header row")
        columns = _columns(header)
        out = []
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if len(out) >= MAX_ROWS:
                raise ImportRefused(f"the file has more than {MAX_ROWS} learners: split it into files of at "
                                    f"most {MAX_ROWS} rows, each with the header row")
            cell = {c: (fields[i] if i < len(fields) else "") for c, i in columns.items()}
            out.append((reader.line_num, cell["learner"], cell["name"], cell.get("prison_number", "")))
    except csv.Error as exc:
        raise ImportRefused(f"line {reader.line_num}: {exc}: check its quotes") from None
    return out


def preview(data: bytes) -> Preview:
    """What importing `data` would do to each row, against the names kept now (ImportRefused: the file)."""
    rows = read(data)
    kept = {row.learner: row for row in LearnerName.select().where(
        LearnerName.learner.in_([r[1].strip() for r in rows]))} if len(rows) < 900 else {
        row.learner: row for row in LearnerName.select()}
    seen: dict[str, int] = {}
    out = Preview()
    for line, learner, name, prison_number in rows:
        try:
            checked = names.entry(learner, name, prison_number)
        except names.NamesError as exc:
            out.rows.append(Row(line, learner.strip()[:64], "", "", "refused", f"{exc}"))
            continue
        if checked.learner in seen:
            out.rows.append(Row(line, checked.learner, checked.name, checked.prison_number, "refused",
                                f"learner {checked.learner} is on line {seen[checked.learner]} too: keep one row"))
            continue
        seen[checked.learner] = line
        before = kept.get(checked.learner)
        if before is not None and not checked.prison_number:  # an empty cell keeps the prison number known
            checked = names.Entry(checked.learner, checked.name, before.prison_number)
        if before is None:
            state = "new"
        elif (before.name, before.prison_number) == (checked.name, checked.prison_number):
            state = "unchanged"
        else:
            state = "changed"
        out.rows.append(Row(line, checked.learner, checked.name, checked.prison_number, state,
                            before=before.name if state == "changed" else ""))
    return out


def apply(data: bytes, by: str) -> Preview:
    """Import `data` in one transaction if no row is refused (else change nothing and return the preview)."""
    with store.writing():
        result = preview(data)
        if result.refused:
            return result
        names.write([names.Entry(r.learner, r.name, r.prison_number) for r in result.rows
                     if r.state in ("new", "changed")], by)
    log.info("learner names imported by %s: %s", by, result.summary)
    return result
