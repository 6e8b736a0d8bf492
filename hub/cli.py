"""`throughgate hub ...`: set up a hub instance, serve it, manage its edges, read its records.

Each command is a small function of `args` returning an exit code; the work is done by the
service modules (keys, edges, queries, server). Errors print one line that says what to do.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee

from hub import auth, config, create_app, db, edges, keys, queries, tables
from hub.server import HubServer

log = logging.getLogger("hub")

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class CliError(Exception):
    """A command that cannot go on; the message tells the user what to do."""


def register(parts) -> None:
    hub = parts.add_parser("hub", help="the cloud service that stores what edges send",
                           description="The hub: takes sealed batches from edges and stores their records.")
    commands = hub.add_subparsers(dest="hub_command", required=True, metavar="COMMAND")

    cmd = _command(commands, "init", cmd_init, "create an instance: keys, settings, database, admin token")
    cmd = _command(commands, "run", cmd_run, "serve the hub over HTTP")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")

    keys_parser = commands.add_parser("keys", help="the hub's public keys")
    keys_commands = keys_parser.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")
    _command(keys_commands, "export", cmd_keys_export, "print the public keys (JSON) that edges load")

    edges_parser = commands.add_parser("edges", help="the edges this hub accepts batches from")
    edge_commands = edges_parser.add_subparsers(dest="edges_command", required=True, metavar="COMMAND")
    cmd = _command(edge_commands, "add", cmd_edges_add, "register an edge and its Ed25519 verify key")
    cmd.add_argument("edge_id", metavar="EDGE_ID")
    cmd.add_argument("--key", required=True, metavar="PEMFILE", help="the edge's public (verify) key")
    cmd = _command(edge_commands, "revoke", cmd_edges_revoke, "refuse an edge's batches from now on")
    cmd.add_argument("edge_id", metavar="EDGE_ID")
    _command(edge_commands, "list", cmd_edges_list, "list registered edges")

    cmd = _command(commands, "records", cmd_records, "show stored records (oldest first) or counts")
    for name in queries.FILTERS:
        cmd.add_argument(f"--{name}", help=f"only records of this {name}")
    cmd.add_argument("--after", type=int, default=0, metavar="CURSOR", help="only records after this cursor")
    cmd.add_argument("--limit", type=int, default=100, help=f"at most this many (up to {queries.MAX_LIMIT})")
    cmd.add_argument("--summary", action="store_true", help="counts per edge, learner and kind instead")
    cmd.add_argument("--json", action="store_true", help="print JSON (with payloads) instead of a table")


def _command(commands, name: str, func, help_text: str):
    parser = commands.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
    parser.add_argument("--instance", default=config.default_instance(), metavar="DIR",
                        help=f"the hub instance directory (default: ${config.INSTANCE_ENV} or "
                             f"{config.DEFAULT_INSTANCE})")
    parser.set_defaults(func=_guarded(func))
    return parser


def _guarded(func):
    def run(args) -> int:
        try:
            return func(args)
        except (CliError, config.HubConfigError, edges.EdgeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
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
        db.create_tables()
        hub_keys = keys.generate(settings["SEALING_KEY_FILE"], settings["SIGNING_KEY_FILE"])
        token, token_hash = auth.new_token()
        config.write_file(str(instance), token_hash)
    except BaseException:
        if created:
            shutil.rmtree(instance, ignore_errors=True)
        raise
    print(f"Created a hub instance in {instance}")
    print(f"  database:       {redact(settings['DATABASE_URL'])}")
    print(f"  sealing key id: {hub_keys.sealing_key_id}")
    print()
    print("Admin token for the records API. It is shown only now and the hub keeps only its SHA-256:")
    print("store it somewhere safe, such as a password manager.")
    print(f"  {token}")
    print()
    print(f"Next: throughgate hub keys export --instance {instance} > hub-keys.json   (give it to each edge)")
    return 0


def cmd_run(args) -> int:
    app = _app(args)
    db.create_tables()
    try:
        server = HubServer(app, args.host, args.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc}): "
                       "choose another --port or stop what uses it") from None
    if args.host not in LOOPBACK:
        log.warning("listening on %s: put a TLS-terminating proxy in front of the hub", args.host)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    log.info("hub serving on %s (instance %s, database %s)", server.url, args.instance,
             redact(app.config["DATABASE_URL"]))
    stop.wait()
    log.info("hub stopping")
    server.stop()
    return 0


def cmd_keys_export(args) -> int:
    print(json.dumps(_app(args).extensions["hub_keys"].public_document(), indent=2))
    return 0


def cmd_edges_add(args) -> int:
    _app(args)
    try:
        pem = Path(args.key).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.key} ({exc.strerror}): give the path of the edge's "
                       "verify key PEM file") from None
    with db.connected():
        info = edges.register(args.edge_id, pem)
    print(f"Registered edge {info.edge_id} (key id {info.key_id}); the hub accepts its batches from now on.")
    return 0


def cmd_edges_revoke(args) -> int:
    _app(args)
    with db.connected():
        info = edges.revoke(args.edge_id)
    print(f"Revoked edge {info.edge_id}: its batches are refused from now on; its stored records stay.")
    return 0


def cmd_edges_list(args) -> int:
    _app(args)
    with db.connected():
        found = edges.list_edges()
    if not found:
        print(f"No edges yet: add one with `throughgate hub edges add EDGE_ID --key EDGE.pub.pem "
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


def redact(url: str) -> str:
    """A database URL fit to print: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def main(argv: list[str] | None = None) -> int:
    """`python -m hub ARGS` works like `throughgate hub ARGS`, without the other parts installed."""
    parser = argparse.ArgumentParser(prog="throughgate")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    register(parser.add_subparsers(dest="part", required=True, metavar="PART"))
    args = parser.parse_args(["hub", *(sys.argv[1:] if argv is None else argv)])
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    return args.func(args)
