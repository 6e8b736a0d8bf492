"""`throughgate hub courses import|list|target|refusals` on a real instance (SQLite and PostgreSQL), run
in-process through the hub's own argument parser."""

from __future__ import annotations

import uuid

import pytest
from coursekit import build_native_zip, build_scorm12_zip, write_zip
from hubkit import enrol_edge, post_batch

from hub import cli
from hub.app import create_app
from hub.courses.models import Course
from wire import course_refusal
from wire.records import new_record, timestamp


@pytest.fixture
def hub_instance(tmp_path, hub_db_url, monkeypatch, capsys):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("THROUGHGATE_HUB_DATABASE_URL", hub_db_url)
    instance = tmp_path / "hub"
    assert cli.main(["init", "--instance", str(instance)]) == 0
    capsys.readouterr()
    return instance


@pytest.fixture
def hub(hub_instance, capsys):
    """hub("courses", "list") -> (exit code, stdout, stderr) of `throughgate hub ... --instance`."""
    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--instance", str(hub_instance)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_import_prints_the_version_and_what_was_stored(hub, tmp_path):
    build_scorm12_zip(tmp_path / "maths.zip", units=2)

    code, out, _err = hub("courses", "import", str(tmp_path / "maths.zip"), "--course", "maths-one")
    again = hub("courses", "import", str(tmp_path / "maths.zip"), "--course", "maths-one")

    assert code == 0
    assert "Imported course maths-one version 1 (SCORM 1.2): 'Introduction to maths'" in out
    assert "5 files" in out and "5 new in the store, 0 already there" in out
    assert "throughgate hub courses target maths-one --edge EDGE" in out
    assert again[0] == 0 and "Unchanged" in again[1]


def test_refused_package_prints_the_code_and_reason_and_exits_1(hub, tmp_path):
    write_zip(tmp_path / "evil.zip", {"course.json": b"{}", "../../etc/cron.d/evil": b"x"})

    code, out, err = hub("courses", "import", str(tmp_path / "evil.zip"))

    assert code == 1 and out == ""
    assert "refused (unsafe_path)" in err and "'..'" in err
    assert Course.select().count() == 0


def test_list_and_target_show_where_each_course_goes(hub, hub_instance, tmp_path):
    build_native_zip(tmp_path / "aid.zip", course="first-aid", title="First aid")
    hub("courses", "import", str(tmp_path / "aid.zip"))
    enrol_edge(create_app(instance_path=hub_instance), "hmp-north")

    empty_list = hub("courses", "list")[1]
    target = hub("courses", "target", "first-aid", "--edge", "hmp-north", "--group", "wing-a")
    listed = hub("courses", "list")[1]
    missing = hub("courses", "target", "first-aid", "--edge", "hmp-nowhere")

    assert "first-aid" in empty_list and "nowhere yet" in empty_list
    assert target[0] == 0 and "Course first-aid goes to: hmp-north (group wing-a)" in target[1]
    assert "hmp-north (group wing-a)" in listed and "native" in listed and "First aid" in listed
    assert missing[0] == 1 and "no edge 'hmp-nowhere'" in missing[2]


def test_list_without_courses_says_how_to_import_one(hub):
    code, out, _err = hub("courses", "list")

    assert code == 0 and out.startswith("No courses yet: import one with `throughgate hub courses import FILE")


def test_refusals_lists_what_tablets_refused_newest_first_with_what_to_do(hub, hub_instance):
    """course_refusal records reach the hub in an edge's batch like any record (wire/course_refusal.py)."""
    app = create_app(instance_path=hub_instance)
    edge = enrol_edge(app, "hmp-north")
    attempt = str(uuid.uuid4())
    made = [course_refusal.payload(course=course, version=2, item="unit-1", attempt=attempt, element=element,
                                   value=value, error_code="405", reason=f"{element} {value!r} is not allowed")
            for course, element, value in (("first-aid", "cmi.core.score.raw", "120"),
                                           ("intro-maths", "cmi.core.session_time", "5 min\x1b[2J"))]
    records = [new_record("course_refusal", "L-0042", seq, payload,
                          record_id=course_refusal.refusal_id(attempt, payload["element"], payload["value"])).to_dict()
               | {"device": "tab-0001", "received": timestamp()} for seq, payload in enumerate(made, 1)]
    with app.app_context():
        assert post_batch(app.test_client(), edge, edge.seal(records)).status_code == 200

    code, out, _err = hub("courses", "refusals")
    one = hub("courses", "refusals", "--course", "first-aid")[1]
    none = hub("courses", "refusals", "--course", "welding")[1]

    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["RECEIVED", "AT", "HUB", "EDGE", "LEARNER", "COURSE", "ITEM", "ELEMENT", "VALUE", "WHY"]
    assert "intro-maths v2" in lines[1] and "first-aid v2" in lines[2]  # newest first
    assert "\x1b" not in out and "5 min\\x1b[2J" in out  # a course's value never drives the terminal
    assert "What to do (cmi.core.score.raw): The course sent a score outside its own range" in out
    assert "Tell the course's author" in out
    assert "first-aid" in one and "intro-maths" not in one
    assert none.startswith("No value has been refused in course welding")
