"""Tablets bound to their learner: an in-cell tablet belongs to one person.

Staff name the learner when they make the enrolment code (`throughgate edge tablets code tab-0042
--learner L-0042`, or the console's tablets page); redeeming the code binds the tablet. From then on:

    the relay refuses a record from the tablet naming another learner     (learner_mismatch)
    down messages for the learner (feedback, awards) go to that tablet    (recipient)

Re-enrolling the device with a new code keeps the binding when the code names the same learner or
none, and moves it when the code names another learner (the tablet was given to someone else; the
old tablet's certificates are revoked by the re-enrolment anyway). A learner is bound to at most one
active tablet: a code naming a learner bound to another active tablet is refused (`learner_bound`)
until that tablet is revoked. An unbound tablet may still send as any learner.
"""

from __future__ import annotations

from collections.abc import Iterable

from edge import store
from wire.records import valid_learner

ACTIVE = "active"


class BindingError(ValueError):
    """code, reason, status: as edge.tablets.registry.TabletError (which the callers raise it as)."""

    def __init__(self, code: str, reason: str, status: int):
        super().__init__(reason)
        self.code, self.reason, self.status = code, reason, status


def check_learner(learner: str | None) -> str | None:
    """The learner a code names, tidied ("" and None: no learner); BindingError if it is no learner id."""
    learner = (learner or "").strip()
    if not learner:
        return None
    if not valid_learner(learner):
        raise BindingError("bad_learner", "learner id: 1-64 letters, digits, '.', '_' or '-', starting with a "
                           "letter or digit, as the tablet's records name the learner", 400)
    return learner


def check_free(learner: str | None, device: str) -> None:
    """Refuse to bind `learner` to `device` while another active tablet is bound to them."""
    if learner is None:
        return
    other = (store.Tablet.select(store.Tablet.device)
             .where(store.Tablet.learner == learner, store.Tablet.status == ACTIVE, store.Tablet.device != device)
             .first())
    if other is not None:
        raise BindingError("learner_bound", f"learner {learner} is bound to tablet {other.device}: revoke "
                           f"{other.device} first (`throughgate edge tablets revoke {other.device}`), or "
                           "re-enrol that device for them", 409)


def bind(device: str, learner: str | None) -> str | None:
    """After a code was redeemed: the device's learner is the code's, or stays as it was when the code
    names none. Call inside store.writing(). Returns the learner the tablet is now bound to."""
    tablet = store.Tablet.get(store.Tablet.device == device)
    if learner is not None and learner != tablet.learner:
        check_free(learner, device)
        tablet.learner = learner
        tablet.save()
    return tablet.learner


def bound_learners(devices: Iterable[str]) -> dict[str, str]:
    """device -> learner, for those of `devices` that are bound."""
    wanted = sorted(set(devices))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = (store.Tablet.select(store.Tablet.device, store.Tablet.learner)
                 .where(store.Tablet.device.in_(wanted[start:start + 500]), store.Tablet.learner.is_null(False)))
        found.update((row.device, row.learner) for row in query)
    return found


def recipient(learner: str, fallback: str | None) -> str | None:
    """The tablet a down message for `learner` goes to: their bound active tablet; `fallback` (the tablet
    they last sent from, or sent the submission from) when no tablet is bound to them; None when their
    only bound tablets are revoked (no other tablet gets their messages)."""
    rows = list(store.Tablet.select(store.Tablet.device, store.Tablet.status)
                .where(store.Tablet.learner == learner)
                .order_by(store.Tablet.enrolled.desc(), store.Tablet.device))
    if not rows:
        return fallback
    active = [row.device for row in rows if row.status == ACTIVE]
    return active[0] if active else None
