"""Releases made at a prison's edge console: the `release` records (wire/release.py) in an edge's batches.

The edge made the person's one-time code itself and printed the letter while the hub may have been away;
it sends only the code's SHA-256 (and its public first 4 characters, its code id, which newer edges send
so that wrong tries count per code). Storing the batch (hub/ingest/storage.py, in the same transaction)
registers the code for the person the learner id is linked to (person_learner), marks them released, and
withdraws their older unused codes. The code's digest is its key, so a batch or record sent again
registers nothing twice. A release for a learner id not linked yet waits among the stored records:
`hub people link` (or a transfer) applies it then. Once the person has been transferred, only the edge of their latest
transfer can release them: the prison they left keeps its link (their records came from there) but not the
power to make a code that opens their phone account.
Nor does any prison once the person has a phone working: a code then would only put a second phone in
their account, and that is their worker's to give (the workers' console).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from hub.models import Record
from hub.people.models import IN_CUSTODY, RELEASED, ActivationCode, Person, PersonLearner
from hub.people.moves import moved_away
from hub.phones.models import Phone
from wire.records import RecordError, parse_timestamp, timestamp
from wire.release import KIND, MAX_DAYS, check_release

log = logging.getLogger(__name__)


def from_batch(edge_id: str, rows: list[dict]) -> int:
    """Register the codes of the release records among a batch's rows (inside its transaction). Returns how
    many were new."""
    return sum(register(edge_id, row["learner"], row["id"], row["payload"]) for row in rows if row["kind"] == KIND)


def pending_for(edge_id: str, learner: str) -> int:
    """Apply the release records that arrived for this learner before they were linked to a person."""
    found = (Record.select().where((Record.edge == edge_id) & (Record.learner == learner) & (Record.kind == KIND))
             .order_by(Record.created))
    return sum(register(edge_id, row.learner, row.id, row.payload) for row in found)


def register(edge_id: str, learner: str, record_id: str, payload_json: str) -> bool:
    try:
        payload = json.loads(payload_json)
        check_release(payload, record_id)
    except (ValueError, RecordError) as exc:
        log.warning("release record %s from edge %s not applied: %s", record_id, edge_id,
                    getattr(exc, "reason", "not JSON"))
        return False
    link = PersonLearner.get_or_none((PersonLearner.edge_id == edge_id) & (PersonLearner.learner == learner))
    if link is None:
        log.info("release record %s from edge %s waits: its learner is not linked to a person yet "
                 "(`throughgate hub people link`)", record_id, edge_id)
        return False
    if moved_away(link.person_id, edge_id):  # a prison the person left cannot make a code for them
        log.warning("release record %s from edge %s not applied: the person was transferred to another prison",
                    record_id, edge_id)
        return False
    if Phone.select().where((Phone.person == link.person_id) & Phone.revoked_at.is_null()).exists():
        # set up already: another code would put a second phone in their account, which is their worker's to give
        log.warning("release record %s from edge %s not applied: the person has a phone working already",
                    record_id, edge_id)
        return False
    if ActivationCode.get_or_none(ActivationCode.code_sha256 == payload["code_sha256"]) is not None:
        return False  # registered before: the record came again
    now = timestamp()
    person = link.person_id
    # Never later than now, nor lasting past MAX_DAYS from now: an edge's clock years ahead would make a code that
    # outlived every code the worker gave and worked for years.
    moment = parse_timestamp(now)
    issued = timestamp(min(parse_timestamp(payload["issued_at"]), moment))
    expires = timestamp(min(parse_timestamp(payload["expires_at"]), moment + dt.timedelta(days=MAX_DAYS)))
    unused = ((ActivationCode.person == person) & ActivationCode.used_at.is_null()
              & ActivationCode.withdrawn_at.is_null())
    # Issued in the same millisecond as the worker's code: the edge's, which arrived last, is the one that works.
    ActivationCode.update(withdrawn_at=now).where(unused & (ActivationCode.issued_at <= issued)).execute()
    newer = ActivationCode.select().where(unused & (ActivationCode.issued_at > issued)).exists()
    ActivationCode.create(code_sha256=payload["code_sha256"], person=person, issued_at=issued,
                          issued_by=f"{edge_id}:{payload['issued_by']}"[:80], expires_at=expires,
                          withdrawn_at=now if newer else None, code_id=payload.get("code_id"))
    Person.update(status=RELEASED, released_at=issued).where(
        (Person.person_id == person) & (Person.status == IN_CUSTODY)).execute()
    log.info("release at edge %s registered for a person (record %s)", edge_id, record_id)
    return True
