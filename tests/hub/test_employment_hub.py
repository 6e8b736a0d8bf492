"""Help into work (issue 14, "Employment") on one real `throughgate hub run` (SQLite) with the reference phone's
signed requests: `throughgate hub employment publish` puts a checklist and a video with captions out for everyone
and a job link for one person; each phone lists what is for it and never another person's; a video download cut
mid-way goes on with `Range` from the bytes held and the whole hashes to the SHA-256 the list gave; a tick on a
checklist sent twice (the answer lost) is stored once and the employment adviser sees it in the workers' console,
the read recorded, where an adviser without the person gets 404 and an offender manager may not publish (403).
A file that is not a video is refused whatever its name, by the CLI and the console."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid

import pytest
import workkit
from consolekit import BASE, post
from phonekit import offer_for, released_person, sqlite_hub

from hub import cli, db
from hub.employment.models import ChecklistTick, EmploymentItem
from hub.workers import caseload
from hub.workers.models import PersonRead
from phone import client
from wire.records import timestamp

VIDEO = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + os.urandom(300_000)
CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:02.000\nSay what the conviction was, in your own words.\n"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("employment")
    with sqlite_hub(root) as (process, app, instance):
        workers = {name: workkit.make_worker(app, name, role, "Cardiff probation")
                   for name, role in (("ed", "employment_adviser"), ("olivia", "offender_manager"),
                                      ("eve", "employment_adviser"))}
        ann, ann_code = released_person(app, "ed")
        bob, bob_code = released_person(app, "eve")
        with app.app_context(), db.connected():
            caseload.add("olivia", ann, "test")
        phones = {}
        for name, code in (("ann", ann_code), ("bob", bob_code)):
            phones[name] = root / name
            client.activate(offer_for(process, instance, code), phones[name])
        (root / "video.mp4").write_bytes(VIDEO)
        (root / "video.vtt").write_bytes(CAPTIONS)
        (root / "not-a-video.mp4").write_bytes(b"<html>not a video</html>" * 10)
        yield {"process": process, "app": app, "instance": instance, "root": root, "ann": ann, "bob": bob,
               "phones": phones, "workers": workers}


@pytest.fixture(scope="module")
def published(hub):
    """What the operator publishes with the CLI: item ids by kind."""
    run = _cli(hub)
    root = hub["root"]
    out = {}
    code, said, err = run("employment", "publish", "checklist", "--title", "Getting ready for an interview",
                          "--step", "Find out about the employer", "--step", "Plan the journey",
                          "--step", "Practise saying what your conviction was")
    assert (code, err) == (0, ""), err
    out["checklist"] = said.split()[1].rstrip(":")
    assert said == (f"Published {out['checklist']}: Checklist of 3 steps, \"Getting ready for an interview\", for "
                    "everyone. Phones get it when they next open Work and jobs.\n")
    code, said, err = run("employment", "publish", "video", "--title", "How to disclose a conviction", "--video",
                          str(root / "video.mp4"), "--captions", str(root / "video.vtt"))
    assert (code, err) == (0, ""), err
    out["video"] = said.split()[1].rstrip(":")
    assert "Video (MP4, 0.3 MB, with captions)" in said
    code, said, err = run("employment", "publish", "job", "--title", "Kitchen porter, Cardiff", "--url",
                          "https://findajob.dwp.gov.uk/details/123", "--person", hub["bob"])
    assert (code, err) == (0, ""), err
    out["job"] = said.split()[1].rstrip(":")
    assert f"for {hub['bob']}." in said
    return out


def _cli(hub):
    def run(*args: str) -> tuple[int, str, str]:
        import contextlib

        out, err = io.StringIO(), io.StringIO()
        saved = os.environ.pop("DATABASE_URL", None)  # the instance's own hub.db, the running hub's
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main([*args, "--instance", str(hub["instance"])])
        finally:
            if saved is not None:
                os.environ["DATABASE_URL"] = saved
        return code, out.getvalue(), err.getvalue()

    return run


def _get(folder, path: str, extra: dict | None = None, sink=None) -> tuple[int, bytes]:
    done, key, context = client._signing(folder)
    return client._request(done.hub, context, "GET", path, b"", key, extra, sink)


def _sync(folder, changes: list[dict]) -> dict:
    done, key, context = client._signing(folder)
    status, data = client._request(done.hub, context, "POST", "/v1/phone/sync",
                                   json.dumps({"cursor": 0, "changes": changes}).encode(), key)
    assert status == 200, data
    return json.loads(data)


def test_each_phone_lists_what_is_for_everyone_and_for_it_never_another_persons(hub, published):
    done, _key, context = client._signing(hub["phones"]["ann"])
    assert client._request(done.hub, context, "GET", "/v1/phone/work", b"")[0] == 401  # unsigned
    status, data = _get(hub["phones"]["ann"], "/v1/phone/work")
    assert status == 200
    ann = {item["kind"]: item for item in json.loads(data)["items"]}
    assert set(ann) == {"checklist", "video"}  # Bob's job link is not Ann's
    assert ann["checklist"]["steps"][2] == "Practise saying what your conviction was" and ann["checklist"]["done"] == []
    assert ann["video"]["video"] == {"sha256": hashlib.sha256(VIDEO).hexdigest(), "type": "video/mp4",
                                     "bytes": len(VIDEO), "captions": {"sha256": hashlib.sha256(CAPTIONS).hexdigest(),
                                                                       "bytes": len(CAPTIONS)}}
    bob = {item["kind"]: item for item in json.loads(_get(hub["phones"]["bob"], "/v1/phone/work")[1])["items"]}
    assert bob["job"]["url"] == "https://findajob.dwp.gov.uk/details/123" and set(bob) == {"checklist", "video", "job"}
    code, said, _err = _cli(hub)("employment", "list")
    assert said.splitlines()[0].split() == ["ITEM", "KIND", "TITLE", "SIZE", "FOR", "PUBLISHED", "BY"]
    assert len(said.splitlines()) == 4 and " 0.3 MB " in said and " 3 steps " in said


class _Cut(io.BytesIO):
    """What a phone holds of a download when its connection drops after `most` bytes."""

    def __init__(self, most: int):
        super().__init__()
        self.most = most

    def write(self, data: bytes) -> int:
        if self.tell() + len(data) > self.most:
            super().write(data[:self.most - self.tell()])
            raise ConnectionResetError("the train went into a tunnel")
        return super().write(data)


def test_a_video_download_cut_midway_goes_on_from_what_the_phone_holds_and_hashes_right(hub, published):
    folder = hub["phones"]["ann"]
    sha = hashlib.sha256(VIDEO).hexdigest()
    held = _Cut(100_000)
    with pytest.raises(client.PhoneError) as dropped:
        _get(folder, f"/v1/phone/work/files/{sha}", sink=held)
    assert dropped.value.code == "offline" and len(held.getvalue()) == 100_000
    rest = io.BytesIO()
    assert _get(folder, f"/v1/phone/work/files/{sha}", {"Range": "bytes=100000-", "If-Range": f'"{sha}"'},
                rest)[0] == 206
    assert len(rest.getvalue()) == len(VIDEO) - 100_000  # only the rest came
    assert hashlib.sha256(held.getvalue() + rest.getvalue()).hexdigest() == sha
    assert _get(folder, f"/v1/phone/work/files/{sha}", {"If-None-Match": f'"{sha}"'})[0] == 304
    status, captions = _get(folder, f"/v1/phone/work/files/{hashlib.sha256(CAPTIONS).hexdigest()}")
    assert (status, captions) == (200, CAPTIONS)
    # A video for Bob alone is not Ann's to fetch: 404, as for a file that is not there.
    only_bob = hub["root"] / "bob.webm"
    only_bob.write_bytes(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + os.urandom(2000))
    code, said, err = _cli(hub)("employment", "publish", "video", "--title", "For Bob", "--video", str(only_bob),
                                "--person", hub["bob"])
    assert code == 0, err
    bob_sha = hashlib.sha256(only_bob.read_bytes()).hexdigest()
    assert _get(folder, f"/v1/phone/work/files/{bob_sha}")[0] == 404
    assert _get(hub["phones"]["bob"], f"/v1/phone/work/files/{bob_sha}")[0] == 200
    bob_video = said.split()[1].rstrip(":")
    code, said, err = _cli(hub)("employment", "withdraw", bob_video)
    assert (code, err) == (0, "") and said.startswith(f'Withdrew {bob_video} ("For Bob", since ')
    assert said.endswith("): phones drop it when they next open Work and jobs. Ticks on it stay.\n")
    assert _get(hub["phones"]["bob"], f"/v1/phone/work/files/{bob_sha}")[0] == 404  # withdrawn: not served
    bob_items = json.loads(_get(hub["phones"]["bob"], "/v1/phone/work")[1])["items"]
    assert bob_video not in [i["item"] for i in bob_items] and len(bob_items) == 3
    assert "For Bob (withdrawn)" in _cli(hub)("employment", "list")[1]
    code, said, err = _cli(hub)("employment", "publish", "video", "--title", "Renamed", "--video",
                                str(hub["root"] / "not-a-video.mp4"))
    assert (code, said) == (1, "")
    assert err.startswith("error: the video must be an MP4 or WebM file (what it holds decides, not its name)")


def test_a_tick_sent_twice_is_stored_once_and_the_adviser_sees_it_and_no_adviser_without_the_person(hub, published):
    app, ann = hub["app"], hub["ann"]
    tick = {"id": str(uuid.uuid4()), "kind": "checklist_progress",
            "body": {"item": published["checklist"], "step": 1, "done": True, "ticked_at": timestamp()}}
    assert _sync(hub["phones"]["ann"], [tick])["accepted"] == [tick["id"]]
    assert _sync(hub["phones"]["ann"], [tick])["accepted"] == [tick["id"]]  # the answer was lost: sent again
    wrong = {"id": str(uuid.uuid4()), "kind": "checklist_progress",
             "body": {"item": published["checklist"], "step": 7, "done": True, "ticked_at": timestamp()}}
    others = {"id": str(uuid.uuid4()), "kind": "checklist_progress",
              "body": {"item": published["job"], "step": 0, "done": True, "ticked_at": timestamp()}}
    refused = _sync(hub["phones"]["ann"], [wrong, others])["refused"]
    assert [r["error"] for r in refused] == ["bad_change", "unknown_item"]
    with app.app_context(), db.connected():
        assert [(t.person_id, t.step, t.done) for t in ChecklistTick.select()] == [(ann, 1, True)]
        assert EmploymentItem.select().count() == 4
    listed = {i["kind"]: i for i in json.loads(_get(hub["phones"]["ann"], "/v1/phone/work")[1])["items"]}
    assert listed["checklist"]["done"] == [1]  # a phone set up again gets its ticks back

    ed = workkit.browser(app)
    assert workkit.login(app, ed, hub["workers"]["ed"]).status_code == 302
    answer = ed.get(f"/work/people/{ann}/employment", base_url=BASE)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Getting ready for an interview: 1 of 3 steps done" in text
    assert "2. Plan the journey</td><td>done</td>" in text
    with app.app_context(), db.connected():
        assert PersonRead.select().where((PersonRead.person == ann) & (PersonRead.worker == "ed")
                                         & (PersonRead.what == "work progress")).count() == 1
    olivia, eve = workkit.browser(app), workkit.browser(app)
    assert workkit.login(app, olivia, hub["workers"]["olivia"]).status_code == 302
    assert workkit.login(app, eve, hub["workers"]["eve"]).status_code == 302
    assert eve.get(f"/work/people/{ann}/employment", base_url=BASE).status_code == 404  # not her person
    assert olivia.get(f"/work/people/{ann}/employment", base_url=BASE).status_code == 200  # her person's worker

    # The adviser publishes in the console: a video file that is not one is refused, nothing kept; a checklist for
    # one of their people is published.
    refused = post(ed, "/work/employment/publish", {"kind": "video", "title": "Renamed", "video": (
        io.BytesIO(b"<html>" * 100), "film.mp4")}, page="/work/employment")
    assert refused.status_code == 415 and "Nothing was published." in refused.get_data(as_text=True)
    made = post(ed, "/work/employment/publish", {"kind": "checklist", "title": "Opening a bank account",
                                                  "steps": "Take your ID\nAsk for a basic account", "person": ann},
                page="/work/employment")
    assert made.status_code == 303
    assert "Opening a bank account" in ed.get("/work/employment", base_url=BASE).get_data(as_text=True)
    assert post(olivia, "/work/employment/publish", {"kind": "checklist", "title": "x", "steps": "y"},
                page="/work/employment").status_code == 403
    mine = [i["title"] for i in json.loads(_get(hub["phones"]["ann"], "/v1/phone/work")[1])["items"]]
    assert mine[0] == "Opening a bank account"
    item = made.headers["Location"].split("published=")[1]
    assert post(olivia, "/work/employment/withdraw", {"item": item}, page="/work/employment").status_code == 403
    gone = post(ed, "/work/employment/withdraw", {"item": item}, page="/work/employment")
    assert gone.status_code == 303 and gone.headers["Location"] == f"/work/employment?withdrawn={item}"
    mine = [i["title"] for i in json.loads(_get(hub["phones"]["ann"], "/v1/phone/work")[1])["items"]]
    assert "Opening a bank account" not in mine
