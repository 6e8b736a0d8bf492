"""The TOTP secrets are sealed at rest with a key kept in the instance folder (0600), not in the
database: a copy of the database (a backup, a dump) does not give an attacker the second factor.
Fernet (AES-128-CBC with HMAC-SHA256), from cryptography."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from provisioning.files import write_private_once

KEY_FILE = "console-secrets.key"


class SealError(RuntimeError):
    """A sealed secret that this hub's key cannot open: the message says what to do."""


def key_path(instance: str | Path) -> Path:
    return Path(instance) / KEY_FILE


def _fernet(instance: str | Path) -> Fernet:
    path = key_path(instance)
    if not path.exists():
        write_private_once(path, Fernet.generate_key())  # a key another hub process made first stays
    return Fernet(path.read_bytes().strip())


def seal(instance: str | Path, secret: bytes) -> str:
    return _fernet(instance).encrypt(secret).decode()


def unseal(instance: str | Path, sealed: str) -> bytes:
    try:
        return _fernet(instance).decrypt(sealed.encode())
    except (InvalidToken, ValueError) as exc:
        raise SealError(f"this hub cannot open a stored authenticator secret: {key_path(instance)} is not the key it "
                        "was sealed with (every hub process needs the same file). Restore that file, or give the "
                        "person a new setup code (`throughgate hub admins reset NAME`)") from exc
