"""The site file: the example is valid, and each broken field is named in a clear error, all at once."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from edge.box import render, site
from throughgate.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "firmware-config" / "examples" / "site.toml"
DATA = tomllib.loads(EXAMPLE.read_text())


def broken(**changes) -> dict:
    data = copy.deepcopy(DATA)
    for dotted, value in changes.items():
        section, _, key = dotted.rpartition("__")
        holder = data[section] if section else data
        if value is None:
            holder.pop(key)
        else:
            holder[key] = value
    return data


def test_the_example_site_is_valid():
    assert site.validate(DATA) == []
    assert site.load(EXAMPLE).site_id == "hmp-example"


CASES = [
    (broken(site_id="HMP_Example"), "site_id: 'HMP_Example' is not one DNS label"),
    (broken(hub_url="http://hub.example.org"), "hub_url: 'http://hub.example.org' is not an https:// URL"),
    (broken(wifi__channel=14), "wifi.channel: 14 is not allowed in country GB"),
    (broken(wifi__country="XX"), "wifi.country: 'XX' is not a country"),
    (broken(wifi__mode="mesh"), "wifi.mode: 'mesh' is not one of ap, radius"),
    (broken(tablet__dhcp_range=["10.9.0.10", "10.8.0.200"]),
     "tablet.dhcp_range: 10.9.0.10 is outside tablet.cidr 10.8.0.0/24"),
    (broken(tablet__dhcp_range=["10.8.0.1", "10.8.0.200"]), "tablet.dhcp_range: holds the edge's own address"),
    (broken(tablet__address="10.9.0.1"), "tablet.address: 10.9.0.1 is outside tablet.cidr 10.8.0.0/24"),
    (broken(tablet__cidr="10.8.0.1/24"), "tablet.cidr: '10.8.0.1/24' is not an IPv4 network"),
    (broken(management__cidr="10.8.0.0/16"), "management.cidr: 10.8.0.0/16 overlaps tablet.cidr"),
    (broken(uplink__hub_addresses=[]), "uplink.hub_addresses: at least one address"),
    (broken(uplink__interface="enp3s0"), "uplink.interface: enp3s0 is also management.interface"),
    (broken(enrolment__mqtt_port=8443), "enrolment.mqtt_port: 8443 is also enrolment.api_port"),
    (broken(enrolment__api_port=70000), "enrolment.api_port: 70000 is not a port"),
    (broken(limits__memory_max="lots"), "limits.memory_max: 'lots' is not a systemd size"),
    (broken(limits__cpu_quota=50), "limits.cpu_quota: 50 is not a string"),
    (broken(wifi__interface=None), "wifi.interface: missing"),
    (broken(wifi__ssid="x" * 33), "wifi.ssid: "),
    (broken(colour="blue"), "colour: unknown field"),
    (broken(tablet__gateway="10.8.0.254"), "tablet.gateway: unknown field"),
]


@pytest.mark.parametrize(("data", "error"), CASES, ids=[c[1].split(":")[0] for c in CASES])
def test_a_broken_field_is_named_in_the_error(data, error):
    problems = site.validate(data)
    assert any(p.startswith(error) for p in problems), problems


def test_every_problem_is_reported_at_once():
    problems = site.validate(broken(site_id="Bad", wifi__channel=14, limits__memory_max="lots"))
    assert [p.split(":")[0] for p in problems] == ["site_id", "wifi.channel", "limits.memory_max"]


def test_render_refuses_a_broken_site_naming_each_field(tmp_path, capsys):
    path = tmp_path / "site.toml"
    path.write_text(EXAMPLE.read_text().replace("channel = 6", "channel = 14").replace('"hmp-example"', '"HMP"'))
    assert main(["box", "render", "--site", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "wifi.channel: 14 is not allowed in country GB" in err and "site_id: 'HMP'" in err
    assert not (tmp_path / "out").exists()


def test_radius_mode_needs_access_point_addresses_in_a_site_network():
    data = broken(wifi__mode="radius", wifi__interface=None)
    data["wifi"]["radius_clients"] = ["172.16.0.9"]
    assert "wifi.radius_clients: 172.16.0.9 is in neither tablet.cidr nor management.cidr" in site.validate(data)


def test_the_edge_unit_is_hardened_and_watched():
    unit = render.render(site.load(EXAMPLE), "site.toml")["systemd/throughgate-edge.service"]
    for line in ("Type=notify", "WatchdogSec=60", "Restart=on-failure", "User=throughgate", "NoNewPrivileges=yes",
                 "ProtectSystem=strict", "ReadWritePaths=/var/lib/throughgate/edge", "PrivateTmp=yes",
                 "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service", "MemoryMax=512M", "CPUQuota=50%"):
        assert line in unit


def test_mosquitto_serves_tablets_on_the_edge_address_and_the_relay_on_loopback():
    conf = render.render(site.load(EXAMPLE), "site.toml")["mosquitto.conf"]
    assert "listener 8883 10.8.0.1\n" in conf and "listener 1883 127.0.0.1\n" in conf
