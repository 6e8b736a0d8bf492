"""Security pass: one phone could fill the hub's attachments disk.

Each photo is capped (PHONE_PHOTO_MAX_BYTES) and a phone keeps at most three unfinished uploads, but a
finished upload stays on the hub whether or not a message ever carries it, and nothing limited how many a
phone finished: a phone (or whoever holds its key) uploaded photo after photo until the disk reached
ATTACHMENTS_MIN_FREE_BYTES, and then every person's photos and every edge's coursework were refused. Now
the person's phones may begin at most PHONE_UPLOAD_BYTES_PER_DAY (100 MiB) of uploads in 24 hours; the
next is refused 429 `upload_quota`, saying when to try again. Run on a real `hub run` with the reference
phone."""

from __future__ import annotations

import hashlib

import pytest
from test_phone_attachments import _as, _phone, _running_hub, png

from phone import client

MIB = 1024 * 1024
DAY_MIB, PHOTO_MIB = 12, 2
"""The rule at a smaller scale than the defaults (100 MiB a day, 10 MiB a photo), so the test moves 12 MiB, not 100."""


@pytest.fixture
def sqlite_hub(tmp_path):
    yield from _running_hub(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path,
                            {"PHONE_UPLOAD_BYTES_PER_DAY": DAY_MIB * MIB, "PHONE_PHOTO_MAX_BYTES": PHOTO_MIB * MIB})


def test_a_phone_cannot_upload_more_than_a_days_worth_of_photos(sqlite_hub, tmp_path):
    process, app, instance = sqlite_hub
    folder = tmp_path / "phone"
    _phone(process, instance, app, folder)
    photo = png(padding=PHOTO_MIB * MIB - 1000)  # just under PHONE_PHOTO_MAX_BYTES
    stored = 0
    for n in range(DAY_MIB // PHOTO_MIB + 1):
        data = photo[:-12] + hashlib.sha256(b"%d" % n).digest()[:8] + photo[-4:]  # another file each time
        ref = _as(folder, data, "image/png")
        try:
            done = client.upload(folder, ref)
        except client.PhoneError as refused:
            assert (refused.status, refused.code) == (429, "upload_quota")
            assert "tomorrow" in refused.reason
            break
        assert done["complete"]
        stored += len(data)
    assert stored <= DAY_MIB * MIB
