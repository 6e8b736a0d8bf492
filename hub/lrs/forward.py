"""One forwarding run: every learning record after the cursor, in hub arrival order, batch by batch.

For each page: turn the records into statements (one that cannot be one is left out, with its
reason, in lrs_problem), send them, then save the cursor and the left-out rows in one
transaction. The cursor moves only after the LRS confirmed, so a crash or an outage repeats at
most one batch, and a repeat is harmless: each statement's id is its record's id.

    POST batch -> 200: done
               -> 409: some id is already there: PUT each; 204 or 409 both mean done
               -> 400: PUT each, to find the one the LRS refuses; it is left out, the rest go
               -> Unavailable / Misconfigured: raised, cursor unchanged (the caller backs off)

Two sources, each with its own cursor: the edges' records (`record`, cursor "lrs"), then the statements people's
phones sent after release (`phone_record`, cursor "lrs-phone"; hub/courses/models.py), whose actor is the person.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hub import queries
from hub.courses.models import PhoneRecord
from hub.db import proxy
from hub.ingest.storage import utc_now
from hub.lrs import client as lrs
from hub.lrs.models import FORWARDER, PHONE_FORWARDER, LrsCursor, LrsProblem
from hub.lrs.statements import FORWARDED_KINDS, to_statement
from hub.models import Record
from wire.xapi import XapiError

log = logging.getLogger("hub.lrs")


@dataclass
class Progress:
    forwarded: int = 0
    """Statements the LRS confirmed in this run."""
    left_out: int = 0
    """Records that are not valid statements, or that the LRS refused."""
    repeats: int = 0
    """Statements the LRS already held (a repeat after a crash, or another copy)."""
    cursor: int = 0
    pending: int = 0
    """Learning records after the cursor when the run started."""

    def line(self) -> str:
        return (f"forwarded {self.forwarded} of {self.pending} statements, {self.left_out} left out, "
                f"{self.repeats} already at the LRS (cursor {self.cursor})")


def cursor(name: str = FORWARDER) -> LrsCursor:
    LrsCursor.insert(name=name, arrival=0, forwarded=0, updated_at=utc_now()).on_conflict_ignore().execute()
    return LrsCursor.get_by_id(name)


def learning_records(after: int, learner: str | None = None):
    query = Record.select().where(Record.arrival > after, Record.kind.in_(FORWARDED_KINDS))
    if learner is not None:
        query = query.where(Record.learner == learner)
    return query.order_by(Record.arrival)


def phone_learning_records(after: int):
    """The statements phones sent after `after` (their arrival), oldest first."""
    return (PhoneRecord.select().where(PhoneRecord.arrival > after, PhoneRecord.kind.in_(FORWARDED_KINDS))
            .order_by(PhoneRecord.arrival))


def phone_as_dict(row: PhoneRecord) -> dict:
    """A phone's record as the statements' mapping reads a record: its learner is the person."""
    return {"cursor": row.arrival, "id": row.record_id, "kind": row.kind, "learner": row.person_id,
            "created": row.created, "payload": json.loads(row.payload)}


def pages(after: int, size: int, learner: str | None = None, phones: bool = False) -> Iterator[list[dict]]:
    """Learning records after `after`, oldest first, `size` at a time (each query short); with `phones`, those
    people's phones sent."""
    while True:
        page = ([phone_as_dict(row) for row in phone_learning_records(after).limit(size)] if phones else
                [queries.as_dict(row) for row in learning_records(after, learner).limit(size)])
        if not page:
            return
        yield page
        after = page[-1]["cursor"]


def statements_of(page: list[dict]) -> tuple[list[tuple[dict, dict]], list[tuple[dict, str]]]:
    """(record, statement) pairs, and (record, reason) for each record that cannot be a statement."""
    made, problems = [], []
    for record in page:
        try:
            made.append((record, to_statement(record)))
        except XapiError as exc:
            problems.append((record, exc.reason))
    return made, problems


def forward(client: lrs.LrsClient, batch_size: int,
            report: Callable[[Progress], None] = lambda _progress: None, progress: Progress | None = None) -> Progress:
    """Send everything after the cursor. Raises lrs.Unavailable or lrs.Misconfigured with the
    progress so far saved (in the database, and in `progress` if given: a retry goes on counting)."""
    state, phone_state = cursor(), cursor(PHONE_FORWARDER)
    if progress is None:
        progress = Progress(pending=learning_records(state.arrival).count()
                            + phone_learning_records(phone_state.arrival).count())
    progress.cursor = state.arrival
    _forward_source(client, batch_size, report, progress, state, phones=False)
    _forward_source(client, batch_size, report, progress, phone_state, phones=True)
    return progress


def _forward_source(client: lrs.LrsClient, batch_size: int, report: Callable[[Progress], None], progress: Progress,
                    state: LrsCursor, phones: bool) -> None:
    for page in pages(state.arrival, batch_size, phones=phones):
        made, problems = statements_of(page)
        repeats, refused = _send(client, made) if made else (0, [])
        sent = len(made) - len(refused)
        problems += refused
        _save(state, page[-1]["cursor"], sent, problems)
        progress.forwarded += sent
        progress.left_out += len(problems)
        progress.repeats += repeats
        if not phones:
            progress.cursor = state.arrival
        log.debug("lrs: %s", progress.line())
        report(progress)


def _send(client: lrs.LrsClient, made: list[tuple[dict, dict]]) -> tuple[int, list[tuple[dict, str]]]:
    """Deliver the statements. Returns how many the LRS already held, and (record, reason) for each it refused."""
    try:
        client.post([statement for _record, statement in made])
        return 0, []
    except (lrs.Conflict, lrs.Refused) as exc:
        log.info("lrs: batch answered %s; sending its %d statements one by one", exc.status, len(made))
    repeats, refused = 0, []
    for record, statement in made:
        try:
            client.put(statement)
        except lrs.Conflict:
            repeats += 1
            log.info("lrs: statement %s is already at the LRS", statement["id"])
        except lrs.Refused as exc:
            refused.append((record, f"the LRS refused it: {exc.reason}"))
    return repeats, refused


def _save(state: LrsCursor, arrival: int, sent: int, problems: list[tuple[dict, str]]) -> None:
    now = utc_now()
    with proxy.atomic():
        for record, reason in problems:
            log.warning("lrs: record %s (%s) left out: %s", record["id"], record["kind"], reason)
            row = {"record_id": record["id"], "arrival": record["cursor"], "kind": record["kind"],
                   "reason": reason, "at": now}
            LrsProblem.insert(row).on_conflict(conflict_target=[LrsProblem.record_id],
                                               update={LrsProblem.reason: reason, LrsProblem.at: now}).execute()
        # Only forward: a second forwarder (`hub lrs forward` while `hub run` forwards) never moves it back.
        mine = LrsCursor.name == state.name
        LrsCursor.update(forwarded=LrsCursor.forwarded + sent, updated_at=now).where(mine).execute()
        LrsCursor.update(arrival=arrival).where(mine, LrsCursor.arrival < arrival).execute()
    state.arrival = max(state.arrival, arrival)
