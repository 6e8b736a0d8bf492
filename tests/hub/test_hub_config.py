"""Settings: defaults, then hub.toml, then THROUGHGATE_HUB_* and DATABASE_URL; test_config replaces both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub import config
from hub.app import create_app

ROOT = Path(__file__).resolve().parents[2]


def loaded(instance, environ=None, test_config=None) -> dict:
    settings: dict = {}
    config.load(settings, str(instance), test_config, environ=environ or {})
    return settings


def test_defaults_put_database_and_keys_in_the_instance(tmp_path):
    settings = loaded(tmp_path)
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path}/hub.db"
    assert settings["SEALING_KEY_FILE"] == str(tmp_path / "sealing_key.pem")
    assert settings["SIGNING_KEY_FILE"] == str(tmp_path / "receipt_key.pem")
    assert settings["ADMIN_TOKEN_SHA256"] is None
    assert settings["MAX_BATCH_BYTES"] == 16 * 1024 * 1024


def test_trust_defaults_are_the_documented_ones(tmp_path):
    settings = loaded(tmp_path)
    assert config.tls_names(settings) == ["localhost", "127.0.0.1"]
    assert settings["PUBLIC_URL"] is None  # no guess: `hub tokens create` uses the running hub's address
    assert (settings["EDGE_CERT_DAYS"], settings["CROSS_CERT_DAYS"]) == (30, 365)
    assert (settings["TOKEN_TTL_S"], settings["EDGE_KEY_GRACE_DAYS"]) == (3600, 14)
    assert settings["EDGE_DNS_SUFFIX"] == "throughgate.internal"  # as the edge's default tls_name


def test_edge_dns_suffix_is_kept_in_lower_case_without_outer_dots(tmp_path):
    settings = loaded(tmp_path, {"THROUGHGATE_HUB_EDGE_DNS_SUFFIX": ".Prisons.Example.ORG."})
    assert settings["EDGE_DNS_SUFFIX"] == "prisons.example.org"


def test_hub_names_are_the_tls_names_and_the_public_urls_host(tmp_path):
    settings = loaded(tmp_path, {"THROUGHGATE_HUB_TLS_NAMES": "hub.example.org,10.0.0.5",
                                 "THROUGHGATE_HUB_PUBLIC_URL": "https://gateway.example.org:443"})
    assert config.hub_names(settings) == ["hub.example.org", "10.0.0.5", "gateway.example.org"]


def test_public_url_unset_is_not_guessed_from_the_tls_names(tmp_path):
    settings = loaded(tmp_path, {"THROUGHGATE_HUB_TLS_NAMES": " hub.example.org , 10.0.0.5"})
    assert config.tls_names(settings) == ["hub.example.org", "10.0.0.5"]
    assert settings["PUBLIC_URL"] is None and config.hub_names(settings) == ["hub.example.org", "10.0.0.5"]


def test_instance_file_overrides_defaults(tmp_path):
    (tmp_path / "hub.toml").write_text('MAX_BATCH_BYTES = 1000\nDATABASE_URL = "sqlite:////srv/hub.db"\n')
    settings = loaded(tmp_path)
    assert settings["MAX_BATCH_BYTES"] == 1000 and settings["DATABASE_URL"] == "sqlite:////srv/hub.db"


def test_environment_overrides_the_file_and_prefixed_beats_plain(tmp_path):
    (tmp_path / "hub.toml").write_text('DATABASE_URL = "sqlite:////from-file.db"\nMAX_BATCH_BYTES = 1000\n')
    plain = {"DATABASE_URL": "postgresql://db/plain"}
    assert loaded(tmp_path, plain)["DATABASE_URL"] == "postgresql://db/plain"
    both = plain | {"THROUGHGATE_HUB_DATABASE_URL": "postgresql://db/hub",
                    "THROUGHGATE_HUB_MAX_BATCH_BYTES": "2048",
                    "THROUGHGATE_HUB_ADMIN_TOKEN_SHA256": "1234567890"}
    settings = loaded(tmp_path, both)
    assert settings["DATABASE_URL"] == "postgresql://db/hub"
    assert settings["MAX_BATCH_BYTES"] == 2048
    assert settings["ADMIN_TOKEN_SHA256"] == "1234567890"  # a string, even when it looks like a number


def test_test_config_ignores_file_and_environment(tmp_path):
    (tmp_path / "hub.toml").write_text("MAX_BATCH_BYTES = 1000\n")
    settings = loaded(tmp_path, {"DATABASE_URL": "postgresql://db/x"}, test_config={"MAX_BATCH_BYTES": 5})
    assert settings["MAX_BATCH_BYTES"] == 5 and settings["DATABASE_URL"].startswith("sqlite:///")


@pytest.mark.parametrize("text, expected", [
    ("MAX_BATCH_BYTES = ", "is not valid TOML"),
    # wrong type
    ('MAX_BATCH_BYTES = "big"\n', 'MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found the string "big"'),
    ("MAX_BATCH_BYTES = 1.5\n", "MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found 1.5"),
    ("DATABASE_URL = 5\n", "DATABASE_URL: expected a string, found 5"),
    ("TLS_NAMES = [\"hub.example.org\"]\n", 'TLS_NAMES: expected comma-separated DNS names and IP addresses, at least '
                                          'one, like "hub.example.org,10.0.0.5", found the list ["hub.example.org"]'),
    # unknown key
    ("COLOUR = 5\n", "COLOUR: unknown key; known: ADMIN_APPROVALS, ADMIN_TOKEN_DAYS, ADMIN_TOKEN_ROLE, "
                     "ADMIN_TOKEN_SHA256, APPROVAL_TTL_S, ATTACHMENTS_DIR, "),
    ('TLS_NAME = "hub.example.org"\n', "TLS_NAME: unknown key; did you mean TLS_NAMES?"),
    ("[limits]\nMAX_BATCH_BYTES = 5\n", "[limits]: unknown table; there are none here: every key goes at the top"),
    # out of range
    ("MAX_BATCH_BYTES = 0\n", "MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found 0"),
    ("EDGE_CERT_DAYS = 0\n", "EDGE_CERT_DAYS: expected a whole number of days (>= 1), found 0"),
    ("EDGE_KEY_GRACE_DAYS = -1\n", "EDGE_KEY_GRACE_DAYS: expected a whole number of days (>= 0), found -1"),
    ("LRS_INTERVAL_S = 0\n", "LRS_INTERVAL_S: expected a whole number of seconds (>= 1), found 0"),
    ('TLS_NAMES = " , "\n', "TLS_NAMES: expected comma-separated DNS names and IP addresses, at least one"),
    ('EDGE_DNS_SUFFIX = ""\n', "EDGE_DNS_SUFFIX: expected a DNS domain: dot-separated labels of letters, digits and "
                               """'-', at most 189 characters, like "throughgate.internal", found the string \"\""""),
    ('EDGE_DNS_SUFFIX = "*.example.org"\n', 'EDGE_DNS_SUFFIX: expected a DNS domain'),
    ('EDGE_DNS_SUFFIX = "prison_1.example.org"\n', 'EDGE_DNS_SUFFIX: expected a DNS domain'),
    (f'EDGE_DNS_SUFFIX = "{".".join(["a" * 60] * 4)}"\n', "at most 189 characters"),
])
def test_bad_instance_file_says_what_is_wrong(tmp_path, text, expected):
    (tmp_path / "hub.toml").write_text(text)
    with pytest.raises(config.HubConfigError) as refused:
        loaded(tmp_path)
    assert str(refused.value).startswith(f"{tmp_path / 'hub.toml'}") and expected in str(refused.value)


def test_every_problem_in_the_file_is_named_at_once(tmp_path):
    (tmp_path / "hub.toml").write_text('MAX_BATCH_BYTES = "16MiB"\nTLS_NAME = "hub.example.org"\n')
    with pytest.raises(config.HubConfigError) as refused:
        loaded(tmp_path)
    assert str(refused.value) == (
        f"{tmp_path / 'hub.toml'}: 2 problems:\n"
        "  TLS_NAME: unknown key; did you mean TLS_NAMES?\n"
        '  MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found the string "16MiB"')


@pytest.mark.parametrize("environ, expected", [
    ({"THROUGHGATE_HUB_MAX_BATCH_BYTES": "16MiB"},
     'environment: THROUGHGATE_HUB_MAX_BATCH_BYTES: expected a whole number of bytes (>= 1), found "16MiB"'),
    ({"THROUGHGATE_HUB_TOKEN_TTL_S": "0"},
     'environment: THROUGHGATE_HUB_TOKEN_TTL_S: expected a whole number of seconds (>= 1), found "0"'),
    ({"THROUGHGATE_HUB_TLS_NAME": "hub.example.org"},
     "environment: THROUGHGATE_HUB_TLS_NAME: unknown variable; did you mean THROUGHGATE_HUB_TLS_NAMES?"),
])
def test_bad_environment_value_says_which_variable(tmp_path, environ, expected):
    with pytest.raises(config.HubConfigError) as refused:
        loaded(tmp_path, environ)
    assert str(refused.value) == expected


def test_the_instance_and_lrs_password_variables_are_not_settings_but_are_known(tmp_path):
    settings = loaded(tmp_path, {"THROUGHGATE_HUB_INSTANCE": str(tmp_path), "THROUGHGATE_HUB_LRS_PASSWORD": "s",
                                 "THROUGHGATE_HUB_MAX_BATCH_BYTES": " 2048 "})
    assert settings["MAX_BATCH_BYTES"] == 2048 and "LRS_PASSWORD" not in settings


def test_the_file_hub_init_writes_loads_as_written(tmp_path):
    config.write_file(str(tmp_path), "ab" * 32, "hub.example.org,10.0.0.5")
    settings = loaded(tmp_path)
    assert settings["ADMIN_TOKEN_SHA256"] == "ab" * 32 and settings["MAX_BATCH_BYTES"] == 16 * 1024 * 1024
    assert config.tls_names(settings) == ["hub.example.org", "10.0.0.5"]


def test_test_config_values_are_checked_too(tmp_path):
    with pytest.raises(config.HubConfigError, match="test_config: MAX_BATCH_BYTES: expected a whole number"):
        loaded(tmp_path, test_config={"MAX_BATCH_BYTES": 0, "TESTING": True})


def test_hub_run_prints_the_refusal_and_exits_1_without_a_traceback(tmp_path):
    (tmp_path / "hub.toml").write_text('MAX_BATCH_BYTES = "16MiB"\n')
    environ = {k: v for k, v in os.environ.items() if not k.startswith(config.ENV_PREFIX) and k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "throughgate", "hub", "run", "--instance", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, env=environ, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (f"error: {tmp_path / 'hub.toml'}: MAX_BATCH_BYTES: expected a whole number of bytes "
                           '(>= 1), found the string "16MiB"\n')
    (tmp_path / "hub.toml").unlink()
    done = subprocess.run([sys.executable, "-m", "throughgate", "hub", "run", "--instance", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, env=environ | {
                              "THROUGHGATE_HUB_MAX_BATCH_BYTES": "16MiB"}, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "error: environment: THROUGHGATE_HUB_MAX_BATCH_BYTES: expected a whole number" in done.stderr


def test_create_app_reads_hub_toml_and_has_no_secret_key(instance, monkeypatch):
    for name in ("DATABASE_URL", "THROUGHGATE_HUB_DATABASE_URL", "THROUGHGATE_HUB_MAX_BATCH_BYTES"):
        monkeypatch.delenv(name, raising=False)
    (instance / "hub.toml").write_text("MAX_BATCH_BYTES = 4096\n")
    app = create_app(instance_path=instance)
    assert app.config["MAX_BATCH_BYTES"] == 4096
    assert app.config["SECRET_KEY"] is None
    assert app.instance_path == str(instance)


def test_create_app_without_keys_says_to_run_init(tmp_path):
    with pytest.raises(config.HubConfigError, match="run `throughgate hub init --instance"):
        create_app({}, instance_path=tmp_path)
