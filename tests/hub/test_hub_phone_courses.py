"""Courses after release (hub/courses/phone_api.py, person.py; docs/phone-sync.md "Courses"), on a real
`throughgate hub run` over HTTPS with its content origin, through the reference phone's signed requests: what
the person did in prison (a statement and a resume state, delivered by the edge in a sealed batch) is in their
GET /v1/phone/courses and in no one else's; a launch opens the course's files on the content origin with no
credential, for them alone; and what the phone's player records comes back through the phone sync, kept once, and
its statements go on to the Learning Record Store as the edges' do."""

from __future__ import annotations

import json
import ssl
import urllib.request
import uuid

import pytest
from lrskit import PASSWORD, USER, Lrs
from phonecourseskit import EDGE, deliver, hub_with_content, link, prison_course, state, statement
from phonekit import offer_for, released_person

from hub import db
from hub.courses.models import PhoneRecord
from hub.lrs import client as lrs_http
from hub.lrs.forward import forward
from hub.lrs.settings import LrsSettings
from phone import client
from tests.courses.app_scorm_kit import scorm12_package

LEARNER = "L-0042"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("phone-courses")
    scorm12_package(root / "course.zip")
    with hub_with_content(root) as (process, app, content_port):
        course, edge = prison_course(app, root / "course.zip")
        yield {"process": process, "app": app, "content": content_port, "course": course, "edge": edge,
               "root": root}


def phone_of(hub, name: str):
    """A released person with their phone set up (the reference phone, in a folder of its own): (person, folder)."""
    person, code = released_person(hub["app"])
    folder = hub["root"] / name
    client.activate(offer_for(hub["process"], hub["process"].instance, code), folder)
    return person, folder


def signed(folder, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    done, key, context = client._signing(folder)
    status, data = client._request(done.hub, context, method, path, json.dumps(body).encode() if body else b"", key)
    return status, json.loads(data) if data else {}


def test_the_persons_prison_progress_and_place_are_on_their_phone_and_on_no_one_elses(hub):
    course, app = hub["course"], hub["app"]
    person, folder = phone_of(hub, "phone-a")
    link(app, person, LEARNER)
    attempt = str(uuid.uuid4())
    place = {"cmi.core.lesson_location": "page-3", "cmi.suspend_data": "seen=3", "cmi.core.lesson_status": "incomplete",
             "cmi.core.exit": "suspend"}
    deliver(app, hub["edge"], LEARNER, [
        ("progress_statement", statement(LEARNER, course, "ITEM-2", "passed", 0.9)),
        ("course_state", state(course, "ITEM-1", {**place, "cmi.core.lesson_location": "page-2"}, attempt=attempt)),
        ("course_state", state(course, "ITEM-1", place, attempt=attempt, seq=2)),
    ])
    deliver(app, hub["edge"], "L-0099", [  # someone else at the same prison: not theirs
        ("course_state", state(course, "ITEM-2", {"cmi.core.lesson_location": "elsewhere"}))])

    status, answer = signed(folder, "GET", "/v1/phone/courses")
    assert status == 200 and answer["content"] is True
    [mine] = answer["courses"]
    assert (mine["course"], mine["version"], mine["envelope"]["manifest"]["course"]) == (course, 1, course)
    items = {i["item"]: i for i in mine["items"]}
    assert items["ITEM-1"]["state"]["values"] == place and items["ITEM-1"]["state"]["attempt"] == attempt  # newest
    assert not items["ITEM-1"]["done"] and items["ITEM-1"]["started"]
    assert items["ITEM-2"]["done"] and items["ITEM-2"]["score"] == {"scaled": 0.9} and items["ITEM-2"]["state"] is None

    # another released person, linked to no prison: no course, no launch, no one's place
    _other, other_folder = phone_of(hub, "phone-b")
    assert signed(other_folder, "GET", "/v1/phone/courses") == (200, {"courses": [], "content": True})
    status, refused = signed(other_folder, "POST", f"/v1/phone/courses/{course}/launch", {})
    assert (status, refused["error"]) == (404, "not_found")

    # the person's launch: the course's files on the content origin, with no credential at all
    status, launch = signed(folder, "POST", f"/v1/phone/courses/{course}/launch", {})
    assert status == 200 and launch["learner"] == person and launch["origin"].endswith(f":{hub['content']}")
    anonymous = ssl.create_default_context(cafile=str(hub["process"].instance / "ca" / "root.pem"))
    with urllib.request.urlopen(launch["content"] + "unit1/index.html", context=anonymous) as page:  # noqa: S310
        assert b"scorm_api.js" in page.read() and page.headers["Set-Cookie"] is None
    tampered = launch["content"].replace("/c/", "/c/x")
    with pytest.raises(urllib.error.HTTPError) as forged:
        urllib.request.urlopen(tampered + "unit1/index.html", context=anonymous)  # noqa: S310
    assert forged.value.code == 403


def test_the_phones_statement_and_place_are_kept_once_and_its_place_is_then_the_newest(hub):
    course, app = hub["course"], hub["app"]
    person, folder = phone_of(hub, "phone-c")
    link(app, person, "L-0100")
    attempt = str(uuid.uuid4())
    first = state(course, "ITEM-1", {"cmi.core.lesson_location": "page-3"}, attempt=attempt)
    deliver(app, hub["edge"], "L-0100", [("course_state", first)])
    later = state(course, "ITEM-1", {"cmi.core.lesson_location": "page-4"}, attempt=attempt, seq=2)
    done = statement(person, course, "ITEM-1", "completed")  # on the phone the learner is the person
    changes = [
        {"id": str(uuid.uuid4()), "kind": "course_state", "body": {"created": later["updated"], "payload": later}},
        {"id": done["id"], "kind": "progress_statement", "body": {"created": done["timestamp"], "payload": done}}]
    for _ in range(2):  # the phone did not hear the answer: the same changes again
        status, answer = signed(folder, "POST", "/v1/phone/sync", {"cursor": 0, "changes": changes})
        assert status == 200 and answer["accepted"] == [c["id"] for c in changes] and answer["refused"] == []
    changed = {**changes[0], "body": {**changes[0]["body"], "payload": {**later, "seq": 3}}}
    not_theirs = {"id": str(uuid.uuid4()), "kind": "progress_statement",
                  "body": {"created": done["timestamp"], "payload": {**statement(EDGE, course, "ITEM-1", "completed")}}}
    not_theirs["id"] = not_theirs["body"]["payload"]["id"]
    status, answer = signed(folder, "POST", "/v1/phone/sync", {"cursor": 0, "changes": [changed, not_theirs]})
    assert [(r["id"], r["error"]) for r in answer["refused"]] == [(changed["id"], "conflict"),
                                                                   (not_theirs["id"], "bad_change")]
    with app.app_context(), db.connected():
        kept = [(r.kind, r.record_id) for r in PhoneRecord.select().where(PhoneRecord.person == person)]
    assert sorted(kept) == sorted([("course_state", changes[0]["id"]), ("progress_statement", done["id"])])

    _status, answer = signed(folder, "GET", "/v1/phone/courses")
    [item] = [i for i in answer["courses"][0]["items"] if i["item"] == "ITEM-1"]
    assert item["state"]["values"] == {"cmi.core.lesson_location": "page-4"} and item["done"]

    with Lrs() as lrs, app.app_context(), db.connected():  # the LRS forwarder sends the phone's statement, not states
        forward(lrs_http.LrsClient(LrsSettings(lrs.url, USER, PASSWORD)), 10)
    assert lrs.statements[done["id"]]["actor"]["account"]["name"] == person
    assert changes[0]["id"] not in lrs.statements
