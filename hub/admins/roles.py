"""What each admin role may do: one table, role x action -> allowed. Pure: no I/O.

Every admin API route and every `throughgate hub` command that reads or changes what admins manage
names one ACTION; PERMISSIONS says which roles hold it. docs/hub.md ("Admin roles") shows the same
table (a test renders it from here and finds it there).

A command run on the hub's own machine (the CLI) acts as the host's operator, `cli:<user>`: it can
read the keys and the database anyway, so it holds every action (HOST); the table governs the admin
API, its tokens, and the approvals.
"""

from __future__ import annotations

from dataclasses import dataclass

FLEET, CONTENT, SECURITY, AUDITOR = "fleet", "content", "security", "auditor"
HEALTH = "health"
"""A health system pushing people's health summaries (hub/medical/api.py): that, and nothing else."""
LEGACY = "legacy"
"""The single admin token of earlier releases (hub.toml ADMIN_TOKEN_SHA256): what it could do then,
until it expires (ADMIN_TOKEN_DAYS after the upgrade, hub/auth.py)."""
ROLES = (FLEET, CONTENT, SECURITY, AUDITOR)
"""The roles of admins: their console accounts and their tokens."""
TOKEN_ROLES = (*ROLES, HEALTH)
"""The roles a token can be made for (`throughgate hub admins token create NAME --role ROLE`): a health system
has a token, never a console account."""
ALL_ROLES = (*ROLES, HEALTH, LEGACY)


@dataclass(frozen=True)
class Action:
    what: str
    api: str
    """The admin API routes that do it ('' if none)."""
    cli: str
    """The `throughgate hub` commands that do it ('' if none)."""
    changes: bool = False
    two_admins: bool = False
    """Waits for a second admin's approval when ADMIN_APPROVALS is on (hub/approvals)."""


ACTIONS: dict[str, Action] = {
    "enrolment_tokens.create": Action("make a one-time enrolment token for an edge",
                                      "POST /v1/admin/enrolment-tokens", "tokens create", True, True),
    "enrolment_tokens.list": Action("list enrolment tokens (never their secrets)", "", "tokens list"),
    "enrolment_tokens.cancel": Action("cancel an unused enrolment token",
                                      "POST /v1/admin/enrolment-tokens/<token_id>/cancel", "tokens cancel", True),
    "edges.list": Action("list edges, certificates, signing keys", "GET /v1/admin/edges", "edges list"),
    "edges.health": Action("see edges' status reports, history and alarms", "", "edges health, edges show"),
    "edges.revoke": Action("revoke an edge", "POST /v1/admin/edges/<edge_id>/revoke", "edges revoke", True, True),
    "keys.export": Action("print the hub's public keys", "", "keys export"),
    "keys.rotate": Action("make a new current sealing key", "POST /v1/admin/keys/rotate", "keys rotate", True, True),
    "courses.import": Action("import a course package", "POST /v1/admin/courses", "courses import", True),
    "courses.list": Action("list courses, versions, manifests, targets",
                           "GET /v1/admin/courses, GET /v1/admin/courses/<course>, "
                           "GET /v1/admin/courses/<course>/manifest", "courses list"),
    "courses.target": Action("send a course to an edge, or stop", "PUT, DELETE /v1/admin/courses/<course>/targets",
                             "courses target", True),
    "courses.refusals": Action("list values courses sent that learners' tablets refused (learners' data)", "",
                               "courses refusals"),
    "records.read": Action("read stored records (learners' data)", "GET /v1/records, GET /v1/records/summary",
                           "records"),
    "lrs.status": Action("see the LRS forwarder's state", "", "lrs status"),
    "lrs.export": Action("print records as xAPI statements", "", "lrs export"),
    "lrs.forward": Action("send pending statements to the LRS now", "", "lrs forward", True),
    "approvals.list": Action("list approval requests", "GET /v1/admin/approvals", "approvals list"),
    "approvals.decide": Action("approve or refuse another admin's request (also needs the request's own action)",
                               "POST /v1/admin/approvals/<id>/approve, POST /v1/admin/approvals/<id>/refuse",
                               "approvals approve, approvals refuse", True),
    "admins.list": Action("list admins' console accounts and API tokens (never their secrets)", "",
                          "admins list, admins token list"),
    "admins.manage": Action("add, disable or reset admins' console accounts; make or revoke admin API tokens", "",
                            "admins add, admins disable, admins reset, admins token create, admins token revoke",
                            True),
    "workers.list": Action("list workers' accounts for the workers' console", "", "workers list"),
    "workers.manage": Action("add, disable or reset workers' accounts", "",
                             "workers add, workers disable, workers reset", True),
    "caseloads.list": Action("list the people in a worker's caseload (host only)", "", "workers caseload list"),
    "caseloads.manage": Action("put people in workers' caseloads, or take them out (host only)", "",
                               "workers caseload add, workers caseload remove", True),
    "people.read": Action("see people, their learner ids and phones (host only: workers use their console)", "",
                          "people list, people show"),
    "people.manage": Action("add and link people, release them, issue activation codes, switch phones off, "
                            "transfer them to another prison", "", "people add, people link, people release, "
                            "people code, people revoke-phone, people transfer", True),
    "messages.read": Action("read a person's messages (host only)", "", "messages list"),
    "messages.send": Action("send a person a message as a worker (host only)", "", "messages send", True),
    "plans.manage": Action("see a person's release plan; set its release date and each pathway's status, owner "
                           "and notes (host only: workers use their console)", "", "people plan", True),
    "appointments.read": Action("see a person's appointments and every change to them (host only)", "",
                                "appointments list, appointments history"),
    "appointments.manage": Action("make, move and cancel appointments; propose a time, decline a request (host "
                                  "only)", "", "appointments add, appointments move, appointments cancel, "
                                  "appointments propose, appointments decline", True),
    "appointments.calendar": Action("make a person's secret calendar feed address, the old one stopping (host "
                                    "only)", "", "appointments calendar", True),
    "teams.list": Action("see teams, their promised reply time, who is on duty and what waits (host only)", "",
                         "teams list, teams show"),
    "teams.manage": Action("add teams, change a team's promised reply time, put a worker on or off duty (host "
                           "only)", "", "teams add, teams set, teams duty", True),
    "seed.demo": Action("fill a new hub (no people yet) with demo workers, people, messages, appointments and "
                        "plans (host only)", "", "seed", True),
    "audit.read": Action("export and verify the audit trail", "GET /v1/admin/audit", "audit export, audit verify"),
    "health.import": Action("upload a person's health summary or health appointments (FHIR), checked and sealed",
                            "POST /v1/health/people/<person_id>/summary, POST "
                            "/v1/health/people/<person_id>/appointments", "health import", True),
    "health.read": Action("read a person's health summary, and who read it (host only; each read is also a health "
                          "read the person sees)", "", "health show, health reads"),
    "health.erase": Action("erase a person's health records and their key (host only)", "", "health erase", True),
    "health.keys": Action("make a new hub health key and rewrap every person's key; retire old ones (host only)",
                          "", "health rotate-key", True),
    "health.retention": Action("delete health data past its keeping time now (host only; `hub run` does it "
                               "daily)", "", "health retention", True),
    "forms.publish": Action("publish a form version from an XLSForm (host only; team managers also publish in "
                            "the workers' console)", "", "forms publish", True),
    "forms.list": Action("list forms and their versions, show a version's fields and XForm (host only)", "",
                         "forms list, forms show"),
    "forms.export": Action("export a form's submissions, people's answers and files, as CSV with media (host "
                           "only; each person's read is recorded)", "", "forms export"),
    "checkins.schedule": Action("set a person's check-in schedule (host only; offender managers also set it in the "
                                "workers' console)", "", "checkins schedule", True),
    "checkins.read": Action("show a person's check-ins, windows and flags (host only; the read is recorded)", "",
                            "checkins show"),
    "checkins.retention": Action("delete check-in photos past their keeping time now (host only; `hub run` does it "
                                 "daily)", "", "checkins retention", True),
    "employment.publish": Action("publish a job link, video or checklist for people's phones (host only; employment "
                                 "advisers also publish in the workers' console)", "", "employment publish", True),
    "employment.list": Action("list the job links, videos and checklists published (host only)", "",
                              "employment list"),
    "employment.withdraw": Action("take a job link, video or checklist off people's phones (host only; employment "
                                  "advisers also withdraw in the workers' console)", "", "employment withdraw", True),
    "employment.progress": Action("show a person's ticks on their checklists (host only; the read is recorded)", "",
                                  "employment progress"),
}

_READ = {"enrolment_tokens.list", "edges.list", "edges.health", "keys.export", "courses.list", "courses.refusals",
         "records.read",
         "lrs.status", "lrs.export", "approvals.list", "admins.list", "workers.list",
         "audit.read"}

PERMISSIONS: dict[str, frozenset[str]] = {
    FLEET: frozenset({"enrolment_tokens.create", "enrolment_tokens.list", "enrolment_tokens.cancel", "edges.list",
                      "edges.health", "edges.revoke", "keys.export", "courses.list", "approvals.list",
                      "approvals.decide"}),
    CONTENT: frozenset({"edges.list", "edges.health", "keys.export", "courses.import", "courses.list",
                        "courses.target", "courses.refusals", "records.read", "lrs.status", "lrs.export", "lrs.forward",
                        "approvals.list"}),
    SECURITY: frozenset({"enrolment_tokens.list", "enrolment_tokens.cancel", "edges.list", "edges.health",
                         "edges.revoke", "keys.export", "keys.rotate", "approvals.list", "approvals.decide",
                         "admins.list", "admins.manage", "workers.list", "workers.manage", "audit.read"}),
    AUDITOR: frozenset(_READ),
    HEALTH: frozenset({"health.import"}),
    LEGACY: frozenset({"enrolment_tokens.create", "enrolment_tokens.list", "edges.list", "edges.health",
                       "edges.revoke", "keys.export", "keys.rotate", "courses.import", "courses.list",
                       "courses.target", "records.read", "lrs.status", "lrs.export", "lrs.forward",
                       "approvals.list", "approvals.decide"}),
}
HOST = "host"
"""The CLI on the hub's machine: every action."""


def allowed(role: str | None, action: str) -> bool:
    """May this role do this action? Unknown roles and actions: no."""
    if action not in ACTIONS:
        return False
    if role == HOST:
        return True
    return action in PERMISSIONS.get(role or "", frozenset())


def may_decide(role: str | None, action: str) -> bool:
    """May this role approve or refuse another admin's request to do `action`?"""
    return allowed(role, "approvals.decide") and allowed(role, action)


def markdown_table() -> str:
    """The table as docs/hub.md shows it: one row per action, one column per role."""
    head = ["action", "API", "CLI (`throughgate hub ...`)", *ALL_ROLES]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, action in ACTIONS.items():
        marks = ["yes" if allowed(role, name) else "" for role in ALL_ROLES]
        api = action.api.replace("|", "\\|") or "-"
        lines.append(f"| `{name}`{' (2)' if action.two_admins else ''} | {api} | {action.cli or '-'} | "
                     + " | ".join(marks) + " |")
    return "\n".join(lines)
