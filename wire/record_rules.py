"""The rules a tablet's record must meet wherever it is checked: on the tablet before it is stored
(tablet/outbox.py), and by the edge when it arrives (edge/intake/rules.py). One function, so a record
the tablet stores is one the edge takes, as far as the record itself can tell.

    check_tablet_record(record)   a kind tablets make (not a staff-only one: feedback, award), and a
                                  payload its kind allows (wire.learning: an xAPI statement whose id is
                                  the record's, an assignment submission with its fields and attachments,
                                  a course refusal as wire.course_refusal checks it, a resume state as
                                  wire.course_state checks it, a form submission's shape as wire.forms
                                  checks it)

`wire.records.parse_record` has already checked the envelope (id, kind, learner, created, seq, size).
What only the edge knows is checked there alone: ids it already holds, the device's sequence, the
learner its tablet is bound to, attachments it holds complete, room in its outbox.
"""

from __future__ import annotations

from wire import course_refusal, course_state, forms
from wire.learning import AttachmentRef, check_payload
from wire.records import Record, check_from_tablet


def check_tablet_record(record: Record) -> tuple[AttachmentRef, ...]:
    """Raise RecordError naming the first rule the record breaks; return the attachments it names."""
    check_from_tablet(record)
    if record.kind == course_state.KIND:
        course_state.check(record.payload, record.id)
        return ()
    if record.kind == course_refusal.KIND:
        course_refusal.check(record.payload, record.id)
        return ()
    if record.kind == forms.KIND:
        return forms.check(record.payload, record.id)
    return check_payload(record)
