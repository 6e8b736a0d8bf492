"""The edge's configuration: one TOML file in the instance folder, written by `throughgate edge init`."""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from wire import settings
from wire.records import valid_dns_label
from wire.settings import PORT, setting

CONFIG_NAME = "edge.toml"


class ConfigError(settings.SettingsError):
    """The edge cannot run as configured: the message names the file and each key, or says what to do."""


def valid_time_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


TIME_ZONE = {"what": 'an IANA time zone name such as "Europe/London" or "UTC"', "valid": valid_time_zone}
EDGE_ID = {"what": "an edge id: one DNS label (lower-case letters, digits and '-', not first or last, at most 63 "
                   "characters)", "valid": valid_dns_label}


def https_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme == "https" and bool(parts.hostname)
    except ValueError:
        return False


HUB_URL = {"what": 'the hub\'s https:// URL, like "https://hub.example.org:8080"', "valid": https_url}


@dataclass
class BrokerConfig:
    host: str = "127.0.0.1"
    port: int = setting(1883, **PORT)
    username: str = "edge_relay"  # not a valid device id, so no tablet can take it
    dev: bool = True  # run Mosquitto as a child from a generated config (development and demo)
    max_inflight_messages: int = setting(100, at_least=0)  # 0: no limit
    max_queued_messages: int = setting(100_000, at_least=0)  # 0: no limit
    max_queued_bytes: int = setting(64 * 1024 * 1024, at_least=0)  # per client, as max_queued_messages; 0: no limit
    # alarm when Mosquitto's persistence file (broker/data/mosquitto.db), reloaded at every start, grows past this
    store_alarm_bytes: int = setting(32 * 1024 * 1024, at_least=1)


@dataclass
class TabletsConfig:
    """The tablet-facing side: the broker's TLS listener, the enrolment API, certificates, CRL."""

    mqtt_host: str = "127.0.0.1"  # production: the edge's address on the tablet network
    mqtt_port: int = setting(8883, **PORT)
    api_host: str = "127.0.0.1"
    api_port: int = setting(8443, **PORT)
    cert_days: int = setting(30, at_least=1)  # tablet certificates; the tablet renews at 2/3 of this
    code_ttl_s: int = setting(900, at_least=1)  # how long an enrolment code works
    crl_days: float = setting(14.0, above=0)  # a CRL's life (nextUpdate); it is re-issued daily and on each revocation
    # alarm when the CRL has less than this left (re-issue has been failing)
    crl_alarm_days: float = setting(3.0, at_least=0)
    advertise_on: str = ""  # comma-separated addresses to announce the edge on with zeroconf; "" = off


@dataclass
class RelayConfig:
    batch_max: int = setting(500, at_least=1)  # most records in one commit
    batch_wait_ms: float = setting(2.0, at_least=0)  # how long to wait for more once the queue is empty
    quota_retry_s: float = setting(30.0, above=0)  # what a tablet is told to wait when the outbox is full
    # down messages (feedback, awards): a tablet's "listening" makes due again only what it was not sent in this long
    down_listen_quiet_s: float = setting(30.0, at_least=0)
    down_give_up_days: float = setting(30.0, above=0)  # stop sending one the tablet has not confirmed after this long


@dataclass
class UplinkConfig:
    hub_url: str = setting("https://127.0.0.1:8080", **HUB_URL)
    batch_records: int = setting(500, at_least=1, at_most=10_000)  # cut a batch at this many records...
    batch_age_s: float = setting(5.0, at_least=0)  # ...or when the oldest unsealed record is this old
    interval_s: float = setting(1.0, above=0)
    backoff_base_s: float = setting(1.0, above=0)
    backoff_max_s: float = setting(300.0, above=0)
    max_bytes_per_s: int = setting(0, at_least=0)  # 0: no bandwidth cap
    fair_every: int = setting(4, at_least=0)  # every Nth send takes the oldest batch whatever its priority; 0: never
    timeout_s: float = setting(30.0, above=0)
    max_clock_skew_s: float = setting(300.0, above=0)  # alarm when the hub's clock (HTTP Date) differs by more
    # how often to check certificates for renewal and fetch the hub's keys
    identity_check_s: float = setting(3600.0, above=0)
    report_interval_s: float = setting(300.0, above=0)  # how often the edge sends the hub its status report


@dataclass
class ConsoleConfig:
    """The staff console (edge/console, `throughgate edge console`): HTTPS on the edge's server certificate."""

    host: str = "127.0.0.1"  # production: the edge's address on the education department's network
    port: int = setting(8444, **PORT)
    session_hours: float = setting(8.0, above=0)  # a login lasts this long
    login_failures: int = setting(5, at_least=1)  # failed logins per address, and per account, within login_window_s...
    login_window_s: float = setting(900.0, above=0)  # ...before further attempts are refused until the window passes
    rewards_every_s: float = setting(60.0, above=0)  # how often reward rules are checked against new records
    # the tutors' copy of learning records is deleted after this (open submissions stay)
    keep_days: float = setting(365.0, above=0)
    time_zone: str = setting("UTC", **TIME_ZONE)  # the zone staff read times in (IANA name, e.g. Europe/London)


@dataclass
class MetricsConfig:
    """Prometheus metrics (edge/metrics.py): GET /metrics over HTTPS, served by `edge run`, bearer token in
    <instance>/metrics.token."""

    host: str = ""  # "" = the console's host (on a box, its address on the management network)
    port: int = setting(0, at_least=0, at_most=65535)  # 0: no metrics served


@dataclass
class CoursesConfig:
    """The course cache (edge/courses): synced from the hub, served to tablets."""

    sync_interval_s: float = setting(900.0, above=0)  # how often the edge asks the hub for new course versions
    cache_dir: str = ""  # verified course files by sha256; "" = <instance>/courses
    # the content origin (edge/courses/content_origin.py): course files on a port of their own, no client certificate
    content_host: str = ""  # "" = tablets.api_host
    content_port: int = setting(8445, **PORT)


@dataclass
class AttachmentsConfig:
    """Attachments tablets upload in chunks (edge/attachments/api.py); the limits are sent to tablets up front."""

    max_bytes: int = setting(64 * 1024 * 1024, at_least=1)  # the largest attachment
    chunk_bytes: int = setting(1024 * 1024, at_least=1)  # every chunk but the last is exactly this long
    types: str = ("image/jpeg,image/png,image/webp,audio/mpeg,audio/mp4,audio/ogg,audio/webm,audio/wav,"
                  "application/pdf")  # comma-separated media types a tablet may upload
    # uploads one tablet may have at once unfinished, or finished but named by no submission
    max_open: int = setting(20, at_least=1)
    missing_retry_s: float = setting(60.0, above=0)  # retry_after for a submission whose attachment is still uploading
    abandon_days: float = setting(7.0, above=0)  # an upload with no new chunk for this long is discarded
    store_dir: str = ""  # where attachments are kept; "" = <instance>/attachments

    @property
    def allowed_types(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.types.split(",") if t.strip())


@dataclass
class EdgeConfig:
    instance: Path
    edge_id: str = setting(**EDGE_ID)
    quota_bytes: int = setting(256 * 1024 * 1024, at_least=1)
    retention_days: float = setting(30.0, above=0)  # how long ids of delivered records are kept to recognise resends
    tls_name: str = ""  # the DNS name tablets check on the edge's certificate; "" = <edge_id>.throughgate.internal
    broker: BrokerConfig = field(default_factory=BrokerConfig)
    tablets: TabletsConfig = field(default_factory=TabletsConfig)
    relay: RelayConfig = field(default_factory=RelayConfig)
    uplink: UplinkConfig = field(default_factory=UplinkConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    courses: CoursesConfig = field(default_factory=CoursesConfig)
    attachments: AttachmentsConfig = field(default_factory=AttachmentsConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)

    # Files in the instance folder
    @property
    def db_path(self) -> Path:
        return self.instance / "edge.db"

    @property
    def server_name(self) -> str:
        return self.tls_name or f"{self.edge_id}.throughgate.internal"

    @property
    def signing_key_path(self) -> Path:
        return self.instance / "edge-signing.key"

    @property
    def verify_key_path(self) -> Path:
        return self.instance / "edge-signing.pub.pem"

    @property
    def hub_keys_path(self) -> Path:
        return self.instance / "hub-public.json"

    @property
    def relay_secret_path(self) -> Path:
        return self.instance / "relay.secret"

    @property
    def ready_path(self) -> Path:
        """Exists, holding the edge's pid, while the relay is subscribed and the uplink scheduled."""
        return self.instance / "edge.ready"

    @property
    def courses_dir(self) -> Path:
        return Path(self.courses.cache_dir) if self.courses.cache_dir else self.instance / "courses"

    @property
    def attachments_dir(self) -> Path:
        return Path(self.attachments.store_dir) if self.attachments.store_dir else self.instance / "attachments"

    @property
    def broker_dir(self) -> Path:
        return self.instance / "broker"


def load(instance: str | Path) -> EdgeConfig:
    """The edge's settings from `<instance>/edge.toml`, every key checked; raises ConfigError naming each problem."""
    instance = Path(instance)
    path = instance / CONFIG_NAME
    if not path.exists():
        raise ConfigError(f"no edge instance at {instance}: run `throughgate edge init --instance {instance}` first")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from None
    problems = _retired(data)
    values, found = settings.check(settings.keys_of(EdgeConfig, skip=("instance",)), data, nest="[{}] ")
    problems += found
    if problems:
        raise ConfigError(str(path), problems)
    return settings.build(EdgeConfig, values, instance=instance)


# Keys earlier releases wrote that mean nothing now: (table, key): (the value that asked for nothing, why).
# That value is passed over, so files written before still load; any other is refused.
RETIRED = {("courses", "accel_port"): (0, "nginx in front of the course routes is a bench/ option now (docs/bench.md)")}


def _retired(data: dict) -> list[str]:
    problems = []
    for (table, key), (harmless, why) in RETIRED.items():
        section = data.get(table)
        if isinstance(section, dict) and key in section:
            value = section.pop(key)
            if value != harmless:
                problems.append(f"[{table}] {key}: no longer an edge setting ({why}): remove it; found "
                                f"{settings.found(value)}")
    return problems


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump(config: EdgeConfig) -> str:
    lines = ["# Throughgate edge. Every key: docs/edge.md", f"edge_id = {_toml_value(config.edge_id)}",
             f"quota_bytes = {config.quota_bytes}", f"retention_days = {config.retention_days!r}",
             f"tls_name = {_toml_value(config.tls_name)}"]
    for name in ("broker", "tablets", "relay", "uplink", "console", "courses", "attachments", "metrics"):
        lines.append(f"\n[{name}]")
        section = getattr(config, name)
        lines += [f"{f.name} = {_toml_value(getattr(section, f.name))}" for f in fields(section)]
    return "\n".join(lines) + "\n"
