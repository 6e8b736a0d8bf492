"""edge.toml: what `edge init` and `box render` write loads back as written; a wrong type, an unknown key
or an out-of-range value is refused at load, naming the file, the key, what was expected and what was found."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edge import config as edge_config
from edge.box import render, site

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_SITE = ROOT / "firmware-config" / "examples" / "site.toml"


def written(instance: Path, text: str | None = None, **changes: str) -> Path:
    """An instance holding the edge.toml `edge init` writes, with lines `key = ...` replaced by `changes`."""
    instance.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = edge_config.dump(edge_config.EdgeConfig(instance=instance, edge_id="edge-1"))
    lines = text.splitlines()
    for key, line in changes.items():
        index = next(i for i, old in enumerate(lines) if old.startswith(f"{key} = "))
        lines[index] = line
    (instance / edge_config.CONFIG_NAME).write_text("\n".join(lines) + "\n")
    return instance


def refusal(instance: Path) -> str:
    with pytest.raises(edge_config.ConfigError) as refused:
        edge_config.load(instance)
    return str(refused.value)


def test_the_file_edge_init_writes_loads_back_as_written(tmp_path):
    config = edge_config.EdgeConfig(instance=tmp_path, edge_id="edge-1", quota_bytes=40_000)
    config.uplink.interval_s, config.console.time_zone, config.broker.dev = 0.2, "Europe/London", False
    (tmp_path / edge_config.CONFIG_NAME).write_text(edge_config.dump(config))
    assert edge_config.load(tmp_path) == config


def test_the_file_box_render_writes_loads_back_as_the_site_says(tmp_path):
    parsed = site.load(EXAMPLE_SITE)
    (tmp_path / edge_config.CONFIG_NAME).write_text(render.render_edge_config(parsed))
    assert edge_config.load(tmp_path) == render.edge_config_for(parsed, tmp_path)


def test_a_file_an_earlier_release_wrote_with_accel_port_off_still_loads(tmp_path):
    """Earlier releases wrote every key, `[courses] accel_port = 0` included; the key is retired."""
    written(tmp_path, cache_dir='cache_dir = ""\naccel_port = 0')
    assert edge_config.load(tmp_path) == edge_config.EdgeConfig(instance=tmp_path, edge_id="edge-1")


def test_a_retired_key_asking_for_something_is_refused(tmp_path):
    written(tmp_path, cache_dir='cache_dir = ""\naccel_port = 8081')
    assert refusal(tmp_path) == (f"{tmp_path / 'edge.toml'}: [courses] accel_port: no longer an edge setting (nginx "
                                 "in front of the course routes is a bench/ option now (docs/bench.md)): remove it; "
                                 "found 8081")


def test_a_whole_number_for_a_number_of_seconds_is_taken_as_it_was_before(tmp_path):
    config = edge_config.load(written(tmp_path, interval_s="interval_s = 2"))
    assert config.uplink.interval_s == 2.0 and isinstance(config.uplink.interval_s, float)


def test_keys_left_out_take_their_defaults(tmp_path):
    (tmp_path / edge_config.CONFIG_NAME).write_text('edge_id = "edge-1"\n[uplink]\nhub_url = "https://hub.example"\n')
    config = edge_config.load(tmp_path)
    assert config.uplink.hub_url == "https://hub.example"
    assert config == edge_config.EdgeConfig(instance=tmp_path, edge_id="edge-1",
                                            uplink=edge_config.UplinkConfig(hub_url="https://hub.example"))


def test_the_issues_example_is_refused_naming_the_file_each_key_and_what_was_found(tmp_path):
    """From issue 10: `[uplink] interval_s = "fast"` and `batch_max = "500"` loaded without a word."""
    path = written(tmp_path, interval_s='interval_s = "fast"\nbatch_max = "500"') / "edge.toml"
    assert refusal(tmp_path) == (
        f"{path}: 2 problems:\n"
        "  [uplink] batch_max: unknown key here; did you mean [relay] batch_max?\n"
        '  [uplink] interval_s: expected a number of seconds (> 0), found the string "fast"')


CASES = [
    # wrong type
    ({"batch_max": 'batch_max = "500"'}, '[relay] batch_max: expected a whole number (>= 1), found the string "500"'),
    ({"dev": 'dev = "yes"'}, '[broker] dev: expected true or false, found the string "yes"'),
    ({"quota_bytes": "quota_bytes = 1.5e9"}, "quota_bytes: expected a whole number of bytes (>= 1), found 1500000000"),
    ({"time_zone": "time_zone = 0"}, '[console] time_zone: expected an IANA time zone name such as "Europe/London" '
                                     'or "UTC", found 0'),
    ({"edge_id": "edge_id = 7"}, "edge_id: expected an edge id: one DNS label"),
    # unknown key
    ({"interval_s": "intervall_s = 2.0"}, "[uplink] intervall_s: unknown key; did you mean interval_s?"),
    ({"edge_id": 'edge_id = "edge-1"\nedge_name = "x"'}, "edge_name: unknown key; did you mean edge_id?"),
    ({"dev": "dev = true\n[brokers]\nport = 1"}, "[brokers]: unknown table; did you mean [broker]?"),
    ({"api_port": "api_port = 8443\nzzz = 1"}, "[tablets] zzz: unknown key; known: advertise_on, api_host, "),
    # out of range
    ({"interval_s": "interval_s = 0"}, "[uplink] interval_s: expected a number of seconds (> 0), found 0"),
    ({"port": "port = 70000"}, "[broker] port: expected a TCP port (1-65535), found 70000"),
    ({"batch_max": "batch_max = 0"}, "[relay] batch_max: expected a whole number (>= 1), found 0"),
    ({"batch_records": "batch_records = 20000"}, "[uplink] batch_records: expected a whole number (1-10000), found "
                                                 "20000"),
    ({"max_bytes_per_s": "max_bytes_per_s = -1"},
     "[uplink] max_bytes_per_s: expected a whole number of bytes per second (>= 0), found -1"),
    ({"time_zone": 'time_zone = "Mars/Olympus"'}, '[console] time_zone: expected an IANA time zone name such as '
                                                  '"Europe/London" or "UTC", found the string "Mars/Olympus"'),
    ({"hub_url": 'hub_url = "http://hub.example.org"'}, "[uplink] hub_url: expected the hub's https:// URL"),
    ({"edge_id": 'edge_id = "Edge_1"'}, "edge_id: expected an edge id: one DNS label"),
]


@pytest.mark.parametrize(("changes", "problem"), CASES, ids=[c[1].split(":")[0] + "-" + c[1].split(": ")[1][:12]
                                                             for c in CASES])
def test_a_bad_setting_is_refused_naming_the_file_and_the_key(tmp_path, changes, problem):
    path = written(tmp_path, **changes) / "edge.toml"
    assert refusal(tmp_path).startswith(f"{path}: {problem}")


def test_every_problem_is_reported_at_once(tmp_path):
    written(tmp_path, interval_s='interval_s = "fast"', port="port = 0", edge_id='edge_id = "x"')
    problems = refusal(tmp_path).splitlines()[1:]
    assert [p.split(":")[0].strip() for p in problems] == ["[broker] port", "[uplink] interval_s"]


@pytest.mark.parametrize(("text", "problem"), [
    ('[uplink]\nhub_url = "https://hub.example"\n', "edge_id: missing; expected an edge id"),
    ('edge_id = "edge-1"\nuplink = 5\n', "[uplink]: expected a table, found 5"),
    ('edge_id = "edge-1"\n[uplink\n', "not valid TOML: "),
])
def test_a_file_without_its_shape_is_refused(tmp_path, text, problem):
    (tmp_path / edge_config.CONFIG_NAME).write_text(text)
    assert refusal(tmp_path).startswith(f"{tmp_path / 'edge.toml'}: {problem}")


@pytest.mark.parametrize("command", [["edge", "status"], ["edge", "run"], ["edge", "tablets", "list"]])
def test_the_command_line_prints_the_refusal_and_exits_2_without_a_traceback(tmp_path, command):
    written(tmp_path, interval_s='interval_s = "fast"')
    done = subprocess.run([sys.executable, "-m", "throughgate", *command, "--instance", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f'{tmp_path / "edge.toml"}: [uplink] interval_s: expected a number of seconds (> 0), '
                           'found the string "fast"\n')
