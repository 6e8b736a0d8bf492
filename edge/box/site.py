"""The site file: one prison's box, in TOML (firmware-config/README.md documents every field).

load() parses, validate() checks every rule at once; each problem names its field, e.g.
`wifi.channel: 14 is not allowed in country GB`. Pure: no I/O but reading the file in load().
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from wire.records import valid_dns_label

INSTANCE = Path("/var/lib/throughgate/edge")  # the edge's instance folder on the box
INTERFACE = re.compile(r"[A-Za-z0-9_.-]{1,15}")  # a Linux interface name (IFNAMSIZ - 1)
SSID_MAX_BYTES = 32

# 2.4 GHz channels by regulatory domain; 5 GHz: UNII-1/2 (36-64) and 2e (100-140) everywhere here,
# 149-165 where allowed. Countries not listed are refused: add them with their rules, not a guess.
_EU_24 = set(range(1, 14))
_5_COMMON = {36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140}
_5_UPPER = {149, 153, 157, 161, 165}
CHANNELS = {
    **{cc: _EU_24 | _5_COMMON for cc in ("AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "NO", "PL",
                                          "PT", "SE")},
    "GB": _EU_24 | _5_COMMON | _5_UPPER,
    "US": set(range(1, 12)) | _5_COMMON | {144} | _5_UPPER,
    "CA": set(range(1, 12)) | _5_COMMON | {144} | _5_UPPER,
    "AU": _EU_24 | _5_COMMON | {144} | _5_UPPER,
    "NZ": _EU_24 | _5_COMMON | {144} | _5_UPPER,
    "JP": set(range(1, 15)) | _5_COMMON | {144},
}
WIFI_MODES = ("ap", "radius")


class SiteError(ValueError):
    """The site file is not valid; `problems` lists every one, each naming its field."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        super().__init__(f"{source}: {len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class TabletNet:
    interface: str
    cidr: str
    address: str  # the edge's address on it: MQTT-TLS, HTTPS, DNS, DHCP
    dhcp_range: tuple[str, str]
    lease: str = "12h"


@dataclass(frozen=True)
class ManagementNet:
    interface: str
    cidr: str


@dataclass(frozen=True)
class Uplink:
    interface: str
    hub_addresses: tuple[str, ...]  # what the firewall lets the edge reach: the hub only
    hub_port: int = 443
    dns_servers: tuple[str, ...] = ()  # the box's own resolvers (to find the hub); none = no DNS out
    ntp_servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wifi:
    ssid: str
    country: str
    channel: int
    mode: str  # "ap": hostapd drives a radio on the box; "radius": separate access points ask us
    interface: str = ""  # ap: the radio
    radius_clients: tuple[str, ...] = ()  # radius: the access points' addresses


@dataclass(frozen=True)
class Enrolment:
    api_port: int = 8443
    mqtt_port: int = 8883


@dataclass(frozen=True)
class Console:
    address: str = ""  # the edge's address on the management network; "" = loopback only (ssh -L)
    port: int = 8444
    time_zone: str = "UTC"  # the zone staff read times in


@dataclass(frozen=True)
class Limits:
    quota_bytes: int = 256 * 1024 * 1024
    memory_max: str = "512M"
    cpu_quota: str = "50%"


@dataclass(frozen=True)
class Site:
    site_id: str
    hub_url: str
    tablet: TabletNet
    management: ManagementNet
    uplink: Uplink
    wifi: Wifi
    enrolment: Enrolment = field(default_factory=Enrolment)
    limits: Limits = field(default_factory=Limits)
    console: Console = field(default_factory=Console)
    edge_name_: str = ""  # the site file's `edge_name`; "" = the hub's default for this site id

    @property
    def edge_name(self) -> str:
        """The name tablets check on the edge's certificate: the hub's `<site_id>.<EDGE_DNS_SUFFIX>`."""
        return self.edge_name_ or f"{self.site_id}.{DEFAULT_DNS_SUFFIX}"


SECTIONS = {"tablet": TabletNet, "management": ManagementNet, "uplink": Uplink, "wifi": Wifi,
            "enrolment": Enrolment, "limits": Limits, "console": Console}
TOP = {"site_id", "hub_url", "edge_name", *SECTIONS}
DEFAULT_DNS_SUFFIX = "throughgate.internal"  # the hub's default EDGE_DNS_SUFFIX


def load(path: str | Path) -> Site:
    """Read and validate a site file; raises SiteError listing every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(str(path), [f"cannot read it: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteError(str(path), [f"not valid TOML: {exc}"]) from None
    return parse(data, str(path))


def parse(data: dict, source: str = "site") -> Site:
    problems = validate(data)
    if problems:
        raise SiteError(source, problems)
    sections = {}
    for name, cls in SECTIONS.items():
        values = dict(data.get(name, {}))
        for key, value in values.items():
            if isinstance(value, list):
                values[key] = tuple(value)
        sections[name] = cls(**values)
    return Site(site_id=data["site_id"], hub_url=data["hub_url"], edge_name_=data.get("edge_name", ""), **sections)


# validation (pure) ----------------------------------------------------------------------------
class _Checker:
    def __init__(self, data: dict):
        self.data, self.problems = data, []

    def fail(self, name: str, message: str) -> None:
        self.problems.append(f"{name}: {message}")

    def get(self, name: str, kind, required: bool = True, default=None):
        """The value at `section.key`, if present and of the right type; else None (and a problem)."""
        section, _, key = name.rpartition(".")
        holder = self.data.get(section, {}) if section else self.data
        if not isinstance(holder, dict):
            return None
        if key not in holder:
            if required:
                self.fail(name, "missing")
            return default
        value = holder[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            self.fail(name, f"{value!r} is not {_KIND_WORDS.get(kind, kind.__name__)}")
            return None
        return value

    def network(self, name: str):
        text = self.get(name, str)
        if text is None:
            return None
        try:
            net = ipaddress.IPv4Network(text, strict=True)
        except ValueError as exc:
            self.fail(name, f"{text!r} is not an IPv4 network in CIDR form ({exc})")
            return None
        if not net.is_private:
            self.fail(name, f"{text} is not a private network")
        return net

    def address(self, name: str, value=None, inside=None, inside_name: str = ""):
        text = value if value is not None else self.get(name, str)
        if text is None:
            return None
        try:
            addr = ipaddress.IPv4Address(text)
        except ValueError:
            self.fail(name, f"{text!r} is not an IPv4 address")
            return None
        if inside is not None and addr not in inside:
            self.fail(name, f"{text} is outside {inside_name} {inside}")
        return addr

    def addresses(self, name: str, required: bool = True) -> list:
        values = self.get(name, list, required, default=[])
        if values is None:
            return []
        return [a for a in (self.address(name, v) if isinstance(v, str) else self._not_text(name, v)
                            for v in values) if a is not None]

    def _not_text(self, name: str, value) -> None:
        self.fail(name, f"{value!r} is not an IPv4 address")

    def interface(self, name: str, required: bool = True):
        text = self.get(name, str, required)
        if text is not None and not INTERFACE.fullmatch(text):
            self.fail(name, f"{text!r} is not an interface name (1-15 of letters, digits, '.', '_', '-')")
            return None
        return text

    def port(self, name: str, default: int):
        value = self.get(name, int, required=False, default=default)
        if value is not None and not 1 <= value <= 65535:
            self.fail(name, f"{value} is not a port (1-65535)")
        return value


_KIND_WORDS = {str: "a string", int: "a whole number", list: "a list", dict: "a table"}


def validate(data: dict) -> list[str]:
    """Every problem with a site (as parsed TOML), each naming its field. [] when it is valid."""
    c = _Checker(data)
    for key in sorted(set(data) - TOP):
        c.fail(key, f"unknown field; known: {', '.join(sorted(TOP))}")
    for section, cls in SECTIONS.items():
        value = data.get(section, {})
        if not isinstance(value, dict):
            c.fail(section, "must be a table")
            continue
        known = set(cls.__dataclass_fields__)
        for key in sorted(set(value) - known):
            c.fail(f"{section}.{key}", f"unknown field; known: {', '.join(sorted(known))}")
    for section in ("tablet", "management", "uplink", "wifi"):
        if section not in data:
            c.fail(section, "missing")

    site_id = c.get("site_id", str)
    if site_id is not None and not valid_dns_label(site_id):
        c.fail("site_id", f"{site_id!r} is not one DNS label (lower-case letters, digits and '-', not first or "
                          "last, at most 63 characters): it is the edge id")
    edge_name = c.get("edge_name", str, required=False)
    if edge_name is not None and site_id is not None:
        labels = edge_name.split(".")
        if labels[0] != site_id or len(labels) < 2 or not all(valid_dns_label(label) for label in labels):
            c.fail("edge_name", f"{edge_name!r} must be {site_id}.<the hub's EDGE_DNS_SUFFIX>, lower-case DNS labels "
                                "(the hub names each edge so)")
    hub_url = c.get("hub_url", str)
    if hub_url is not None:
        parts = urlsplit(hub_url)
        if parts.scheme != "https" or not parts.hostname:
            c.fail("hub_url", f"{hub_url!r} is not an https:// URL (the hub speaks mutual TLS only)")

    tablet_if = c.interface("tablet.interface")
    tablet = c.network("tablet.cidr")
    edge = c.address("tablet.address", inside=tablet, inside_name="tablet.cidr")
    if tablet is not None and edge is not None and edge in (tablet.network_address, tablet.broadcast_address):
        c.fail("tablet.address", f"{edge} is the network's own or broadcast address")
    dhcp = c.get("tablet.dhcp_range", list)
    if dhcp is not None:
        if len(dhcp) != 2 or not all(isinstance(v, str) for v in dhcp):
            c.fail("tablet.dhcp_range", "must be [first, last], two addresses")
        else:
            first, last = (c.address("tablet.dhcp_range", v, tablet, "tablet.cidr") for v in dhcp)
            if first is not None and last is not None:
                if first > last:
                    c.fail("tablet.dhcp_range", f"{first} comes after {last}")
                elif edge is not None and first <= edge <= last:
                    c.fail("tablet.dhcp_range", f"holds the edge's own address {edge} (tablet.address)")
    lease = c.get("tablet.lease", str, required=False)
    if lease is not None and not re.fullmatch(r"\d+[mhd]?", lease):
        c.fail("tablet.lease", f"{lease!r} is not a lease time like 12h, 45m or 1d")

    mgmt_if = c.interface("management.interface")
    mgmt = c.network("management.cidr")
    if tablet is not None and mgmt is not None and tablet.overlaps(mgmt):
        c.fail("management.cidr", f"{mgmt} overlaps tablet.cidr {tablet}")

    uplink_if = c.interface("uplink.interface")
    hubs = c.addresses("uplink.hub_addresses")
    if "uplink" in data and not hubs and c.get("uplink.hub_addresses", list, required=False) == []:
        c.fail("uplink.hub_addresses", "at least one address: the firewall lets the edge reach the hub only")
    c.port("uplink.hub_port", 443)
    for name in ("uplink.dns_servers", "uplink.ntp_servers"):
        c.addresses(name, required=False)
    for addr in hubs:
        if tablet is not None and addr in tablet:
            c.fail("uplink.hub_addresses", f"{addr} is inside tablet.cidr {tablet}")
    names = {"tablet.interface": tablet_if, "management.interface": mgmt_if, "uplink.interface": uplink_if}

    _validate_wifi(c, names, tablet, mgmt)

    api, mqtt = c.port("enrolment.api_port", 8443), c.port("enrolment.mqtt_port", 8883)
    if api is not None and api == mqtt:
        c.fail("enrolment.mqtt_port", f"{mqtt} is also enrolment.api_port")
    console = c.port("console.port", 8444)
    if console is not None and console in (api, mqtt):
        c.fail("console.port", f"{console} is also an enrolment port")
    zone = c.get("console.time_zone", str, required=False)
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            c.fail("console.time_zone", f"{zone!r} is not a time zone: an IANA name such as Europe/London")
    if c.get("console.address", str, required=False) is not None:
        c.address("console.address", inside=mgmt, inside_name="management.cidr")
    for port, word in ((22, "SSH"), (53, "DNS"), (67, "DHCP"), (5353, "mDNS"), (1883, "the relay's broker")):
        for name, value in (("enrolment.api_port", api), ("enrolment.mqtt_port", mqtt), ("console.port", console)):
            if value == port:
                c.fail(name, f"{port} is taken by {word}")

    quota = c.get("limits.quota_bytes", int, required=False)
    if quota is not None and quota < 16 * 1024 * 1024:
        c.fail("limits.quota_bytes", f"{quota} is below 16 MiB: the outbox would fill within minutes offline")
    memory = c.get("limits.memory_max", str, required=False)
    if memory is not None and not re.fullmatch(r"\d+[KMGT]?", memory):
        c.fail("limits.memory_max", f"{memory!r} is not a systemd size like 512M or 1G")
    cpu = c.get("limits.cpu_quota", str, required=False)
    if cpu is not None and not re.fullmatch(r"[1-9]\d*%", cpu):
        c.fail("limits.cpu_quota", f"{cpu!r} is not a systemd CPU quota like 50% or 200%")
    return c.problems


def _validate_wifi(c: _Checker, names: dict, tablet, mgmt) -> None:
    ssid = c.get("wifi.ssid", str)
    if ssid is not None and not 1 <= len(ssid.encode()) <= SSID_MAX_BYTES:
        c.fail("wifi.ssid", f"{ssid!r} must be 1-{SSID_MAX_BYTES} bytes")
    if ssid is not None and any(ch in ssid for ch in "\n\r\0"):
        c.fail("wifi.ssid", "must not hold line breaks or NUL")
    country = c.get("wifi.country", str)
    if country is not None and country not in CHANNELS:
        c.fail("wifi.country", f"{country!r} is not a country this knows the channels of "
                               f"({', '.join(sorted(CHANNELS))})")
        country = None
    channel = c.get("wifi.channel", int)
    if channel is not None and country is not None and channel not in CHANNELS[country]:
        c.fail("wifi.channel", f"{channel} is not allowed in country {country}")
    mode = c.get("wifi.mode", str)
    if mode is not None and mode not in WIFI_MODES:
        c.fail("wifi.mode", f"{mode!r} is not one of {', '.join(WIFI_MODES)}")
    if mode == "ap":
        radio = c.interface("wifi.interface")
        for name, value in names.items():
            if radio is not None and radio == value:
                c.fail("wifi.interface", f"{radio} is also {name}: the radio needs its own interface")
        if c.get("wifi.radius_clients", list, required=False):
            c.fail("wifi.radius_clients", "only for mode \"radius\"")
    elif mode == "radius":
        clients = c.addresses("wifi.radius_clients")
        if not clients and "radius_clients" in c.data.get("wifi", {}):
            c.fail("wifi.radius_clients", "at least one access point's address")
        for addr in clients:
            if not any(net is not None and addr in net for net in (tablet, mgmt)):
                c.fail("wifi.radius_clients", f"{addr} is in neither tablet.cidr nor management.cidr")
        if c.get("wifi.interface", str, required=False):
            c.fail("wifi.interface", "only for mode \"ap\" (the access points own the radios)")
    seen: dict[str, str] = {}
    for name, value in names.items():
        if value is not None and value in seen:
            c.fail(name, f"{value} is also {seen[value]}")
        elif value is not None:
            seen[value] = name
