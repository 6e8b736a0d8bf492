"""The hub's two private keys and the public document edges load.

- sealing key (`wire.keys.SealingPrivateKey`): edges seal batches to it; only the hub opens them.
- receipt key (Ed25519): the hub signs receipts with it; edges verify them.

Private key files are created with mode 0600 and never overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.config import HubConfigError
from wire import keys as wire_keys


class KeyFileError(HubConfigError):
    """A key file is missing or unreadable. The message says what to do."""


@dataclass(frozen=True)
class HubKeys:
    sealing: wire_keys.SealingPrivateKey
    signing: ed25519.Ed25519PrivateKey

    @property
    def sealing_key_id(self) -> str:
        return self.sealing.public_key().id

    def public_document(self) -> dict:
        """What `throughgate hub keys export` prints and each edge loads."""
        return wire_keys.HubPublicKeys(self.sealing.public_key(), self.signing.public_key()).to_document()


def write_private(path: str | os.PathLike, data: bytes) -> None:
    """Create a private file readable by its owner only; refuse to replace an existing one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def generate(sealing_file: str | os.PathLike, signing_file: str | os.PathLike) -> HubKeys:
    """Make both keys and write them (mode 0600). Existing files are never replaced."""
    for path in (sealing_file, signing_file):
        if Path(path).exists():
            raise KeyFileError(f"{path} already exists: the hub keeps its keys; move the file away "
                               "only if you mean to replace the key (every edge must then load the "
                               "new public keys)")
    hub_keys = HubKeys(wire_keys.SealingPrivateKey.generate(), wire_keys.new_signing_key())
    write_private(sealing_file, hub_keys.sealing.to_pem())
    write_private(signing_file, wire_keys.signing_key_to_pem(hub_keys.signing))
    return hub_keys


def load(sealing_file: str | os.PathLike | None, signing_file: str | os.PathLike | None) -> HubKeys:
    return HubKeys(
        _load_one(sealing_file, "sealing", wire_keys.SealingPrivateKey.from_pem),
        _load_one(signing_file, "receipt signing", wire_keys.signing_key_from_pem),
    )


def _load_one(path, what: str, parse):
    if not path:
        raise KeyFileError(f"no {what} key file is configured: run `throughgate hub init` or set "
                           "SEALING_KEY_FILE / SIGNING_KEY_FILE")
    try:
        return parse(Path(path).read_bytes())
    except FileNotFoundError:
        instance = Path(path).parent
        raise KeyFileError(f"no {what} key at {path}: run `throughgate hub init --instance {instance}` "
                           "first") from None
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"cannot read the {what} key at {path} ({exc}): restore it from backup") from None
