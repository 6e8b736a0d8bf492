"""The `release` record's payload (wire/release.py): a code's SHA-256 and its times, never the code; a staff-only kind
a tablet cannot send."""

from __future__ import annotations

import pytest

from wire.records import RecordError, check_from_tablet, new_record
from wire.release import check_release

GOOD = {"code_sha256": "ab" * 32, "issued_at": "2026-12-07T10:00:00.000Z", "expires_at": "2026-12-14T10:00:00.000Z",
        "issued_by": "mary"}


def test_a_release_payload_with_the_codes_digest_and_its_times_passes():
    check_release(GOOD)


@pytest.mark.parametrize(("change", "says"), [
    ({"code": "ABCD-EFGH-JKMN"}, "unknown field(s): code"),
    ({"code_sha256": "ABCD-EFGH-JKMN"}, "never the code"),
    ({"expires_at": "next week"}, "'expires_at' is an RFC 3339 timestamp"),
    ({"expires_at": "2026-12-07T09:00:00.000Z"}, "expires after it is issued"),
    ({"expires_at": "2027-02-07T09:00:00.000Z"}, "within 28 days"),
    ({"issued_by": ""}, "'issued_by'"),
])
def test_a_release_payload_is_refused_naming_what_is_wrong(change, says):
    with pytest.raises(RecordError) as refused:
        check_release({**GOOD, **change})
    assert refused.value.code == "bad_schema" and says in refused.value.reason


def test_a_missing_field_is_named():
    with pytest.raises(RecordError, match="missing field"):
        check_release({key: value for key, value in GOOD.items() if key != "issued_by"})


def test_a_tablet_cannot_send_a_release():
    with pytest.raises(RecordError) as refused:
        check_from_tablet(new_record("release", "L-0042", 1, GOOD))
    assert refused.value.code == "unknown_kind" and "staff-only" in refused.value.reason
