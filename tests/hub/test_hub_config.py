"""Settings: defaults, then hub.toml, then THROUGHGATE_HUB_* and DATABASE_URL; test_config replaces both."""

from __future__ import annotations

import pytest

from hub import config
from hub.app import create_app


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
    ("MAX_BATCH_BYTES = ", "not valid TOML"),
    ("MAX_BYTES = 5\n", "unknown setting(s) MAX_BYTES"),
    ('MAX_BATCH_BYTES = "big"\n', "MAX_BATCH_BYTES must be a whole number"),
    ("MAX_BATCH_BYTES = 0\n", "above 0"),
    ("EDGE_CERT_DAYS = 0\n", "EDGE_CERT_DAYS must be a whole number above 0"),
    ("EDGE_KEY_GRACE_DAYS = -1\n", "EDGE_KEY_GRACE_DAYS must be a whole number from 0"),
    ('TLS_NAMES = " , "\n', "TLS_NAMES must name at least one"),
    ('EDGE_DNS_SUFFIX = ""\n', "EDGE_DNS_SUFFIX='' is not a DNS domain"),
    ('EDGE_DNS_SUFFIX = "*.example.org"\n', "is not a DNS domain"),
    ('EDGE_DNS_SUFFIX = "prison_1.example.org"\n', "is not a DNS domain"),
    (f'EDGE_DNS_SUFFIX = "{".".join(["a" * 60] * 4)}"\n', "at most 189 characters"),
])
def test_bad_instance_file_says_what_is_wrong(tmp_path, text, expected):
    (tmp_path / "hub.toml").write_text(text)
    with pytest.raises(config.HubConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        loaded(tmp_path)


def test_bad_environment_value_says_which_variable(tmp_path):
    with pytest.raises(config.HubConfigError, match="THROUGHGATE_HUB_MAX_BATCH_BYTES"):
        loaded(tmp_path, {"THROUGHGATE_HUB_MAX_BATCH_BYTES": "16MiB"})


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
