"""`throughgate edge ...`: set up, run and inspect an edge box."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

from edge import config as edge_config
from edge import health, identity, store
from edge.attachments import store as attachments_store
from edge.attachments import uplink as attachments_uplink
from edge.box import render, site
from edge.console import cli as console_cli
from edge.courses import cli as courses_cli
from edge.downlink import messages as down_messages
from edge.host import broker, broker_check
from edge.learners import cli as learners_cli
from edge.tablets import registry as tablets
from edge.uplink import enrolment
from edge.uplink.hubclient import HubClient
from provisioning import pki
from provisioning.files import write_private
from provisioning.qr import qr_text
from provisioning.tokens import EnrolmentOffer, TokenError
from wire.keys import new_signing_key, signing_key_from_pem, signing_key_to_pem, verify_key_to_pem
from wire.records import valid_dns_label


def init(args) -> int:
    instance = Path(args.instance)
    if (instance / edge_config.CONFIG_NAME).exists():
        print(f"{instance} already holds an edge; nothing changed", file=sys.stderr)
        return 1
    if args.site:
        cfg = _config_from_site(args, instance)
        if cfg is None:
            return 2
    else:
        if not args.edge_id or not args.hub_url:
            print("give --edge-id and --hub-url, or --site SITE.toml", file=sys.stderr)
            return 2
        if not valid_dns_label(args.edge_id):
            print("edge id: lower-case letters, digits and '-' (not first or last), at most 63 characters: the hub "
                  "makes the edge's DNS name from it", file=sys.stderr)
            return 2
        cfg = edge_config.EdgeConfig(instance=instance, edge_id=args.edge_id)
        cfg.uplink.hub_url = args.hub_url
        cfg.broker.port = args.broker_port
        cfg.broker.dev = not args.system_broker
        cfg.tablets.mqtt_port, cfg.tablets.api_port = args.mqtt_port, args.api_port
        cfg.tls_name = args.tls_name or ""
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = new_signing_key()
    write_private(cfg.signing_key_path, signing_key_to_pem(key))
    cfg.verify_key_path.write_bytes(verify_key_to_pem(key.public_key()))
    files = identity.EdgeFiles(instance)
    identity.create_tablet_ca(files, cfg.edge_id)
    identity.edge_key(files)
    relay_secret = secrets.token_urlsafe(32)
    write_private(cfg.relay_secret_path, relay_secret.encode())
    bfiles = broker.BrokerFiles(cfg.broker_dir)
    broker.write_files(bfiles, cfg.broker, child=cfg.broker.dev, tablets=broker.tablet_listener(cfg))
    broker.set_password(bfiles, cfg.broker.username, relay_secret)
    (instance / edge_config.CONFIG_NAME).write_text(edge_config.dump(cfg))
    print(f"edge {cfg.edge_id} created in {instance}")
    print(f"tablet CA pin (sha256): {identity.ca_pin(files)}")
    print(f"Enrol it with the hub at {cfg.uplink.hub_url}, with a token from the hub's admin "
          "(`throughgate hub tokens create`):")
    print(f"  throughgate edge enrol --instance {instance} --hub-ca-sha256 PIN --token TOKEN")
    if not cfg.broker.dev:
        print(f"It uses the system's Mosquitto on {cfg.broker.host}:{cfg.broker.port}, set up with "
              f"{bfiles.conf} (on a box, by the playbook: throughgate-mosquitto.service). To try the edge on a "
              "machine that is not a box, create it with --edge-id and --hub-url instead: it then runs its own.")
    return 0


def _config_from_site(args, instance: Path) -> edge_config.EdgeConfig | None:
    """The edge's settings from a site file (as `box render` writes them); None after saying why not."""
    if args.edge_id or args.hub_url:
        print("--site names the edge id and the hub: leave out --edge-id and --hub-url", file=sys.stderr)
        return None
    try:
        return render.edge_config_for(site.load(args.site), instance)
    except site.SiteError as exc:
        print(exc, file=sys.stderr)
        return None


def enrol(args) -> int:
    cfg = edge_config.load(args.instance)
    if args.hub_url and not enrolment.same_hub_url(args.hub_url, cfg.uplink.hub_url):
        print(enrolment.other_hub_url(args.hub_url, cfg), file=sys.stderr)
        return 2
    token = args.token or os.environ.get("THROUGHGATE_BOOTSTRAP_TOKEN", "")
    if args.token_file:
        token = Path(args.token_file).read_text().strip()
    try:
        verify_key = signing_key_from_pem(cfg.signing_key_path.read_bytes()).public_key()
        enrolment.enrol(cfg, cfg.uplink.hub_url, token, args.hub_ca_sha256, verify_key)
    except (enrolment.EnrolmentError, TokenError, pki.PkiError) as exc:
        print(f"enrolment failed: {exc}", file=sys.stderr)
        return 1
    cert = identity.edge_cert(identity.EdgeFiles(cfg.instance))
    print(f"edge {cfg.edge_id} enrolled at {cfg.uplink.hub_url}; certificate valid until "
          f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC (renewed automatically)")
    return 0


def renew(args) -> int:
    cfg = edge_config.load(args.instance)
    client = HubClient.for_edge(cfg)
    try:
        cert = enrolment.renew(cfg, client)
        client.reload_identity()
        keys = enrolment.refresh_hub_keys(cfg, client)
    except enrolment.EnrolmentError as exc:
        print(f"renewal failed: {exc}", file=sys.stderr)
        return 1
    print(f"edge certificate renewed, valid until {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    if keys is not None:
        print(f"hub sealing key is now {keys.sealing.id} (a running edge picks it up within identity_check_s)")
    return 0


def run(args) -> int:
    from edge.service import EdgeService

    try:
        cfg = edge_config.load(args.instance)
        EdgeService(cfg).run_forever()
    except (edge_config.ConfigError, broker_check.WrongBroker, broker.PortTaken) as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def _open(args) -> edge_config.EdgeConfig:
    """Load the config and open the store: a store that needs migrating is refused, saying to run
    `edge migrate` (only `edge run` and `edge migrate` change a store's schema: store.open_store)."""
    cfg = edge_config.load(args.instance)
    store.open_store(str(cfg.db_path), migrate=False)
    return cfg


def tablets_code(args) -> int:
    cfg = _open(args)
    args.learner = (args.learner or "").strip() or None
    try:
        code, expires = tablets.create_code(args.device, args.ttl or cfg.tablets.code_ttl_s, learner=args.learner)
    except tablets.TabletError as exc:
        print(exc.reason, file=sys.stderr)
        return 1
    host = args.address or cfg.tablets.api_host
    offer = EnrolmentOffer(cfg.edge_id, args.device, code, f"https://{host}:{cfg.tablets.api_port}",
                           identity.ca_pin(identity.EdgeFiles(cfg.instance)))
    if args.json:
        print(json.dumps({"device": args.device, "code": code, "expires": expires, "offer": offer.to_uri(),
                          "learner": args.learner}))
        return 0
    print(f"Enrolment code for {args.device}: {code}  (works once, until {expires})")
    if args.learner:
        print(f"The tablet will be bound to learner {args.learner}: it may send only as them, and gets their "
              "feedback and awards.")
    print(f"On the tablet: scan the QR code, or type the code. Offer: {offer.to_uri()}")
    print(f"To type it: throughgate tablet enrol --folder DIR {code} --device {args.device} --url {offer.url} "
          f"--ca-pin {offer.ca}  (a tablet enrolled with this edge before needs only the code)")
    if not args.no_qr:
        print(qr_text(offer.to_uri()))
    return 0


def tablets_list(args) -> int:
    _open(args)
    rows = tablets.listing()
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'device':20} {'status':8} {'learner':12} {'certificate until':21} serial")
    for row in rows:
        print(f"{row['device']:20} {row['status']:8} {row['learner'] or '-':12} {row['not_after'] or '-':21} "
              f"{row['serial'] or '-'}")
    return 0


def tablets_revoke(args) -> int:
    cfg = _open(args)
    files = identity.EdgeFiles(cfg.instance)
    try:
        count = tablets.revoke(args.device, files, cfg.tablets.crl_days)
    except tablets.TabletError as exc:
        print(exc.reason, file=sys.stderr)
        return 1
    print(f"tablet {args.device} revoked ({count} certificate(s)); new CRL written; {broker.cut_off(cfg, args.device)}")
    return 0


def attachments_retry(args) -> int:
    _open(args)
    count = attachments_store.offer_again()
    store.clear_alarm(attachments_uplink.REFUSED_ALARM)
    print(f"{count} attachment(s) the hub refused will be offered to it again" if count else
          "no attachment was set aside")
    return 0


def status(args) -> int:
    cfg = _open(args)
    info = store.status()
    info["quota_bytes"] = cfg.quota_bytes
    down = down_messages.summary()  # feedback and awards: confirmed by the tablet, or not yet
    info.update(down_waiting=down.waiting, down_oldest_waiting=down.oldest_waiting,
                down_not_delivered=down.undelivered)
    info.update(health.status_extras(cfg))  # what the edge's status report to the hub says too (edge/health.py)
    if args.json:
        print(json.dumps(info))
        return 0
    for key, value in info.items():
        if key == "alarms":
            print(f"{'alarms':18} {len(value) or 'none'}")
            for line, what_to_do in zip(value, info["alarm_actions"], strict=False):
                print(f"  ! {line}")
                print(f"    what to do: {what_to_do}")
        elif key == "alarm_actions":
            continue
        elif isinstance(value, dict):
            print(f"{key:18} " + (", ".join(f"{name} {part}" for name, part in value.items()) or "none"))
        else:
            print(f"{key:18} {value}")
    return 0


def migrate(args) -> int:
    """Apply the store's pending migrations, one line each (or, --dry-run, list them and change nothing)."""
    cfg = edge_config.load(args.instance)
    plan = store.migrate_store(str(cfg.db_path), print, dry_run=args.dry_run)
    print("\n".join(plan.outcome(args.dry_run)))
    return 0


def register(parts) -> None:
    edge = parts.add_parser("edge", help="the prison's edge box")
    sub = edge.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create an edge instance: keys, broker files, config",
                       description="Create an edge instance. On a box: --site SITE.toml (what the playbook runs; the "
                       "system's Mosquitto). To develop or try it on one machine: --edge-id and --hub-url (the edge "
                       "runs its own Mosquitto; choose free ports). See docs/edge.md.")
    p.add_argument("--instance", required=True, help="folder for this edge's config, keys and store")
    p.add_argument("--site", help="a box: take the edge id, hub, addresses, ports and name from this site file; "
                   "the system's Mosquitto serves it")
    p.add_argument("--edge-id", help="without --site (development, one machine): the edge's id (one lower-case "
                   "DNS label)")
    p.add_argument("--hub-url", help="e.g. https://hub.example.org")
    p.add_argument("--broker-port", type=int, default=1883, help="the relay's loopback listener")
    p.add_argument("--mqtt-port", type=int, default=8883, help="the tablets' MQTT-TLS listener")
    p.add_argument("--api-port", type=int, default=8443, help="the tablets' HTTPS service (enrolment)")
    p.add_argument("--tls-name", help="DNS name on the edge's server certificate "
                   "(default <edge-id>.throughgate.internal)")
    p.add_argument("--system-broker", action="store_true",
                   help="connect to the system's Mosquitto instead of running one (production)")
    p.set_defaults(func=init)

    p = sub.add_parser("run", help="run the relay and the uplink (and Mosquitto, in development)")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=run)

    p = sub.add_parser("status", help="what arrived, what waits for the hub, alarms")
    p.add_argument("--instance", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=status)

    p = sub.add_parser("migrate", help="bring the store to this release's schema version (edge run does it too)")
    p.add_argument("--instance", required=True)
    p.add_argument("--dry-run", action="store_true", help="list the migrations it would apply; change nothing")
    p.set_defaults(func=migrate)

    p = sub.add_parser("enrol", help="enrol this edge with the hub using a one-time bootstrap token")
    p.add_argument("--instance", required=True)
    p.add_argument("--hub-url", help="check that the hub given at init (or in the site file) is this one; "
                   "a different one is refused (the edge enrols with the hub in its edge.toml)")
    p.add_argument("--hub-ca-sha256", required=True, help="the hub root's pin, printed with the token")
    p.add_argument("--token", help="the bootstrap token (or THROUGHGATE_BOOTSTRAP_TOKEN, or --token-file)")
    p.add_argument("--token-file", help="read the token from this file (e.g. written by Ansible Vault)")
    p.set_defaults(func=enrol)

    p = sub.add_parser("renew", help="renew the edge's certificate and fetch the hub's keys now")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=renew)

    tabs = sub.add_parser("tablets", help="enrol, list and revoke tablets")
    tsub = tabs.add_subparsers(dest="tablets_command", required=True, metavar="ACTION")
    p = tsub.add_parser("code", help="a one-time enrolment code and QR code for one tablet")
    p.add_argument("device")
    p.add_argument("--instance", required=True)
    p.add_argument("--learner", help="bind the tablet to this learner id: it may send only as them, and gets "
                   "their feedback and awards (a re-enrolment naming no learner keeps the binding)")
    p.add_argument("--ttl", type=int, help="seconds the code works (default: tablets.code_ttl_s)")
    p.add_argument("--address", help="the edge's address as tablets see it (default: tablets.api_host)")
    p.add_argument("--no-qr", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=tablets_code)
    p = tsub.add_parser("list", help="enrolled tablets and their certificates")
    p.add_argument("--instance", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=tablets_list)
    p = tsub.add_parser("revoke", help="cut a tablet off: new CRL, broker reloaded, live connection closed")
    p.add_argument("device")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=tablets_revoke)

    att = sub.add_parser("attachments", help="attachments on their way to the hub")
    asub = att.add_subparsers(dest="attachments_command", required=True, metavar="ACTION")
    p = asub.add_parser("retry", help="offer the attachments the hub refused again (after raising its limit)")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=attachments_retry)

    courses_cli.register(sub)
    console_cli.register(sub)
    learners_cli.register(sub)
