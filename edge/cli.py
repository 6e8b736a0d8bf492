"""`throughgate edge ...`: set up, run and inspect an edge box."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sys
from pathlib import Path

from edge import broker, store
from edge import config as edge_config
from wire.keys import new_signing_key, signing_key_to_pem, verify_key_to_pem
from wire.records import valid_device_id


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def init(args) -> int:
    instance = Path(args.instance)
    if (instance / edge_config.CONFIG_NAME).exists():
        print(f"{instance} already holds an edge; nothing changed", file=sys.stderr)
        return 1
    if not valid_device_id(args.edge_id):
        print("edge id: lower-case letters, digits and '-', at most 63 characters", file=sys.stderr)
        return 2
    hub_keys = json.loads(Path(args.hub_keys).read_text())
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    cfg = edge_config.EdgeConfig(instance=instance, edge_id=args.edge_id)
    cfg.uplink.hub_url = args.hub_url
    cfg.broker.port = args.broker_port
    cfg.broker.dev = not args.system_broker
    key = new_signing_key()
    _write_secret(cfg.signing_key_path, signing_key_to_pem(key))
    cfg.verify_key_path.write_bytes(verify_key_to_pem(key.public_key()))
    cfg.hub_keys_path.write_text(json.dumps(hub_keys, indent=1))
    relay_secret = secrets.token_urlsafe(32)
    _write_secret(cfg.relay_secret_path, relay_secret.encode())
    files = broker.BrokerFiles(cfg.broker_dir)
    broker.write_files(files, cfg.broker, child=cfg.broker.dev)
    broker.set_password(files, cfg.broker.username, relay_secret)
    (instance / edge_config.CONFIG_NAME).write_text(edge_config.dump(cfg))
    print(f"edge {args.edge_id} created in {instance}")
    print("Register it at the hub:")
    print(f"  throughgate hub edges add {args.edge_id} --key {cfg.verify_key_path}")
    return 0


def run(args) -> int:
    from edge.service import EdgeService

    try:
        cfg = edge_config.load(args.instance)
        EdgeService(cfg).run_forever()
    except edge_config.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def _files(args) -> tuple[edge_config.EdgeConfig, broker.BrokerFiles]:
    cfg = edge_config.load(args.instance)
    return cfg, broker.BrokerFiles(cfg.broker_dir)


def _reload_broker(files: broker.BrokerFiles) -> None:
    """Tell a running Mosquitto to re-read its password file."""
    pidfile = files.pid
    if pidfile.exists():
        with contextlib.suppress(ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text()), signal.SIGHUP)


def devices_add(args) -> int:
    cfg, files = _files(args)
    if not valid_device_id(args.device):
        print("device id: lower-case letters, digits and '-', at most 63 characters", file=sys.stderr)
        return 2
    if args.device in broker.users(files):
        print(f"device {args.device} exists; remove it first to issue a new password", file=sys.stderr)
        return 1
    password = secrets.token_urlsafe(24)
    broker.set_password(files, args.device, password)
    _reload_broker(files)
    if args.password_file:
        _write_secret(Path(args.password_file), password.encode())
        print(f"device {args.device} added; its password is in {args.password_file}")
    else:
        print(f"device {args.device} added. Its password (shown once): {password}")
    return 0


def devices_remove(args) -> int:
    _, files = _files(args)
    if args.device not in broker.users(files):
        print(f"no device {args.device}", file=sys.stderr)
        return 1
    broker.remove_user(files, args.device)
    _reload_broker(files)
    print(f"device {args.device} removed")
    return 0


def devices_list(args) -> int:
    cfg, files = _files(args)
    for name in broker.users(files):
        if name != cfg.broker.username:
            print(name)
    return 0


def status(args) -> int:
    cfg = edge_config.load(args.instance)
    store.open_store(str(cfg.db_path))
    info = store.status()
    info["quota_bytes"] = cfg.quota_bytes
    if args.json:
        print(json.dumps(info))
        return 0
    for key, value in info.items():
        if key == "alarms":
            print(f"{'alarms':18} {len(value) or 'none'}")
            for line in value:
                print(f"  ! {line}")
        else:
            print(f"{key:18} {value}")
    return 0


def register(parts) -> None:
    edge = parts.add_parser("edge", help="the prison's edge box")
    sub = edge.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create an edge instance: keys, broker files, config")
    p.add_argument("--instance", required=True, help="folder for this edge's config, keys and store")
    p.add_argument("--edge-id", required=True)
    p.add_argument("--hub-url", required=True, help="e.g. https://hub.example.org")
    p.add_argument("--hub-keys", required=True, help="file from `throughgate hub keys export`")
    p.add_argument("--broker-port", type=int, default=1883)
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

    devices = sub.add_parser("devices", help="tablets allowed on this edge's broker")
    dsub = devices.add_subparsers(dest="devices_command", required=True, metavar="ACTION")
    p = dsub.add_parser("add", help="allow a tablet; prints its password once")
    p.add_argument("device")
    p.add_argument("--instance", required=True)
    p.add_argument("--password-file", help="write the password here (0600) instead of printing it")
    p.set_defaults(func=devices_add)
    p = dsub.add_parser("remove", help="cut a tablet off")
    p.add_argument("device")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=devices_remove)
    p = dsub.add_parser("list", help="tablets allowed")
    p.add_argument("--instance", required=True)
    p.set_defaults(func=devices_list)
