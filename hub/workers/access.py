"""Who is using the workers' console, what their role lets them do, and which people they may see.

The login, sessions, CSRF and error pages are the admin console's (hub/console/access.py, pages.py,
views/auth.py), for the workers' side (`WORK`): its own session cookie, and only worker accounts. A
worker's session never opens /admin, nor an admin's /work.

`require(action)` guards every view with an action of ACTIONS: anonymous visitors are sent to log in,
a role without it gets 403 (audited). `person(person_id)` is the person if this worker may see them,
else 404, the same answer as for an id that does not exist.
"""

from __future__ import annotations

import functools

from flask import abort, g, redirect, request, url_for

from hub.console import access
from hub.staff import accounts
from hub.workers import caseload

OFFENDER_MANAGER, EMPLOYMENT_ADVISER, HEALTH_CARE, TEAM_MANAGER = accounts.WORKER_ROLES
EVERY_WORKER = frozenset(accounts.WORKER_ROLES)
ACTIONS: dict[str, frozenset[str]] = {
    # action: the worker roles that hold it (every view is for its caseload only, or the team's)
    "work.people.read": EVERY_WORKER,
    "work.people.names": EVERY_WORKER,
    "work.messages.read": EVERY_WORKER,
    "work.appointments.read": EVERY_WORKER,
    "work.appointments.manage": EVERY_WORKER,
    "work.messages.send": EVERY_WORKER,
    "work.plans.read": EVERY_WORKER,
    "work.plans.edit": EVERY_WORKER,
    "work.people.release": frozenset({OFFENDER_MANAGER, TEAM_MANAGER}),
    "work.phones.revoke": frozenset({OFFENDER_MANAGER, TEAM_MANAGER}),
    "work.caseloads.manage": frozenset({TEAM_MANAGER}),
    "work.team_inbox.read": EVERY_WORKER,
    "work.team_inbox.answer": EVERY_WORKER,
    "work.duty.set": EVERY_WORKER,
    "work.team.oversee": frozenset({TEAM_MANAGER}),
    "work.health.exists": EVERY_WORKER,
    "work.health.read": frozenset({HEALTH_CARE}),
    "work.health.upload": frozenset({HEALTH_CARE}),
    "work.health.reads": EVERY_WORKER,
    "work.forms.read": EVERY_WORKER,
    "work.forms.publish": frozenset({TEAM_MANAGER}),
    "work.forms.submissions": EVERY_WORKER,
    "work.checkins.read": frozenset({OFFENDER_MANAGER, TEAM_MANAGER}),
    "work.checkins.schedule": frozenset({OFFENDER_MANAGER, TEAM_MANAGER}),
    "work.checkins.review": frozenset({OFFENDER_MANAGER, TEAM_MANAGER}),
    "work.employment.read": EVERY_WORKER,
    "work.employment.publish": frozenset({EMPLOYMENT_ADVISER, TEAM_MANAGER}),
    "work.employment.progress": EVERY_WORKER,
}
"""Releasing someone, a new activation code (and its letter), and switching a phone off are the
offender manager's (and their team manager's); every worker reads and writes messages and release
plans (each writes the pathways they own: housing, health, work); a team
manager shares out their team's caseloads. Every worker puts themself on or off duty for their team
and, while on duty, reads and answers the team's inbox (hub/teams); a team manager sees the team's
messages waiting too long and puts any member on or off duty. Every worker sees whether a person has a
health summary and who read it; only health care staff read what it says (or a worker the person shared
it with: hub/workers/views/health.py asks hub/medical/service.py `may_read` too) and upload one. Every
worker sees the published forms and the submissions of the people they may see (hub/forms/web.py); a team
manager publishes forms for the organisation. Check-ins (hub/checkins/web.py) are supervision evidence: the
offender manager and their team manager set a person's schedule, see their check-ins and photos, and mark them
reviewed; other roles do not. Every worker sees the job links, videos and checklists published for people's
phones (hub/employment/web.py) and the ticks on a checklist of the people they may see (a person's resettlement is
every one of their workers' business, as their release plan is); employment advisers and their team managers
publish them."""


def allowed(role: str | None, action: str) -> bool:
    return role in ACTIONS.get(action, frozenset())


WORK = access.Side("work", accounts.WORKER, "/work", "__Host-throughgate-work", "work/base.html",
                   "Workers' console", allowed, home="work.people.index", audit="work",
                   refused="Your role does not allow this. The attempt was recorded.")


def require(action: str):
    """A view for the worker roles that hold `action`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown workers' console action {action}")

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if g.staff is None:
                if request.method == "GET":
                    return redirect(url_for("work.auth.login", next=request.full_path.rstrip("?")))
                abort(401)
            if not allowed(g.staff.role, action):
                access.record(action, "/".join(str(v) for v in kwargs.values()), "refused: role may not")
                abort(403)
            return view(*args, **kwargs)

        checked.action = action  # the authorization matrix test reads it
        return checked

    return wrap


def person(person_id: str, what: str):
    """The person if this worker may see them (else 404), recording that they read `what` of theirs."""
    found = caseload.visible(g.staff, person_id)
    if found is None:
        abort(404)
    caseload.record_reads(g.staff.name, [found.person_id], what)
    return found
