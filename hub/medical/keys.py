"""Each person's health records are sealed with a data key of their own, kept only wrapped by a hub key.

Two layers, so that erasing a person is deleting one row and rotating the hub key touches no record:
- the person's data key: 32 random bytes, stored in health_key wrapped with AES-256-GCM under a hub
  key (12-byte nonce, then the sealed key; the person's id as associated data, so a wrapped key moved
  to another person's row does not open);
- a record: AES-256-GCM under the data key of the zstd-compressed canonical JSON (12-byte nonce first),
  with `record_id|person_id|kind` as associated data, so a sealed record moved to another row, person or
  kind does not open either. Its digest is HMAC-SHA256 of the canonical JSON under the data key: equal
  bundles of one person are found without opening anything, and the digest means nothing once the key
  is gone.

The hub keys (key-encryption keys) live in the instance folder, in `health-keys.json` (0600), never in
the database: a copy of the database (a backup, a dump) alone opens no record. The file is made at
first use, while no person's key is stored; after that a missing file is an error saying to restore
it. EVERY HUB REPLICA NEEDS THE SAME FILE (copy it with the instance's other keys).

Rotation (`throughgate hub health rotate-key`) adds a new current hub key to the file and rewraps every
person's data key under it, in batches; records are not touched. The old hub keys stay in the file until
`rotate-key --retire-old` (run once every replica has the new file): it rewraps anything still under an
old key (a key wrapped by a replica that still had the old file) and then drops the old keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import zstandard
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub import db
from hub.medical.models import HealthKey
from provisioning.files import write_private_once
from wire.records import timestamp

KEY_FILE = "health-keys.json"
NONCE = 12
DATA_KEY = 32
BATCH = 200
"""Data keys rewrapped per transaction during a rotation."""
MAX_OPENED = 64 * 1024 * 1024
"""The most a sealed record may decompress to (an upload is at most a few MiB)."""


class HealthKeyError(RuntimeError):
    """A key or record this hub cannot open; the message says what to do."""


@dataclass(frozen=True)
class HubKeys:
    current: int
    keys: dict[int, bytes]


def key_path(instance: str | Path) -> Path:
    return Path(instance) / KEY_FILE


def _encode(keys: HubKeys) -> bytes:
    return json.dumps({"current": keys.current, "keys": {str(kid): base64.b64encode(key).decode()
                                                         for kid, key in sorted(keys.keys.items())}},
                      indent=1, sort_keys=True).encode() + b"\n"


def _new_keys() -> bytes:
    return _encode(HubKeys(1, {1: AESGCM.generate_key(bit_length=256)}))


def hub_keys(instance: str | Path) -> HubKeys:
    """The hub keys, made at first use (a file another process made first stays, and is read). Once any
    person's key is stored, a missing file is an error, never made anew: a new file would wrap the next
    people's keys under a key no other replica (and no backup) has, and open nobody's stored before."""
    path = key_path(instance)
    if not path.exists():
        if HealthKey.select().exists():
            raise HealthKeyError(f"{path} is missing, yet this hub's database holds people's health keys wrapped by "
                                 "it: restore it from the backup of this instance, or copy it from another replica "
                                 "(every hub replica needs the same file)")
        write_private_once(path, _new_keys())
    try:
        found = json.loads(path.read_bytes())
        keys = {int(kid): base64.b64decode(key, validate=True) for kid, key in found["keys"].items()}
        current = int(found["current"])
    except (ValueError, KeyError, TypeError) as exc:
        raise HealthKeyError(f"{path} is not a health key file this hub can read: restore it from the backup of "
                             "this instance (every hub replica needs the same file)") from exc
    if current not in keys or any(len(key) != 32 for key in keys.values()):
        raise HealthKeyError(f"{path} is damaged (its current key is missing or a key is not 32 bytes): restore it "
                             "from the backup of this instance")
    return HubKeys(current, keys)


def _replace(instance: str | Path, keys: HubKeys) -> None:
    """Write the key file anew, atomically (0600 from the start): a reader sees the old or the new file."""
    path = key_path(instance)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_encode(keys))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _seal(key: bytes, data: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, data, associated)


def _open(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    sealed = bytes(sealed)
    return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], associated)


def wrap(keys: HubKeys, person_id: str, data_key: bytes) -> bytes:
    return _seal(keys.keys[keys.current], data_key, person_id.encode())


def unwrap(keys: HubKeys, person_id: str, wrapped: bytes, kek_id: int) -> bytes:
    if kek_id not in keys.keys:
        raise HealthKeyError(f"hub health key {kek_id} is not in this hub's {KEY_FILE} (retired, or this replica has "
                             "an older copy of the file): copy the file from the hub that rotated it")
    try:
        return _open(keys.keys[kek_id], wrapped, person_id.encode())
    except (InvalidTag, ValueError) as exc:
        raise HealthKeyError(f"the health key of {person_id} does not open with hub key {kek_id}: the key row or the "
                             f"key file is not the one it was made with (restore {KEY_FILE} from backup)") from exc


def data_key(instance: str | Path, person_id: str, make: bool = False) -> bytes | None:
    """The person's data key in clear (in memory only); None when they have none and `make` is false.
    Made at their first upload; two uploads at once keep the one that was stored first."""
    keys = hub_keys(instance)
    row = HealthKey.get_or_none(HealthKey.person == person_id)
    if row is None:
        if not make:
            return None
        fresh = os.urandom(DATA_KEY)
        HealthKey.insert(person=person_id, wrapped=wrap(keys, person_id, fresh), kek_id=keys.current,
                         created_at=timestamp()).on_conflict_ignore().execute()
        row = HealthKey.get(HealthKey.person == person_id)
    return unwrap(keys, person_id, row.wrapped, row.kek_id)


def forget(person_id: str) -> int:
    """Delete the person's data key: every record sealed with it can never be opened again."""
    return HealthKey.delete().where(HealthKey.person == person_id).execute()


def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _associated(record_id: str, person_id: str, kind: str) -> bytes:
    return f"{record_id}|{person_id}|{kind}".encode()


def digest(key: bytes, document: dict) -> str:
    return hmac.new(key, canonical(document), hashlib.sha256).hexdigest()


def seal_record(key: bytes, record_id: str, person_id: str, kind: str, document: dict) -> bytes:
    return _seal(key, zstandard.ZstdCompressor(level=10).compress(canonical(document)),
                 _associated(record_id, person_id, kind))


def open_record(key: bytes, record_id: str, person_id: str, kind: str, sealed: bytes) -> dict:
    try:
        packed = _open(key, sealed, _associated(record_id, person_id, kind))
    except (InvalidTag, ValueError) as exc:
        raise HealthKeyError(f"health record {record_id} does not open with the key of {person_id}: it was not sealed "
                             "for this person (a moved or damaged row); restore the database from backup") from exc
    return json.loads(zstandard.ZstdDecompressor().decompress(packed, max_output_size=MAX_OPENED))


@dataclass(frozen=True)
class Rotation:
    current: int
    rewrapped: int
    retired: tuple[int, ...]


def _rewrap_all(instance: str | Path, keys: HubKeys, say: Callable[[int, int], None]) -> int:
    """Rewrap, batch by batch, every data key not under the current hub key; (done, total) to `say`."""
    old = HealthKey.kek_id != keys.current
    total, done = HealthKey.select().where(old).count(), 0
    say(done, total)
    while True:
        with db.proxy.atomic():
            rows = list(HealthKey.select().where(old).order_by(HealthKey.person).limit(BATCH))
            for row in rows:
                clear = unwrap(keys, row.person_id, row.wrapped, row.kek_id)
                HealthKey.update(wrapped=wrap(keys, row.person_id, clear), kek_id=keys.current).where(
                    (HealthKey.person == row.person_id) & (HealthKey.kek_id == row.kek_id)).execute()
        if not rows:
            return done
        done += len(rows)
        say(min(done, total), total)


def rotate(instance: str | Path, retire_old: bool = False,
           say: Callable[[int, int], None] = lambda done, total: None) -> Rotation:
    """A new current hub key with every data key rewrapped under it (the old hub keys stay in the file);
    or, `retire_old`, no new key: whatever still uses an old key is rewrapped, then the old keys dropped."""
    keys = hub_keys(instance)
    if not retire_old:
        keys = HubKeys(max(keys.keys) + 1, {**keys.keys, max(keys.keys) + 1: AESGCM.generate_key(bit_length=256)})
        _replace(instance, keys)
    rewrapped = _rewrap_all(instance, keys, say)
    retired: tuple[int, ...] = ()
    if retire_old:
        in_use = {row.kek_id for row in HealthKey.select(HealthKey.kek_id).distinct()}
        retired = tuple(sorted(kid for kid in keys.keys if kid != keys.current and kid not in in_use))
        if retired:
            _replace(instance, HubKeys(keys.current, {kid: key for kid, key in keys.keys.items()
                                                      if kid not in retired}))
    return Rotation(keys.current, rewrapped, retired)
