"""The edge's configuration: one TOML file in the instance folder, written by `throughgate edge init`."""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path

CONFIG_NAME = "edge.toml"


class ConfigError(ValueError):
    pass


@dataclass
class BrokerConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str = "edge_relay"  # not a valid device id, so no tablet can take it
    dev: bool = True  # run Mosquitto as a child from a generated config (development and demo)
    max_inflight_messages: int = 100
    max_queued_messages: int = 100_000


@dataclass
class TabletsConfig:
    """The tablet-facing side: the broker's TLS listener, the enrolment API, certificates, CRL."""

    mqtt_host: str = "127.0.0.1"  # production: the edge's address on the tablet network
    mqtt_port: int = 8883
    api_host: str = "127.0.0.1"
    api_port: int = 8443
    cert_days: int = 30  # tablet certificates; the tablet renews at 2/3 of this
    code_ttl_s: int = 900  # how long an enrolment code works
    crl_days: float = 14.0  # a CRL's life (nextUpdate); it is re-issued daily and on each revocation
    crl_alarm_days: float = 3.0  # alarm when the CRL has less than this left (re-issue has been failing)
    advertise_on: str = ""  # comma-separated addresses to announce the edge on with zeroconf; "" = off


@dataclass
class RelayConfig:
    batch_max: int = 500  # most records in one commit
    batch_wait_ms: float = 2.0  # how long to wait for more once the queue is empty
    quota_retry_s: float = 30.0  # what a tablet is told to wait when the outbox is full


@dataclass
class UplinkConfig:
    hub_url: str = "https://127.0.0.1:8080"
    batch_records: int = 500  # cut a batch at this many records...
    batch_age_s: float = 5.0  # ...or when the oldest unsealed record is this old
    interval_s: float = 1.0
    backoff_base_s: float = 1.0
    backoff_max_s: float = 300.0
    max_bytes_per_s: int = 0  # 0: no bandwidth cap
    fair_every: int = 4  # every Nth send takes the oldest batch whatever its priority
    timeout_s: float = 30.0
    max_clock_skew_s: float = 300.0  # alarm when the hub's clock (HTTP Date) differs by more
    identity_check_s: float = 3600.0  # how often to check certificates for renewal and fetch the hub's keys


@dataclass
class ConsoleConfig:
    """The staff console (edge/console, `throughgate edge console`): HTTPS on the edge's server certificate."""

    host: str = "127.0.0.1"  # production: the edge's address on the education department's network
    port: int = 8444
    session_hours: float = 8.0  # a login lasts this long
    login_failures: int = 5  # failed logins per address, and per account, within login_window_s...
    login_window_s: float = 900.0  # ...before further attempts are refused until the window passes
    rewards_every_s: float = 60.0  # how often reward rules are checked against new records
    keep_days: float = 365.0  # the tutors' copy of learning records is deleted after this (open submissions stay)
    time_zone: str = "UTC"  # the zone staff read times in (IANA name, e.g. Europe/London)


@dataclass
class CoursesConfig:
    """The course cache (edge/courses): synced from the hub, served to tablets."""

    sync_interval_s: float = 900.0  # how often the edge asks the hub for new course versions
    cache_dir: str = ""  # verified course files by sha256; "" = <instance>/courses
    accel_port: int = 0  # >0: the course routes for nginx in front, on 127.0.0.1:<port> (docs/bench.md); 0 = off


@dataclass
class AttachmentsConfig:
    """Attachments tablets upload in chunks (edge/attachments/api.py); the limits are sent to tablets up front."""

    max_bytes: int = 64 * 1024 * 1024  # the largest attachment
    chunk_bytes: int = 1024 * 1024  # every chunk but the last is exactly this long
    types: str = ("image/jpeg,image/png,image/webp,audio/mpeg,audio/mp4,audio/ogg,audio/webm,audio/wav,"
                  "application/pdf")  # comma-separated media types a tablet may upload
    max_open: int = 20  # uploads one tablet may have at once unfinished, or finished but named by no submission
    missing_retry_s: float = 60.0  # retry_after for a submission whose attachment is still uploading
    abandon_days: float = 7.0  # an upload with no new chunk for this long is discarded
    store_dir: str = ""  # where attachments are kept; "" = <instance>/attachments

    @property
    def allowed_types(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.types.split(",") if t.strip())


@dataclass
class EdgeConfig:
    instance: Path
    edge_id: str
    quota_bytes: int = 256 * 1024 * 1024
    retention_days: float = 30.0  # how long ids of delivered records are kept to recognise resends
    tls_name: str = ""  # the DNS name tablets check on the edge's certificate; "" = <edge_id>.throughgate.internal
    broker: BrokerConfig = field(default_factory=BrokerConfig)
    tablets: TabletsConfig = field(default_factory=TabletsConfig)
    relay: RelayConfig = field(default_factory=RelayConfig)
    uplink: UplinkConfig = field(default_factory=UplinkConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    courses: CoursesConfig = field(default_factory=CoursesConfig)
    attachments: AttachmentsConfig = field(default_factory=AttachmentsConfig)

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


def _section(cls, values: dict, name: str):
    known = {f.name for f in fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"[{name}] has unknown key(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(known))}")
    try:
        return cls(**values)
    except TypeError as exc:
        raise ConfigError(f"[{name}]: {exc}") from None


def _console(values: dict) -> ConsoleConfig:
    console = _section(ConsoleConfig, values, "console")
    try:
        zoneinfo.ZoneInfo(console.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"[console] time_zone {console.time_zone!r} is not a time zone: an IANA name such as "
                          "Europe/London or UTC") from None
    return console


def load(instance: str | Path) -> EdgeConfig:
    instance = Path(instance)
    path = instance / CONFIG_NAME
    if not path.exists():
        raise ConfigError(f"no edge instance at {instance}: run `throughgate edge init --instance {instance}` first")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    top = {k: v for k, v in data.items() if not isinstance(v, dict)}
    if "edge_id" not in top:
        raise ConfigError(f"{path}: edge_id is missing")
    unknown = set(top) - {"edge_id", "quota_bytes", "retention_days", "tls_name"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    return EdgeConfig(
        instance=instance,
        edge_id=top["edge_id"],
        quota_bytes=int(top.get("quota_bytes", EdgeConfig.quota_bytes)),
        retention_days=float(top.get("retention_days", EdgeConfig.retention_days)),
        tls_name=str(top.get("tls_name", "")),
        broker=_section(BrokerConfig, data.get("broker", {}), "broker"),
        tablets=_section(TabletsConfig, data.get("tablets", {}), "tablets"),
        relay=_section(RelayConfig, data.get("relay", {}), "relay"),
        uplink=_section(UplinkConfig, data.get("uplink", {}), "uplink"),
        console=_console(data.get("console", {})),
        courses=_section(CoursesConfig, data.get("courses", {}), "courses"),
        attachments=_section(AttachmentsConfig, data.get("attachments", {}), "attachments"),
    )


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
    for name in ("broker", "tablets", "relay", "uplink", "console", "courses", "attachments"):
        lines.append(f"\n[{name}]")
        section = getattr(config, name)
        lines += [f"{f.name} = {_toml_value(getattr(section, f.name))}" for f in fields(section)]
    return "\n".join(lines) + "\n"
