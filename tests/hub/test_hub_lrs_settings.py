"""hub.lrs.settings: where statements go, and the LRS secret kept out of settings and logs."""

from __future__ import annotations

import pytest

from hub.config import HubConfigError
from hub.lrs.settings import PASSWORD_ENV, from_config

BASE = {"LRS_URL": "https://lrs.example.org/xapi/", "LRS_USERNAME": "hub-key", "LRS_BATCH_SIZE": 50,
        "LRS_INTERVAL_S": 30}


def test_no_lrs_url_means_nothing_is_forwarded(tmp_path):
    assert from_config({}, str(tmp_path), environ={}) is None


def test_the_secret_comes_from_a_file_relative_to_the_instance_and_is_hidden(tmp_path):
    (tmp_path / "lrs.secret").write_text("s3cret-value\n")

    settings = from_config({**BASE, "LRS_PASSWORD_FILE": "lrs.secret"}, str(tmp_path), environ={})

    assert (settings.url, settings.statements_url) == ("https://lrs.example.org/xapi",
                                                        "https://lrs.example.org/xapi/statements")
    assert (settings.username, settings.password, settings.batch_size, settings.interval_s) == (
        "hub-key", "s3cret-value", 50, 30)
    assert "s3cret" not in repr(settings)


def test_the_secret_may_come_from_the_environment(tmp_path):
    settings = from_config(BASE, str(tmp_path), environ={PASSWORD_ENV: "from-env"})
    assert settings.password == "from-env"


@pytest.mark.parametrize("changes, environ, reason", [
    ({"LRS_URL": "http://lrs.example.org/xapi"}, {PASSWORD_ENV: "x"}, "plain http to another machine"),
    ({"LRS_URL": "ftp://lrs.example.org"}, {PASSWORD_ENV: "x"}, "is not an http\\(s\\) URL"),
    ({"LRS_URL": "https://key:secret@lrs.example.org"}, {PASSWORD_ENV: "x"}, "must not carry a user, password"),
    ({"LRS_USERNAME": None}, {PASSWORD_ENV: "x"}, "LRS_USERNAME is not"),
    ({}, {}, "there is no secret: set LRS_PASSWORD_FILE"),
    ({"LRS_PASSWORD_FILE": "missing.secret"}, {}, "cannot read LRS_PASSWORD_FILE"),
])
def test_a_setting_that_cannot_work_stops_the_hub_with_what_to_do(tmp_path, changes, environ, reason):
    with pytest.raises(HubConfigError, match=reason):
        from_config({**BASE, **changes}, str(tmp_path), environ=environ)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/xapi", "http://localhost/xapi", "http://[::1]:80/xapi"])
def test_plain_http_is_allowed_on_loopback_only(tmp_path, url):
    assert from_config({**BASE, "LRS_URL": url}, str(tmp_path), environ={PASSWORD_ENV: "x"}).url == url.rstrip("/")
