"""The admin console's courses pages: importing a real-shaped package with its progress page, refusals
with the importer's reason, sending a course to an edge (and the edge seeing it), which version each
edge holds from its newest status report, and what the read-only auditor may not do."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import consolekit
import pytest
from consolekit import BASE, post
from coursekit import build_scorm12_zip, write_zip
from healthkit import at, sample_report
from hubkit import enrol_edge

from hub import db
from hub.audit import trail
from hub.console import imports
from hub.courses import catalogue
from hub.courses.blobs import BlobStore
from hub.courses.package import Limits

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role

_JOB = re.compile(r"/admin/course-imports/([0-9a-f]{16})$")


def upload(client, path, name: str = "package.zip", course: str = ""):
    with open(path, "rb") as package:
        return post(client, "/admin/course-imports", {"package": (package, name), "course": course},
                    content_type="multipart/form-data")


def follow_progress(client, location: str) -> tuple[str, list[str]]:
    """The progress page, reloaded as the browser does (every 2 s: here faster) until it stops refreshing;
    returns the last page and every page's status line seen."""
    seen = []
    deadline = time.monotonic() + 20
    while True:
        page = client.get(location, base_url=BASE)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        seen.append(text)
        if 'http-equiv="refresh"' not in text:
            return text, seen
        assert time.monotonic() < deadline, "the import did not finish in 20 s"
        time.sleep(0.05)


def import_package(client, path, name: str = "package.zip", course: str = "") -> str:
    answer = upload(client, path, name, course)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert _JOB.search(answer.headers["Location"])
    return follow_progress(client, answer.headers["Location"])[0]


def audit_entries(action: str) -> list[dict]:
    with db.proxy.connection_context():
        return [e for e in trail.entries() if e["action"] == action]


def page(client, path: str) -> str:
    answer = client.get(path, base_url=BASE)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


@pytest.fixture(scope="module")
def edges(console_app):
    """Two enrolled edges (real enrolment), as FakeEdges that can send status reports."""
    with console_app.app_context(), db.proxy.connection_context():
        return {name: enrol_edge(console_app, name) for name in ("edge-north", "edge-south")}


def report(client, edge, courses: list[dict]):
    answer = client.post("/v1/edge/health", json=sample_report(edge.edge_id, courses=courses),
                         environ_base=edge.environ)
    assert answer.status_code == 200, answer.get_data(as_text=True)


def holds(course: str, version: int) -> dict:
    return {"course": course, "status": "completed", "stage": None, "version": version, "current": version,
            "last_sync": at(minutes=-1), "last_error": None}


def test_a_scorm_package_imported_in_the_console_shows_its_progress_then_the_course_and_its_version(
        console_app, as_role, tmp_path):
    client = as_role("content")
    form = page(client, "/admin/course-imports")
    assert 'enctype="multipart/form-data"' in form and '<label for="package">' in form
    build_scorm12_zip(tmp_path / "intro.zip", title="Introduction to maths", units=3)

    answer = upload(client, tmp_path / "intro.zip", "intro.zip", course="intro-maths")
    assert answer.status_code == 303
    done, seen = follow_progress(client, answer.headers["Location"])

    assert "Importing intro.zip" in done
    assert 'Done: imported course intro-maths version 1 (SCORM 1.2), "Introduction to maths": 6 files' in done
    assert all("Stages" in text for text in seen)
    listing = page(client, "/admin/courses")
    assert "Introduction to maths" in listing and "v1" in listing and "not sent anywhere" in listing
    course = page(client, "/admin/courses/intro-maths")
    row = course.split("<th scope=\"row\">v1</th>", 1)[1].split("</tr>", 1)[0]
    assert "content-admin" in row and "<td>6</td>" in row
    entry = [e for e in audit_entries("courses.import") if e["target"] == "intro-maths"][-1]
    assert entry["actor"] == "content-admin" and entry["outcome"] == "ok" and '"version": 1' in entry["detail"]
    spools = list(Path(console_app.config["COURSE_BLOB_DIR"], "tmp").glob("*"))
    assert spools == [], "the uploaded zip was left in the instance"


def test_the_same_package_again_makes_no_new_version(as_role, tmp_path):
    client = as_role("content")
    build_scorm12_zip(tmp_path / "same.zip", title="Same again", units=1)
    import_package(client, tmp_path / "same.zip", course="same-again")

    done = import_package(client, tmp_path / "same.zip", course="same-again")

    assert "Done: no new version. The package holds the same content as course same-again version 1." in done


@pytest.mark.parametrize(("members", "code", "advice"), [
    (b"this is not a zip file", "bad_zip", "download it again"),
    ({"imsmanifest.xml": b"<manifest/>", "video.bin": bytes(4 << 20)}, "zip_bomb", "not a course package"),
    ({"readme.txt": b"hello"}, "unknown_format", "Zip the package"),
])
def test_a_refused_package_shows_the_importers_reason_and_what_to_do(as_role, tmp_path, members, code, advice):
    path = tmp_path / "broken.zip"
    if isinstance(members, bytes):
        path.write_bytes(members)
    else:
        write_zip(path, members)

    done = import_package(as_role("content"), path, "broken.zip")

    assert f'<p class="error" role="alert">Failed: the hub refused the package ({code}):' in done
    assert "What to do:" in done and advice in done
    assert '<li aria-current="step">checking (failed here)</li>' in done and "received (finished)" in done
    assert [e for e in audit_entries("courses.import") if e["outcome"] == f"refused: {code}"]


def test_an_import_form_without_a_package_says_what_to_choose(as_role):
    answer = post(as_role("content"), "/admin/course-imports", {"course": "x"}, page="/admin/course-imports")

    assert answer.status_code == 400
    assert '<p class="error" role="alert">Choose the package zip to import.</p>' in answer.get_data(as_text=True)


def test_sending_a_course_to_an_edge_is_what_the_edge_gets_and_stopping_ends_it(console_app, as_role, edges,
                                                                                   tmp_path):
    client = as_role("content")
    build_scorm12_zip(tmp_path / "safety.zip", title="Safety first", units=1)
    import_package(client, tmp_path / "safety.zip", course="safety")
    course = page(client, "/admin/courses/safety")
    assert '<option value="edge-north">edge-north</option>' in course

    answer = post(client, "/admin/courses/safety/targets", {"edge": "edge-north", "change": "send"},
                  page="/admin/courses/safety")

    assert answer.status_code == 303
    shown = client.get(answer.headers["Location"], base_url=BASE).get_data(as_text=True)
    assert "Sent to edge-north: it fetches the latest version at its next sync" in shown
    with console_app.app_context(), db.proxy.connection_context():
        assert [c["envelope"]["manifest"]["course"] for c in catalogue.for_edge("edge-north")] == ["safety"]
    row = shown.split('<th scope="row">edge-north', 1)[1].split("</tr>", 1)[0]
    assert "everyone" in row and "not yet reported" in row
    entry = audit_entries("courses.target")[-1]
    assert (entry["actor"], entry["target"], entry["outcome"]) == ("content-admin", "safety/edge-north", "ok")

    answer = post(client, "/admin/courses/safety/targets", {"edge": "edge-north", "group": "", "change": "stop"},
                  page="/admin/courses/safety")

    assert answer.status_code == 303
    with console_app.app_context(), db.proxy.connection_context():
        assert catalogue.for_edge("edge-north") == []
    assert audit_entries("courses.target")[-1]["detail"].count('"change": "stop"') == 1


def test_a_target_form_with_an_unknown_edge_or_no_edge_changes_nothing_and_says_why(as_role, tmp_path):
    client = as_role("content")
    build_scorm12_zip(tmp_path / "wrong.zip", title="Wrong edge", units=1)
    import_package(client, tmp_path / "wrong.zip", course="wrong-edge")

    nothing = post(client, "/admin/courses/wrong-edge/targets", {}, page="/admin/courses/wrong-edge")
    unknown = post(client, "/admin/courses/wrong-edge/targets", {"edge": "edge-nowhere"},
                   page="/admin/courses/wrong-edge")

    assert nothing.status_code == 400
    assert "Choose the edge (the prison&#39;s box) to send the course to." in nothing.get_data(as_text=True)
    assert unknown.status_code == 404
    assert "Nothing was changed: no edge &#39;edge-nowhere&#39;: enrol it first" in unknown.get_data(as_text=True)


def test_each_edge_shows_the_version_it_holds_against_the_one_published(console_app, as_role, edges, tmp_path):
    client = as_role("content")
    build_scorm12_zip(tmp_path / "v1.zip", title="Reading together", units=1)
    build_scorm12_zip(tmp_path / "v2.zip", title="Reading together", units=2)
    import_package(client, tmp_path / "v1.zip", course="reading")
    for name in ("edge-north", "edge-south"):
        post(client, "/admin/courses/reading/targets", {"edge": name}, page="/admin/courses/reading")
    report(client, edges["edge-north"], [holds("reading", 1)])
    report(client, edges["edge-south"], [holds("reading", 1)])
    done = import_package(client, tmp_path / "v2.zip", course="reading")
    assert "version 2" in done
    report(client, edges["edge-south"], [holds("reading", 2)])

    listing = page(client, "/admin/courses")

    reading = listing.split("Reading together", 1)[1].split("</tr>", 1)[0]
    assert 'edge-north: <span class="sync amber">behind (holds v1, v2 published)</span>' in reading
    assert 'edge-south: <span class="sync green">up to date</span>' in reading
    course = page(client, "/admin/courses/reading")
    north = course.split('<th scope="row">edge-north', 1)[1].split("</tr>", 1)[0]
    assert "behind (holds v1, v2 published)" in north and "<td>v1</td>" in north
    assert "<th scope=\"row\">v2</th>" in course and "<th scope=\"row\">v1</th>" in course


def test_an_edge_whose_sync_failed_shows_its_error(as_role, edges, tmp_path):
    client = as_role("content")
    build_scorm12_zip(tmp_path / "fail.zip", title="Failing sync", units=1)
    import_package(client, tmp_path / "fail.zip", course="failing")
    post(client, "/admin/courses/failing/targets", {"edge": "edge-south"}, page="/admin/courses/failing")
    report(client, edges["edge-south"], [{"course": "failing", "status": "errored", "stage": "download",
                                         "version": 1, "current": None, "last_sync": None,
                                         "last_error": "the disk is full"}])

    course = page(client, "/admin/courses/failing")

    south = course.split('<th scope="row">edge-south', 1)[1].split("</tr>", 1)[0]
    assert '<span class="sync red">behind (holds none yet, v1 published)</span>' in south
    assert "sync failed at download: the disk is full" in south


def test_the_auditor_reads_the_course_pages_but_may_not_import_or_send(as_role, tmp_path):
    build_scorm12_zip(tmp_path / "audit.zip", title="Seen by the auditor", units=1)
    import_package(as_role("content"), tmp_path / "audit.zip", course="audited")
    auditor = as_role("auditor")

    listing, course = page(auditor, "/admin/courses"), page(auditor, "/admin/courses/audited")

    assert "Seen by the auditor" in listing and "Import a course package" not in listing
    assert "v1" in course and "Send this course" not in course and "Stop sending" not in course
    assert auditor.get("/admin/course-imports", base_url=BASE).status_code == 403
    assert upload(auditor, tmp_path / "audit.zip").status_code == 403
    assert post(auditor, "/admin/courses/audited/targets", {"edge": "edge-north"},
                page="/admin/courses/audited").status_code == 403
    refused = audit_entries("courses.import")[-1]
    assert (refused["actor"], refused["outcome"]) == ("auditor-admin", "refused: role may not")


def test_the_progress_page_counts_the_files_stored_and_names_each_stage(console_app, as_role, tmp_path,
                                                                        monkeypatch):
    total = len(build_scorm12_zip(tmp_path / "count.zip", title="Counted", units=4))  # 7: pages, shared, manifest
    seen: list[dict] = []
    real_write = imports._write

    def keep_each(directory, job):  # the real write, and a copy of what each one saved
        real_write(directory, job)
        seen.append(dict(job))

    monkeypatch.setattr(imports, "_write", keep_each)
    monkeypatch.setattr(imports, "SAVE_EVERY_S", 0)
    directory = imports.folder(console_app.instance_path)
    spool = tmp_path / "spool.zip"
    spool.write_bytes((tmp_path / "count.zip").read_bytes())
    with console_app.app_context(), db.proxy.connection_context():
        job = imports.create(directory, filename="count.zip", size=spool.stat().st_size, course="counted",
                             by="content-admin")
        imports.run(directory, job, str(spool), BlobStore.from_config(console_app.config),
                    console_app.extensions["hub_keys"].get().signing, Limits.from_config(console_app.config),
                    lambda *_: None)

    assert [(s["stage"], s["files_done"], s["files_total"]) for s in seen] == [
        ("received", 0, None), ("checking", 0, None), ("checking", 0, total), ("storing", 0, total),
        *[("storing", n, total) for n in range(1, total)], ("publishing", total, total), ("done", total, total)]
    assert not spool.exists()
    storing = seen[6]
    real_write(directory, storing)
    shown = page(as_role("auditor"), f"/admin/course-imports/{job['id']}")
    assert '<meta http-equiv="refresh" content="2">' in shown
    assert "Storing files: 3 of 7." in shown and '<progress id="stored" max="7" value="3">' in shown
    assert '<li aria-current="step">storing (now: 3 of 7)</li>' in shown and "checking (finished)" in shown


def test_an_import_waits_for_the_one_before_it_and_says_so(as_role, tmp_path):
    build_scorm12_zip(tmp_path / "queued.zip", title="Queued", units=1)
    client = as_role("content")
    with imports._one_at_a_time:  # another import running in this process
        answer = upload(client, tmp_path / "queued.zip", "queued.zip", course="queued")
        waiting = page(client, answer.headers["Location"])
        assert "Received: the package is on the hub. Waiting for another import to finish first." in waiting
        assert '<meta http-equiv="refresh" content="2">' in waiting

    done, _ = follow_progress(client, answer.headers["Location"])

    assert "Done: imported course queued version 1" in done


def test_a_package_over_the_size_limit_is_refused_before_it_is_read(console_app, as_role, tmp_path):
    build_scorm12_zip(tmp_path / "big.zip", title="Too big", units=1)
    most = console_app.config["COURSE_MAX_PACKAGE_BYTES"]
    console_app.config["COURSE_MAX_PACKAGE_BYTES"] = 1000
    try:
        answer = upload(as_role("content"), tmp_path / "big.zip", "big.zip")
    finally:
        console_app.config["COURSE_MAX_PACKAGE_BYTES"] = most

    assert answer.status_code == 413
    assert "Too large to send" in answer.get_data(as_text=True)
    assert list(Path(console_app.config["COURSE_BLOB_DIR"], "tmp").glob("*.zip")) == []


def test_an_unknown_import_is_not_found(as_role):
    assert as_role("content").get("/admin/course-imports/0123456789abcdef", base_url=BASE).status_code == 404
    assert as_role("content").get("/admin/course-imports/..%2F..%2Fhub", base_url=BASE).status_code == 404


def test_an_import_whose_process_ended_reads_as_interrupted_and_its_upload_is_removed(console_app, as_role):
    directory = imports.folder(console_app.instance_path)
    spool = Path(console_app.config["COURSE_BLOB_DIR"], "tmp", "left-behind.zip")
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_bytes(b"PK")
    job = imports.create(directory, filename="lost.zip", size=2, course=None, by="content-admin", spool=str(spool))
    job.update(stage="storing", files_done=2, files_total=9, pid=_gone_pid())
    imports._write(directory, job)

    shown = page(as_role("content"), f"/admin/course-imports/{job['id']}")

    assert "Failed (interrupted): the import stopped part-way: the hub was restarted" in shown
    assert '<li aria-current="step">storing (failed here)</li>' in shown and "refresh" not in shown
    assert "Import the package again: nothing was published" in shown
    assert not spool.exists()


def _gone_pid() -> int:
    child = subprocess.Popen(["true"])  # noqa: S603, S607
    child.wait()
    return child.pid
