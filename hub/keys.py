"""The hub's private keys and the public document edges load.

- sealing key (`wire.keys.SealingPrivateKey`): edges seal batches to the current one; only the hub
  opens them. `throughgate hub keys rotate` makes a new current key and keeps the previous ones in
  `sealing_keys/<key id>.pem` beside it, so batches sealed before the edge learnt the new key
  still open (the batch header names the key it was sealed to).
- receipt key (Ed25519): the hub signs receipts with it; edges verify them.

Private key files are 0600 and never overwritten (rotation replaces the current file only after
the previous key is safe in the keyring). A running hub notices a rotation on its next request.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.config import HubConfigError
from provisioning.files import write_private
from wire import keys as wire_keys

log = logging.getLogger("hub.keys")

KEYRING_DIR = "sealing_keys"


class KeyFileError(HubConfigError):
    """A key file is missing or unreadable. The message says what to do."""


@dataclass(frozen=True)
class HubKeys:
    sealing: wire_keys.SealingPrivateKey
    """The current sealing key: what the public document offers."""
    signing: ed25519.Ed25519PrivateKey
    previous: tuple[wire_keys.SealingPrivateKey, ...] = ()
    """Earlier sealing keys, kept to open batches sealed before a rotation."""

    @property
    def sealing_key_id(self) -> str:
        return self.sealing.public_key().id

    def opening_key(self, key_id: str) -> wire_keys.SealingPrivateKey | None:
        """The sealing key with this id, if the hub holds it."""
        for key in (self.sealing, *self.previous):
            if key.public_key().id == key_id:
                return key
        return None

    def public_document(self) -> dict:
        """What `throughgate hub keys export` prints and each edge loads."""
        return wire_keys.HubPublicKeys(self.sealing.public_key(), self.signing.public_key()).to_document()


def keyring_dir(sealing_file: str | os.PathLike) -> Path:
    return Path(sealing_file).parent / KEYRING_DIR


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


def rotate(sealing_file: str | os.PathLike) -> tuple[str, str]:
    """Make a new current sealing key; keep the old one in the keyring. Returns (old id, new id)."""
    old = _load_one(sealing_file, "sealing", wire_keys.SealingPrivateKey.from_pem)
    ring = keyring_dir(sealing_file)
    ring.mkdir(mode=0o700, exist_ok=True)
    kept = ring / f"{old.public_key().id}.pem"
    if not kept.exists():
        write_private(kept, old.to_pem())
    new = wire_keys.SealingPrivateKey.generate()
    write_private(sealing_file, new.to_pem(), replace=True)
    return old.public_key().id, new.public_key().id


def load(sealing_file: str | os.PathLike | None, signing_file: str | os.PathLike | None) -> HubKeys:
    sealing = _load_one(sealing_file, "sealing", wire_keys.SealingPrivateKey.from_pem)
    previous = []
    ring = keyring_dir(sealing_file)
    for path in sorted(ring.glob("*.pem")) if ring.is_dir() else ():
        key = _load_one(path, "previous sealing", wire_keys.SealingPrivateKey.from_pem)
        if key.public_key().id != sealing.public_key().id:
            previous.append(key)
    signing = _load_one(signing_file, "receipt signing", wire_keys.signing_key_from_pem)
    return HubKeys(sealing, signing, tuple(previous))


class KeyFiles:
    """The hub's keys as the files hold them now: `get()` reloads after `throughgate hub keys rotate`
    (one stat per call), so a running hub serves the new key without a restart."""

    def __init__(self, sealing_file: str | os.PathLike | None, signing_file: str | os.PathLike | None):
        self._files = (sealing_file, signing_file)
        self._lock = threading.Lock()
        self._stamp = self._current_stamp()
        self._keys = load(*self._files)

    def get(self) -> HubKeys:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._stamp = stamp
                    try:
                        self._keys = load(*self._files)
                        log.info("sealing keys reloaded: current key %s", self._keys.sealing_key_id)
                    except HubConfigError as exc:
                        log.error("keeping the keys loaded before: %s", exc)
        return self._keys

    def _current_stamp(self) -> tuple:
        if not self._files[0]:
            return ()
        sealing = Path(self._files[0])
        stamps = []
        for path in (sealing, keyring_dir(sealing)):
            try:
                info = path.stat()
                stamps.append((info.st_ino, info.st_mtime_ns, info.st_size))
            except OSError:
                stamps.append(None)
        return tuple(stamps)


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
