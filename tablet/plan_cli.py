"""`throughgate tablet plan --folder F [--learner L]`: the learner's release plan as the edge's `plan` down
messages left it (each carries one pathway's whole item; the newest kept for each pathway wins), collected from
the edge first, with the countdown to the release date."""

from __future__ import annotations

from datetime import date

from wire import plans
from wire.text import for_terminal


def latest(messages: list[dict], learner: str | None = None) -> dict[str, dict[str, dict]]:
    """{learner: {pathway: item}} from kept down messages, oldest first (the newest for a pathway wins)."""
    found: dict[str, dict[str, dict]] = {}
    for message in messages:
        if message.get("type") == "plan" and (learner is None or message.get("learner") == learner):
            found.setdefault(str(message.get("learner")), {})[str(message.get("pathway"))] = message
    return found


def lines(learner: str, items: dict[str, dict], today: date) -> list[str]:
    out = [f"Release plan for {learner}: {plans.countdown(items.get(plans.RELEASE, {}).get('release_date'), today)}"]
    for key in plans.PATHWAY_KEYS:
        item = items.get(key) or plans.item_body(key, {})
        out.append(f"  {item['label']} ({item['label_cy']}): {str(item['status_label']).lower()}"
                   + (f", with {for_terminal(item['owner'])}" if item.get("owner") else ""))
        if item.get("notes"):
            out.append(f"    {for_terminal(item['notes'])}")
    return out


def register(sub, folder_help: str, collect) -> None:
    from tablet.identity import existing_folder

    p = sub.add_parser("plan", help="the learner's release plan (collected from the edge first): the countdown "
                       "and each pathway")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--learner", help="only this learner's plan (default: every learner's on this tablet)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the edge's down messages")
    p.add_argument("--offline", action="store_true", help="do not contact the edge: show what this tablet holds")
    p.set_defaults(func=lambda args: plan(args, collect))


def plan(args, collect) -> int:
    from tablet.identity import TabletIdentity
    from tablet.outbox import Outbox

    identity = TabletIdentity(args.folder)
    outbox = Outbox(str(identity.outbox_path))
    if identity.enrolled and not args.offline:
        collect(identity, outbox, args.timeout)
    found = latest(outbox.messages("plan"), args.learner)
    if not found:
        print("No release plan on this tablet yet.")
        return 0
    for learner, items in sorted(found.items()):
        print("\n".join(lines(learner, items, date.today())))
    return 0
