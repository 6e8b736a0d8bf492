"""Security pass: a person's phone opens only the courses that are theirs (the ones sent to their prison, or
those they did there), not every course the hub holds.

GET /v1/phone/courses and POST /v1/phone/courses/<course>/launch count as the person's any course their records
name, and the phone's own sync change (`course_state`, `progress_statement`) was such a record, checked for its
form but not for its course. So a phone could send one made-up resume state naming any course on the hub (a
course for another prison, one not yet sent anywhere) and then be given that course's manifest and a
capability URL for its files. Now the hub refuses a phone's learning change about a course that is not the
person's (`not_your_course`), and keeps nothing of it."""

from __future__ import annotations

import json
import uuid

import pytest
from phonecourseskit import hub_with_content, link, prison_course, state, statement
from phonekit import offer_for, released_person

from hub import db
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.models import PhoneRecord
from hub.courses.package import Limits
from phone import client
from tests.courses.app_scorm_kit import scorm12_package

OTHER = "other-prison-course"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("phone-courses-security")
    scorm12_package(root / "course.zip")
    with hub_with_content(root) as (process, app, _content_port):
        course, _edge = prison_course(app, root / "course.zip")
        with app.app_context(), db.connected():  # the same package as a course sent to no edge of the person's
            import_package(root / "course.zip", BlobStore.from_config(app.config),
                           app.extensions["hub_keys"].get().signing, Limits.from_config(app.config), OTHER)
        person, code = released_person(app)
        link(app, person, "L-0042")
        folder = root / "phone"
        client.activate(offer_for(process, process.instance, code), folder)
        yield {"app": app, "course": course, "person": person, "folder": folder}


def signed(folder, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    done, key, context = client._signing(folder)
    status, data = client._request(done.hub, context, method, path, json.dumps(body).encode() if body else b"", key)
    return status, json.loads(data) if data else {}


def test_a_phone_cannot_open_a_course_that_is_not_the_persons_by_recording_progress_in_it(hub):
    folder, person = hub["folder"], hub["person"]
    made_up = state(OTHER, "ITEM-1", {"cmi.core.lesson_location": "page-1"})
    said = statement(person, OTHER, "ITEM-1", "completed")
    changes = [{"id": str(uuid.uuid4()), "kind": "course_state", "body": {"created": made_up["updated"],
                                                                          "payload": made_up}},
               {"id": said["id"], "kind": "progress_statement", "body": {"created": said["timestamp"],
                                                                         "payload": said}}]
    status, answer = signed(folder, "POST", "/v1/phone/sync", {"cursor": 0, "changes": changes})
    assert status == 200 and [(r["id"], r["error"]) for r in answer["refused"]] == [
        (changes[0]["id"], "not_your_course"), (changes[1]["id"], "not_your_course")]
    with hub["app"].app_context(), db.connected():
        assert PhoneRecord.select().where(PhoneRecord.person == person).count() == 0

    status, answer = signed(folder, "GET", "/v1/phone/courses")
    assert status == 200 and [c["course"] for c in answer["courses"]] == [hub["course"]]
    status, answer = signed(folder, "POST", f"/v1/phone/courses/{OTHER}/launch", {})
    assert (status, answer["error"]) == (404, "not_found")


def test_progress_in_the_persons_own_course_is_still_kept(hub):
    mine = state(hub["course"], "ITEM-1", {"cmi.core.lesson_location": "page-2"})
    change = {"id": str(uuid.uuid4()), "kind": "course_state", "body": {"created": mine["updated"], "payload": mine}}
    status, answer = signed(hub["folder"], "POST", "/v1/phone/sync", {"cursor": 0, "changes": [change]})
    assert status == 200 and answer["accepted"] == [change["id"]] and answer["refused"] == []
