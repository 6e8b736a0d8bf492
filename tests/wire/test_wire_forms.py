"""A tablet's form_submission payload (wire/forms.py): the shape the tablet, the edge and the hub check alike; every
file a value names is listed once among the uploads with its type and size, and nothing else is."""

from __future__ import annotations

import pytest

from wire import forms
from wire.record_rules import check_tablet_record
from wire.records import RecordError, new_record

SHA = "a" * 64
PHOTO = {"id": "6f1c1f4e-3c1e-4d8e-9a4a-2b1d6f7e8a90", "sha256": SHA, "size": 700, "type": "image/png",
         "name": "picture.png"}


def payload(**changed) -> dict:
    return {"form_id": "wing_survey", "version": "2027010101", "filled_at": "2027-01-05T09:30:00Z",
            "values": {"meal": "Curry", "photo": {"sha256": SHA, "type": "image/png", "bytes": 700}},
            "attachments": [PHOTO], **changed}


def test_a_submission_names_its_uploads_and_the_edge_takes_it_as_a_tablet_record():
    record = new_record("form_submission", "L-0042", 1, payload())
    assert [ref.id for ref in check_tablet_record(record)] == [PHOTO["id"]]
    assert forms.submission_body(payload()) == {k: v for k, v in payload().items() if k != "attachments"}


@pytest.mark.parametrize(("changed", "says"), [
    ({"values": {"photo": {"sha256": "b" * 64, "type": "image/png", "bytes": 700}}}, "listed in 'attachments'"),
    ({"values": {"photo": {"sha256": SHA, "type": "image/png", "bytes": 701}}}, "its type and bytes"),
    ({"values": {"meal": "Curry"}}, "only the files the values name"),
    ({"attachments": [PHOTO, PHOTO]}, "listed once"),
    ({"filled_at": "yesterday"}, "RFC 3339"),
    ({"values": {"meal": "x" * 70_000}}, "over 61440 bytes"),
    ({"form_id": ""}, "'form_id' is 1-64"),
])
def test_a_payload_that_breaks_a_rule_is_refused_naming_it(changed, says):
    with pytest.raises(RecordError) as refused:
        forms.check(payload(**changed), "r1")
    assert refused.value.code == "bad_schema" and says in refused.value.reason
