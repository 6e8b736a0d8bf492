"""Check-ins on the reference phone (docs/checkins.md): made offline, signed at once with the phone's key (a JWS
over the canonical document, wire/checkin.py), kept in the outbox with the photo copied into the phone's folder;
the next sync uploads the photo and sends it as a `checkin` change. At each sync the phone asks the hub for a
fresh nonce, its next window and what became of its check-ins (GET /v1/phone/checkins), and keeps the answer:
a check-in made later, offline, carries that nonce.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from phone import client, identity
from phone.store import Store
from provisioning import signatures
from wire import checkin as wire
from wire import media
from wire.records import timestamp

STATE = "checkins"
COUNTER = "checkin_counter"
NO_NONCE = "none"
"""What a check-in carries when the phone has never been given a nonce (the hub flags it)."""


def refresh(folder: str | Path, store: Store) -> dict:
    """Ask the hub for a fresh nonce and the next window; keep the answer for check-ins made offline."""
    done, key, context = client._signing(Path(folder))
    status, data = client._request(done.hub, context, "GET", "/v1/phone/checkins", b"", key)
    if status != 200:
        raise client._refusal(status, data)
    store.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (STATE, data.decode()))
    return json.loads(data)


def known(store: Store) -> dict:
    """The hub's last answer (nonce, next window, outcomes), or {} before the first."""
    row = store.db.execute("SELECT value FROM state WHERE key = ?", (STATE,)).fetchone()
    return json.loads(row[0]) if row else {}


def make(folder: str | Path, store: Store, photo: str | Path, lat: float, lon: float, accuracy: float,
         mock: bool = False, device_time: str | None = None) -> dict:
    """Record a check-in now, offline: the photo kept, the document signed, the change queued. The document."""
    folder = Path(folder)
    done = client._activated(folder)
    key = identity.load_or_make_key(folder)
    ref = client.attach(folder, photo, media.PHOTO)
    last = known(store)
    checkin_id = str(uuid.uuid4())
    store.db.execute("BEGIN IMMEDIATE")
    try:
        row = store.db.execute("SELECT value FROM state WHERE key = ?", (COUNTER,)).fetchone()
        counter = int(row[0]) + 1 if row else 1
        document = {"v": wire.VERSION, "checkin_id": checkin_id, "person": done.person, "key_id": done.key_id,
                    "slot": (last.get("next") or {}).get("slot"), "photo": ref,
                    "gps": {"lat": float(lat), "lon": float(lon), "accuracy": float(accuracy), "mock": bool(mock)},
                    "device_time": device_time or timestamp(), "counter": counter,
                    "nonce": last.get("nonce") or NO_NONCE}
        jws = wire.sign(document, key, signatures.key_id(key.public_key()))
        store.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (COUNTER, str(counter)))
        store.db.execute("INSERT INTO outbox VALUES (?, ?, ?, ?)", (checkin_id, wire.KIND, json.dumps(
            {"jws": jws, "attachments": [ref]}), timestamp()))
        store.db.execute("COMMIT")
    except BaseException:
        store.db.execute("ROLLBACK")
        raise
    return document
