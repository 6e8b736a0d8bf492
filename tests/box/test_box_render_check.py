"""The example site renders, and the real tools accept the result; a broken rendered file is
reported with its file and line, DIR untouched. Needs root, iproute2, dnsmasq-base, nftables,
mosquitto, hostapd."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

import pytest

from edge.box import check, render, site
from throughgate.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "firmware-config" / "examples" / "site.toml"

pytestmark = pytest.mark.skipif(bool(check.missing_tools()) or os.geteuid() != 0,
                                reason="box check needs root and the tools: apt-get install dnsmasq-base nftables "
                                       "mosquitto hostapd iproute2")


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def radius_site() -> site.Site:
    data = tomllib.loads(EXAMPLE.read_text())
    data["wifi"] = {"ssid": "HMP Example", "country": "GB", "channel": 36, "mode": "radius",
                    "radius_clients": ["10.8.0.2", "192.168.50.20"]}
    return site.parse(data)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("box")
    assert main(["box", "render", "--site", str(EXAMPLE), "--out", str(out)]) == 0
    return out


def test_the_example_site_renders_and_passes_check(rendered, capsys):
    assert main(["box", "check", str(rendered)]) == 0
    assert "all passed" in capsys.readouterr().out
    assert {"hostapd.conf", "hostapd-radius.conf", "dnsmasq.conf", "nftables.conf", "mosquitto.conf",
            "dynamic-security.json",
            "systemd/throughgate-edge.service"} <= {str(p.relative_to(rendered)) for p in rendered.rglob("*")}


def test_the_radius_variant_passes_check(tmp_path):
    folder = write(tmp_path, render.render(radius_site(), "radius.toml"))
    assert (folder / "hostapd-radius.conf").exists() and not (folder / "hostapd.conf").exists()
    assert check.check(folder) == []


def test_every_rendered_file_says_where_it_came_from(rendered):
    for path in (p for p in rendered.rglob("*") if p.is_file()):
        text = path.read_text()
        if path.suffix == ".json":  # no comments in JSON: a key the reader passes over
            text = "# " + json.loads(text)["comment"]
        assert text.startswith(f"# generated from {EXAMPLE}; do not edit"), path


BREAKS = [  # (file, a line in it, what to make of it, what check says)
    ("nftables.conf", "tcp dport 22 accept", lambda s: s.replace("dport 22", "dprt 22"), "syntax error"),
    ("dnsmasq.conf", "bogus-priv", lambda s: s.replace("bogus-priv", "bogus-privv"), "bad option: bogus-privv"),
    ("hostapd.conf", "ap_isolate=1", lambda s: s.replace("ap_isolate=1", "ap_isolat=1"),
     "unknown configuration item 'ap_isolat'"),
    ("mosquitto.conf", "set_tcp_nodelay true", lambda s: s.replace("nodelay true", "nodelay maybe"),
     "Invalid set_tcp_nodelay value"),
]


@pytest.mark.parametrize(("name", "needle", "edit", "said"), BREAKS, ids=[b[0] for b in BREAKS])
def test_a_broken_file_is_reported_with_its_file_and_line(rendered, tmp_path, name, needle, edit, said):
    files = {str(p.relative_to(rendered)): p.read_text() for p in rendered.rglob("*") if p.is_file()}
    line = next(i for i, text in enumerate(files[name].splitlines(), 1) if needle in text)
    files[name] = edit(files[name])
    folder = write(tmp_path, files)
    before = (folder / name).read_text()
    problems = check.check(folder)
    assert [(p.file, p.line) for p in problems] == [(name, line)], problems
    assert said in problems[0].message
    assert (folder / name).read_text() == before  # DIR is never modified


def test_every_problem_is_reported_not_just_the_first(rendered, tmp_path):
    files = {str(p.relative_to(rendered)): p.read_text() for p in rendered.rglob("*") if p.is_file()}
    files["dnsmasq.conf"] = files["dnsmasq.conf"].replace("no-poll", "no-polll").replace("bogus-priv", "bogus-privv")
    files["hostapd.conf"] = files["hostapd.conf"].replace("ap_isolate", "ap_isolat").replace("wmm_enabled", "wmm")
    problems = [str(p) for p in check.check(write(tmp_path, files))]
    assert len([p for p in problems if p.startswith("dnsmasq.conf:")]) == 2, problems
    assert len([p for p in problems if p.startswith("hostapd.conf:")]) == 2, problems


def test_the_ruleset_drops_by_default_with_counters(rendered):
    rules = (rendered / "nftables.conf").read_text()
    assert rules.splitlines()[3] == "flush ruleset"
    for chain, counter in (("input", "input_dropped"), ("forward", "forward_dropped"),
                           ("output", "output_dropped")):
        body = re.search(rf"chain {chain} {{(.*?)\n    }}", rules, re.S)[1]
        assert f"hook {chain} priority filter; policy drop;" in body
        assert body.rstrip().endswith(f'counter name "{counter}" drop')
    assert 'iifname "enp3s0" ip saddr 192.168.50.0/24 tcp dport 22 accept' in rules
    tablets = re.search(r"chain from_tablets {(.*?)\n    }", rules, re.S)[1]
    assert "dport 22 " not in tablets and "dport { 8883, 8443, 8445, 53 } accept" in tablets
    assert 'oifname "enp1s0" ip daddr { 203.0.113.10 } tcp dport 443 accept' in rules


def test_the_ap_mode_needs_its_radius_server_file_too(rendered, tmp_path):
    files = {str(p.relative_to(rendered)): p.read_text() for p in rendered.rglob("*") if p.is_file()}
    del files["hostapd-radius.conf"]
    problems = [str(p) for p in check.check(write(tmp_path, files))]
    assert problems == ["hostapd-radius.conf: missing: render the site first (throughgate box render)"], problems
