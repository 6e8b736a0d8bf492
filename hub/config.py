"""The hub's settings: defaults, then the instance's `hub.toml`, then environment variables.

Every key is listed in KEYS with its type, meaning and range; docs/hub.md lists the same keys
(a test checks that they agree). Each value is checked where it is read (wire.settings, as the edge's
edge.toml is): a wrong type, an unknown key or variable, or a value out of range is refused naming the
file or variable, the key, what was expected and what was found.
"""

from __future__ import annotations

import json
import os
import tomllib
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from hub.admins import roles
from wire import settings
from wire.records import valid_dns_label
from wire.settings import Key, Rule, SettingsError

CONFIG_FILE = "hub.toml"
ENV_PREFIX = "THROUGHGATE_HUB_"
INSTANCE_ENV = "THROUGHGATE_HUB_INSTANCE"
DEFAULT_INSTANCE = "var/hub"
LRS_PASSWORD_ENV = ENV_PREFIX + "LRS_PASSWORD"  # the LRS secret (hub/lrs/settings.py), never a setting
MAX_DNS_NAME = 253
MAX_SUFFIX = MAX_DNS_NAME - 64  # room for `<63-character edge id>.` in front


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def _dns_suffix(value: str) -> bool:
    suffix = value.strip().strip(".").lower()
    return bool(suffix) and len(suffix) <= MAX_SUFFIX and all(map(valid_dns_label, suffix.split(".")))


def _time_zone(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


_POSITIVE = Rule(at_least=1)
_TLS_NAMES = Rule(what='comma-separated DNS names and IP addresses, at least one, like "hub.example.org,10.0.0.5"',
                  valid=lambda value: bool(_names(value)))
_DNS_SUFFIX = Rule(what=f"a DNS domain: dot-separated labels of letters, digits and '-', at most {MAX_SUFFIX} "
                        'characters, like "throughgate.internal"', valid=_dns_suffix)

KEYS: dict[str, Key] = {
    # key: Key(type, default, meaning, rule); default None: unset
    "DATABASE_URL": Key(str, None, "where records are stored; default: sqlite file hub.db in the instance"),
    "SEALING_KEY_FILE": Key(str, "sealing_key.pem", "the hub's private HPKE key (relative to the instance)"),
    "SIGNING_KEY_FILE": Key(str, "receipt_key.pem", "the hub's Ed25519 receipt key (relative to the instance)"),
    "ADMIN_TOKEN_SHA256": Key(str, None, "hex SHA-256 of the admin token of releases before admin roles (the one "
                              "`hub init` printed); it works with ADMIN_TOKEN_ROLE until ADMIN_TOKEN_DAYS after the "
                              "upgrade; unset: only admin tokens from `hub admins token create`"),
    "ADMIN_TOKEN_ROLE": Key(str, roles.LEGACY, "what the ADMIN_TOKEN_SHA256 token may do: fleet, content, "
                            "security, auditor, or legacy (what it could do before admin roles)",
                            Rule(what="one of " + ", ".join(roles.ALL_ROLES),
                                 valid=lambda value: value in roles.ALL_ROLES)),
    "ADMIN_TOKEN_DAYS": Key(int, 30, "days the ADMIN_TOKEN_SHA256 token keeps working after this hub was upgraded to "
                            "admin roles (migration 0003) or made; then it is refused, saying what to run",
                            Rule(at_least=0)),
    "ADMIN_APPROVALS": Key(bool, True, "an enrolment token, revoking an edge and rotating keys asked for through "
                           "the admin API wait for a second, different admin's approval; false: they take effect "
                           "at once"),
    "APPROVAL_TTL_S": Key(int, 86400, "seconds an approval request waits for a second admin before it expires",
                          _POSITIVE),
    "MAX_BATCH_BYTES": Key(int, 16 * 1024 * 1024, "largest batch envelope accepted, in bytes", _POSITIVE),
    "MAX_BATCH_RECORDS": Key(int, 10_000, "most records one batch may hold (its header's count); keep it at least "
                             "every edge's uplink.batch_records", _POSITIVE),
    "BATCHES_AT_ONCE": Key(int, 2, "most batches one hub process opens (decrypts, reads, checks, stores) at once; "
                           "another one meanwhile gets 503 busy with Retry-After and its edge sends it again",
                           _POSITIVE),
    "ATTACHMENTS_DIR": Key(str, "attachments", "where attachments edges forward are stored, by SHA-256 "
                           "(relative to the instance)"),
    "MAX_ATTACHMENT_CHUNK_BYTES": Key(int, 4 * 1024 * 1024, "largest chunk of an attachment accepted in one "
                                      "PUT /v1/attachments/<sha256>, in bytes", _POSITIVE),
    "MAX_ATTACHMENT_BYTES": Key(int, 64 * 1024 * 1024, "largest attachment an edge may upload, in bytes (as the "
                                "submission declares it and as received); the edge's attachments.max_bytes "
                                "default", _POSITIVE),
    "MAX_ATTACHMENT_UPLOADS_PER_EDGE": Key(int, 4, "most unfinished attachment uploads kept for one edge; starting "
                                           "another discards that edge's least recently written one (an edge sends "
                                           "one at a time, and a discarded one again from byte 0)", _POSITIVE),
    "ATTACHMENTS_MIN_FREE_BYTES": Key(int, 1024**3, "free space kept on the attachments' disk: a chunk that would "
                                      "leave less is refused with 507 insufficient_storage (the edge keeps the file "
                                      "and sends it later); 0: no reserve", Rule(at_least=0)),
    "PHONE_UPLOAD_CHUNK_BYTES": Key(int, 256 * 1024, "largest chunk of a photo or voice note a phone sends in one "
                                    "PUT /v1/phone/uploads/<sha256>, in bytes; a whole number of 64 KiB segments "
                                    "(small: a cut connection loses little of the person's data allowance)",
                                    Rule(at_least=64 * 1024, valid=lambda v: v % (64 * 1024) == 0,
                                         what="a whole number of 64 KiB (65536 bytes)")),
    "PHONE_PHOTO_MAX_BYTES": Key(int, 10 * 1024 * 1024, "largest photo a person's phone may attach to a message, "
                                 "in bytes", _POSITIVE),
    "PHONE_VOICE_MAX_BYTES": Key(int, 5 * 1024 * 1024, "largest voice note a person's phone may attach to a "
                                 "message, in bytes", _POSITIVE),
    "PHONE_UPLOADS_PER_PHONE": Key(int, 3, "most unfinished photo and voice uploads kept for one phone; starting "
                                   "another discards that phone's least recently written one", _POSITIVE),
    "PHONE_UPLOAD_BYTES_PER_DAY": Key(int, 100 * 1024 * 1024, "most bytes of photos and voice notes one person's "
                                      "phones may begin uploading in 24 hours (each file counted once, at its size); "
                                      "the next is refused with 429 upload_quota, so one phone cannot fill the "
                                      "attachments' disk", _POSITIVE),
    "ATTACHMENTS_KEY_FILE": Key(str, "attachments.key", "file holding the key the person's photos and voice notes "
                                "are sealed with at rest (AES-256-GCM; made at first use, 0600; every hub process "
                                "needs the same file; relative to the instance)"),
    "MAX_CONNECTIONS": Key(int, 512, "most connections `hub run` holds at once (each is a thread); one more is closed "
                           "before its TLS handshake. Kept 64 under the process's open-file limit", _POSITIVE),
    "MAX_CONNECTIONS_PER_ADDRESS": Key(int, 64, "most connections from one IP address at once; raise it where many "
                                       "edges reach the hub from one address (NAT)", _POSITIVE),
    "REQUEST_HEAD_TIMEOUT_S": Key(float, 30.0, "seconds a connection has for its TLS handshake and request line and "
                                  "headers (from its start, or the end of the previous answer), however slowly "
                                  "they trickle; then it is closed", Rule(above=0)),
    "TLS_NAMES": Key(str, "localhost,127.0.0.1", "comma-separated DNS names and IP addresses of the hub's "
                     "HTTPS certificate", _TLS_NAMES),
    "PUBLIC_URL": Key(str, None, "the URL edges reach the hub at; unset: `hub tokens create` prints the address "
                      "`hub run` serves on while it runs (hub/address.py)"),
    "EDGE_CERT_DAYS": Key(int, 30, "days an edge's client certificate is valid (the edge renews at 2/3)", _POSITIVE),
    "CROSS_CERT_DAYS": Key(int, 365, "days a cross-certificate of an edge's tablet CA is valid", _POSITIVE),
    "TOKEN_TTL_S": Key(int, 3600, "seconds an enrolment token stays usable, unless told otherwise", _POSITIVE),
    "EDGE_KEY_GRACE_DAYS": Key(int, 14, "days an edge's previous signing key stays accepted after it "
                               "sends a new one", Rule(at_least=0)),
    "EDGE_DNS_SUFFIX": Key(str, "throughgate.internal", "the DNS domain of the edges' names: edge <id> is "
                           "<id>.<EDGE_DNS_SUFFIX>, the only name its cross-certificate vouches for", _DNS_SUFFIX),
    "COURSE_BLOB_DIR": Key(str, "blobs", "where course files are stored, each once under its SHA-256 "
                           "(relative to the instance)"),
    "COURSE_MAX_PACKAGE_BYTES": Key(int, 2 * 1024**3, "largest course package zip an upload may be, in bytes",
                                    _POSITIVE),
    "COURSE_MAX_FILES": Key(int, 10_000, "most files one course package may hold", _POSITIVE),
    "COURSE_MAX_FILE_BYTES": Key(int, 1024**3, "largest file inside a course package, in bytes (as inflated)",
                                 _POSITIVE),
    "COURSE_MAX_TOTAL_BYTES": Key(int, 4 * 1024**3, "most bytes a course package may inflate to, all files "
                                  "together", _POSITIVE),
    "CONTENT_PORT": Key(int, None, "TCP port of the hub's content origin, a second HTTPS listener of `hub run` (same "
                        "host and certificate, no client certificate, no cookie) where phones play courses after "
                        "release; unset: phones list their courses and progress but cannot open them",
                        Rule(at_least=1, at_most=65535, what="a TCP port (1-65535)")),
    "HEALTH_MAX_BUNDLE_BYTES": Key(int, 8 * 1024 * 1024, "largest health bundle (an IPS summary or health "
                                   "appointments, FHIR JSON) an upload may be, in bytes", _POSITIVE),
    "METRICS_TOKEN_FILE": Key(str, "metrics.token", "file whose text is the bearer token GET /metrics asks for "
                              "(relative to the instance); missing or empty: no one may scrape"),
    "EDGE_SILENT_AFTER_S": Key(int, 900, "seconds without a status report after which an edge is rated red as "
                               "silent (edges report every uplink.report_interval_s, 300 by default)", _POSITIVE),
    "EDGE_REPORTS_KEPT": Key(int, 2016, "status reports kept per edge, newest first (2016: a week at one every 5 "
                             "minutes); older ones are deleted as new ones arrive", _POSITIVE),
    "CONSOLE_SESSION_HOURS": Key(float, 8.0, "hours a login to the hub's web consoles lasts, however busy; then "
                                 "log in again", Rule(above=0)),
    "CONSOLE_IDLE_MINUTES": Key(float, 30.0, "minutes without a page after which a console login ends",
                                Rule(above=0)),
    "LOGIN_FAILURES": Key(int, 5, "failed console logins (password, code or setup code) allowed per address and "
                          "per account in LOGIN_WINDOW_S; then that address or account waits", _POSITIVE),
    "LOGIN_WINDOW_S": Key(int, 900, "seconds over which LOGIN_FAILURES are counted", _POSITIVE),
    "SETUP_CODE_HOURS": Key(float, 72.0, "hours a console account's setup code (from `hub admins add`, `reset`, or "
                            "the accounts pages) can be used", Rule(above=0)),
    "LRS_URL": Key(str, None, "xAPI endpoint of a Learning Record Store (statements go to <LRS_URL>/statements); "
                   "https, or http on loopback only; unset: nothing is forwarded"),
    "LRS_USERNAME": Key(str, None, "Basic auth user (the LRS's key) for LRS_URL"),
    "LRS_PASSWORD_FILE": Key(str, None, "file holding the LRS Basic auth secret (relative to the instance); "
                             "else the environment variable THROUGHGATE_HUB_LRS_PASSWORD"),
    "LRS_BATCH_SIZE": Key(int, 100, "statements per POST to the LRS", _POSITIVE),
    "LRS_INTERVAL_S": Key(int, 60, "seconds between forwarding runs while `hub run` serves", _POSITIVE),
    "TIME_ZONE": Key(str, "Europe/London", "the IANA time zone workers type and read appointment times in (kept "
                     "in UTC)", Rule(what='an IANA time zone name, like "Europe/London"', valid=_time_zone)),
    "JITSI_URL": Key(str, None, "https URL of the Jitsi Meet server video appointments meet on, like "
                     "\"https://meet.example.org\"; unset: video appointments have no link",
                     Rule(what="an https URL", valid=lambda value: urlsplit(value).scheme == "https"
                          and bool(urlsplit(value).hostname))),
    "JITSI_APP_ID": Key(str, None, "the app id the Jitsi server expects in room tokens (the JWT's iss)"),
    "JITSI_SECRET_FILE": Key(str, None, "file holding the Jitsi app secret the room tokens are signed with "
                             "(HS256; relative to the instance)"),
    "VAPID_KEY_FILE": Key(str, "vapid_key.pem", "the hub's Web Push (VAPID) P-256 private key (relative to the "
                          "instance), made by `hub init` or `hub run` when missing; a new key makes every phone "
                          "subscribe again"),
    "VAPID_SUBJECT": Key(str, None, "how push services reach the hub's operator (the VAPID `sub` claim), like "
                         "\"mailto:ops@example.org\"; unset: PUBLIC_URL; neither: phones are not woken by Web Push",
                         Rule(what='a "mailto:" or "https:" address', valid=lambda value: value.startswith(
                             ("mailto:", "https://")) and len(value) > 8)),
    "PUSH_SERVICES": Key(str, "fcm.googleapis.com,push.services.mozilla.com,push.apple.com,notify.windows.com",
                         "comma-separated hosts (each with its subdomains) of the push services a phone's "
                         "subscription may name; the hub pushes to nothing else"),
    "PUSH_TTL_S": Key(int, 43200, "seconds a push service keeps a wake-up push for a phone that is off (a reminder: "
                      "at most until the appointment starts)", _POSITIVE),
    "PUSH_POLL_S": Key(float, 2.0, "seconds between `hub run`'s looks at what waits to be pushed (a change made by "
                       "this process is pushed at once; one made by another hub within this)", Rule(above=0)),
    "PUSH_INSECURE_LOOPBACK": Key(bool, False, "for tests and development only: also accept push endpoints at "
                                  "http://127.0.0.1:PORT (a local push service); never on a real hub"),
}


class HubConfigError(SettingsError):
    """The hub cannot start as configured. The message names the file or variable and the key, or says what to do."""


def default_instance() -> str:
    return os.environ.get(INSTANCE_ENV, DEFAULT_INSTANCE)


def load(config, instance_path: str, test_config: dict | None = None, environ=None) -> None:
    """Fill a Flask config: defaults, then (without test_config) hub.toml and the environment, each value checked
    by its key's type and rule (wire.settings); a bad one raises HubConfigError naming the file or variable."""
    environ = os.environ if environ is None else environ
    for name, key in KEYS.items():
        config[name] = key.default
    if test_config is None:
        config.update(_read_file(Path(instance_path) / CONFIG_FILE))
        config.update(_read_env(environ))
    else:
        _check_test_config(test_config)
        config.update(test_config)
    _resolve(config, instance_path)


def _read_file(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise HubConfigError(f"{path} is not valid TOML ({exc}): fix the file or run "
                             "`throughgate hub init` on a new instance") from None
    values, problems = settings.check(KEYS, data, nest="[{}] ")
    if problems:
        raise HubConfigError(str(path), problems)
    return {name: value for name, value in values.items() if name in data}


def _read_env(environ) -> dict:
    values = {"DATABASE_URL": environ["DATABASE_URL"]} if environ.get("DATABASE_URL") else {}
    found, problems = settings.check_text(KEYS, environ, ENV_PREFIX, also_known=(INSTANCE_ENV, LRS_PASSWORD_ENV))
    if problems:
        raise HubConfigError("environment", problems)
    return values | found


def _check_test_config(test_config: dict) -> None:
    """create_app(test_config): the settings it names are checked as hub.toml's are (None: unset)."""
    given = {name: value for name, value in test_config.items() if name in KEYS and value is not None}
    problems = settings.check({name: KEYS[name] for name in given}, given)[1]
    if problems:
        raise HubConfigError("test_config", problems)


def _resolve(config, instance_path: str) -> None:
    instance = Path(instance_path)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{(instance / 'hub.db').absolute()}"
    for key in ("SEALING_KEY_FILE", "SIGNING_KEY_FILE", "ATTACHMENTS_DIR", "METRICS_TOKEN_FILE", "JITSI_SECRET_FILE",
                "VAPID_KEY_FILE", "ATTACHMENTS_KEY_FILE"):
        config[key] = str(instance / config[key]) if config[key] else None
    config["COURSE_BLOB_DIR"] = str(instance / (config["COURSE_BLOB_DIR"] or KEYS["COURSE_BLOB_DIR"].default))
    config["EDGE_DNS_SUFFIX"] = config["EDGE_DNS_SUFFIX"].strip().strip(".").lower()
    config["PUBLIC_URL"] = config.get("PUBLIC_URL") or None  # no guessed default: a wrong one misled edges


def tls_names(config) -> list[str]:
    """TLS_NAMES as a list: the names the hub's HTTPS certificate is valid for."""
    return _names(str(config["TLS_NAMES"]))


def hub_names(config) -> list[str]:
    """The names the hub is reached by: TLS_NAMES and PUBLIC_URL's host. No edge's name may cover one."""
    host = urlsplit(str(config.get("PUBLIC_URL") or "")).hostname
    return list(dict.fromkeys([*tls_names(config), *([host] if host else [])]))


def _url_host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def write_file(instance_path: str, admin_token_sha256: str, tls_names: str = KEYS["TLS_NAMES"].default) -> Path:
    """The hub.toml `throughgate hub init` writes: only what differs from the defaults, plus hints."""
    path = Path(instance_path) / CONFIG_FILE
    lines = [
        "# Throughgate hub settings (see docs/hub.md). Environment variables THROUGHGATE_HUB_<KEY>",
        "# (and plain DATABASE_URL) override this file. Relative paths are in this directory.",
        f'ADMIN_TOKEN_SHA256 = "{admin_token_sha256}"',
        f'SEALING_KEY_FILE = "{KEYS["SEALING_KEY_FILE"].default}"',
        f'SIGNING_KEY_FILE = "{KEYS["SIGNING_KEY_FILE"].default}"',
        f"MAX_BATCH_BYTES = {KEYS['MAX_BATCH_BYTES'].default}",
        f"TLS_NAMES = {json.dumps(tls_names)}",
        '# PUBLIC_URL = "https://hub.example.org:8080"   (what edges are told to use)',
        '# DATABASE_URL = "postgresql://hub@db.example/throughgate"   (default: sqlite file hub.db here)',
        "",
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines))
    return path
