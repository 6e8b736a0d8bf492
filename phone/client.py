"""Activation and sync, over HTTPS to the hub, every request signed with the phone's key (RFC 9421).

`activate(offer, folder)`: fetch the hub's root certificate, trust it only if it matches the pin in
the offer (the release letter's QR code), then register this phone's key with the one-time code.
`sync(folder)`: one request a round: the outbox (at most BATCH changes) and the cursor; the answer is
applied in one transaction; rounds repeat while the hub says more waits or the outbox still holds
changes. A dropped connection loses nothing: the outbox keeps each change until the hub's answer
says it was accepted, and the hub stores a change once however often it comes.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from phone import identity
from phone.store import Store
from provisioning import pki, signatures
from provisioning.tokens import TokenError, parse_activation_offer
from wire import media

BATCH = 100
MAX_BODY = 60 * 1024
"""The hub reads at most 64 KiB of JSON a request (hub/limits.py MAX_JSON_BYTES): a round sends as many of
the outbox's changes, oldest first, as fit in this, and the next round the rest."""
TIMEOUT_S = 30.0
MAX_ROUNDS = 1000
ATTACHMENTS = "attachments"
"""The phone's copies of the photos and voice notes its messages carry, by SHA-256."""


class PhoneError(RuntimeError):
    """Something the person (or the app) must act on: the message says what."""

    def __init__(self, code: str, reason: str, status: int | None = None):
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.status = code, reason, status


@dataclass
class SyncResult:
    rounds: int = 0
    sent: int = 0
    received: int = 0
    refused: int = 0
    uploaded: int = 0
    """Photos and voice notes uploaded before the sync (each its own requests, a chunk each)."""
    health: bool = False
    """The health summary changed at the hub, and the phone fetched it (or deleted its copy)."""


def _request(hub: str, context: ssl.SSLContext, method: str, path: str, body: bytes,
             key=None, extra: dict | None = None, sink=None) -> tuple[int, bytes]:
    """One request; `extra` headers are sent too (not signed); with `sink`, a 200 or 206 answer's body
    is written to it as it arrives (what came before a cut stays there) and b"" returned."""
    parts = urlsplit(hub)
    url = f"{hub.rstrip('/')}{path}"
    headers = {"Content-Type": "application/json"} if body else {}
    headers.update(extra or {})
    if key is not None:
        headers.update(signatures.sign(method, url, headers, body, key))
    connection = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=TIMEOUT_S, context=context)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        if sink is not None and response.status in (200, 206):
            while piece := response.read(64 * 1024):
                sink.write(piece)
            return response.status, b""
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise PhoneError("offline", f"cannot reach the hub ({exc}): nothing is lost, it is sent next time") from None
    finally:
        connection.close()


def _refusal(status: int, data: bytes) -> PhoneError:
    try:
        answer = json.loads(data)
        return PhoneError(answer.get("error", "refused"), answer.get("reason", ""), status)
    except ValueError:
        return PhoneError("refused", f"the hub answered {status}", status)


def _fetch_root(hub: str, pin: str) -> bytes:
    unverified = ssl._create_unverified_context()  # noqa: S323 (checked against the letter's pin below)
    status, pem = _request(hub, unverified, "GET", "/v1/enrol/ca", b"")
    try:
        root = pki.load_cert(pem) if status == 200 else None
    except pki.PkiError:
        root = None
    if root is None or not hmac.compare_digest(pki.spki_sha256(root), pin):
        raise PhoneError("wrong_hub", "this is not the hub the letter names: do not go on, and tell your worker")
    return pki.cert_to_pem(root)


def activate(offer_uri: str, folder: str | Path, label: str = "phone") -> identity.Activation:
    folder = Path(folder)
    try:
        offer = parse_activation_offer(offer_uri)
    except TokenError as exc:
        raise PhoneError("bad_offer", str(exc)) from None
    key = identity.load_or_make_key(folder)
    root = _fetch_root(offer.hub, offer.ca)
    context = ssl.create_default_context(cadata=root.decode())
    body = json.dumps({"code": offer.code, "key": signatures.public_jwk(key.public_key()), "label": label}).encode()
    status, data = _request(offer.hub, context, "POST", "/v1/phone/activate", body, key)
    if status not in (200, 201):
        raise _refusal(status, data)
    answer = json.loads(data)
    done = identity.Activation(offer.hub, offer.ca, answer["person"], answer["key_id"])
    identity.save_activation(folder, done, root)
    return done


def _activated(folder: Path) -> identity.Activation:
    found = identity.activation(folder)
    if found is None:
        raise PhoneError("not_activated", "this phone is not set up yet: scan the code on your release letter "
                         "(`throughgate phone activate`)")
    return found


def _signing(folder: Path):
    """What every signed request needs: the activation (hub URL), the phone's key, TLS to the pinned hub."""
    return _activated(folder), identity.load_or_make_key(folder), identity.tls_context(folder)


def attach(folder: str | Path, file: str | Path, kind: str) -> dict:
    """Keep a copy of a photo or voice note in the phone's folder, for a message: {"sha256", "type",
    "bytes"}. Its type is read from its first bytes (wire/media.py), not from its name."""
    data = Path(file).read_bytes()
    found = media.sniff(data[:media.HEAD])
    if found is None or media.kind_of(found) != kind:
        what = "a photo (JPEG, PNG or WebP)" if kind == media.PHOTO else "a voice note (Ogg Opus, WebM, M4A or AMR)"
        raise PhoneError("not_" + kind, f"{Path(file).name} is not {what}, whatever its name says")
    sha256 = hashlib.sha256(data).hexdigest()
    folder = Path(folder) / ATTACHMENTS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / sha256).write_bytes(data)
    return {"sha256": sha256, "type": found, "bytes": len(data)}


def upload(folder: str | Path, ref: dict, most_chunks: int | None = None) -> dict:
    """Send the hub the rest of an attachment, a chunk a request, from the byte the hub says it holds;
    `most_chunks` stops after that many (an app on a metered connection may). The hub's last status."""
    folder = Path(folder)
    done, key, context = _signing(folder)
    path = f"/v1/phone/uploads/{ref['sha256']}"
    status, data = _request(done.hub, context, "GET", path, b"", key)
    if status != 200:
        raise _refusal(status, data)
    state, sent = json.loads(data), 0
    if state["complete"] or most_chunks == 0:
        return state
    with open(folder / ATTACHMENTS / ref["sha256"], "rb") as handle:
        while not state["complete"] and (most_chunks is None or sent < most_chunks):
            first = state["received"]
            handle.seek(first)
            chunk = handle.read(state["chunk_bytes"])
            status, data = _request(done.hub, context, "PUT", path, chunk, key, {
                "Content-Type": ref["type"], "Content-Range": f"bytes {first}-{first + len(chunk) - 1}/{ref['bytes']}"})
            sent += 1
            answer = json.loads(data) if data.startswith(b"{") else {}
            if status == 409 and answer.get("error") == "range_mismatch":
                state["received"] = answer["received"]
                continue
            if status != 200:
                raise _refusal(status, data)
            state = answer
    return state


def _upload_pending(folder: Path, store: Store) -> int:
    """Before a sync: upload what the outbox's messages carry. One the hub will never take (too large,
    not a photo) moves the message to `refused` with the reason; a cut connection keeps everything.
    Returns how many were uploaded."""
    count = 0
    for change in store.pending(BATCH):
        for ref in change["body"].get("attachments", []) if change["kind"] in ("message", "checkin") else []:
            if store.uploaded(ref["sha256"]):
                continue
            if not (folder / ATTACHMENTS / ref["sha256"]).exists():
                store.refuse(change["id"], "attachment_missing", "the photo or voice note this message carries is "
                             "no longer on this phone: write the message again with it")
                break
            try:
                upload(folder, ref)
            except PhoneError as exc:
                if exc.code == "offline" or exc.status is None or exc.status >= 500 or exc.status in (401, 429):
                    raise
                store.refuse(change["id"], exc.code, exc.reason)
                break
            store.mark_uploaded(ref["sha256"])
            count += 1
    return count


def download(folder: str | Path, sha256: str, out: str | Path) -> int:
    """Fetch an attachment of one of the person's messages into `out`, going on from the bytes `out`
    already holds (a cut download resumes with Range); checks its SHA-256. Returns its size."""
    folder, out = Path(folder), Path(out)
    done, key, context = _signing(folder)
    have = out.stat().st_size if out.exists() else 0
    with open(out, "ab") as sink:
        status, data = _request(done.hub, context, "GET", f"/v1/phone/attachments/{sha256}", b"", key,
                                {"Range": f"bytes={have}-"} if have else {}, sink=sink)
    if status == 200 and have:  # the hub sent it all again: keep only that
        whole = out.read_bytes()[have:]
        out.write_bytes(whole)
    elif status not in (200, 206) and not (status == 416 and have):
        if not have:
            out.unlink(missing_ok=True)
        raise _refusal(status, data)
    with open(out, "rb") as handle:
        if hashlib.file_digest(handle, "sha256").hexdigest() != sha256:
            out.unlink()
            raise PhoneError("hash_mismatch", "the file fetched is not the one the message names: fetch it again")
    return out.stat().st_size


def sync_body(cursor: int, pending: list[dict]) -> bytes:
    """One round's request: the cursor and the oldest changes that fit in MAX_BODY (always at least one)."""
    changes, size = [], 64
    for change in pending:
        size += len(json.dumps(change, separators=(",", ":"))) + 1
        if changes and size > MAX_BODY:
            break
        changes.append(change)
    return json.dumps({"cursor": cursor, **({"changes": changes} if changes else {})}, separators=(",", ":")).encode()


def sync(folder: str | Path, store: Store | None = None) -> SyncResult:
    folder = Path(folder)
    done, key, context = _signing(folder)
    own = store is None
    store = store or Store(folder / "phone.db")
    result = SyncResult()
    try:
        result.uploaded = _upload_pending(folder, store)
        sent_checkin = any(change["kind"] == "checkin" for change in store.pending(BATCH))
        while result.rounds < MAX_ROUNDS:
            status, data = _request(done.hub, context, "POST", "/v1/phone/sync",
                                    sync_body(store.cursor, store.pending(BATCH)), key)
            result.rounds += 1
            if status == 204:
                break
            if status != 200:
                raise _refusal(status, data)
            answer = json.loads(data)
            settled = store.apply(answer)
            result.sent += len(answer.get("accepted", []))
            result.refused += settled - len(answer.get("accepted", []))
            result.received += len(answer.get("changes", []))
            if not answer.get("more") and (not store.pending(1) or not settled):
                break  # what is left waits for its attachments: the next sync uploads them first
        if store.health_due():
            result.health = health_refresh(folder, store)
        if checkins_due(store, sent_checkin):  # a fresh nonce, the next window, the check-ins' outcomes
            from phone import checkin

            checkin.refresh(folder, store)
        return result
    finally:
        if own:
            store.close()


def checkins_due(store: Store, sent_checkin: bool) -> bool:
    """Whether this sync ends by asking GET /v1/phone/checkins: the person has a check-in schedule (the feed
    said so), or the phone just sent a check-in. A phone with neither makes no extra request."""
    return sent_checkin or store.db.execute("SELECT 1 FROM feed WHERE kind = 'checkin_schedule' LIMIT 1").fetchone() \
        is not None


def health_refresh(folder: str | Path, store: Store) -> bool:
    """Fetch the person's health summary, and its printable HTML and PDF, to keep offline; or delete
    the copy when the person no longer carries one. One request, answered 204, when the phone holds
    the newest already. Whether anything changed."""
    done, key, context = _signing(Path(folder))
    held = store.health_record()
    path = "/v1/phone/health" + (f"?record={quote(held, safe='')}" if held is not None else "")
    status, data = _request(done.hub, context, "GET", path, b"", key)
    if status == 204:
        store.health_fetched()
        return False
    if status != 200:
        raise _refusal(status, data)
    answer, files = json.loads(data), {}
    if answer.get("carried") and answer.get("summary"):
        for name in ("html", "pdf"):
            status, body = _request(done.hub, context, "GET", f"/v1/phone/health/printable?format={name}", b"", key)
            if status != 200:
                raise _refusal(status, body)
            files[name] = body
    store.keep_health(answer, files)
    return True


def views(folder: str | Path, after: int = 0) -> list[dict]:
    """Who looked at the person's record, and when (every page after `after`)."""
    folder = Path(folder)
    done, key, context = _signing(folder)
    found: list[dict] = []
    while True:
        status, data = _request(done.hub, context, "GET", f"/v1/phone/views?after={after}", b"", key)
        if status != 200:
            raise _refusal(status, data)
        answer = json.loads(data)
        found += answer["views"]
        if not answer.get("more") or not answer["views"]:
            return found
        after = answer["views"][-1]["id"]


def _push(folder: str | Path, method: str, body: bytes = b"") -> dict:
    """A signed request to /v1/phone/push (GET, PUT or DELETE); its JSON answer ({} for 204)."""
    done, key, context = _signing(Path(folder))
    status, data = _request(done.hub, context, method, "/v1/phone/push", body, key)
    if status not in (200, 201, 204):
        raise _refusal(status, data)
    return json.loads(data) if data else {}


def push_key(folder: str | Path) -> dict:
    """{"application_server_key": the hub's VAPID public key for PushManager.subscribe, "subscribed": bool}."""
    return _push(folder, "GET")


def push_subscribe(folder: str | Path, endpoint: str, p256dh: str, auth: str) -> dict:
    """Give the hub this phone's push subscription (PushSubscription.toJSON()'s fields); it replaces any
    earlier one. The hub then wakes the phone when something changed, and pushes appointment reminders."""
    body = json.dumps({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}).encode()
    return _push(folder, "PUT", body)


def push_unsubscribe(folder: str | Path) -> None:
    _push(folder, "DELETE")
