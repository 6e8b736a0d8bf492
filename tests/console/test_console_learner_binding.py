"""The console and tablets bound to their learner: the tablets page makes a code naming the learner
and lists each tablet's learner; a learner's award and feedback go to their bound tablet, not to
the tablet that last sent as them."""

from __future__ import annotations

import json
import re

from edge import store
from edge.console import marking, rewards
from edge.downlink.tables import DownMessage
from edge.tablets import registry as tablets
from provisioning import pki
from tests.console.consolekit import statement, submission


def _down(device: str) -> list[dict]:
    """The down messages written for `device`, in the order they were written."""
    written = DownMessage.select().where(DownMessage.device == device).order_by(DownMessage.id)
    return [json.loads(m.body) for m in written]


def _redeem(kit, code: str, device: str) -> None:
    tablets.redeem(code, device, pki.csr_to_pem(pki.make_csr(pki.new_key(), device)).decode(), kit.files,
                   kit.config.tablets.cert_days)


def test_the_tablets_page_makes_a_code_naming_the_learner_and_lists_the_learner(kit, app, staff):
    page = staff["ivan"].post("/tablets/code", {"device": "tab-0800", "learner": "L-0800"}).get_data(as_text=True)
    assert "Enrolment code for tab-0800" in page and "bound to learner <strong>L-0800</strong>" in page
    _redeem(kit, re.search(r'class="code">([^<]+)<', page)[1], "tab-0800")
    listed = staff["ivan"].get("/tablets/").get_data(as_text=True)
    assert re.search(r"<td>tab-0800</td><td>.*?</td><td>L-0800</td>", listed)
    refused = staff["ivan"].post("/tablets/code", {"device": "tab-0801", "learner": "L-0800"})
    assert refused.status_code == 409 and "Learner L-0800 is bound to tablet tab-0800" in refused.get_data(as_text=True)
    refused = staff["ivan"].post("/tablets/code", {"device": "tab-0801", "learner": "L 0800"})
    assert refused.status_code == 400 and "Learner id: 1-64" in refused.get_data(as_text=True)
    page = staff["ivan"].post("/tablets/code", {"device": "tab-0802", "learner": ""}).get_data(as_text=True)
    assert "Enrolment code for tab-0802" in page and "bound to learner" not in page  # the learner is optional


def test_award_and_feedback_go_to_the_learners_bound_tablet(kit, app):
    code, _ = tablets.create_code("tab-0900", 60, learner="L-BOUND")
    _redeem(kit, code, "tab-0900")
    submission_id = submission("L-BOUND", device="tab-0002")  # sent from another (unbound) tablet
    for unit in ("unit-1", "unit-2"):
        statement("L-BOUND", f"bound-1/{unit}", score=0.9, device="tab-0002")
    rule = rewards.add_rule("Bound", "units", 2, "bound-1", "mary")
    try:
        (award,) = rewards.evaluate()
    finally:
        rewards.delete_rule(rule.id)
    marking.mark(submission_id, "Merit", "Well argued.", "mary")
    to_bound = _down("tab-0900")
    assert [(m["type"], m["learner"]) for m in to_bound] == [("award", "L-BOUND"), ("feedback", "L-BOUND")]
    assert to_bound[0]["id"] == award.id and to_bound[1]["submission"] == submission_id
    assert not [m for m in _down("tab-0002") if m.get("learner") == "L-BOUND"]
    assert store.Tablet.get(store.Tablet.device == "tab-0900").learner == "L-BOUND"
