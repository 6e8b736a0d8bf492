"""`throughgate hub people add|list|show|link|release|code|revoke-phone|plan` and `hub messages send|list`:
the person from cell to community, on the hub's own machine (the workers' console does the same for
workers). `release` and `code` print the one-time activation code, its offer (what the release
letter's QR code holds) and, with --letter, write the printable letter (HTML or PDF)."""

from __future__ import annotations

from pathlib import Path

from hub import ca
from hub.admins.cli import note, operator, with_app
from hub.people import service, transfer_cli, transfers
from hub.phones import service as phones
from hub.plans import cli as plans_cli
from hub.refusals import Refused
from hub.staff.models import StaffAccount
from hub.sync import messages
from hub.tables import table
from provisioning.tokens import ActivationOffer
from wire.records import timestamp

CODE_DAYS = 7


def register(commands, command, open_app) -> None:
    people = commands.add_parser("people", help="people from cell to community: ids, learner ids, release, phones")
    subs = people.add_subparsers(dest="people_command", required=True, metavar="COMMAND")
    cmd = command(subs, "add", with_app(open_app, cmd_add), "add a person; prints their new pseudonymous id")
    cmd.add_argument("--release-date", metavar="YYYY-MM-DD", help="when they are due to be released")
    command(subs, "list", with_app(open_app, cmd_list), "list people: id, status, release, learner ids, phones")
    cmd = command(subs, "show", with_app(open_app, cmd_show), "one person: learner ids at each prison, codes, phones")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd = command(subs, "link", with_app(open_app, cmd_link), "the person is this learner id at this edge's prison")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--edge", required=True, metavar="EDGE_ID")
    cmd.add_argument("--learner", required=True, metavar="LEARNER")
    for name, func, what in (("release", cmd_release, "mark the person released and print their activation code"),
                             ("code", cmd_code, "a new activation code (the earlier one stops working)")):
        cmd = command(subs, name, with_app(open_app, func), what)
        cmd.add_argument("person_id", metavar="PERSON")
        cmd.add_argument("--days", type=int, default=CODE_DAYS, help=f"days the code works (default {CODE_DAYS})")
        cmd.add_argument("--letter", metavar="FILE", help="also write the release letter: FILE.html or FILE.pdf")
    cmd = command(subs, "revoke-phone", with_app(open_app, cmd_revoke_phone),
                  "switch a lost phone off: its next request is refused")
    cmd.add_argument("key_id", metavar="KEY_ID")
    plans_cli.register(subs, command, lambda func: with_app(open_app, func))
    transfer_cli.register(subs, command, lambda func: with_app(open_app, func))

    sent = commands.add_parser("messages", help="messages between a person and their workers")
    msubs = sent.add_subparsers(dest="messages_command", required=True, metavar="COMMAND")
    cmd = command(msubs, "send", with_app(open_app, cmd_send), "send a message to a person's phone, as a worker")
    cmd.add_argument("person_id", metavar="PERSON")
    cmd.add_argument("--from", dest="worker", required=True, metavar="WORKER")
    cmd.add_argument("text", metavar="TEXT")
    cmd = command(msubs, "list", with_app(open_app, cmd_messages), "a person's messages, with their receipts")
    cmd.add_argument("person_id", metavar="PERSON")


def _by() -> str:
    return operator().name


def cmd_add(args, app) -> int:
    person = service.add(_by(), args.release_date)
    note(person=person.person_id)
    print(person.person_id)
    return 0


def cmd_list(args, app) -> int:
    rows = []
    for person in service.listing():
        learners = ", ".join(f"{link.learner}@{link.edge_id}" for link in service.learners(person.person_id))
        active = sum(1 for phone in phones.phones_of(person.person_id) if not phone.revoked_at)
        rows.append([person.person_id, person.status, person.release_date, person.released_at, learners or None,
                     active])
    if not rows:
        print("No people yet: `throughgate hub people add` adds one.")
        return 0
    print(table(["PERSON", "STATUS", "RELEASE DATE", "RELEASED AT", "LEARNER IDS", "PHONES"], rows))
    return 0


def cmd_show(args, app) -> int:
    person = service.find(args.person_id)
    print(f"{person.person_id}: {person.status.replace('_', ' ')}"
          + (f", due for release {person.release_date}" if person.release_date and not person.released_at else "")
          + (f", released at {person.released_at}" if person.released_at else ""))
    links = service.learners(person.person_id)
    print(table(["EDGE", "LEARNER", "LINKED AT"], [[k.edge_id, k.learner, k.linked_at] for k in links])
          if links else "No learner ids linked.")
    moved = transfers.of_person(person.person_id)
    if moved:
        print(table(["TRANSFER", "TO EDGE", "AS LEARNER", "REQUESTED AT", "IMPORTED AT", "RECORDS"],
                    [[t.transfer_id, t.edge_id, t.learner, t.requested_at, t.delivered_at, t.records] for t in moved]))
    found = phones.phones_of(person.person_id)
    print(table(["PHONE KEY", "LABEL", "ACTIVATED", "LAST SEEN", "REVOKED"],
                [[p.key_id, p.label, p.activated_at, p.last_seen_at, p.revoked_at] for p in found])
          if found else "No phone set up yet.")
    return 0


def cmd_link(args, app) -> int:
    link = service.link(args.person_id, args.edge, args.learner)
    note(person=link.person_id, edge=link.edge_id)
    print(f"{link.person_id} is {link.learner} at {link.edge_id}.")
    return 0


def _offer(app, code: str) -> ActivationOffer:
    from hub.enrolment.tokens import edge_hub_url

    hub_url = edge_hub_url(app.config, app.instance_path) or "https://hub.invalid"
    return ActivationOffer(hub_url, code, ca.root_pin(app.extensions["hub_ca"]))


def _print_code(app, args, person_id: str, code: str, expires: str) -> None:
    offer = _offer(app, code)
    print(f"Activation code for {person_id}: {code}")
    print(f"It works once, until {expires}. It is shown only now: print the letter, or give the code in person.")
    print(f"  {offer.to_link()}")
    if args.letter:
        from hub.release import letter

        made = letter.Letter(name="", offer=offer, expires_at=expires, issued_at=timestamp(), prison="", contacts=())
        path = Path(args.letter)
        if path.suffix.lower() == ".pdf":
            path.write_bytes(letter.pdf(made))
        else:
            path.write_text(letter.html(made))
        print(f"The release letter is in {path}.")


def cmd_release(args, app) -> int:
    person, code, row = service.release(args.person_id, _by(), args.days)
    note(person=person.person_id)
    print(f"{person.person_id} is released ({person.released_at}).")
    _print_code(app, args, person.person_id, code, row.expires_at)
    return 0


def cmd_code(args, app) -> int:
    code, row = service.issue_code(args.person_id, _by(), args.days)
    note(person=row.person_id)
    _print_code(app, args, row.person_id, code, row.expires_at)
    return 0


def cmd_revoke_phone(args, app) -> int:
    phone = phones.revoke(args.key_id, _by())
    note(person=phone.person_id, phone=phone.key_id)
    print(f"Phone {phone.key_id} ({phone.label}) of {phone.person_id} is switched off from {phone.revoked_at}: its "
          "next request is refused.")
    return 0


def cmd_send(args, app) -> int:
    worker = StaffAccount.get_or_none((StaffAccount.name == args.worker.lower()) & (StaffAccount.console == "worker"))
    if worker is None:
        raise Refused(404, "unknown_worker", f"there is no worker {args.worker!r}, so the person could not answer: "
                      f"add them first (`throughgate hub workers add {args.worker.lower()} --role ROLE`) and put the "
                      "person in their caseload (`throughgate hub workers caseload add`)")
    sent = messages.send_from_worker(args.person_id, worker.name, args.text)
    note(person=sent.person_id, message=sent.message_id)
    print(f"Message {sent.message_id} to {sent.person_id} waits for their phone's next sync.")
    return 0


def cmd_messages(args, app) -> int:
    found = messages.conversation(service.find(args.person_id).person_id)
    if not found:
        print("No messages yet.")
        return 0
    print(table(["AT", "FROM", "TO", "TEXT", "DELIVERED", "READ"],
                [[m.received_at, "person" if m.from_person else m.worker, m.worker if m.from_person else "person",
                  m.text[:60], m.delivered_at, m.read_at] for m in found]))
    return 0
