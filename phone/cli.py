"""`throughgate phone activate|send|attachment|contacts|read|sync|messages|appointments|reschedule|late|plan|health|
checkin|checkins`:
the reference phone, from a folder of its own."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from phone import checkin, client, health
from phone.store import Store
from provisioning import qr
from wire import ips_text, media, plans
from wire.records import timestamp
from wire.text import for_terminal

DEFAULT_HOME = "var/phone"


def register(parts) -> None:
    part = parts.add_parser("phone", help="a reference phone: activation, offline outbox, sync, messages")
    subs = part.add_subparsers(dest="phone_command", required=True, metavar="COMMAND")

    def command(name: str, func, what: str):
        cmd = subs.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".")
        cmd.add_argument("--home", default=DEFAULT_HOME, metavar="DIR", help=f"the phone's folder ({DEFAULT_HOME})")
        cmd.set_defaults(func=_guarded(func))
        return cmd

    cmd = command("activate", cmd_activate, "set this phone up with the release letter's code (its QR code's text)")
    cmd.add_argument("offer", metavar="OFFER", help="the link in the letter's QR code: https://HUB/app/#/activate?code=...&ca=...")
    cmd.add_argument("--label", default="phone", help="what the worker sees this phone as")
    cmd = command("send", cmd_send, "write a message to a worker or a team, with photos or voice notes if you like "
                  "(to a worker); it waits in the outbox until the next sync uploads them and sends it")
    cmd.add_argument("text", metavar="TEXT", nargs="?", default="")
    cmd.add_argument("--to", required=True, metavar="WORKER", help="a worker, or team:NAME (`contacts` lists them)")
    cmd.add_argument("--photo", action="append", default=[], metavar="FILE", help="a photo (JPEG, PNG or WebP)")
    cmd.add_argument("--voice", action="append", default=[], metavar="FILE",
                     help="a voice note (Ogg Opus, WebM, M4A or AMR)")
    cmd = command("attachment", cmd_attachment, "fetch a photo or voice note of a message into a file (a cut "
                  "download goes on from where it stopped)")
    cmd.add_argument("sha256", metavar="SHA256")
    cmd.add_argument("--out", required=True, metavar="FILE")
    command("contacts", cmd_contacts, "whom you can write to: your workers and their teams")
    cmd = command("read", cmd_read, "say a worker's message was read (sent with the next sync)")
    cmd.add_argument("message_id", metavar="MESSAGE_ID")
    command("sync", cmd_sync, "send the outbox and receive what changed, in one request a round")
    command("messages", cmd_messages, "the messages on this phone, and any the hub refused")
    command("views", cmd_views, "who looked at your record at the hub, and when")
    command("plan", cmd_plan, "your release plan as the last sync left it: the countdown and each pathway")
    command("appointments", cmd_appointments, "your appointments as the last sync left them, and your requests")
    cmd = command("reschedule", cmd_reschedule, "ask your worker to move an appointment (sent with the next sync)")
    cmd.add_argument("appointment_id", metavar="ID")
    cmd.add_argument("--reason", required=True, metavar="TEXT", help="why you need another time")
    cmd.add_argument("--wanted", metavar="TEXT", help="when would suit you, in your words")
    cmd = command("late", cmd_late, "tell your worker you are running late (sent with the next sync)")
    cmd.add_argument("appointment_id", metavar="ID")
    cmd.add_argument("--minutes", type=int, required=True, metavar="N")
    cmd.add_argument("--reason", default="", metavar="TEXT")
    command("push-key", cmd_push_key, "the hub's Web Push application server key (for PushManager.subscribe)")
    cmd = command("push-subscribe", cmd_push_subscribe, "give the hub this phone's Web Push subscription, so it "
                  "wakes the phone and sends reminders")
    cmd.add_argument("--endpoint", required=True, metavar="URL", help="the subscription's endpoint (https)")
    cmd.add_argument("--p256dh", required=True, metavar="KEY", help="its keys.p256dh (base64url)")
    cmd.add_argument("--auth", required=True, metavar="SECRET", help="its keys.auth (base64url)")
    command("push-unsubscribe", cmd_push_unsubscribe, "stop Web Push to this phone (it syncs when opened)")
    cmd = command("checkin", cmd_checkin, "check in now, even offline: the photo and GPS fix are signed at once "
                  "with this phone's key and sent with the next sync")
    cmd.add_argument("--photo", required=True, metavar="FILE", help="the photo (JPEG, PNG or WebP)")
    cmd.add_argument("--lat", required=True, type=float, metavar="LAT")
    cmd.add_argument("--lon", required=True, type=float, metavar="LON")
    cmd.add_argument("--accuracy", required=True, type=float, metavar="METRES", help="the GPS fix's accuracy")
    cmd.add_argument("--mock", action="store_true", help="the phone says the location is mocked")
    command("checkins", cmd_checkins, "your next check-in window and what became of your check-ins, as the last "
            "sync left them")
    _register_health(command("health", cmd_health, "your health summary as the last sync left it (offline), and "
                             "sharing it with a GP or pharmacy"))


def _register_health(health) -> None:
    """`throughgate phone health [export|share|shares|revoke|carry|share-with|reads]`; with no
    subcommand it shows the summary. Each subcommand takes --home too."""
    subs = health.add_subparsers(dest="health_command", metavar="SUBCOMMAND")

    def sub(name: str, func, what: str):
        cmd = subs.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".")
        cmd.add_argument("--home", default=argparse.SUPPRESS, metavar="DIR", help="the phone's folder")
        cmd.set_defaults(func=_guarded(func))
        return cmd

    cmd = sub("export", cmd_health_export, "write the summary kept on this phone to a file, offline")
    what = cmd.add_mutually_exclusive_group(required=True)
    what.add_argument("--bundle", metavar="FILE", help="the FHIR bundle (an International Patient Summary, JSON)")
    what.add_argument("--html", metavar="FILE", help="the printable summary as a web page")
    what.add_argument("--pdf", metavar="FILE", help="the printable summary as a PDF")
    cmd = sub("share", cmd_health_share, "make a link (and QR code) a GP or pharmacy opens to see your summary")
    cmd.add_argument("--for", dest="made_for", required=True, metavar="TEXT",
                     help="who it is for, in your words (\"new GP\", \"Boots, Queen St\"); only you see this")
    cmd.add_argument("--days", type=int, metavar="N", help="how many days it works, 1 to 30 (7)")
    sub("shares", cmd_health_shares, "your links, and which of your workers may read your summary")
    cmd = sub("revoke", cmd_health_revoke, "stop a link working at once")
    cmd.add_argument("share_id", metavar="SHARE_ID")
    cmd = sub("carry", cmd_health_carry, "whether the hub and this phone keep a health summary for you at all")
    cmd.add_argument("choice", choices=("yes", "no"))
    cmd = sub("share-with", cmd_health_share_with, "let one of your own workers read your summary, or stop them")
    cmd.add_argument("worker", metavar="WORKER")
    cmd.add_argument("choice", choices=("yes", "no"))
    sub("reads", cmd_health_reads, "who read your health summary: who, their role, why, how and when")


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except client.PhoneError as exc:
            print(f"error: {for_terminal(exc.reason)}", file=sys.stderr)
            return 1

    return run


def _store(args) -> Store:
    Path(args.home).mkdir(mode=0o700, parents=True, exist_ok=True)
    return Store(Path(args.home) / "phone.db")


def cmd_activate(args) -> int:
    done = client.activate(args.offer, args.home, args.label)
    print(f"This phone is set up for {done.person} at {done.hub} (key {done.key_id}).")
    return 0


def cmd_send(args) -> int:
    if not args.text.strip() and not args.photo and not args.voice:
        raise client.PhoneError("empty", "write something, or add a --photo or --voice file")
    refs = [client.attach(args.home, f, "photo") for f in args.photo] + \
        [client.attach(args.home, f, "voice") for f in args.voice]
    store = _store(args)
    body = {"to": args.to, "text": args.text, "written_at": timestamp()}
    change_id = store.queue("message", {**body, "attachments": refs} if refs else body)
    store.close()
    carries = f" with {len(refs)} attachment{'s' if len(refs) != 1 else ''}" if refs else ""
    print(f"Message {change_id}{carries} waits in the outbox: it is sent with the next sync.")
    return 0


def cmd_attachment(args) -> int:
    size = client.download(args.home, args.sha256, args.out)
    print(f"Saved {args.out} ({size} bytes).")
    return 0


def cmd_contacts(args) -> int:
    store = _store(args)
    found = store.contacts()
    store.close()
    if not found["workers"] and not found["teams"]:
        print("No contacts yet: they come with a sync once a worker has you in their caseload.")
        return 0
    for worker in found["workers"]:
        print(f"{for_terminal(worker['name'])} ({worker['role'].replace('_', ' ')}): --to {worker['to']}")
    for team in found["teams"]:
        print(f"{for_terminal(team['name'])} (a team: whoever is on duty answers, within {team['reply_within']}): "
              f"--to '{for_terminal(team['to'])}'")
    return 0


def cmd_read(args) -> int:
    store = _store(args)
    store.queue("read", {"message": args.message_id, "read_at": timestamp()})
    store.close()
    print("Marked as read: the worker sees it after the next sync.")
    return 0


def cmd_sync(args) -> int:
    result = client.sync(args.home)
    if result.uploaded:
        print(f"Uploaded {result.uploaded} photo{'s' if result.uploaded != 1 else ''} or voice note"
              f"{'s' if result.uploaded != 1 else ''}.")
    print(f"Synced in {result.rounds} request{'s' if result.rounds != 1 else ''}: {result.sent} sent, "
          f"{result.received} received, {result.refused} refused.")
    if result.health:
        print("Your health summary changed: `throughgate phone health` shows it, even offline.")
    return 0


def cmd_messages(args) -> int:
    store = _store(args)
    for message in store.messages():
        if message.get("from_person"):
            who = f"you to {message.get('worker') or message.get('to')}"
        elif message.get("team"):
            who = f"{message.get('worker_name') or message.get('worker')} for {message['team']} to you"
        else:
            who = f"{message.get('worker')} to you"
        state = "" if message["sent"] else " (waiting to be sent)"
        print(f"{message.get('written_at', '')}  {who}{state}: {for_terminal(message.get('text', ''))}")
        for ref in message.get("attachments", []):
            print(f"  {media.describe(ref['type'], ref['bytes'])}: {ref['sha256']}")
        print(f"  id {message['id']}")
    for refused in store.refusals():
        print(f"not sent: {for_terminal(refused['body'].get('text', ''))} ({for_terminal(refused['reason'])})")
    store.close()
    return 0


def cmd_appointments(args) -> int:
    """Each appointment's latest state in the feed (the hub sends the whole state at each change)."""
    store = _store(args)
    latest = {}
    for change_id, body in store.db.execute("SELECT id, body FROM feed WHERE kind = 'appointment' ORDER BY seq"):
        latest[change_id] = json.loads(body)
    if not latest:
        print("No appointments yet.")
    for change_id, a in sorted(latest.items(), key=lambda item: item[1]["starts_at"]):
        status = " CANCELLED" if a["status"] == "cancelled" else ""
        print(f"{a['starts_at']} to {a['ends_at']}{status}  {a['kind'].replace('_', ' ')} with {a['worker']}: "
              f"{for_terminal(a['place'])}")
        if a.get("video_url"):
            print(f"  join: {a['video_url']}")
        last = a.get("change") or {}
        if last.get("what") not in (None, "created"):
            said = f": {for_terminal(last['reason'])}" if last.get("reason") else ""
            print(f"  {last['what'].replace('_', ' ')} by {'you' if last['by'] == 'person' else 'your worker'}"
                  + (f" ({last['starts_at']})" if last.get("what") == "proposed" else "") + said)
        print(f"  id {change_id}")
    for _id, kind, body in store.db.execute("SELECT id, kind, body FROM outbox WHERE kind IN ('reschedule', 'late') "
                                            "ORDER BY queued_at"):
        print(f"waiting to be sent: {kind} for {json.loads(body)['appointment']}")
    for refused in store.refusals():
        if refused["kind"] in ("reschedule", "late"):
            print(f"not sent: {refused['kind']} for {refused['body'].get('appointment')} "
                  f"({for_terminal(refused['reason'])})")
    store.close()
    return 0


def cmd_reschedule(args) -> int:
    store = _store(args)
    body = {"appointment": args.appointment_id, "reason": args.reason}
    store.queue("reschedule", {**body, "wanted": args.wanted} if args.wanted else body)
    store.close()
    print("Your request waits in the outbox: your worker sees it after the next sync.")
    return 0


def cmd_late(args) -> int:
    store = _store(args)
    store.queue("late", {"appointment": args.appointment_id, "minutes": args.minutes, "reason": args.reason})
    store.close()
    print("Your worker sees that you are running late after the next sync.")
    return 0


def cmd_checkin(args) -> int:
    store = _store(args)
    try:
        document = checkin.make(args.home, store, args.photo, args.lat, args.lon, args.accuracy, args.mock)
    finally:
        store.close()
    window = " for the window" if document["slot"] else " (no window known yet: it is sent all the same)"
    print(f"Check-in {document['checkin_id']}{window} signed at {document['device_time']}: it waits in the outbox "
          "and is sent with the next sync.")
    return 0


def cmd_checkins(args) -> int:
    store = _store(args)
    known = checkin.known(store)
    waiting = store.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'checkin'").fetchone()[0]
    store.close()
    upcoming = known.get("next")
    if upcoming:
        print(f"Next check-in: from {upcoming['opens_at']} to {upcoming['closes_at']}.")
    else:
        print("No check-ins are asked of you yet.")
    if waiting:
        print(f"{waiting} check-in{'s' if waiting != 1 else ''} waiting to be sent.")
    for item in known.get("checkins", []):
        said = f": {for_terminal('; '.join(item['reasons']))}" if item["reasons"] else ""
        print(f"{item['received_at']}  {item['checkin_id'][:8]} {item['outcome']}{said}")
    return 0


def cmd_views(args) -> int:
    found = client.views(args.home)
    if not found:
        print("No one has looked at your record yet.")
    for view in found:
        role = f" ({view['role'].replace('_', ' ')})" if view["role"] else ""
        print(f"{view['at']}  {for_terminal(view['who'])}{role} looked at {for_terminal(view['what'])}")
    return 0


def cmd_plan(args) -> int:
    """The plan's items (`plan` entries in the feed, docs/phone-sync.md), in the pathways' order, with
    the countdown to the release date, and what else was written where two people disagreed."""
    store = _store(args)
    latest = store.latest("plan")
    store.close()
    if not latest:
        print("No release plan yet.")
        return 0
    release = latest.get(plans.RELEASE, {}).get("release_date")
    print(plans.countdown(release, date.today()))
    for key in plans.PATHWAY_KEYS:
        item = latest.get(key) or plans.item_body(key, {})
        print(f"{item['label']} ({item['label_cy']}): {item['status_label'].lower()}"
              + (f", with {for_terminal(item['owner'])}" if item["owner"] else ""))
        if item["notes"]:
            print(f"  {for_terminal(item['notes'])}")
    for item in latest.values():
        for also in item.get("also", []):
            what = "release date" if item["pathway"] == plans.RELEASE else f"{item['label']} {also['field']}"
            print(f"Also written: {what} {for_terminal(also['value'])!r} by {for_terminal(also['by'])} at "
                  f"{also['at']}")
    return 0


def cmd_push_key(args) -> int:
    answer = client.push_key(args.home)
    print(f"Application server key: {answer['application_server_key']}")
    print("This phone is " + ("subscribed to Web Push." if answer["subscribed"] else "not subscribed to Web Push."))
    return 0


def cmd_push_subscribe(args) -> int:
    client.push_subscribe(args.home, args.endpoint, args.p256dh, args.auth)
    print("The hub wakes this phone by Web Push when something changes, and reminds you of appointments the day "
          "before and an hour before.")
    return 0


def cmd_push_unsubscribe(args) -> int:
    client.push_unsubscribe(args.home)
    print("The hub no longer wakes this phone: it syncs when you open it.")
    return 0


def cmd_health(args) -> int:
    """The summary in plain words, from the phone's store only: it works with no network."""
    store = _store(args)
    found = health.plain(store)
    store.close()
    if found is None:
        print("No health summary on this phone: it comes with a sync once health care staff upload it (if you "
              "chose to carry one: `throughgate phone health carry yes`).")
        return 0
    for line in ips_text.lines(found):
        print(for_terminal(line))
    return 0


def cmd_health_export(args) -> int:
    what, out = next((k, getattr(args, k)) for k in health.EXPORTS if getattr(args, k))
    store = _store(args)
    try:
        size = health.export(store, what, out)
    finally:
        store.close()
    print(f"Saved {health.EXPORTS[what]} to {out} ({size} bytes).")
    return 0


def cmd_health_share(args) -> int:
    made = health.share(args.home, args.made_for, args.days)
    print(f"A link for {for_terminal(made['made_for'])}, working until {made['expires_at']} (shown this once):")
    print(made["url"])
    print(qr.qr_text(made["url"]))
    print(f"Share id {made['share_id']}: `throughgate phone health revoke {made['share_id']}` stops it.")
    return 0


def cmd_health_shares(args) -> int:
    answer = health.shares(args.home)
    if not answer["shares"]:
        print("No links made yet.")
    for share in answer["shares"]:
        uses = f"opened {share['uses']} time{'s' if share['uses'] != 1 else ''}"
        until = {"working": f"works until {share['expires_at']}", "expired": f"expired {share['expires_at']}",
                 "revoked": f"stopped {share['revoked_at']}"}[share["state"]]
        print(f"{share['share_id']}  for {for_terminal(share['made_for'])}: {until}, {uses}")
    for worker in answer["workers"]:
        may = "may read your summary" if worker["shared"] else "may not read your summary"
        print(f"{for_terminal(worker['name'])} ({worker['role'].replace('_', ' ')}, {worker['worker']}) {may}")
    return 0


def cmd_health_revoke(args) -> int:
    done = health.revoke(args.home, args.share_id)
    print(f"The link for {for_terminal(done['made_for'])} no longer works (stopped {done['revoked_at']}).")
    return 0


def cmd_health_carry(args) -> int:
    store = _store(args)
    try:
        answer = health.carry(args.home, args.choice == "yes", store)
    finally:
        store.close()
    if answer["carried"]:
        print("You carry a health summary: the hub keeps it and this phone holds a copy once one is uploaded.")
    else:
        stopped = answer.get("shares_stopped", 0)
        print("You carry no health summary: the hub keeps none and this phone's copy is deleted"
              + (f"; {stopped} link{'s' if stopped != 1 else ''} stopped." if stopped else "."))
    return 0


def cmd_health_share_with(args) -> int:
    answer = health.share_with(args.home, args.worker, args.choice == "yes")
    print(f"{answer['worker']} " + ("may now read your health summary (each read is recorded)." if answer["shared"]
                                    else "may no longer read your health summary."))
    return 0


def cmd_health_reads(args) -> int:
    found = health.reads(args.home)
    if not found:
        print("No one has read your health summary yet.")
    for read in found:
        role = f" ({for_terminal(read['role'])})" if read["role"] else ""
        print(f"{read['at']}  {for_terminal(read['who'])}{role} read {for_terminal(read['what'])} through "
              f"{for_terminal(read['how'])}, for: {for_terminal(read['purpose'])}")
    return 0
