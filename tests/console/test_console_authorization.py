"""Every console page and action, for every role and for anonymous visitors.

Roles: a tutor of the learner's class (own), a tutor of another class (other), the manager, IT
staff, and anonymous. Anonymous visitors are sent to log in; a role without access gets 403.
Allowed actions are done on fresh targets, so no test depends on another having run.
"""

from __future__ import annotations

import pytest

from edge import store
from edge.console import rewards, tables
from edge.tablets import registry as tablets
from tests.console.consolekit import Visitor, attachment_submission, submission

ROLES = ("anonymous", "tutor_own", "tutor_other", "manager", "it")
USER = {"tutor_own": "tina", "tutor_other": "tom", "manager": "mary", "it": "ivan"}
OK, LOGIN, DENIED = "ok", "login", 403

# what -> (method, allowed roles, expected status when allowed)
PAGES = {
    "home": ("GET", {"tutor_own", "tutor_other", "manager", "it"}, 302),
    "submissions queue": ("GET", {"tutor_own", "tutor_other", "manager"}, 200),
    "submission": ("GET", {"tutor_own", "manager"}, 200),
    "attachment": ("GET", {"tutor_own", "manager"}, 200),
    "mark": ("POST", {"tutor_own", "manager"}, 302),
    "progress": ("GET", {"tutor_own", "tutor_other", "manager"}, 200),
    "learner progress": ("GET", {"tutor_own", "manager"}, 200),
    "class progress": ("GET", {"tutor_own", "manager"}, 200),
    "courses": ("GET", {"tutor_own", "tutor_other", "manager", "it"}, 200),
    "course refusals": ("GET", {"tutor_own", "tutor_other", "manager", "it"}, 200),
    "rewards": ("GET", {"tutor_own", "tutor_other", "manager"}, 200),
    "add reward rule": ("POST", {"manager"}, 302),
    "delete reward rule": ("POST", {"manager"}, 302),
    "check reward rules": ("POST", {"manager"}, 302),
    "tablets": ("GET", {"manager", "it"}, 200),
    "enrolment code": ("POST", {"manager", "it"}, 200),
    "revoke tablet": ("POST", {"manager", "it"}, 302),
    "health": ("GET", {"tutor_own", "tutor_other", "manager", "it"}, 200),
    "down messages": ("GET", {"tutor_own", "tutor_other", "manager", "it"}, 200),
    "log out": ("POST", {"tutor_own", "tutor_other", "manager", "it"}, 302),
}
_enrolled = iter(range(100, 10_000))


# what -> (path, form) of pages and actions that need no fresh target
FIXED = {
    "home": ("/", {}),
    "submissions queue": ("/submissions/", {}),
    "progress": ("/progress/", {}),
    "learner progress": ("/progress/learner/L-A1", {}),
    "class progress": ("/progress/class/A", {}),
    "courses": ("/courses/", {}),
    "course refusals": ("/courses/refusals", {}),
    "rewards": ("/rewards/", {}),
    "add reward rule": ("/rewards/rules", {"badge": "Reader", "measure": "units", "threshold": "50", "course": ""}),
    "check reward rules": ("/rewards/evaluate", {}),
    "tablets": ("/tablets/", {}),
    "health": ("/health/", {}),
    "down messages": ("/health/messages", {}),
    "log out": ("/logout", {}),
}


def _attachment(kit) -> tuple[str, dict]:
    record_id, attachment = attachment_submission(kit.config, "L-A1")
    return f"/submissions/{record_id}/attachments/{attachment}", {}


def _revoke_tablet(kit) -> tuple[str, dict]:
    device = f"tab-{next(_enrolled):04d}"
    kit.enrol(device)
    return f"/tablets/{device}/revoke", {}


# what -> the (path, form) of a fresh target, made for each request
FRESH = {
    "attachment": _attachment,
    "submission": lambda kit: (f"/submissions/{submission('L-A1')}", {}),
    "mark": lambda kit: (f"/submissions/{submission('L-A1')}/mark", {"grade": "B", "feedback": "Well argued."}),
    "delete reward rule": lambda kit: (f"/rewards/rules/{rewards.add_rule('Gone', 'units', 99, '', 'mary').id}/delete",
                                       {}),
    "enrolment code": lambda kit: ("/tablets/code", {"device": f"tab-{next(_enrolled):04d}"}),
    "revoke tablet": _revoke_tablet,
}


def _target(what: str, kit) -> tuple[str, dict]:
    """The path (and form) of one page or action, on a fresh target where the action changes state."""
    if what in FIXED:
        path, form = FIXED[what]
        return path, dict(form)
    if what in FRESH:
        return FRESH[what](kit)
    raise AssertionError(f"no target for {what!r}: add it to FIXED or FRESH")


def _visitor(role: str, what: str, app, staff) -> Visitor:
    """The shared logged-in client, or a session of its own where the action ends the session."""
    if role == "anonymous":
        return Visitor(app)
    if what != "log out":
        return staff[USER[role]]
    visitor = Visitor(app)
    assert visitor.login(USER[role]).status_code == 302
    return visitor


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("what", list(PAGES))
def test_every_page_and_action_for_every_role(what, role, app, kit, staff):
    method, allowed, status = PAGES[what]
    visitor = _visitor(role, what, app, staff)
    path, form = _target(what, kit)
    response = visitor.get(path) if method == "GET" else visitor.post(path, form)
    if role == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), response.status
    elif role in allowed:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403
        assert "Not for your role" in response.get_data(as_text=True)


def test_refused_actions_change_nothing(app, kit, staff):
    target = submission("L-A1")
    for username in ("tom", "ivan"):
        assert staff[username].post(f"/submissions/{target}/mark", {"grade": "A", "feedback": "x"}).status_code == 403
    assert tables.Mark.get_or_none(tables.Mark.submission == target) is None
    kit.enrol("tab-0050")
    assert staff["tina"].post("/tablets/tab-0050/revoke").status_code == 403
    assert store.Tablet.get(store.Tablet.device == "tab-0050").status == tablets.ACTIVE


def test_a_tutor_sees_only_their_own_classes_learners(app, staff):
    own, other = submission("L-A1", text="Alpha's essay"), submission("L-B1", text="Beta's essay")
    tina = staff["tina"].get("/submissions/?state=all").get_data(as_text=True)
    tom = staff["tom"].get("/submissions/?state=all").get_data(as_text=True)
    mary = staff["mary"].get("/submissions/?state=all").get_data(as_text=True)
    assert own in tina and other not in tina
    assert other in tom and own not in tom
    assert own in mary and other in mary
    progress = staff["tina"].get("/progress/").get_data(as_text=True)
    assert "L-A1" in progress and "L-B1" not in progress


def test_it_staff_never_see_learners_work(app, staff):
    target = submission("L-A1", text="Private words")
    for path in ("/submissions/", f"/submissions/{target}", "/progress/", "/progress/learner/L-A1",
                 "/progress/class/A", "/rewards/"):
        response = staff["ivan"].get(path)
        assert response.status_code == 403 and "Private words" not in response.get_data(as_text=True)
    navigation = staff["ivan"].get("/health/").get_data(as_text=True)
    assert "/submissions/" not in navigation and "/tablets/" in navigation
