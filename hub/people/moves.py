"""Which prison a transferred person is at now: the edge of their latest transfer (`hub people transfer`).

The prison they left keeps its learner link (what they did there came from it), but not what follows them:
it makes no activation code for them (hub/people/edge_release.py), writes nothing into their release plan
and is sent none of it (hub/plans). A person never transferred is at every prison they are linked at."""

from __future__ import annotations

from hub.people.models import PersonLearner, Transfer


def moved_away(person_id: str, edge_id: str) -> bool:
    """Whether the person's latest transfer took them to a prison other than this edge's."""
    latest = (Transfer.select(Transfer.edge_id).where(Transfer.person == person_id)
              .order_by(Transfer.requested_at.desc(), Transfer.transfer_id.desc()).first())
    return latest is not None and latest.edge_id != edge_id


def moved_away_from(edge_id: str) -> set[str]:
    """The people linked at this edge whose latest transfer took them to another prison."""
    latest: dict[str, str] = {}
    linked_here = PersonLearner.select(PersonLearner.person).where(PersonLearner.edge_id == edge_id)
    for row in (Transfer.select(Transfer.person, Transfer.edge_id).where(Transfer.person.in_(linked_here))
                .order_by(Transfer.requested_at, Transfer.transfer_id)):
        latest[row.person_id] = row.edge_id
    return {person for person, edge in latest.items() if edge != edge_id}
