"""`throughgate tablet ...`: the reference client from a shell.

Everything of one tablet lives in one folder (--folder): its key, certificate and pinned CA
(tablet.identity) and its outbox (outbox.sqlite).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tablet import courses_cli, discovery, plan_cli, records_cli
from tablet.attachments import AttachmentError, EdgeApi, Uploader, media_type
from tablet.client import TabletClient
from tablet.enrolment import EnrolmentError, enrol, is_qr_text, renew, renew_if_due, typed_offer
from tablet.identity import TabletIdentity, existing_folder
from tablet.learning import Learning
from tablet.outbox import Outbox
from wire.records import RecordError


def enrol_command(args) -> int:
    hub_root = Path(args.hub_root).read_text() if args.hub_root else None
    try:
        offer = args.offer if is_qr_text(args.offer) else typed_offer(args.offer, args.folder, args.device, args.url,
                                                                         args.ca_pin)  # the code typed by hand
        identity = enrol(offer, args.folder, args.address, hub_root=hub_root)
    except EnrolmentError as exc:
        print(f"not enrolled: {exc}", file=sys.stderr)
        return 1
    state = identity.state
    print(f"enrolled {state.device} at {state.edge}; broker {state.broker_name}:{state.broker_port} at "
          f"{state.address}; renew after {state.renew_after}")
    return 0


def renew_command(args) -> int:
    try:
        identity = renew(args.folder, args.address)
    except EnrolmentError as exc:
        print(f"not renewed: {exc}", file=sys.stderr)
        return 1
    print(f"renewed {identity.device}; renew after {identity.state.renew_after}")
    return 0


def discover(args) -> int:
    identity = TabletIdentity(args.folder)
    found = discovery.find_edge(identity, args.timeout, interfaces=args.interface or None)
    if not found:
        print(f"no announcement of {identity.edge} with the pinned CA (waited {args.timeout:g} s)", file=sys.stderr)
        return 1
    proven = 0
    for candidate in found:
        error = discovery.tls_error(candidate, identity)
        proven += error is None
        print(f"{candidate.address}:{candidate.port} {candidate.name} "
              f"{'ok' if error is None else 'REFUSED (not our edge: ' + error + ')'}")
    return 0 if proven else 1


def assignment(args) -> int:
    """Hold a submission with its files, then upload them and record it if the edge answers."""
    identity = TabletIdentity(args.folder)
    types = args.type or []
    files = [(path, types[i] if i < len(types) else media_type(path)) for i, path in enumerate(args.attach or [])]
    learning = Learning(args.folder, records_cli.outbox_in(args.folder))
    try:
        record_id = learning.submit_assignment(args.learner, args.course, args.assignment, args.text, files)
    except (OSError, RecordError, AttachmentError) as exc:
        print(f"not recorded: {exc}", file=sys.stderr)
        return 2
    print(f"held {record_id} with {len(files)} attachment(s)")
    return 0 if not identity.enrolled else _release(learning, identity, None)


def _release(learning: Learning, identity: TabletIdentity, host: str | None) -> int:
    """Upload held submissions' attachments; those done go into the outbox for `send`."""
    try:
        released = learning.release(Uploader(EdgeApi(identity, host)))
    except AttachmentError as exc:
        print(f"attachments not uploaded yet: {exc} (the submission stays held: run send)", file=sys.stderr)
        return 1
    for record_id in released.recorded:
        print(f"uploaded the attachments of {record_id}; it is in the outbox")
    for record_id, reason in released.refused:
        print(f"refused submission {record_id}: {reason}", file=sys.stderr)
    return 1 if released.refused else 0


def send(args) -> int:
    identity = TabletIdentity(args.folder)
    state = identity.state
    host, port = args.host or state.address, args.port or state.broker_port
    if args.discover:
        candidate = discovery.locate(identity)
        if candidate is None:
            print(f"{state.edge} was not found on this network (records stay in the outbox)", file=sys.stderr)
            return 1
        host, port = candidate.address, candidate.port
        identity.remember_address(host)
    _renew_quietly(args.folder, host)
    error = discovery.tls_error(discovery.Candidate(host, port, state.broker_name), identity)
    if error:
        print(f"cannot use the edge at {host}:{port}: {error} (records stay in the outbox)", file=sys.stderr)
        return 1
    outbox = Outbox(str(identity.outbox_path))
    refused_before = {row[0] for row in outbox.rejections()}
    _release(Learning(args.folder, outbox), identity, host)
    client = TabletClient(identity, host, port, outbox).start()
    started = time.monotonic()
    try:
        while not client.wait_flushed(1.0):
            if client.refused:
                print(f"the edge refused {state.device}: {client.refused}", file=sys.stderr)
                return 1
            if time.monotonic() - started > args.timeout:
                print(f"timed out; {outbox.counts()['pending']} records still waiting for the edge "
                      "(they stay in the outbox: run send again)", file=sys.stderr)
                return 1
            print(f"waiting: {outbox.counts()['pending']} pending", file=sys.stderr)
        # also with nothing of its own to send: collect the down messages the edge holds for this tablet
        collected = client.wait_collected(1.0)
        while not collected and not client.refused and time.monotonic() - started < args.timeout:
            collected = client.wait_collected(1.0)
        if client.refused:
            print(f"the edge refused {state.device}: {client.refused}", file=sys.stderr)
            return 1
    finally:
        client.stop()
    counts = outbox.counts()
    print(f"acked={counts['acked']} pending={counts['pending']} rejected={counts['rejected']}")
    for message in client.kept:
        print(message_line(message, "new "))
    if not collected:
        _not_collected(client, host, port)
        return 1
    return records_cli.refused_since(outbox, refused_before)  # 1 only for refusals of this send


def _not_collected(client: TabletClient, host: str, port: int) -> None:
    if client.down_waiting:
        print(f"{client.down_waiting} message(s) for this tablet are still on their way from the edge: "
              "run send again", file=sys.stderr)
    else:
        print(f"the edge at {host}:{port} did not say whether it holds messages for this tablet (an edge "
              "from before down_ack, or it was not reached in time): run send again", file=sys.stderr)


def message_line(message: dict, new: str = "") -> str:
    """One down message as `tablet status` lists it."""
    if message.get("type") == "feedback":
        return (f"  {new}feedback for {message.get('learner')} on {message.get('assignment')}: grade "
                f"{message.get('grade')}: {message.get('feedback')}")
    if message.get("type") == "award":
        return f"  {new}award for {message.get('learner')}: {message.get('badge')} ({message.get('rule')})"
    if message.get("type") == "plan":
        return (f"  {new}release plan for {message.get('learner')}: {message.get('label') or 'release date'} "
                f"{message.get('status_label') or message.get('release_date') or ''}".rstrip())
    return f"  {new}{message.get('type')} message {message.get('id')}"


def _collect(identity: TabletIdentity, outbox: Outbox, timeout: float) -> None:
    """Fetch the down messages the edge holds for this tablet (records are not sent: that is `send`)."""
    state = identity.state
    client = TabletClient(identity, state.address, state.broker_port, outbox, send_records=False).start()
    try:
        if not client.wait_collected(timeout):
            print(f"down messages not collected from the edge at {state.address}:{state.broker_port} within "
                  f"{timeout:g} s: showing what this tablet holds", file=sys.stderr)
    finally:
        client.stop()


def _renew_quietly(folder: str, address: str) -> None:
    """Renew the certificate when due; a failure now is retried at the next send."""
    try:
        if renew_if_due(folder, address):
            print("certificate renewed", file=sys.stderr)
    except EnrolmentError as exc:
        print(f"certificate renewal failed, will retry: {exc}", file=sys.stderr)


def status(args) -> int:
    identity = TabletIdentity(args.folder)
    outbox = Outbox(str(identity.outbox_path))
    if identity.enrolled and not args.offline:
        _collect(identity, outbox, args.timeout)
    counts = outbox.counts()
    print(f"acked={counts['acked']} pending={counts['pending']} rejected={counts['rejected']}")
    for record_id, seq, reason in outbox.rejections():
        print(f"  rejected seq={seq} id={record_id}: {reason}")
    learning = Learning(args.folder, outbox)
    for record_id, _learner, _payload in learning.held():
        print(f"  held submission {record_id}: its attachments are not at the edge yet (send uploads them)")
    for record_id, reason in learning.refused():
        print(f"  refused submission {record_id}: {reason}")
    for r in learning.scorm_refusals():
        print(f"  refused SCORM value for {r['learner']} in {r['course']}/{r['item']} (attempt {r['attempt']}, "
              f"LMSGetLastError {r['error_code']}): {r['reason']}")
    for message in outbox.messages():
        print(message_line(message))
    return 0


def register(parts) -> None:
    tablet = parts.add_parser("tablet", help="the reference tablet client")
    sub = tablet.add_subparsers(dest="command", required=True, metavar="COMMAND")
    folder_help = "the tablet's folder: key, certificate, pinned CA, outbox"

    p = sub.add_parser("enrol", help="enrol with an edge from its QR code, or its code typed: a key, then a "
                       "certificate")
    p.add_argument("--folder", required=True, help=f"{folder_help} (created)")
    p.add_argument("--address", help="reach the edge here instead of the host in the QR code")
    p.add_argument("--hub-root", help="the hub's root certificate (PEM file): also check that the hub vouches "
                   "for this edge")
    p.add_argument("offer", metavar="QR_OR_CODE", help="the QR code's text (throughgate-enrol:?edge=...), or the "
                   "code typed (ABCD-EFGH-JKMN) with --device, --url and --ca-pin")
    p.add_argument("--device", help="with a typed code: this tablet's device id (default: from its last enrolment)")
    p.add_argument("--url", help="with a typed code: the edge's enrolment URL, https://host:port (default: from "
                   "its last enrolment)")
    p.add_argument("--ca-pin", help="with a typed code: the edge's CA pin, 64 hex digits (default: from its last "
                   "enrolment)")
    p.set_defaults(func=enrol_command)

    p = sub.add_parser("renew", help="renew the tablet's certificate now (send renews it when due)")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--address", help="reach the edge here instead of where it last answered")
    p.set_defaults(func=renew_command)

    p = sub.add_parser("discover", help="find the tablet's edge with zeroconf and prove it with TLS")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to listen for announcements")
    p.add_argument("--interface", action="append", help="browse on this address only (repeatable)")
    p.set_defaults(func=discover)

    records_cli.register(sub, folder_help)  # submit, progress, quiz, rejections

    p = sub.add_parser("assignment", help="hold an assignment submission with attachments; upload them and "
                       "record it when the edge answers (else at the next send)")
    p.add_argument("--folder", required=True, help=folder_help)
    p.add_argument("--learner", required=True)
    p.add_argument("--course", required=True, help="the course slug, e.g. english-2")
    p.add_argument("--assignment", required=True, help="the assignment's id in the course")
    p.add_argument("--text", default="", help="the learner's answer")
    p.add_argument("--attach", action="append", metavar="FILE", help="a photo or recording (repeatable)")
    p.add_argument("--type", action="append", metavar="MEDIA_TYPE",
                   help="the media type of each --attach, in order (default: from the file name)")
    p.set_defaults(func=assignment)

    p = sub.add_parser("send", help="send everything pending to the edge and wait for its acks; collect the "
                       "down messages (feedback, awards) the edge holds for this tablet")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--host", help="the edge's address (default: where it last answered)")
    p.add_argument("--port", type=int, help="its MQTT-TLS port (default: from enrolment)")
    p.add_argument("--discover", action="store_true", help="find the edge with zeroconf first")
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(func=send)

    p = sub.add_parser("status", help="what is acked, pending, or refused (with the reason); feedback and awards "
                       "(collected from the edge first)")
    p.add_argument("--folder", required=True, type=existing_folder, help=folder_help)
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the edge's down messages")
    p.add_argument("--offline", action="store_true", help="do not contact the edge: show what this tablet holds")
    p.set_defaults(func=status)

    courses_cli.register(sub, folder_help)
    plan_cli.register(sub, folder_help, _collect)
