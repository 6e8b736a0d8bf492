"""Photos and voice notes in messages, on a real `throughgate hub run` with the reference phone: an
upload cut half-way goes on from the byte the hub says it holds and its message arrives once (SQLite
and PostgreSQL); files that are not a photo or voice note, too large, or not what their hash says are
refused, each saying what to do; a message whose attachment is not all there waits and is stored once;
the bytes at rest are sealed; another person's phone cannot read them; the worker sees and hears them
on the messages page (Chromium, axe-core), each read recorded for the person, and sends a photo back,
which the phone fetches."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from hubkit import make_instance
from hubprocess import HubProcess
from phonekit import AnswerDroppingProxy, hub_app, offer_for, point_phone_at, released_person
from workkit import log_in_in_chromium, make_worker

from hub import db
from hub.sync import sealed
from hub.sync.models import Message, MessageAttachment, PhoneChange, PhoneUpload
from hub.workers import caseload
from hub.workers.models import PersonRead
from phone import client
from phone.store import Store
from tests import browserkit
from tests.learning.learningkit import CuttingProxy
from wire import media
from wire.records import timestamp

CHUNK = 256 * 1024
"""PHONE_UPLOAD_CHUNK_BYTES' default."""
PASSWORD = "a long admin passphrase"  # consolekit's


def png(padding: int = 0, seed: int = 1) -> bytes:
    """A real 2x2 PNG (browsers draw it), made `padding` bytes larger by a private chunk they skip."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\x00\xff\x00\x00\xff\x00\x00\x00\x00\xff")
    extra = chunk(b"prVt", hashlib.shake_256(str(seed).encode()).digest(padding)) if padding else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + extra
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def ogg_opus(size: int = 3000) -> bytes:
    """The start of an Ogg Opus voice note (its first page's OpusHead), then bytes."""
    head = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
    return head + os.urandom(size - len(head))


def _running_hub(url: str, tmp_path, settings: dict | None = None):
    instance = make_instance(tmp_path / "hub")
    process = HubProcess(instance, url, tmp_path / "hub.log", settings).start()
    try:
        yield process, hub_app(instance, url), instance
    finally:
        process.stop()


@pytest.fixture
def hub(hub_db_url, tmp_path):
    yield from _running_hub(hub_db_url, tmp_path)


@pytest.fixture
def sqlite_hub(tmp_path):
    yield from _running_hub(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path)


def _phone(process, instance, app, folder: Path, worker: str = "olivia") -> str:
    person, code = released_person(app, worker)
    offer = offer_for(process, instance, code)
    client.activate(offer, folder)
    return person


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _stored(instance: Path, person: str, sha256: str) -> Path:
    return instance / "attachments" / "people" / person / sha256[:2] / sha256


def test_a_photo_upload_cut_half_way_goes_on_from_the_hubs_offset_and_its_message_arrives_once(hub, tmp_path):
    process, app, instance = hub
    folder = tmp_path / "phone"
    person = _phone(process, instance, app, folder)
    photo = png(padding=600_000)
    ref = client.attach(folder, _file(tmp_path, "IMG_0001.jpg", photo), media.PHOTO)  # a PNG, whatever its name
    assert ref == {"sha256": hashlib.sha256(photo).hexdigest(), "type": "image/png", "bytes": len(photo)}
    store = Store(folder / "phone.db")
    written = store.queue("message", {"to": "olivia", "text": "The letter from the council", "written_at": timestamp(),
                                      "attachments": [ref]})

    cutter = CuttingProxy(process.port, cut_after=CHUNK + 150_000).start()  # the second chunk dies half-way up
    point_phone_at(folder, f"https://127.0.0.1:{cutter.port}")
    with pytest.raises(client.PhoneError) as offline:
        client.sync(folder, store)
    cutter.stop()
    assert offline.value.code == "offline" and cutter.cut.is_set()
    assert [c["id"] for c in store.pending(10)] == [written]  # the outbox keeps the message

    point_phone_at(folder, process.url)
    held = client.upload(folder, ref, most_chunks=0)
    assert (held["received"], held["complete"], held["chunk_bytes"]) == (CHUNK, False, CHUNK)
    partial = instance / "attachments" / "phones"
    (on_disk,) = [p for p in partial.rglob(ref["sha256"])]
    assert on_disk.stat().st_size == sealed.stored_size(CHUNK) and photo[:CHUNK][-4096:] not in on_disk.read_bytes()

    counter = AnswerDroppingProxy(instance, process.port, drops=0)
    point_phone_at(folder, counter.url)
    result = client.sync(folder, store)
    counter.stop()
    point_phone_at(folder, process.url)
    remaining_chunks = -(-(len(photo) - CHUNK) // CHUNK)
    assert counter.forwarded == 1 + remaining_chunks + 1  # the hub's offset, the rest only, one sync
    assert (result.sent, result.refused) == (1, 0) and store.pending(10) == []
    assert client.sync(folder, store).sent == 0  # nothing is sent twice

    with app.app_context(), db.connected():
        stored = [m.message_id for m in Message.select().where(Message.person == person, Message.from_person)]
        assert stored == [written]  # 0 lost, 0 duplicated
        assert PhoneChange.select().where(PhoneChange.person == person).count() == 1
        assert [(a.sha256, a.media_type, a.bytes) for a in MessageAttachment.select()] == [
            (ref["sha256"], "image/png", len(photo))]
    mine = [m for m in store.messages() if m["id"] == written]
    assert len(mine) == 1 and mine[0]["attachments"] == [ref] and mine[0]["sent"]

    blob = _stored(instance, person, ref["sha256"]).read_bytes()  # sealed at rest
    assert len(blob) == sealed.stored_size(len(photo))
    assert b"\x89PNG" not in blob and photo[1000:1064] not in blob and photo[-64:] not in blob
    assert oct((instance / "attachments.key").stat().st_mode & 0o777) == "0o600"

    out = tmp_path / "fetched.png"  # a download cut after 100,000 bytes goes on from there (Range)
    out.write_bytes(photo[:100_000])
    assert client.download(folder, ref["sha256"], out) == len(photo) and out.read_bytes() == photo
    store.close()


def _refused(folder: Path, ref: dict) -> client.PhoneError:
    with pytest.raises(client.PhoneError) as refused:
        client.upload(folder, ref)
    return refused.value


def _as(folder: Path, data: bytes, media_type: str, declared: int | None = None, sha256: str | None = None) -> dict:
    """An attachment the phone holds, declared as the caller says (the hub must not believe it)."""
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    (folder / client.ATTACHMENTS).mkdir(exist_ok=True)
    (folder / client.ATTACHMENTS / sha256).write_bytes(data)
    return {"sha256": sha256, "type": media_type, "bytes": declared or len(data)}


def test_files_that_are_not_photos_or_voice_notes_too_large_or_not_their_hash_are_refused_saying_why(sqlite_hub,
                                                                                                      tmp_path):
    process, app, instance = sqlite_hub
    folder = tmp_path / "phone"
    _phone(process, instance, app, folder)
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"x" * 2000
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    with pytest.raises(client.PhoneError) as local:  # the reference phone checks first, by the bytes
        client.attach(folder, _file(tmp_path, "scan.jpg", pdf), media.PHOTO)
    assert local.value.code == "not_photo" and "scan.jpg" in local.value.reason

    reasons = {}
    for name, ref in (("pdf", _as(folder, pdf, "image/jpeg")), ("html", _as(folder, html, "image/jpeg"))):
        refused = _refused(folder, ref)
        assert (refused.status, refused.code) == (415, "not_photo_or_voice"), name
        assert "not a photo (JPEG, PNG or WebP) or a voice note" in refused.reason
        reasons[refused.code] = refused.reason
    refused = _refused(folder, _as(folder, png(), "image/jpeg"))
    assert (refused.status, refused.code) == (415, "wrong_type") and "Content-Type image/png" in refused.reason
    refused = _refused(folder, _as(folder, png(), "application/pdf"))
    assert (refused.status, refused.code) == (415, "unsupported_type") and "image/jpeg" in refused.reason
    refused = _refused(folder, _as(folder, png(padding=1000), "image/png", declared=10 * 1024 * 1024 + 1))
    assert (refused.status, refused.code) == (413, "too_large") and "make the photo smaller" in refused.reason
    refused = _refused(folder, _as(folder, ogg_opus(), "audio/ogg", declared=5 * 1024 * 1024 + 1))
    assert (refused.status, refused.code) == (413, "too_large") and "shorter voice note" in refused.reason
    wrong = _as(folder, png(padding=100), "image/png", sha256=hashlib.sha256(b"another file").hexdigest())
    refused = _refused(folder, wrong)
    assert (refused.status, refused.code) == (422, "hash_mismatch") and "send it again from byte 0" in refused.reason
    assert client.upload(folder, {**wrong, "bytes": wrong["bytes"]}, most_chunks=0)["received"] == 0  # discarded
    with app.app_context(), db.connected():
        assert PhoneUpload.select().where(PhoneUpload.completed_at.is_null(False)).count() == 0
    assert not list((instance / "attachments").rglob("people/*/*/*"))  # nothing refused was kept


def test_a_message_whose_attachment_is_not_all_there_waits_then_is_stored_once(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    folder = tmp_path / "phone"
    person = _phone(process, instance, app, folder)
    voice = ogg_opus(CHUNK + 5000)
    ref = client.attach(folder, _file(tmp_path, "note.ogg", voice), media.VOICE)
    assert ref["type"] == "audio/ogg"
    store = Store(folder / "phone.db")
    written = store.queue("message", {"to": "olivia", "text": "", "written_at": timestamp(), "attachments": [ref]})
    assert client.upload(folder, ref, most_chunks=1)["received"] == CHUNK
    store.mark_uploaded(ref["sha256"])  # an app that wrongly thinks it is all up
    result = client.sync(folder, store)
    assert result.sent == 0 and result.refused == 0 and [c["id"] for c in store.pending(5)] == [written]
    with app.app_context(), db.connected():
        assert Message.select().where(Message.person == person).count() == 0
        assert PhoneChange.select().count() == 0  # the change's id is still free: resent, it is stored once
    result = client.sync(folder, store)  # uploads the rest, then the same change again
    assert (result.sent, store.pending(5)) == (1, [])
    with app.app_context(), db.connected():
        assert [m.message_id for m in Message.select().where(Message.person == person)] == [written]
        assert [(a.message_id, a.media_type) for a in MessageAttachment.select()] == [(written, "audio/ogg")]


def test_an_upload_begun_as_another_size_is_discarded_and_sent_again_from_byte_0(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    folder = tmp_path / "phone"
    person = _phone(process, instance, app, folder)
    ref = _as(folder, png(padding=CHUNK + 1000), "image/png")
    assert client.upload(folder, ref, most_chunks=1)["received"] == CHUNK
    with app.app_context(), db.connected():  # what the hub recorded when it began differs from what comes now
        PhoneUpload.update(bytes=ref["bytes"] + 1).where(PhoneUpload.person == person).execute()
    done = client.upload(folder, ref)
    assert (done["complete"], done["received"], done["bytes"]) == (True, ref["bytes"], ref["bytes"])


def test_a_phone_keeps_at_most_three_unfinished_uploads(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    folder = tmp_path / "phone"
    _phone(process, instance, app, folder)
    refs = [_as(folder, png(padding=CHUNK + 1000, seed=n), "image/png") for n in range(4)]
    for ref in refs:
        assert client.upload(folder, ref, most_chunks=1)["received"] == CHUNK
        time.sleep(0.01)  # written in order
    held = [client.upload(folder, ref, most_chunks=0)["received"] for ref in refs]
    assert held == [0, CHUNK, CHUNK, CHUNK]  # the least recently written was discarded: sent again from 0


def test_another_persons_phone_cannot_read_nor_find_the_attachment(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    alex_phone, sam_phone = tmp_path / "alex", tmp_path / "sam"
    _phone(process, instance, app, alex_phone)
    _phone(process, instance, app, sam_phone)
    photo = png(padding=2000)
    ref = client.attach(alex_phone, _file(tmp_path, "photo.png", photo), media.PHOTO)
    store = Store(alex_phone / "phone.db")
    store.queue("message", {"to": "olivia", "text": "Photo", "written_at": timestamp(), "attachments": [ref]})
    assert client.sync(alex_phone, store).sent == 1
    store.close()
    with pytest.raises(client.PhoneError) as refused:
        client.download(sam_phone, ref["sha256"], tmp_path / "stolen.png")
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert client.upload(sam_phone, {**ref}, most_chunks=0) == {  # the hash names nothing of Sam's
        "sha256": ref["sha256"], "received": 0, "bytes": None, "type": None, "complete": False, "chunk_bytes": CHUNK}
    sam_store = Store(sam_phone / "phone.db")  # nor can Sam's message carry it without uploading it
    sam_store.queue("message", {"to": "olivia", "text": "Mine", "written_at": timestamp(), "attachments": [ref]})
    sam_store.mark_uploaded(ref["sha256"])
    assert client.sync(sam_phone, sam_store).sent == 0
    assert len(sam_store.pending(5)) == 1
    sam_store.close()
    assert not (tmp_path / "stolen.png").exists()


def test_the_worker_sees_the_photo_hears_the_voice_note_and_sends_a_photo_back_on_an_accessible_page(sqlite_hub,
                                                                                                     tmp_path,
                                                                                                     browser):
    process, app, instance = sqlite_hub
    olivia = make_worker(app, "olivia", "offender_manager", "Cardiff probation")
    folder = tmp_path / "phone"
    person = _phone(process, instance, app, folder)
    with app.app_context(), db.connected():
        caseload.add("olivia", person, "test")
    photo, voice = png(padding=3000), ogg_opus(4000)
    refs = [client.attach(folder, _file(tmp_path, "p.png", photo), media.PHOTO),
            client.attach(folder, _file(tmp_path, "v.ogg", voice), media.VOICE)]
    store = Store(folder / "phone.db")
    store.queue("message", {"to": "olivia", "text": "Here is the letter, and a message", "written_at": timestamp(),
                            "attachments": refs})
    assert client.sync(folder, store).sent == 1
    store.close()

    context, page = log_in_in_chromium(browser, process.url, olivia)
    answer = page.goto(f"{process.url}/work/people/{person}/messages")
    csp = answer.headers["content-security-policy"]
    assert "img-src 'self';" in csp and "media-src 'self';" in csp and "default-src 'none'" in csp
    image = page.get_by_role("img", name=f"Photo from {person}: PNG picture, 3 KB")
    image.wait_for()
    page.wait_for_function("document.querySelector('img.photo').complete")
    assert image.evaluate("img => img.naturalWidth") == 2  # drawn from the sealed file
    audio = page.locator("audio[controls]")
    assert audio.get_attribute("aria-label") == f"Voice note from {person}: Ogg Opus voice note, 4 KB"
    link = page.get_by_role("link", name="Download the voice (Ogg Opus voice note, 4 KB)")
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == voice
    browserkit.assert_accessible(page)
    with app.app_context(), db.connected():
        whats = [r.what for r in PersonRead.select().where(PersonRead.person == person)]
    assert "messages" in whats and whats.count("attachment") >= 2  # the photo shown, the voice note fetched

    form = page.get_by_label(f"Write to {person}")  # the worker sends a photo back: a PDF named .jpg first
    form.fill("The map to the office")
    page.get_by_label("A photo or voice note (optional)").set_input_files(_file(tmp_path, "map.jpg", b"%PDF-1.4 x"))
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "Not sent: this file is not a photo" in page.get_by_role("alert").inner_text()
    browserkit.assert_accessible(page)
    the_map = png(padding=5000, seed=7)
    page.get_by_label(f"Write to {person}").fill("The map to the office")
    page.get_by_label("A photo or voice note (optional)").set_input_files(_file(tmp_path, "map.png", the_map))
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(lambda url: "/messages?sent=" in url)
    page.get_by_role("img", name=f"Photo from {person}: PNG picture, 5 KB").wait_for()  # shown with the person's
    context.close()
    store = Store(folder / "phone.db")
    client.sync(folder, store)
    (sent,) = [m for m in store.messages() if not m["from_person"]]
    store.close()
    assert sent["text"] == "The map to the office" and sent["attachments"][0]["type"] == "image/png"
    assert client.download(folder, sent["attachments"][0]["sha256"], tmp_path / "map-on-phone.png") == len(the_map)
    assert (tmp_path / "map-on-phone.png").read_bytes() == the_map
    assert the_map[100:164] not in _stored(instance, person, sent["attachments"][0]["sha256"]).read_bytes()


def test_segments_seal_and_open_any_range(tmp_path):
    key, data = os.urandom(32), os.urandom(3 * sealed.SEGMENT + 17)
    sha = hashlib.sha256(data).hexdigest()
    path = tmp_path / "sealed"
    sealed.append(path, key, sha, 0, data[:2 * sealed.SEGMENT], len(data))
    sealed.append(path, key, sha, 2 * sealed.SEGMENT, data[2 * sealed.SEGMENT:], len(data))
    assert path.stat().st_size == sealed.stored_size(len(data)) and sealed.plain_size(path.stat().st_size) == len(data)
    for first, last in ((0, len(data) - 1), (5, 6), (sealed.SEGMENT - 1, sealed.SEGMENT), (len(data) - 3, 10**9)):
        assert b"".join(sealed.read(path, key, sha, first, last)) == data[first:last + 1]
    with pytest.raises(sealed.SealedFileError):
        b"".join(sealed.read(path, os.urandom(32), sha))


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"), (png(), "image/png"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    (ogg_opus(100), "audio/ogg"), (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "audio/webm"),
    (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"), (b"#!AMR\n\x3c", "audio/amr"),
    (b"%PDF-1.7", None), (b"<!doctype html>", None), (b"OggS\x00\x02vorbis", None), (b"GIF89a", None),
    (b"\x00\x00\x00\x20ftypqt  ", None), (b"", None)],
    ids=["jpeg", "png", "webp", "ogg-opus", "webm", "m4a", "amr", "pdf", "html", "ogg-vorbis", "gif", "quicktime",
         "empty"])  # named: the Ogg sample holds random bytes, and each pytest-xdist worker must collect one id
def test_a_file_is_told_by_its_first_bytes(data, expected):
    assert media.sniff(data) == expected


def test_the_phone_shows_what_a_message_carries_in_plain_words():
    assert media.describe("image/jpeg", 123_456) == "JPEG photo, 121 KB"
    assert media.describe("audio/mp4", 3 * 1024 * 1024) == "M4A voice note, 3.0 MB"
    assert json.loads(json.dumps(media.TYPES))["audio/amr"] == "voice"
