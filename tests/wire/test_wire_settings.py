"""wire.settings: a key's type comes from its dataclass field, its range from `setting(...)`; every value
is accepted as written or refused naming the key, what was expected and what was found."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from wire import settings
from wire.settings import PORT, Key, Rule, SettingsError, setting


@dataclass
class Uplink:
    hub_url: str = "https://hub"
    interval_s: float = setting(1.0, above=0)
    batch_records: int = setting(500, at_least=1)
    max_bytes_per_s: int = setting(0, at_least=0)
    port: int = setting(8080, **PORT)
    dev: bool = False
    mode: str = setting("ap", choices=("ap", "radius"))
    addresses: tuple[str, ...] = ()
    dhcp_range: tuple[str, str] = ("10.0.0.10", "10.0.0.20")


@dataclass
class Relay:
    batch_max: int = setting(500, at_least=1)


@dataclass
class Config:
    edge_id: str = setting(what="an edge id", valid=str.islower)
    quota_bytes: int = setting(1024, at_least=1)
    uplink: Uplink = field(default_factory=Uplink)
    relay: Relay = field(default_factory=Relay)


def problems(data: dict, nest: str = "[{}] ") -> list[str]:
    return settings.check(settings.keys_of(Config), data, nest=nest)[1]


def test_values_as_written_become_the_dataclass_with_defaults_for_the_rest():
    data = {"edge_id": "edge", "uplink": {"interval_s": 2, "addresses": ["10.0.0.1"], "dhcp_range": ["a", "b"]}}
    config = settings.parse(Config, data, "edge.toml")
    assert config == Config(edge_id="edge", uplink=Uplink(interval_s=2.0, addresses=("10.0.0.1",),
                                                          dhcp_range=("a", "b")))
    assert isinstance(config.uplink.interval_s, float)


@pytest.mark.parametrize(("uplink", "problem"), [
    ({"interval_s": "fast"}, '[uplink] interval_s: expected a number of seconds (> 0), found the string "fast"'),
    ({"batch_records": "500"}, '[uplink] batch_records: expected a whole number (>= 1), found the string "500"'),
    ({"batch_records": 2.5}, "[uplink] batch_records: expected a whole number (>= 1), found 2.5"),
    ({"batch_records": True}, "[uplink] batch_records: expected a whole number (>= 1), found true"),
    ({"dev": 1}, "[uplink] dev: expected true or false, found 1"),
    ({"hub_url": ["https://hub"]}, '[uplink] hub_url: expected a string, found the list ["https://hub"]'),
    ({"addresses": "10.0.0.1"}, '[uplink] addresses: expected a list of strings, found the string "10.0.0.1"'),
    ({"addresses": ["10.0.0.1", 2]}, '[uplink] addresses: expected a list of strings, found the list ["10.0.0.1", 2]'),
    ({"dhcp_range": ["a"]}, '[uplink] dhcp_range: expected a list of 2 strings, found the list ["a"]'),
    ({"interval_s": {"x": 1}}, "[uplink] interval_s: expected a number of seconds (> 0), found a table"),
    ({"interval_s": float("nan")}, "[uplink] interval_s: expected a number of seconds (> 0), found nan"),
])
def test_a_wrong_type_names_the_key_what_was_expected_and_what_was_found(uplink, problem):
    assert problems({"edge_id": "edge", "uplink": uplink}) == [problem]


@pytest.mark.parametrize(("uplink", "problem"), [
    ({"interval_s": 0}, "[uplink] interval_s: expected a number of seconds (> 0), found 0"),
    ({"interval_s": -0.5}, "[uplink] interval_s: expected a number of seconds (> 0), found -0.5"),
    ({"batch_records": 0}, "[uplink] batch_records: expected a whole number (>= 1), found 0"),
    ({"max_bytes_per_s": -1}, "[uplink] max_bytes_per_s: expected a whole number of bytes per second (>= 0), found -1"),
    ({"port": 65536}, "[uplink] port: expected a TCP port (1-65535), found 65536"),
    ({"mode": "mesh"}, '[uplink] mode: expected one of "ap", "radius", found the string "mesh"'),
])
def test_a_value_out_of_range_says_the_range(uplink, problem):
    assert problems({"edge_id": "edge", "uplink": uplink}) == [problem]


def test_the_edges_of_a_range_are_accepted():
    values, found = settings.check(settings.keys_of(Uplink), {"interval_s": 0.001, "batch_records": 1, "port": 65535,
                                                               "max_bytes_per_s": 0})
    assert found == [] and (values["interval_s"], values["port"]) == (0.001, 65535)


def test_a_rule_of_its_own_is_said_in_its_own_words():
    assert problems({"edge_id": "Edge"}) == ['edge_id: expected an edge id, found the string "Edge"']


@pytest.mark.parametrize(("data", "problem"), [
    ({"edge_id": "e", "uplink": {"intervall_s": 1}}, "[uplink] intervall_s: unknown key; did you mean interval_s?"),
    ({"edge_id": "e", "uplink": {"batch_max": 5}}, "[uplink] batch_max: unknown key here; did you mean [relay] "
                                                   "batch_max?"),
    ({"edge_id": "e", "interval_s": 1}, "interval_s: unknown key here; did you mean [uplink] interval_s?"),
    ({"edge_id": "e", "uplnk": {}}, "[uplnk]: unknown table; did you mean [uplink]?"),
    ({"edge_id": "e", "colour": "blue"}, "colour: unknown key; known: edge_id, quota_bytes, relay, uplink"),
])
def test_an_unknown_key_is_refused_with_the_likely_one(data, problem):
    assert problems(data) == [problem]


def test_a_dotted_nest_names_keys_as_the_site_file_does():
    assert problems({"edge_id": "e", "uplink": {"port": 0, "x": 1}}, nest="{}.") == [
        "uplink.x: unknown key; known: addresses, batch_records, dev, dhcp_range, hub_url, interval_s, "
        "max_bytes_per_s, mode, port",
        "uplink.port: expected a TCP port (1-65535), found 0"]


def test_a_missing_key_or_table_and_a_table_that_is_not_one():
    @dataclass
    class Site:
        site_id: str
        uplink: Uplink

    keys = settings.keys_of(Site)
    assert settings.check(keys, {}, nest="{}.")[1] == ["site_id: missing; expected a string",
                                                      "uplink: missing; expected a table"]
    assert settings.check(keys, {"site_id": "x", "uplink": 5}, nest="{}.")[1] == ["uplink: expected a table, found 5"]


def test_every_problem_is_reported_at_once_and_the_error_names_the_file():
    with pytest.raises(SettingsError) as refused:
        settings.parse(Config, {"edge_id": "e", "quota_bytes": "1k", "uplink": {"interval_s": "fast"}}, "edge.toml",
                       nest="[{}] ")
    assert str(refused.value) == ('edge.toml: 2 problems:\n'
                                  '  quota_bytes: expected a whole number of bytes (>= 1), found the string "1k"\n'
                                  '  [uplink] interval_s: expected a number of seconds (> 0), found the string "fast"')
    assert refused.value.source == "edge.toml" and len(refused.value.problems) == 2


KEYS = {"MAX_BATCH_BYTES": Key(int, 16, rule=Rule(at_least=1)), "PUBLIC_URL": Key(str, None),
        "TIMEOUT_S": Key(float, 1.0, rule=Rule(above=0)), "DEV": Key(bool, False),
        "NAMES": Key(tuple[str, ...], ())}


def test_environment_text_is_converted_by_the_keys_type():
    values, found = settings.check_text(KEYS, {"HUB_MAX_BATCH_BYTES": " 2048 ", "HUB_PUBLIC_URL": "1234",
                                              "HUB_TIMEOUT_S": "2.5", "HUB_DEV": "true", "HUB_NAMES": "a, b",
                                              "PATH": "/bin"}, "HUB_")
    assert found == []
    assert values == {"MAX_BATCH_BYTES": 2048, "PUBLIC_URL": "1234", "TIMEOUT_S": 2.5, "DEV": True,
                      "NAMES": ("a", "b")}


@pytest.mark.parametrize(("environ", "problem"), [
    ({"HUB_MAX_BATCH_BYTES": "16MiB"}, 'HUB_MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found "16MiB"'),
    ({"HUB_MAX_BATCH_BYTES": "0"}, 'HUB_MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found "0"'),
    ({"HUB_TIMEOUT_S": "soon"}, 'HUB_TIMEOUT_S: expected a number of seconds (> 0), found "soon"'),
    ({"HUB_DEV": "maybe"}, 'HUB_DEV: expected true or false, found "maybe"'),
    ({"HUB_MAX_BATCH_BYTE": "5"}, "HUB_MAX_BATCH_BYTE: unknown variable; did you mean HUB_MAX_BATCH_BYTES?"),
])
def test_a_bad_environment_variable_is_named(environ, problem):
    assert settings.check_text(KEYS, environ, "HUB_")[1] == [problem]


def test_variables_known_elsewhere_are_left_alone():
    assert settings.check_text(KEYS, {"HUB_INSTANCE": "/srv/hub"}, "HUB_", also_known=("HUB_INSTANCE",)) == ({}, [])


def test_a_message_alone_is_the_whole_error():
    assert str(SettingsError("no edge instance at x: run `throughgate edge init` first")) == (
        "no edge instance at x: run `throughgate edge init` first")
