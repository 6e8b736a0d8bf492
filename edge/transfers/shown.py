"""What a learner brought from earlier prisons, as the console's learner page shows it: their badges, the feedback
they were given, and how many submissions and progress records came with them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from edge.transfers.tables import TransferredRecord


@dataclass
class Earlier:
    badges: list[dict] = field(default_factory=list)  # {"badge", "awarded", "from_edge"}
    feedback: list[dict] = field(default_factory=list)  # {"assignment", "grade", "feedback", "marked", "from_edge"}
    submissions: int = 0
    progress: int = 0

    def __bool__(self) -> bool:
        return bool(self.badges or self.feedback or self.submissions or self.progress)


def of(learner: str) -> Earlier:
    found = Earlier()
    for row in (TransferredRecord.select().where(TransferredRecord.learner == learner)
                .order_by(TransferredRecord.created)):
        payload = json.loads(row.payload)
        if row.kind == "award":
            found.badges.append({"badge": str(payload.get("badge", "")), "awarded": str(payload.get("awarded", "")),
                                 "from_edge": row.from_edge})
        elif row.kind == "feedback":
            fields = ("assignment", "grade", "feedback", "marked")
            found.feedback.append({name: str(payload.get(name, "")) for name in fields} | {"from_edge": row.from_edge})
        elif row.kind == "assignment_submission":
            found.submissions += 1
        else:
            found.progress += 1
    return found
