"""The hub's settings: defaults, then the instance's `hub.toml`, then environment variables.

Every key is listed in KEYS with its type and meaning; docs/hub.md lists the same keys
(a test checks that they agree).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from wire.records import valid_dns_label

CONFIG_FILE = "hub.toml"
ENV_PREFIX = "THROUGHGATE_HUB_"
INSTANCE_ENV = "THROUGHGATE_HUB_INSTANCE"
DEFAULT_INSTANCE = "var/hub"

KEYS: dict[str, tuple[type, object, str]] = {
    # key: (type, default, meaning)
    "DATABASE_URL": (str, None, "where records are stored; default: sqlite file hub.db in the instance"),
    "SEALING_KEY_FILE": (str, "sealing_key.pem", "the hub's private HPKE key (relative to the instance)"),
    "SIGNING_KEY_FILE": (str, "receipt_key.pem", "the hub's Ed25519 receipt key (relative to the instance)"),
    "ADMIN_TOKEN_SHA256": (str, None, "hex SHA-256 of the admin bearer token; unset: no admin access"),
    "MAX_BATCH_BYTES": (int, 16 * 1024 * 1024, "largest batch envelope accepted, in bytes"),
    "ATTACHMENTS_DIR": (str, "attachments", "where attachments edges forward are stored, by SHA-256 "
                        "(relative to the instance)"),
    "MAX_ATTACHMENT_CHUNK_BYTES": (int, 4 * 1024 * 1024, "largest chunk of an attachment accepted in one "
                                   "PUT /v1/attachments/<sha256>, in bytes"),
    "MAX_ATTACHMENT_BYTES": (int, 64 * 1024 * 1024, "largest attachment an edge may upload, in bytes (as the "
                             "submission declares it and as received); the edge's attachments.max_bytes default"),
    "TLS_NAMES": (str, "localhost,127.0.0.1", "comma-separated DNS names and IP addresses of the hub's "
                  "HTTPS certificate"),
    "PUBLIC_URL": (str, None, "the URL edges reach the hub at; unset: `hub tokens create` prints the address "
                   "`hub run` serves on while it runs (hub/address.py)"),
    "EDGE_CERT_DAYS": (int, 30, "days an edge's client certificate is valid (the edge renews at 2/3)"),
    "CROSS_CERT_DAYS": (int, 365, "days a cross-certificate of an edge's tablet CA is valid"),
    "TOKEN_TTL_S": (int, 3600, "seconds an enrolment token stays usable, unless told otherwise"),
    "EDGE_KEY_GRACE_DAYS": (int, 14, "days an edge's previous signing key stays accepted after it "
                            "sends a new one"),
    "EDGE_DNS_SUFFIX": (str, "throughgate.internal", "the DNS domain of the edges' names: edge <id> is "
                        "<id>.<EDGE_DNS_SUFFIX>, the only name its cross-certificate vouches for"),
    "COURSE_BLOB_DIR": (str, "blobs", "where course files are stored, each once under its SHA-256 "
                        "(relative to the instance)"),
    "COURSE_MAX_PACKAGE_BYTES": (int, 2 * 1024**3, "largest course package zip an upload may be, in bytes"),
    "COURSE_MAX_FILES": (int, 10_000, "most files one course package may hold"),
    "COURSE_MAX_FILE_BYTES": (int, 1024**3, "largest file inside a course package, in bytes (as inflated)"),
    "COURSE_MAX_TOTAL_BYTES": (int, 4 * 1024**3, "most bytes a course package may inflate to, all files together"),
    "LRS_URL": (str, None, "xAPI endpoint of a Learning Record Store (statements go to <LRS_URL>/statements); "
                "https, or http on loopback only; unset: nothing is forwarded"),
    "LRS_USERNAME": (str, None, "Basic auth user (the LRS's key) for LRS_URL"),
    "LRS_PASSWORD_FILE": (str, None, "file holding the LRS Basic auth secret (relative to the instance); "
                          "else the environment variable THROUGHGATE_HUB_LRS_PASSWORD"),
    "LRS_BATCH_SIZE": (int, 100, "statements per POST to the LRS"),
    "LRS_INTERVAL_S": (int, 60, "seconds between forwarding runs while `hub run` serves"),
}
POSITIVE = ("MAX_ATTACHMENT_CHUNK_BYTES", "MAX_ATTACHMENT_BYTES",
            "MAX_BATCH_BYTES", "EDGE_CERT_DAYS", "CROSS_CERT_DAYS", "TOKEN_TTL_S", "LRS_BATCH_SIZE",
            "LRS_INTERVAL_S")
POSITIVE = (*POSITIVE, "COURSE_MAX_PACKAGE_BYTES", "COURSE_MAX_FILES", "COURSE_MAX_FILE_BYTES",
            "COURSE_MAX_TOTAL_BYTES")
_TYPE_NAMES = {str: "a string", int: "a whole number"}
MAX_DNS_NAME = 253


class HubConfigError(RuntimeError):
    """The hub cannot start as configured. The message says what to do."""


def default_instance() -> str:
    return os.environ.get(INSTANCE_ENV, DEFAULT_INSTANCE)


def load(config, instance_path: str, test_config: dict | None = None, environ=None) -> None:
    """Fill a Flask config: defaults, then (without test_config) hub.toml and the environment."""
    environ = os.environ if environ is None else environ
    for key, (_type, default, _meaning) in KEYS.items():
        config[key] = default
    if test_config is None:
        config.update(_read_file(Path(instance_path) / CONFIG_FILE))
        config.update(_read_env(environ))
    else:
        config.update(test_config)
    _resolve(config, instance_path)


def _read_file(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise HubConfigError(f"{path} is not valid TOML ({exc}): fix the file or run "
                             "`throughgate hub init` on a new instance") from None
    unknown = set(values) - set(KEYS)
    if unknown:
        raise HubConfigError(f"{path} has unknown setting(s) {', '.join(sorted(unknown))}: "
                             f"the settings are {', '.join(KEYS)}")
    for key, value in values.items():
        if not isinstance(value, KEYS[key][0]):
            raise HubConfigError(f"{path}: {key} must be {_TYPE_NAMES[KEYS[key][0]]}")
    return values


def _read_env(environ) -> dict:
    values = {}
    if environ.get("DATABASE_URL"):
        values["DATABASE_URL"] = environ["DATABASE_URL"]
    for key, (kind, _default, _meaning) in KEYS.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is None:
            continue
        try:
            values[key] = kind(raw)
        except ValueError:
            raise HubConfigError(f"{ENV_PREFIX}{key}={raw!r}: it must be {_TYPE_NAMES[kind]}") from None
    return values


def _resolve(config, instance_path: str) -> None:
    instance = Path(instance_path)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{(instance / 'hub.db').absolute()}"
    for key in ("SEALING_KEY_FILE", "SIGNING_KEY_FILE", "ATTACHMENTS_DIR"):
        config[key] = str(instance / config[key]) if config[key] else None
    config["COURSE_BLOB_DIR"] = str(instance / (config["COURSE_BLOB_DIR"] or KEYS["COURSE_BLOB_DIR"][1]))
    for key in POSITIVE:
        if not isinstance(config[key], int) or config[key] < 1:
            raise HubConfigError(f"{key} must be a whole number above 0")
    if not isinstance(config["EDGE_KEY_GRACE_DAYS"], int) or config["EDGE_KEY_GRACE_DAYS"] < 0:
        raise HubConfigError("EDGE_KEY_GRACE_DAYS must be a whole number from 0")
    config["EDGE_DNS_SUFFIX"] = _edge_dns_suffix(config["EDGE_DNS_SUFFIX"])
    if not tls_names(config):
        raise HubConfigError("TLS_NAMES must name at least one DNS name or IP address, like "
                             '"hub.example.org"')
    config["PUBLIC_URL"] = config.get("PUBLIC_URL") or None  # no guessed default: a wrong one misled edges


def _edge_dns_suffix(value) -> str:
    """EDGE_DNS_SUFFIX in lower case, checked: dot-separated DNS labels, short enough that
    `<63-character edge id>.<suffix>` is still a DNS name."""
    suffix = str(value or "").strip().strip(".").lower()
    labels = suffix.split(".")
    if not (suffix and len(suffix) <= MAX_DNS_NAME - 64 and all(valid_dns_label(label) for label in labels)):
        raise HubConfigError(f"EDGE_DNS_SUFFIX={value!r} is not a DNS domain: give dot-separated labels of "
                             f"letters, digits and '-', at most {MAX_DNS_NAME - 64} characters, like "
                             '"throughgate.internal"')
    return suffix


def tls_names(config) -> list[str]:
    """TLS_NAMES as a list: the names the hub's HTTPS certificate is valid for."""
    return [name.strip() for name in str(config["TLS_NAMES"]).split(",") if name.strip()]


def hub_names(config) -> list[str]:
    """The names the hub is reached by: TLS_NAMES and PUBLIC_URL's host. No edge's name may cover one."""
    host = urlsplit(str(config.get("PUBLIC_URL") or "")).hostname
    return list(dict.fromkeys([*tls_names(config), *([host] if host else [])]))


def _url_host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def write_file(instance_path: str, admin_token_sha256: str, tls_names: str = KEYS["TLS_NAMES"][1]) -> Path:
    """The hub.toml `throughgate hub init` writes: only what differs from the defaults, plus hints."""
    path = Path(instance_path) / CONFIG_FILE
    lines = [
        "# Throughgate hub settings (see docs/hub.md). Environment variables THROUGHGATE_HUB_<KEY>",
        "# (and plain DATABASE_URL) override this file. Relative paths are in this directory.",
        f'ADMIN_TOKEN_SHA256 = "{admin_token_sha256}"',
        f'SEALING_KEY_FILE = "{KEYS["SEALING_KEY_FILE"][1]}"',
        f'SIGNING_KEY_FILE = "{KEYS["SIGNING_KEY_FILE"][1]}"',
        f"MAX_BATCH_BYTES = {KEYS['MAX_BATCH_BYTES'][1]}",
        f"TLS_NAMES = {json.dumps(tls_names)}",
        '# PUBLIC_URL = "https://hub.example.org:8080"   (what edges are told to use)',
        '# DATABASE_URL = "postgresql://hub@db.example/throughgate"   (default: sqlite file hub.db here)',
        "",
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines))
    return path
