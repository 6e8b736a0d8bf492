"""The site file: the example is valid, and each broken field is named in a clear error, all at once."""

from __future__ import annotations

import copy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from edge.box import apconf, render, site
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
    (broken(site_id="HMP_Example"), 'site_id: expected the edge id: one DNS label (lower-case letters, digits and '
                                    "'-', not first or last, at most 63 characters), found the string \"HMP_Example\""),
    (broken(hub_url="http://hub.example.org"), "hub_url: expected the hub's https:// URL"),
    (broken(wifi__channel=14), "wifi.channel: 14 is not allowed in country GB"),
    (broken(edge_name="other.prisons.example"), "edge_name: 'other.prisons.example' must be hmp-example.<the hub's"),
    (broken(edge_name="hmp-example"), "edge_name: 'hmp-example' must be hmp-example.<the hub's"),
    (broken(console__time_zone="Mars/Olympus"), 'console.time_zone: expected an IANA time zone name such as '
                                                '"Europe/London" or "UTC", found the string "Mars/Olympus"'),
    (broken(console__address="10.8.0.1"), "console.address: 10.8.0.1 is outside management.cidr"),
    (broken(wifi__country="XX"), "wifi.country: expected a country this knows the Wi-Fi channels of (AT, AU, "),
    (broken(wifi__mode="mesh"), 'wifi.mode: expected one of "ap", "radius", found the string "mesh"'),
    (broken(tablet__dhcp_range=["10.9.0.10", "10.8.0.200"]),
     "tablet.dhcp_range: 10.9.0.10 is outside tablet.cidr 10.8.0.0/24"),
    (broken(tablet__dhcp_range=["10.8.0.1", "10.8.0.200"]), "tablet.dhcp_range: holds the edge's own address"),
    (broken(tablet__address="10.9.0.1"), "tablet.address: 10.9.0.1 is outside tablet.cidr 10.8.0.0/24"),
    (broken(tablet__cidr="10.8.0.1/24"), 'tablet.cidr: expected a private IPv4 network in CIDR form, like '
                                         '"10.8.0.0/24", found the string "10.8.0.1/24"'),
    (broken(tablet__cidr="8.8.8.0/24"), "tablet.cidr: expected a private IPv4 network"),
    (broken(tablet__dhcp_range=["10.8.0.10"]), 'tablet.dhcp_range: expected [first, last], two IPv4 addresses'),
    (broken(management__cidr="10.8.0.0/16"), "management.cidr: 10.8.0.0/16 overlaps tablet.cidr"),
    (broken(uplink__hub_addresses=[]), "uplink.hub_addresses: at least one address"),
    (broken(uplink__interface="enp3s0"), "uplink.interface: enp3s0 is also management.interface"),
    (broken(enrolment__mqtt_port=8443), "enrolment.mqtt_port: 8443 is also enrolment.api_port"),
    (broken(console__metrics_port=8444), "console.metrics_port: 8444 is also console.port"),
    (broken(console__metrics_port=8883), "console.metrics_port: 8883 is also an enrolment port"),
    (broken(console__metrics_port=22), "console.metrics_port: 22 is taken by SSH"),
    (broken(enrolment__api_port=70000), "enrolment.api_port: expected a TCP port (1-65535), found 70000"),
    (broken(enrolment__api_port="8443"), 'enrolment.api_port: expected a TCP port (1-65535), found the string "8443"'),
    (broken(limits__memory_max="lots"), 'limits.memory_max: expected a systemd size like "512M" or "1G", found the '
                                        'string "lots"'),
    (broken(limits__cpu_quota=50), 'limits.cpu_quota: expected a systemd CPU quota like "50%" or "200%", found 50'),
    (broken(limits__quota_bytes=1024), "limits.quota_bytes: expected a whole number of bytes, at least 16 MiB"),
    (broken(uplink__hub_addresses="203.0.113.10"), "uplink.hub_addresses: expected a list of IPv4 addresses"),
    (broken(wifi__interface=None), "wifi.interface: missing"),
    (broken(wifi__ssid="x" * 33), "wifi.ssid: "),
    (broken(colour="blue"), "colour: unknown key; known: console, edge_name, enrolment, hub_url, limits, "),
    (broken(tablet__gateway="10.8.0.254"), "tablet.gateway: unknown key; known: address, cidr, dhcp_range, "),
    (broken(wifi__chanel=6), "wifi.chanel: unknown key; did you mean channel?"),
    (broken(tablet__hub_port=443), "tablet.hub_port: unknown key here; did you mean uplink.hub_port?"),
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
    assert "wifi.channel: 14 is not allowed in country GB" in err and 'site_id: expected the edge id' in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["box", "render", "--out", "out"], ["edge", "init", "--instance", "edge"]])
def test_the_command_line_prints_every_problem_and_exits_2_without_a_traceback(tmp_path, command):
    path = tmp_path / "site.toml"
    path.write_text(EXAMPLE.read_text().replace("channel = 6", 'channel = "6"').replace("port = 8444", "prot = 8444"))
    done = subprocess.run([sys.executable, "-m", "throughgate", *command, "--site", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"{path}: 2 problems:\n"
                           '  wifi.channel: expected a whole number (>= 1), found the string "6"\n'
                           "  console.prot: unknown key; did you mean port?\n")
    assert not (tmp_path / "out").exists() and not (tmp_path / "edge").exists()


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


def test_ap_mode_puts_the_radio_behind_the_radius_proxy():
    """The radio's hostapd is an authenticator only; the proxy (loopback) forwards to the
    RADIUS-server hostapd, so the identity binding holds for the box's own radio too."""
    files = render.render(site.load(EXAMPLE), "site.toml")
    ap, server = files["hostapd.conf"], files["hostapd-radius.conf"]
    for line in ("driver=nl80211", "ieee8021x=1", "eap_server=0", "own_ip_addr=127.0.0.1", "auth_server_addr=127.0.0.1",
                 f"auth_server_port={render.RADIUS_PORT}", f"auth_server_shared_secret={render.SECRET_PLACEHOLDER}",
                 "wpa_key_mgmt=WPA-EAP WPA-EAP-SHA256", "ieee80211w=1", "ap_isolate=1", "bridge=br-tablet"):
        assert f"\n{line}\n" in ap, line
    assert "eap_user_file" not in ap and "ca_cert" not in ap
    assert "\ndriver=none\n" in server and "\nradius_server_auth_port=18120\n" in server
    proxy = files["systemd/throughgate-radius-proxy.service"]
    assert f"--listen 127.0.0.1:{render.RADIUS_PORT} --upstream 127.0.0.1:18120" in proxy
    unit = files["systemd/throughgate-hostapd-ap.service"]
    assert "After=network-online.target throughgate-radius-proxy.service" in unit
    assert "-m edge.box.apconf /etc/throughgate/hostapd.conf " in unit
    assert "/etc/throughgate/hostapd-radius.conf" in files["systemd/throughgate-hostapd.service"]


def test_radius_mode_has_no_radio_and_the_proxy_listens_for_the_access_points():
    data = copy.deepcopy(DATA)
    data["wifi"] = {"ssid": "HMP", "country": "GB", "channel": 36, "mode": "radius", "radius_clients": ["10.8.0.2"]}
    files = render.render(site.parse(data), "site.toml")
    assert "hostapd.conf" not in files and "systemd/throughgate-hostapd-ap.service" not in files
    assert f"--listen 0.0.0.0:{render.RADIUS_PORT} " in files["systemd/throughgate-radius-proxy.service"]


def test_the_ap_unit_fills_in_the_secret_readable_by_its_owner_only(tmp_path):
    template = tmp_path / "hostapd.conf"
    template.write_text(render.render(site.load(EXAMPLE), "site.toml")["hostapd.conf"])
    secret, out = tmp_path / "radius.secret", tmp_path / "wifi" / "hostapd-ap.conf"
    out.parent.mkdir()
    secret.write_text("s3cret-from-the-edge\n")
    assert apconf.main([str(template), str(secret), str(out)]) == 0
    assert "\nauth_server_shared_secret=s3cret-from-the-edge\n" in out.read_text()
    assert render.SECRET_PLACEHOLDER not in out.read_text() and out.stat().st_mode & 0o777 == 0o600
    secret.write_text("")
    assert apconf.main([str(template), str(secret), str(out)]) == 1


def test_the_edge_name_follows_the_hubs_suffix_and_reaches_every_file_that_names_it(tmp_path):
    named = site.parse(broken(edge_name="hmp-example.prisons.example"))
    assert named.edge_name == "hmp-example.prisons.example"
    assert site.parse(DATA).edge_name == "hmp-example.throughgate.internal"
    assert 'tls_name = "hmp-example.prisons.example"' in render.render_edge_config(named)
    assert "address=/hmp-example.prisons.example/10.8.0.1" in render.render_dnsmasq(named)


def test_edge_init_from_the_site_file_writes_what_box_render_writes(tmp_path, capsys):
    assert main(["edge", "init", "--instance", str(tmp_path / "edge"), "--site", str(EXAMPLE)]) == 0
    written = (tmp_path / "edge" / "edge.toml").read_text().replace(str(tmp_path / "edge"), "INSTANCE")
    rendered = render.render_edge_config(site.load(EXAMPLE)).replace(str(site.INSTANCE), "INSTANCE")
    def settings(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("#")]

    assert settings(written) == settings(rendered)
    assert main(["edge", "init", "--instance", str(tmp_path / "two"), "--site", str(EXAMPLE),
                 "--edge-id", "x"]) == 2
    assert "leave out --edge-id" in capsys.readouterr().err
