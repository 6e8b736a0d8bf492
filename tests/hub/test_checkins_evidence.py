"""Check-in evidence as pure functions (wire/checkin.py, hub/checkins/evidence.py, schedules.py, retention.py):
RFC 8785 canonical bytes, a JWS made on the phone with its Ed25519 or P-256 key and checked at the hub, each kind
of tampering named, the flags a worker sees, the windows' states and the photos' keeping times."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from hub.checkins import evidence, retention, schedules
from hub.checkins.models import Checkin, CheckinSchedule
from provisioning import signatures
from wire import checkin as wire
from wire.records import timestamp

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def document(**changes) -> dict:
    base = {"v": 1, "checkin_id": str(uuid.uuid4()), "person": "P-8XXH-XDWK", "key_id": "k" * 43,
            "slot": "a" * 32 + "/2", "photo": {"sha256": "b" * 64, "type": "image/jpeg", "bytes": 1234},
            "gps": {"lat": 51.4816, "lon": -3.1791, "accuracy": 12.5, "mock": False},
            "device_time": "2027-03-10T09:30:00.000Z", "counter": 3, "nonce": "n0nce"}
    return {**base, **changes}


def test_canonical_bytes_follow_rfc_8785():
    # RFC 8785 section 3.2.2's number examples and its ordering of members by UTF-16 code units
    assert wire.canonical([333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001, -0.0, 1e21,
                           1e-7, 1e-6]) == b"[333333333.3333333,1e+30,4.5,0.002,1e-27,0,1e+21,1e-7,0.000001]"
    assert wire.canonical([1.5e-6, -2.5e-5, 1.2345e17, 1e20, 5e-324, -1.5e-7, 123456789012345680000.0, 51.0]) == \
        b"[0.0000015,-0.000025,123450000000000000,100000000000000000000,5e-324,-1.5e-7,123456789012345680000,51]"
    # as ECMAScript's JSON.stringify prints them (checked with node)
    assert wire.canonical({"\u20ac": 1, "\r": 2, "\U0001f600": 3, "\ufb33": 4, "1": 5, "\u0080": 6, "\u00f6": 7}) == \
        '{"\\r":2,"1":5,"\u0080":6,"\u00f6":7,"\u20ac":1,"\U0001f600":3,"\ufb33":4}'.encode()
    assert wire.canonical({"b": [True, None, "x\u2028\"\n"], "a": 1}) == \
        b'{"a":1,"b":[true,null,"x\xe2\x80\xa8\\"\\n"]}'


@pytest.mark.parametrize("make_key", [ed25519.Ed25519PrivateKey.generate, lambda: ec.generate_private_key(
    ec.SECP256R1())], ids=["Ed25519", "P-256"])
def test_a_checkin_signed_on_the_phone_verifies_and_any_change_after_signing_is_named(make_key):
    key = make_key()
    kid = signatures.key_id(key.public_key())
    doc = document(key_id=kid)
    token = wire.sign(doc, key, kid)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256", "kid": kid,
                      "typ": "checkin+jws"}
    assert wire.verify(token, key.public_key(), kid) == doc
    assert base64.urlsafe_b64decode(token.split(".")[1] + "==") == wire.canonical(doc)

    def swapped(**changes) -> str:  # the payload changed, the phone's signature kept
        head, _payload, signature = token.split(".")
        payload = base64.urlsafe_b64encode(wire.canonical({**doc, **changes})).rstrip(b"=").decode()
        return f"{head}.{payload}.{signature}"

    for change in ({"photo": {**doc["photo"], "sha256": "c" * 64}}, {"gps": {**doc["gps"], "lat": 51.5}},
                   {"device_time": "2027-03-10T09:00:00.000Z"}, {"gps": {**doc["gps"], "mock": True}}):
        with pytest.raises(wire.CheckinError) as refused:
            wire.verify(swapped(**change), key.public_key(), kid)
        assert refused.value.code == "signature_invalid" and "changed after the phone signed it" in refused.value.reason
    other = make_key()
    with pytest.raises(wire.CheckinError) as refused:  # another key, claiming this phone's kid
        wire.verify(wire.sign(doc, other, kid), key.public_key(), kid)
    assert refused.value.code == "signature_invalid"
    with pytest.raises(wire.CheckinError) as refused:  # another key under its own kid
        wire.verify(wire.sign(doc, other, signatures.key_id(other.public_key())), key.public_key(), kid)
    assert refused.value.code == "wrong_key"
    with pytest.raises(wire.CheckinError):
        wire.check_document({**doc, "gps": {**doc["gps"], "lat": 91}})
    assert wire.challenge(doc) == __import__("hashlib").sha256(wire.canonical(doc)).digest()


def schedule(starts: datetime, every: int = 7, window: int = 24, ended: datetime | None = None) -> CheckinSchedule:
    return CheckinSchedule(schedule_id="a" * 32, person="P-8XXH-XDWK", every_days=every, starts_at=timestamp(starts),
                           window_hours=window, lat=51.4816, lon=-3.1791, radius_m=200, set_by="olivia",
                           set_at=timestamp(starts), ended_at=timestamp(ended) if ended else None)


def test_each_flag_says_in_plain_words_what_a_human_should_look_at():
    row = schedule(datetime(2027, 2, 24, 9, 0, tzinfo=UTC))
    slot = schedules.slot_of(row, 2)  # 2027-03-10 09:00 to 2027-03-11 09:00
    facts = evidence.Facts(received_at=NOW, nonce_issued_at=datetime(2027, 3, 10, 9, 5, tzinfo=UTC), slot=slot,
                           place=(row.lat, row.lon, row.radius_m), previous_counter=2)
    assert evidence.flags(document(device_time="2027-03-10T09:30:00.000Z"), facts) == []
    far = document(gps={"lat": 51.4916, "lon": -3.1791, "accuracy": 150, "mock": True}, counter=2,
                   device_time="2027-03-11T10:00:00.000Z")
    found = dict(evidence.flags(far, evidence.Facts(NOW + timedelta(days=1), datetime(2027, 3, 9, tzinfo=UTC), slot,
                                                    (row.lat, row.lon, row.radius_m), previous_counter=2)))
    assert set(found) == {"mock_location", "poor_accuracy", "away_from_place", "late", "stale_nonce",
                          "counter_not_increasing"}
    assert found["away_from_place"].startswith("1112 m from the expected place")
    assert found["late"] == "made 1 h after the window closed (by the phone's clock)"
    unknown = dict(evidence.flags(document(device_time="2027-03-10T13:00:00.000Z"),
                                  evidence.Facts(NOW, None, slot, None)))
    assert set(unknown) == {"unknown_nonce", "clock_ahead"}
    assert evidence.drift("2027-03-07T09:30:00.000Z", "2027-03-10T12:00:00.000Z") == "3 d 2 h"
    assert "breach" not in json.dumps(evidence.WORDS) + json.dumps(found)


def test_windows_show_in_time_late_open_and_no_checkin_newest_first():
    row = schedule(datetime(2027, 2, 24, 9, 0, tzinfo=UTC))

    def came(n: int, at: str, outcome: str = "accepted") -> Checkin:
        return Checkin(checkin_id=str(uuid.uuid4()), slot=f"{'a' * 32}/{n}", device_time=at, outcome=outcome)

    states = schedules.slot_states([row], [came(0, "2027-02-24T10:00:00.000Z"), came(1, "2027-03-04T12:00:00.000Z"),
                                           came(2, "2027-03-10T10:00:00.000Z", "refused")],
                                   datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
    assert [(s.slot.n, s.state) for s in states] == [(2, schedules.OPEN), (1, schedules.LATE), (0, schedules.ON_TIME)]
    assert states[1].late_by == timedelta(hours=3)
    early = schedules.slot_states([row], [came(1, "2027-03-03T08:00:00.000Z")], datetime(2027, 3, 5, 10, 0, tzinfo=UTC))
    assert [(s.slot.n, s.state) for s in early] == [(1, schedules.EARLY), (0, schedules.MISSED)]
    assert schedules.summary(early) == schedules.Summary(2, 0, 0, 1, 1, early=1)
    later = schedules.slot_states([row], [], datetime(2027, 3, 11, 10, 0, tzinfo=UTC))
    assert [s.state for s in later] == [schedules.MISSED] * 3
    assert schedules.summary(later) == schedules.Summary(3, 0, 0, 3, 3)
    assert schedules.summary(states) == schedules.Summary(3, 1, 1, 0, 0)
    assert schedules.next_slot(row, datetime(2027, 3, 11, 10, 0, tzinfo=UTC)).n == 3
    start = datetime(2027, 1, 1, tzinfo=UTC)
    assert len(schedules.slots(schedule(start, ended=start + timedelta(days=15)), NOW)) == 3  # days 0, 7 and 14


def test_photos_are_kept_per_outcome_and_review():
    received = "2027-03-10T12:00:00.000Z"
    accepted = Checkin(outcome="accepted", photo_sha256="b" * 64, received_at=received)
    assert retention.photo_due(accepted) == NOW + timedelta(days=60)
    accepted.reviewed_at = "2027-03-12T12:00:00.000Z"
    assert retention.photo_due(accepted) == NOW + timedelta(days=2 + 14)
    flagged = Checkin(outcome="flagged", photo_sha256="b" * 64, received_at=received)
    assert retention.photo_due(flagged) == NOW + timedelta(days=180)
    assert retention.photo_due(Checkin(outcome="refused", photo_sha256="b" * 64, received_at=received,
                                       reviewed_at=received)) == NOW + timedelta(days=28)
    assert retention.photo_due(Checkin(outcome="accepted", photo_sha256=None, received_at=received)) is None
