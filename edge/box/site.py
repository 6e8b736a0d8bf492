"""The site file: one prison's box, in TOML (firmware-config/README.md documents every field).

load() parses, validate() checks every rule at once; each problem names its field, e.g.
`wifi.channel: 14 is not allowed in country GB`. Each field's type, range and form are checked by
wire.settings, as for edge.toml and the hub's settings; the rules between fields are the named checks
below. Pure: no I/O but reading the file in load().
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from edge.config import HUB_URL, TIME_ZONE
from wire import settings
from wire.records import valid_dns_label
from wire.settings import PORT, Key, Rule, setting

INSTANCE = Path("/var/lib/throughgate/edge")  # the edge's instance folder on the box
INTERFACE = re.compile(r"[A-Za-z0-9_.-]{1,15}")  # a Linux interface name (IFNAMSIZ - 1)
SSID_MAX_BYTES = 32
MIN_QUOTA_BYTES = 16 * 1024 * 1024  # the outbox: less fills within minutes offline

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


class SiteError(settings.SettingsError):
    """The site file is not valid; `problems` lists every one, each naming its field."""


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _private_network(text: str) -> bool:
    try:
        return ipaddress.IPv4Network(text, strict=True).is_private
    except ValueError:
        return False


def _ssid(text: str) -> bool:
    return 1 <= len(text.encode()) <= SSID_MAX_BYTES and not any(ch in text for ch in "\n\r\0")


IFACE = {"what": "an interface name (1-15 of letters, digits, '.', '_', '-')", "valid": INTERFACE.fullmatch}
NETWORK = {"what": 'a private IPv4 network in CIDR form, like "10.8.0.0/24"', "valid": _private_network}
ADDRESS = {"what": 'an IPv4 address, like "10.8.0.1"', "valid": _ipv4}
ADDRESSES = {"what": 'a list of IPv4 addresses, like ["203.0.113.10"]', "valid": lambda v: all(map(_ipv4, v))}


@dataclass(frozen=True)
class TabletNet:
    interface: str = setting(**IFACE)
    cidr: str = setting(**NETWORK)
    address: str = setting(**ADDRESS)  # the edge's address on it: MQTT-TLS, HTTPS, DNS, DHCP
    dhcp_range: tuple[str, str] = setting(what='[first, last], two IPv4 addresses, like ["10.8.0.10", "10.8.0.250"]',
                                          valid=lambda v: all(map(_ipv4, v)))
    lease: str = setting("12h", what='a lease time like "12h", "45m" or "1d"', valid=re.compile(r"\d+[mhd]?").fullmatch)


@dataclass(frozen=True)
class ManagementNet:
    interface: str = setting(**IFACE)
    cidr: str = setting(**NETWORK)


@dataclass(frozen=True)
class Uplink:
    interface: str = setting(**IFACE)
    hub_addresses: tuple[str, ...] = setting(**ADDRESSES)  # what the firewall lets the edge reach: the hub only
    hub_port: int = setting(443, **PORT)
    dns_servers: tuple[str, ...] = setting((), **ADDRESSES)  # the box's own resolvers (to find the hub); none = no DNS
    ntp_servers: tuple[str, ...] = setting((), **ADDRESSES)


@dataclass(frozen=True)
class Wifi:
    ssid: str = setting(what=f"a network name of 1-{SSID_MAX_BYTES} bytes, without line breaks or NUL", valid=_ssid)
    country: str = setting(what=f"a country this knows the Wi-Fi channels of ({', '.join(sorted(CHANNELS))})",
                           valid=CHANNELS.__contains__)
    channel: int = setting(at_least=1)
    mode: str = setting(choices=WIFI_MODES)  # "ap": hostapd drives a radio on the box; "radius": access points ask us
    interface: str = setting("", **IFACE)  # ap: the radio
    radius_clients: tuple[str, ...] = setting((), **ADDRESSES)  # radius: the access points' addresses


@dataclass(frozen=True)
class Enrolment:
    api_port: int = setting(8443, **PORT)
    mqtt_port: int = setting(8883, **PORT)
    content_port: int = setting(8445, **PORT)  # the SCORM player's course files (the edge's content origin)


@dataclass(frozen=True)
class Console:
    # the edge's address on the management network; "" = loopback only (ssh -L)
    address: str = setting("", what='an IPv4 address, like "192.168.50.10", or "" (loopback only)',
                           valid=lambda v: v == "" or _ipv4(v))
    port: int = setting(8444, **PORT)
    time_zone: str = setting("UTC", **TIME_ZONE)  # the zone staff read times in
    metrics_port: int = setting(9464, **PORT)  # `edge run`'s Prometheus metrics, on the same address (token needed)


@dataclass(frozen=True)
class Limits:
    quota_bytes: int = setting(256 * 1024 * 1024, valid=lambda v: v >= MIN_QUOTA_BYTES,
                               what="a whole number of bytes, at least 16 MiB (less fills within minutes offline)")
    memory_max: str = setting("512M", what='a systemd size like "512M" or "1G"',
                              valid=re.compile(r"\d+[KMGT]?").fullmatch)
    broker_memory_max: str = setting("256M", what='a systemd size like "256M" or "1G"',
                                     valid=re.compile(r"\d+[KMGT]?").fullmatch)
    cpu_quota: str = setting("50%", what='a systemd CPU quota like "50%" or "200%"',
                             valid=re.compile(r"[1-9]\d*%").fullmatch)


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
REQUIRED_SECTIONS = ("tablet", "management", "uplink", "wifi")
DEFAULT_DNS_SUFFIX = "throughgate.internal"  # the hub's default EDGE_DNS_SUFFIX
KEYS = {
    "site_id": Key(str, rule=Rule(what="the edge id: one DNS label (lower-case letters, digits and '-', not first or "
                                       "last, at most 63 characters)", valid=valid_dns_label)),
    "hub_url": Key(str, rule=Rule(**HUB_URL)),
    "edge_name": Key(str, ""),
    **{name: Key(cls) if name in REQUIRED_SECTIONS else Key(cls, cls()) for name, cls in SECTIONS.items()},
}
_ORDER = [name for name in KEYS if name not in SECTIONS]  # problems are listed in the order of the fields
_ORDER += [name for section, cls in SECTIONS.items() for name in (section, *(f"{section}.{key}"
                                                                             for key in settings.keys_of(cls)))]


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
    values, problems = _checked(data)
    if problems:
        raise SiteError(source, problems)
    sections = {name: settings.build(cls, values[name]) for name, cls in SECTIONS.items()}
    return Site(site_id=values["site_id"], hub_url=values["hub_url"], edge_name_=values["edge_name"], **sections)


def validate(data: dict) -> list[str]:
    """Every problem with a site (as parsed TOML), each naming its field, in the order of the fields. [] when valid."""
    return _checked(data)[1]


def _checked(data: dict) -> tuple[dict, list[str]]:
    values, problems = settings.check(KEYS, data, nest="{}.")
    fields = _Fields(values, data)
    for rule in RULES:
        rule(fields)
    problems += fields.problems
    return values, sorted(problems, key=_rank)


def _rank(problem: str) -> int:
    name = problem.split(":", 1)[0]
    for known in (name, name.partition(".")[0]):  # an unknown field goes with its section
        if known in _ORDER:
            return _ORDER.index(known)
    return len(_ORDER)


# rules between fields (pure) ------------------------------------------------------------------
class _Fields:
    """The fields that passed their own checks (`get` gives None for any other), and the problems found."""

    def __init__(self, values: dict, data: dict):
        self.values, self.data, self.problems = values, data, []

    def get(self, name: str):
        section, _, key = name.rpartition(".")
        holder = self.values.get(section) if section else self.values
        return None if holder is None else holder.get(key)

    def given(self, name: str) -> bool:
        """Whether the file itself holds the field (not only its default)."""
        section, _, key = name.partition(".")
        holder = self.data.get(section)
        return isinstance(holder, dict) and key in holder

    def network(self, name: str):
        text = self.get(name)
        return ipaddress.IPv4Network(text) if text else None

    def address(self, name: str):
        text = self.get(name)
        return ipaddress.IPv4Address(text) if text else None

    def fail(self, name: str, message: str) -> None:
        self.problems.append(f"{name}: {message}")


def _edge_name(f: _Fields) -> None:
    site_id, edge_name = f.get("site_id"), f.get("edge_name")
    if not edge_name or site_id is None:
        return
    labels = edge_name.split(".")
    if labels[0] != site_id or len(labels) < 2 or not all(valid_dns_label(label) for label in labels):
        f.fail("edge_name", f"{edge_name!r} must be {site_id}.<the hub's EDGE_DNS_SUFFIX>, lower-case DNS labels "
                            "(the hub names each edge so)")


def _edge_address(f: _Fields) -> None:
    tablet, edge = f.network("tablet.cidr"), f.address("tablet.address")
    if tablet is None or edge is None:
        return
    if edge not in tablet:
        f.fail("tablet.address", f"{edge} is outside tablet.cidr {tablet}")
    elif edge in (tablet.network_address, tablet.broadcast_address):
        f.fail("tablet.address", f"{edge} is the network's own or broadcast address")


def _dhcp_range(f: _Fields) -> None:
    tablet, edge, dhcp = f.network("tablet.cidr"), f.address("tablet.address"), f.get("tablet.dhcp_range")
    if dhcp is None:
        return
    first, last = (ipaddress.IPv4Address(a) for a in dhcp)
    outside = [a for a in (first, last) if tablet is not None and a not in tablet]
    if outside:
        f.fail("tablet.dhcp_range", f"{outside[0]} is outside tablet.cidr {tablet}")
    elif first > last:
        f.fail("tablet.dhcp_range", f"{first} comes after {last}")
    elif edge is not None and first <= edge <= last:
        f.fail("tablet.dhcp_range", f"holds the edge's own address {edge} (tablet.address)")


def _networks_apart(f: _Fields) -> None:
    tablet, mgmt = f.network("tablet.cidr"), f.network("management.cidr")
    if tablet is not None and mgmt is not None and tablet.overlaps(mgmt):
        f.fail("management.cidr", f"{mgmt} overlaps tablet.cidr {tablet}")


def _hub_addresses(f: _Fields) -> None:
    hubs, tablet = f.get("uplink.hub_addresses"), f.network("tablet.cidr")
    if hubs == ():
        f.fail("uplink.hub_addresses", "at least one address: the firewall lets the edge reach the hub only")
    for addr in map(ipaddress.IPv4Address, hubs or ()):
        if tablet is not None and addr in tablet:
            f.fail("uplink.hub_addresses", f"{addr} is inside tablet.cidr {tablet}")


def _wifi_channel(f: _Fields) -> None:
    country, channel = f.get("wifi.country"), f.get("wifi.channel")
    if country is not None and channel is not None and channel not in CHANNELS[country]:
        f.fail("wifi.channel", f"{channel} is not allowed in country {country}")


def _wifi_ap(f: _Fields) -> None:
    if f.get("wifi.mode") != "ap":
        return
    radio = f.get("wifi.interface")
    if not f.given("wifi.interface"):
        f.fail("wifi.interface", "missing: the radio hostapd drives (mode \"ap\")")
    for name in _INTERFACES:
        if radio and radio == f.get(name):
            f.fail("wifi.interface", f"{radio} is also {name}: the radio needs its own interface")
    if f.get("wifi.radius_clients"):
        f.fail("wifi.radius_clients", "only for mode \"radius\"")


def _wifi_radius(f: _Fields) -> None:
    if f.get("wifi.mode") != "radius":
        return
    clients = f.get("wifi.radius_clients")
    if not f.given("wifi.radius_clients"):
        f.fail("wifi.radius_clients", "missing: the access points' addresses (mode \"radius\")")
    elif clients == ():
        f.fail("wifi.radius_clients", "at least one access point's address")
    networks = [net for net in (f.network("tablet.cidr"), f.network("management.cidr")) if net is not None]
    for addr in map(ipaddress.IPv4Address, clients or ()):
        if not any(addr in net for net in networks):
            f.fail("wifi.radius_clients", f"{addr} is in neither tablet.cidr nor management.cidr")
    if f.get("wifi.interface"):
        f.fail("wifi.interface", "only for mode \"ap\" (the access points own the radios)")


_INTERFACES = ("tablet.interface", "management.interface", "uplink.interface")


def _interfaces_apart(f: _Fields) -> None:
    seen: dict[str, str] = {}
    for name in _INTERFACES:
        value = f.get(name)
        if value is not None and value in seen:
            f.fail(name, f"{value} is also {seen[value]}")
        elif value is not None:
            seen[value] = name


_RESERVED_PORTS = ((22, "SSH"), (53, "DNS"), (67, "DHCP"), (5353, "mDNS"), (1883, "the relay's broker"))


def _ports_apart(f: _Fields) -> None:
    api, mqtt, console = f.get("enrolment.api_port"), f.get("enrolment.mqtt_port"), f.get("console.port")
    if api is not None and api == mqtt:
        f.fail("enrolment.mqtt_port", f"{mqtt} is also enrolment.api_port")
    content = f.get("enrolment.content_port")
    if content is not None and content in (api, mqtt):
        f.fail("enrolment.content_port", f"{content} is also an enrolment port")
    if console is not None and console == content:
        f.fail("console.port", f"{console} is also enrolment.content_port")
    if console is not None and console in (api, mqtt):
        f.fail("console.port", f"{console} is also an enrolment port")
    metrics = f.get("console.metrics_port")
    if metrics is not None and metrics in (api, mqtt, content, console):
        also = "console.port" if metrics == console else "an enrolment port"
        f.fail("console.metrics_port", f"{metrics} is also {also}")
    for name in ("enrolment.api_port", "enrolment.mqtt_port", "enrolment.content_port", "console.port",
                 "console.metrics_port"):
        for port, word in _RESERVED_PORTS:
            if f.get(name) == port:
                f.fail(name, f"{port} is taken by {word}")


def _console_address(f: _Fields) -> None:
    address, mgmt = f.address("console.address"), f.network("management.cidr")
    if address is not None and mgmt is not None and address not in mgmt:
        f.fail("console.address", f"{address} is outside management.cidr {mgmt}")


RULES: tuple[Callable[[_Fields], None], ...] = (
    _edge_name, _edge_address, _dhcp_range, _networks_apart, _hub_addresses, _wifi_channel, _wifi_ap, _wifi_radius,
    _interfaces_apart, _ports_apart, _console_address)
