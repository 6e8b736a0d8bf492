"""`throughgate hub ...`: set up a hub instance, serve it, enrol and manage its edges, read its records.

Each command is a small function of `args` returning an exit code; the work is done by the
service modules (keys, ca, tokens, edges, queries, server). Errors print one line that says what
to do. Tokens and private keys never go to the log.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import sys
from pathlib import Path

import peewee

from hub import address, auth, ca, config, db, keys, queries, tables
from hub.admins import cli as admins_cli
from hub.admins import legacy
from hub.app import create_app
from hub.appointments import cli as appointments_cli
from hub.checkins import cli as checkins_cli
from hub.checkins import job as checkins_job
from hub.courses import cli as courses_cli
from hub.courses.content_origin import HubContentServer
from hub.employment import cli as employment_cli
from hub.enrolment import edges, tokens
from hub.fleet import cli as fleet_cli
from hub.forms import cli as forms_cli
from hub.ingest.storage import utc_now
from hub.lrs import cli as lrs_cli
from hub.lrs import job as lrs_job
from hub.medical import cli as health_cli
from hub.medical import job as health_job
from hub.people import cli as people_cli
from hub.push import job as push_job
from hub.push import vapid
from hub.refusals import Refused
from hub.seed import cli as seed_cli
from hub.server import HubServer
from hub.staff import passwords
from hub.teams import cli as teams_cli
from provisioning.stopping import StopSignals
from wire.schema import SchemaError
from wire.text import for_terminal

log = logging.getLogger("hub")

EDGE_INSTANCE = tokens.EDGE_INSTANCE
"""What the printed `throughgate edge enrol` command says unless told otherwise."""
CERT_CHECK_S = 3600
"""How often a running hub checks whether its HTTPS certificate is due for re-issue."""
_DURATION = re.compile(r"(\d+)([smhd]?)")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class CliError(Exception):
    """A command that cannot go on; the message tells the user what to do."""


def register(parts) -> None:
    hub = parts.add_parser("hub", help="the cloud service that stores what edges send",
                           description="The hub: takes sealed batches from edges and stores their records.")
    commands = hub.add_subparsers(dest="hub_command", required=True, metavar="COMMAND")

    cmd = _command(commands, "init", cmd_init, "create an instance: keys, settings, database, admin token")
    cmd = _command(commands, "run", cmd_run, "serve the hub over HTTPS (mutual TLS for edges)")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")
    cmd = _command(commands, "migrate", cmd_migrate, "bring the hub database to this release's schema version")
    cmd.add_argument("--dry-run", action="store_true", help="only print the migrations it would apply")

    keys_parser = commands.add_parser("keys", help="the hub's sealing and receipt keys")
    keys_commands = keys_parser.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    _command(keys_commands, "export", cmd_keys_export, "print the public keys (JSON) that edges load")
    _command(keys_commands, "rotate", cmd_keys_rotate, "make a new current sealing key (old ones still open)")

    tokens_parser = commands.add_parser("tokens", help="one-time enrolment tokens for edges")
    token_commands = tokens_parser.add_subparsers(dest="tokens_command", required=True, metavar="COMMAND")
    cmd = _command(token_commands, "create", cmd_tokens_create,
                   "make a one-time token for an edge and print the command that enrols it")
    cmd.add_argument("edge_id", metavar="EDGE_ID")
    cmd.add_argument("--ttl", type=duration, default=None, metavar="SECONDS",
                     help="how long the token stays usable: seconds, or 90m, 1h, 2d (default: TOKEN_TTL_S)")
    cmd.add_argument("--edge-instance", default=EDGE_INSTANCE, metavar="DIR",
                     help=f"the edge's instance directory, for the printed command (default: {EDGE_INSTANCE})")
    _command(token_commands, "list", cmd_tokens_list, "list tokens: id, edge, expiry, use (never the secret)")
    cmd = _command(token_commands, "cancel", cmd_tokens_cancel, "make an unused token unusable from now on")
    cmd.add_argument("token_id", metavar="TOKEN_ID")

    edges_parser = commands.add_parser("edges", help="the edges this hub accepts batches from")
    edge_commands = edges_parser.add_subparsers(dest="edges_command", required=True, metavar="COMMAND")
    cmd = _command(edge_commands, "revoke", cmd_edges_revoke, "refuse an edge from now on")
    cmd.add_argument("edge_id", metavar="EDGE_ID")
    _command(edge_commands, "list", cmd_edges_list, "list edges, their certificate expiry and signing keys")
    fleet_cli.register(edge_commands, _command, _app)

    cmd = _command(commands, "records", cmd_records, "show stored records (oldest first) or counts")
    for name in queries.FILTERS:
        cmd.add_argument(f"--{name}", help=f"only records of this {name}")
    cmd.add_argument("--after", type=int, default=0, metavar="CURSOR", help="only records after this cursor")
    cmd.add_argument("--limit", type=int, default=100, help=f"at most this many (up to {queries.MAX_LIMIT})")
    cmd.add_argument("--summary", action="store_true", help="counts per edge, learner and kind instead")
    cmd.add_argument("--json", action="store_true", help="print JSON (with payloads) instead of a table")

    courses_cli.register(commands, _command, _app)

    lrs_cli.register(commands, _command)

    admins_cli.register(commands, _command, _app)

    people_cli.register(commands, _command, _app)
    appointments_cli.register(commands, _command, _app)
    teams_cli.register(commands, _command, _app)
    seed_cli.register(commands, _command, _app)
    health_cli.register(commands, _command, _app)
    forms_cli.register(commands, _command, _app)
    checkins_cli.register(commands, _command, _app)
    employment_cli.register(commands, _command, _app)


def _command(commands, name: str, func, help_text: str):
    parser = commands.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
    parser.add_argument("--instance", default=config.default_instance(), metavar="DIR",
                        help=f"the hub instance directory (default: ${config.INSTANCE_ENV} or "
                             f"{config.DEFAULT_INSTANCE})")
    parser.set_defaults(func=_guarded(admins_cli.audited(func, parser.prog)))
    return parser


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except (CliError, config.HubConfigError, SchemaError) as exc:
            print(f"error: {exc}", file=sys.stderr)
        except Refused as exc:
            print(f"error: {for_terminal(exc.reason)}", file=sys.stderr)
        except peewee.OperationalError as exc:
            print(f"error: cannot use the hub database ({str(exc).strip()}): check DATABASE_URL and "
                  "that the database server answers", file=sys.stderr)
        return 1

    return run


def _app(args):
    instance = Path(args.instance)
    if not instance.is_dir():
        raise CliError(f"no hub instance at {instance}: "
                       f"run `throughgate hub init --instance {instance}` first")
    return create_app(instance_path=instance)


def duration(text: str) -> int:
    """Seconds from `3600`, `90m`, `1h` or `2d`."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: give seconds, or a number with m, h or d")
    return int(match.group(1)) * _SECONDS[match.group(2)]


def cmd_init(args) -> int:
    instance = Path(args.instance)
    if instance.exists() and (not instance.is_dir() or any(instance.iterdir())):
        raise CliError(f"{instance} already exists and is not empty: choose a new --instance directory "
                       "(an existing hub keeps its keys and token)")
    created = not instance.exists()
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(instance, 0o700)
    try:
        settings: dict = {}
        config.load(settings, str(instance))
        db.bind(settings["DATABASE_URL"])
        db.migrate()
        hub_keys = keys.generate(settings["SEALING_KEY_FILE"], settings["SIGNING_KEY_FILE"])
        vapid.load_or_make(settings["VAPID_KEY_FILE"])  # Web Push (hub/push/vapid.py)
        paths = ca.files(instance)
        root = ca.create_root(paths)
        ca.issue_server_cert(root, paths, config.tls_names(settings))
        token, token_hash = auth.new_token()
        config.write_file(str(instance), token_hash, settings["TLS_NAMES"])
    except BaseException:
        if created:
            shutil.rmtree(instance, ignore_errors=True)
        raise
    print(f"Created a hub instance in {instance}")
    print(f"  database:       {redact(settings['DATABASE_URL'])}")
    print(f"  sealing key id: {hub_keys.sealing_key_id}")
    print(f"  TLS names:      {', '.join(config.tls_names(settings))}")
    print(f"  root CA pin:    {ca.root_pin(root)}")
    print()
    print(f"Admin token for the admin API, role {settings['ADMIN_TOKEN_ROLE']}, for {settings['ADMIN_TOKEN_DAYS']} "
          "days. It is shown only now and the hub keeps only its SHA-256:")
    print("store it somewhere safe, such as a password manager.")
    print(f"  {token}")
    print("Before it stops, give each admin a token of their own with a role: "
          f"throughgate hub admins token create NAME --role fleet|content|security|auditor --days N --instance "
          f"{instance}")
    print()
    print(f"Next: throughgate hub tokens create EDGE_ID --instance {instance}   (one per edge)")
    return 0


def cmd_run(args) -> int:
    app = _app(args)
    db.migrate(log.info)  # several replicas may start at once: each step is applied once (wire.schema)
    paths, names = ca.files(app.instance_path), config.tls_names(app.config)
    root = app.extensions["hub_ca"]
    if ca.ensure_server_cert(root, paths, names):
        log.info("issued a new HTTPS certificate for %s", ", ".join(names))
    passwords.warm()  # the consoles' dummy hash, made before the first login (not by every command: 0.16 s)
    try:
        server = HubServer(app, args.host, args.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}): "
                       "choose another --port or stop what uses it") from None
    content = None
    if app.config["CONTENT_PORT"] is not None:  # where phones play courses (hub/courses/content_origin.py)
        try:
            content = HubContentServer(app, args.host, server.port, app.config["CONTENT_PORT"])
        except OSError as exc:
            server.stop()
            raise CliError(f"cannot listen on {args.host}:{app.config['CONTENT_PORT']} for the content origin "
                           f"({exc.strerror or exc}): set another CONTENT_PORT or stop what uses it") from None
    stop = StopSignals()
    forwarder = lrs_job.start(app)  # None when LRS_URL is unset; a bad LRS setting stops here
    pusher = push_job.start(app)  # None when no VAPID subject is set (the log says what to set)
    retention = health_job.start(app)  # deletes health data past its keeping time, daily
    photos = checkins_job.start(app)  # deletes check-in photos past their keeping time, daily
    server.start()
    if content is not None:
        content.start()
        log.info("content origin for phones on %s", content.url)
    address.record(app.instance_path, args.host, server.port)
    log.info("hub serving on %s (instance %s, database %s, root CA pin %s)", server.url, args.instance,
             redact(app.config["DATABASE_URL"]), ca.root_pin(root))
    if app.config["ADMIN_TOKEN_SHA256"]:
        with db.connected():
            expires = legacy.expires_at(app.config["ADMIN_TOKEN_DAYS"])
        log.warning("%s", legacy.warning(expires) if expires and expires > utc_now()
                    else legacy.expired_reason(expires or "(now)", app.instance_path))
    for problem in address.problems(app.config["PUBLIC_URL"], args.host, server.port, names,
                                    Path(app.instance_path) / config.CONFIG_FILE):
        log.warning("%s", problem)
    while not stop.wait(CERT_CHECK_S):
        if ca.ensure_server_cert(root, paths, names):
            server.reload_certificate()
            if content is not None:
                content.reload_certificate()
            log.info("issued a new HTTPS certificate for %s", ", ".join(names))
    log.info("hub stopping")
    address.forget(app.instance_path)
    server.stop()
    if content is not None:
        content.stop()
    if forwarder is not None:
        forwarder.stop()
    if pusher is not None:
        pusher.stop()
    retention.stop()
    photos.stop()
    return 0


def cmd_migrate(args) -> int:
    _app(args)
    plan = db.migrate(print, dry_run=args.dry_run)  # prints one line per step as it is applied
    print("\n".join(plan.outcome(args.dry_run)))
    return 0


def cmd_keys_export(args) -> int:
    print(json.dumps(_app(args).extensions["hub_keys"].get().public_document(), indent=2))
    return 0


def cmd_keys_rotate(args) -> int:
    app = _app(args)
    old_id, new_id = keys.rotate(app.config["SEALING_KEY_FILE"])
    print(f"Sealing key {new_id} is now current; {old_id} is kept in {keys.KEYRING_DIR}/ so batches sealed "
          "to it still open.")
    print("A running hub serves the new key at once; edges learn it from GET /v1/edge/hub-keys.")
    return 0


def cmd_tokens_create(args) -> int:
    app = _app(args)
    ttl = app.config["TOKEN_TTL_S"] if args.ttl is None else args.ttl
    app.extensions["hub_terms"].edge_name(args.edge_id)  # refuse an id whose name covers the hub's
    with db.connected():
        token, info = tokens.create(args.edge_id, ttl)
    log.debug("enrolment token %s made for edge %s", info.token_id, info.edge_id)
    hub_url = tokens.edge_hub_url(app.config, app.instance_path)
    command = tokens.enrol_command(token, ca.root_pin(app.extensions["hub_ca"]), hub_url, args.edge_instance)
    print(f"Enrolment token {info.token_id} for edge {info.edge_id}, usable once until {info.expires}.")
    print("It is shown only now. On the edge, run:")
    print()
    print(f"  {command}")
    print()
    if hub_url is None:
        print("The command names no hub URL: PUBLIC_URL is not set and no `throughgate hub run` serves this "
              "instance now, so the edge uses the hub URL it was set up with. To print it, set PUBLIC_URL in "
              f"{Path(app.instance_path) / config.CONFIG_FILE} (or THROUGHGATE_HUB_PUBLIC_URL), like "
              'PUBLIC_URL = "https://hub.example.org:8080".')
    elif not app.config["PUBLIC_URL"]:
        print(f"{hub_url} is where this hub serves now (PUBLIC_URL is not set): set PUBLIC_URL in "
              f"{Path(app.instance_path) / config.CONFIG_FILE} if edges reach it at another address.")
    return 0


def cmd_tokens_list(args) -> int:
    _app(args)
    with db.connected():
        found = tokens.list_tokens()
    if not found:
        print(f"No tokens yet: make one with `throughgate hub tokens create EDGE_ID --instance {args.instance}`")
    else:
        print(tables.tokens_table(found, utc_now()))
    return 0


def cmd_tokens_cancel(args) -> int:
    _app(args)
    with db.connected():
        info = tokens.cancel(args.token_id, utc_now())
    print(f"Cancelled enrolment token {info.token_id} for edge {info.edge_id}: it enrols nothing from now on.")
    return 0


def cmd_edges_revoke(args) -> int:
    _app(args)
    with db.connected():
        info = edges.revoke(args.edge_id, utc_now())
    print(f"Revoked edge {info.edge_id}: every request with its certificates is refused from now on; "
          "its stored records stay.")
    return 0


def cmd_edges_list(args) -> int:
    _app(args)
    with db.connected():
        found = edges.list_edges(utc_now())
    if not found:
        print(f"No edges yet: enrol one with a token from `throughgate hub tokens create EDGE_ID "
              f"--instance {args.instance}`")
    else:
        print(tables.edges_table(found))
    return 0


def cmd_records(args) -> int:
    if not 1 <= args.limit <= queries.MAX_LIMIT:
        raise CliError(f"--limit must be from 1 to {queries.MAX_LIMIT}")
    _app(args)
    with db.connected():
        if args.summary:
            result = queries.summary()
        else:
            filters = {name: getattr(args, name) for name in queries.FILTERS}
            result = queries.list_records(filters, after=args.after, limit=args.limit)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    elif args.summary:
        print(tables.summary_text(result))
    elif not result:
        print("No records match.")
    else:
        print(tables.records_table(result))
        if len(result) == args.limit:
            print(f"(more may follow: add --after {result[-1]['cursor']})")
    return 0


redact = db.redact


def main(argv: list[str] | None = None) -> int:
    """`python -m hub ARGS` works like `throughgate hub ARGS`, without the other parts installed."""
    parser = argparse.ArgumentParser(prog="throughgate")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    register(parser.add_subparsers(dest="part", required=True, metavar="PART"))
    args = parser.parse_args(["hub", *(sys.argv[1:] if argv is None else argv)])
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `python -m hub records --json | head`: as throughgate.cli.reader_gone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
