"""Which course a package becomes a version of (SQLite and PostgreSQL): a package whose own name is
held by a course of another title (two packages from one authoring template) is refused, saying what
to type, unless the import names the course; in the service, the CLI and the admin API. And what the
CLI prints for a SCORM 2004 import."""

from __future__ import annotations

import pytest
from coursekit import build_scorm12_zip
from scorm2004kit import THIRD_MANIFEST, build_scorm2004_zip

from hub.courses.blobs import BlobStore
from hub.courses.importer import CourseNameTaken, import_package
from hub.courses.models import Course, CourseVersion
from hub.courses.package import Limits

LIMITS = Limits(max_files=50, max_file_bytes=4 << 20, max_total_bytes=8 << 20)
TEMPLATE = "com.articulate.template.course-id"  # every course made from the template says this


@pytest.fixture
def run_import(app):
    def run(path, course=None):
        with app.app_context():
            return import_package(path, BlobStore.from_config(app.config), app.extensions["hub_keys"].get().signing,
                                  LIMITS, course)

    return run


@pytest.fixture
def two_from_one_template(tmp_path):
    build_scorm12_zip(tmp_path / "fire.zip", identifier=TEMPLATE, title="Fire safety", units=1)
    build_scorm12_zip(tmp_path / "food.zip", identifier=TEMPLATE, title="Food hygiene", units=2)
    return tmp_path / "fire.zip", tmp_path / "food.zip"


def test_second_package_from_the_same_template_is_refused_not_made_version_2(app, run_import, two_from_one_template):
    fire, food = two_from_one_template
    run_import(fire)

    with pytest.raises(CourseNameTaken) as caught:
        run_import(food)

    refusal = caught.value
    assert (refusal.code, refusal.course, refusal.version, refusal.suggestion) == (
        "course_name_taken", "com-articulate-template-course-id", 1, "food-hygiene")
    assert "'Fire safety'" in refusal.reason and "'Food hygiene'" in refusal.reason
    assert [(c.slug, c.title) for c in Course.select()] == [("com-articulate-template-course-id", "Fire safety")]
    assert CourseVersion.select().count() == 1


def test_named_import_makes_its_own_course_or_the_next_version(app, run_import, two_from_one_template):
    fire, food = two_from_one_template
    run_import(fire)

    own = run_import(food, course="food-hygiene")
    next_version = run_import(food, course="com-articulate-template-course-id")

    assert (own.course, own.version) == ("food-hygiene", 1)
    assert (next_version.course, next_version.version, next_version.title) == (
        "com-articulate-template-course-id", 2, "Food hygiene")


def test_an_update_with_the_same_title_is_the_next_version_without_naming(app, run_import, tmp_path):
    build_scorm12_zip(tmp_path / "v1.zip", identifier=TEMPLATE, title="Fire safety", units=1)
    build_scorm12_zip(tmp_path / "v2.zip", identifier=TEMPLATE, title="  fire SAFETY ", units=2)
    run_import(tmp_path / "v1.zip")

    assert run_import(tmp_path / "v2.zip").version == 2


def test_suggested_name_is_free(app, run_import, two_from_one_template):
    fire, food = two_from_one_template
    run_import(fire)
    run_import(fire, course="food-hygiene")

    with pytest.raises(CourseNameTaken) as caught:
        run_import(food)

    assert caught.value.suggestion == "food-hygiene-2"


def test_admin_api_refuses_with_both_names_then_takes_the_named_course(client, auth_headers, two_from_one_template):
    fire, food = two_from_one_template

    def post(path, query=""):
        return client.post(f"/v1/admin/courses{query}", data=path.read_bytes(), content_type="application/zip",
                           headers=auth_headers)

    assert post(fire).status_code == 201
    refused = post(food)
    named = post(food, "?course=food-hygiene")

    assert refused.status_code == 400
    assert refused.json["error"] == "course_name_taken"
    assert (refused.json["course"], refused.json["suggestion"]) == ("com-articulate-template-course-id", "food-hygiene")
    assert "?course=food-hygiene" in refused.json["reason"]
    assert named.status_code == 201 and named.json["course"] == "food-hygiene"


# ---- the CLI ----

@pytest.fixture
def hub(hub_cli_fresh):
    """hub("courses", "import", ...) -> (exit code, stdout, stderr) on a fresh instance (conftest's hub_cli_fresh)."""
    return hub_cli_fresh


def test_cli_refusal_says_what_to_type_and_course_accepts_it(hub, two_from_one_template):
    fire, food = two_from_one_template
    hub("courses", "import", str(fire))

    code, out, err = hub("courses", "import", str(food))
    named = hub("courses", "import", str(food), "--course", "food-hygiene")

    assert code == 1 and out == ""
    assert f"error: {food} refused (course_name_taken): course com-articulate-template-course-id" in err
    lines = err.splitlines()
    assert lines[1] == "Type one of:"
    assert lines[2].strip().startswith(f"throughgate hub courses import {food} --instance ")
    assert lines[2].split("    ")[0].endswith("--course food-hygiene")
    assert lines[3].split("    ")[0].endswith("--course com-articulate-template-course-id")
    assert named[0] == 0 and "Imported course food-hygiene version 1 (SCORM 1.2)" in named[1]


def test_cli_import_of_scorm2004_says_edition_items_objectives_and_unsupported_sequencing(hub, tmp_path):
    build_scorm2004_zip(tmp_path / "golf.zip", THIRD_MANIFEST)

    code, out, _err = hub("courses", "import", str(tmp_path / "golf.zip"), "--course", "golf")
    listed = hub("courses", "list")[1]

    assert code == 0
    assert "Imported course golf version 1 (SCORM 2004 3rd edition): 'Golf Explained - Simple Remediation'" in out
    assert "  3 launchable items (3 SCOs, 0 assets), 5 objectives" in out
    assert "  sequencing the player carries out: flow (golf_org), flow (content_wrapper)" in out
    assert "    sequencing rules (pre-, exit and post-conditions): playing_item, etiquette_item" in out
    assert "    limit conditions (attempt limits): test_item" in out
    assert "SCORM 2004" in listed
