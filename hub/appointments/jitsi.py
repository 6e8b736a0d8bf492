"""A video appointment's link: a Jitsi Meet room with a JWT room token (HS256, the app secret the
Jitsi server shares with the hub), as Jitsi's token authentication (prosody's `token` auth) reads it:
`iss` the app id, `aud` "jitsi", `sub` the Jitsi server's host, `room` the room's name, `nbf` and `exp`
around the appointment. The room's name is random (unguessable); the token names no one.

Settings (hub.toml): JITSI_URL, JITSI_APP_ID, JITSI_SECRET_FILE. All unset: video appointments have
no link (the worker tells the person how to join)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from hub.refusals import Refused
from wire.records import parse_timestamp

OPENS_BEFORE = timedelta(minutes=30)
"""The room token works from this long before the appointment starts..."""
CLOSES_AFTER = timedelta(hours=1)
"""...until this long after it was due to end."""
SETTINGS = ("JITSI_URL", "JITSI_APP_ID", "JITSI_SECRET_FILE")


@dataclass(frozen=True)
class Jitsi:
    url: str
    app_id: str
    secret: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def from_config(config) -> Jitsi | None:
    """The hub's video service, or None when JITSI_URL is unset. Refused (saying what to set) when it
    is set without the app id or a readable, non-empty secret file."""
    if not config.get("JITSI_URL"):
        return None
    if not config.get("JITSI_APP_ID") or not config.get("JITSI_SECRET_FILE"):
        raise Refused(500, "jitsi_settings", "JITSI_URL is set but JITSI_APP_ID or JITSI_SECRET_FILE is not: set "
                      "all three in hub.toml, or none (video appointments then have no link)")
    try:
        secret = Path(config["JITSI_SECRET_FILE"]).read_text().strip()
    except OSError as exc:
        raise Refused(500, "jitsi_settings", f"cannot read JITSI_SECRET_FILE {config['JITSI_SECRET_FILE']} "
                      f"({exc.strerror}): put the Jitsi app secret in it") from None
    if not secret:
        raise Refused(500, "jitsi_settings", f"JITSI_SECRET_FILE {config['JITSI_SECRET_FILE']} is empty: put the "
                      "Jitsi app secret in it")
    return Jitsi(str(config["JITSI_URL"]).rstrip("/"), str(config["JITSI_APP_ID"]), secret)


def new_room() -> str:
    return f"tg{secrets.token_hex(12)}"


def room_of(url: str | None) -> str | None:
    """The room's name in a link this module made (kept when the appointment moves)."""
    return urlsplit(url).path.rsplit("/", 1)[-1] or None if url else None


def token(jitsi: Jitsi, room: str, starts_at: str, ends_at: str) -> str:
    claims = {"iss": jitsi.app_id, "aud": "jitsi", "sub": jitsi.host, "room": room,
              "nbf": int((parse_timestamp(starts_at) - OPENS_BEFORE).timestamp()),
              "exp": int((parse_timestamp(ends_at) + CLOSES_AFTER).timestamp())}
    import jwt  # here, not at import: only video appointments need it

    return jwt.encode(claims, jitsi.secret, algorithm="HS256")


def link(jitsi: Jitsi, room: str, starts_at: str, ends_at: str) -> str:
    return f"{jitsi.url}/{room}?jwt={token(jitsi, room, starts_at, ends_at)}"
