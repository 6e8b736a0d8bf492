"""`throughgate hub people plan PERSON [--release-date D] [--set PATHWAY --status S --owner O --notes N]`:
a person's release plan on the hub's own machine, shown after any change (the workers' console does
the same for workers)."""

from __future__ import annotations

from hub.plans import service
from hub.refusals import Refused
from hub.tables import table
from wire import plans
from wire.records import timestamp


def register(subs, command, with_app) -> None:
    cmd = command(subs, "plan", with_app(cmd_plan), "a person's release plan: show it, or set the release date "
                  "or one pathway's status, owner or notes")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--release-date", metavar="YYYY-MM-DD", help="the planned release date ('' for none)")
    cmd.add_argument("--set", dest="pathway", metavar="PATHWAY", help=f"the pathway to change: "
                     f"{', '.join(plans.PATHWAY_KEYS)}")
    cmd.add_argument("--status", help=f"with --set: {', '.join(plans.STATUSES)}")
    cmd.add_argument("--owner", help="with --set: who does it (a worker, or anyone else, in words)")
    cmd.add_argument("--notes", help="with --set: what is known, what is next")


def _by() -> str:
    from hub.admins.cli import operator

    return operator().name


def _edits(args) -> list[tuple[str, str, str]]:
    fields = {name: getattr(args, name) for name in plans.FIELDS if getattr(args, name) is not None}
    if fields and not args.pathway:
        raise Refused(400, "bad_request", "say which pathway to change with --set PATHWAY (one of "
                      f"{', '.join(plans.PATHWAY_KEYS)})")
    if args.pathway and not fields:
        raise Refused(400, "bad_request", "say what to change with --status, --owner or --notes")
    if "status" in fields:
        fields["status"] = fields["status"].strip().lower().replace(" ", "_")
    found = [(args.pathway, name, value) for name, value in fields.items()]
    if args.release_date is not None:
        found.insert(0, (plans.RELEASE, "date", args.release_date.strip()))
    return found


def cmd_plan(args, app) -> int:
    from hub.admins.cli import note

    person_id = service.people.find(args.person_id).person_id
    changed = []
    for pathway, field, value in _edits(args):
        seen = service.seen_at(service.people.find(person_id), pathway, field)
        if service.edit(person_id, pathway, field, value, _by(), seen, timestamp()):
            changed.append(f"{pathway}.{field}")
    if changed:
        note(person=person_id, changed=",".join(changed))
    print(render(service.plan(person_id), service.countdown(service.people.find(person_id))))
    return 0


def render(plan: dict, countdown: str) -> str:
    lines = [f"{plan['person']}: {countdown}"]
    rows = []
    for item in plan["items"]:
        written = [w for w in item["written"].values()]
        last = max(written, key=lambda w: w["at"]) if written else None
        rows.append([item["label"], item["status_label"].lower(), item["owner"] or None, _short(item["notes"]),
                     f"{last['at']} by {last['by']}" if last else None])
    lines.append(table(["PATHWAY", "STATUS", "OWNER", "NOTES", "LAST WRITTEN"], rows))
    for item in [plan["release"], *plan["items"]]:
        for also in item["also"]:
            what = "release date" if item["pathway"] == plans.RELEASE else f"{item['label']} {also['field']}"
            lines.append(f"Also written: {what} {also['value']!r} by {also['by']} at {also['at']}")
    return "\n".join(lines)


def _short(text: str) -> str | None:
    text = " ".join(text.split())
    return (text[:37] + "...") if len(text) > 40 else (text or None)
