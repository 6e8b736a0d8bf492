"""Where the hub forwards statements: LRS_* settings, and the secret read from a file or the environment.

The secret is never a setting (so it is never in hub.toml or the app's config): it is read from
LRS_PASSWORD_FILE, else from the environment variable THROUGHGATE_HUB_LRS_PASSWORD, when the
forwarder starts. It is never logged, and `repr()` of the settings hides it.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from hub.config import ENV_PREFIX, HubConfigError

PASSWORD_ENV = ENV_PREFIX + "LRS_PASSWORD"
TIMEOUT_S = 30


@dataclass(frozen=True)
class LrsSettings:
    url: str
    """The LRS's xAPI base URL, without a trailing slash."""
    username: str
    password: str = field(repr=False)
    batch_size: int = 100
    interval_s: int = 60
    timeout_s: float = TIMEOUT_S

    @property
    def statements_url(self) -> str:
        return self.url + "/statements"


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise HubConfigError(f"LRS_URL={url!r} is not an http(s) URL: give the LRS's xAPI endpoint, like "
                             '"https://lrs.example.org/xapi"')
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise HubConfigError(f"LRS_URL={url!r} is plain http to another machine: the LRS password and the "
                             "learners' records would cross the network unencrypted; use https")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise HubConfigError("LRS_URL must not carry a user, password, query or fragment: set LRS_USERNAME "
                             "and LRS_PASSWORD_FILE instead")
    return url.rstrip("/")


def from_config(config, instance_path: str, environ=None) -> LrsSettings | None:
    """The LRS settings, or None when LRS_URL is unset (nothing is forwarded)."""
    environ = os.environ if environ is None else environ
    if not config.get("LRS_URL"):
        return None
    url = check_url(config["LRS_URL"])
    username = config.get("LRS_USERNAME")
    if not username:
        raise HubConfigError("LRS_URL is set but LRS_USERNAME is not: give the LRS key (Basic auth user)")
    return LrsSettings(url, username, _password(config, instance_path, environ),
                       config.get("LRS_BATCH_SIZE") or 100, config.get("LRS_INTERVAL_S") or 60)


def _password(config, instance_path: str, environ) -> str:
    name = config.get("LRS_PASSWORD_FILE")
    if name:
        path = Path(instance_path) / name
        try:
            secret = path.read_text().strip()
        except OSError as exc:
            raise HubConfigError(f"cannot read LRS_PASSWORD_FILE {path} ({exc.strerror or exc}): put the LRS "
                                 "secret in it (mode 0600)") from None
        if not secret:
            raise HubConfigError(f"LRS_PASSWORD_FILE {path} is empty: put the LRS secret in it")
        return secret
    if environ.get(PASSWORD_ENV):
        return environ[PASSWORD_ENV]
    raise HubConfigError(f"LRS_URL is set but there is no secret: set LRS_PASSWORD_FILE (a 0600 file) or "
                         f"{PASSWORD_ENV}")
