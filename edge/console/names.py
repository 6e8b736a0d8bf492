"""Learners' names as the console shows them: "Name (L-0042)" to the manager and to the tutors of the learner's
classes; the id alone to IT staff (who never see names) and for learners without a name (edge.learners)."""

from __future__ import annotations

from flask import g

from edge.console import access
from edge.learners import names


def visible() -> dict[str, str]:
    """{learner: name} the logged-in member may see, read once per request."""
    if "learner_names" not in g:
        member = g.get("member")
        if member is None or member.role not in access.LEARNING_ROLES:
            g.learner_names = {}
        else:
            g.learner_names = names.names_of(access.scope().learners())
    return g.learner_names


def label(learner: str) -> str:
    """The learner as a page shows them: their name and id, or the id alone."""
    name = visible().get(learner)
    return f"{name} ({learner})" if name else learner
