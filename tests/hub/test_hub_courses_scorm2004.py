"""SCORM 2004 at the hub: the edition read from schemaversion (or the namespaces), the
organisation tree, objectives and the sequencing the player carries out, in the signed manifest;
CAM 1.3 is SCORM 2004, no longer SCORM 1.2. Parsing is pure; imports run on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from coursekit import scorm12_manifest
from scorm2004kit import CAM13_MANIFEST, FOURTH_MANIFEST, THIRD_MANIFEST, build_scorm2004_zip

from hub.courses import scorm
from hub.courses.blobs import BlobStore
from hub.courses.importer import import_package
from hub.courses.package import Limits, PackageError, tidy
from wire.courses import parse_fields, verify_manifest

LIMITS = Limits(max_files=50, max_file_bytes=4 << 20, max_total_bytes=8 << 20)
SCORM12 = scorm12_manifest("com.example.x", "X", 1, {1: ["unit1/index.html"]})


def _with_version(text: str | None) -> bytes:
    data = THIRD_MANIFEST.replace(b"<schemaversion>2004 3rd Edition</schemaversion>",
                                  b"" if text is None else f"<schemaversion>{text}</schemaversion>".encode())
    return data


@pytest.mark.parametrize(("data", "format", "edition"), [
    (CAM13_MANIFEST, "scorm2004", 2),
    (_with_version("2004 3rd Edition"), "scorm2004", 3),
    (_with_version("2004 4th Edition"), "scorm2004", 4),
    (_with_version("SCORM 2004 4th Edition"), "scorm2004", 4),
    (_with_version(None), "scorm2004", None),  # no schemaversion: known by its imsss/adlcp_v1p3 namespaces
    (SCORM12, "scorm12", None),
    (SCORM12.replace(b"<schemaversion>1.2</schemaversion>", b""), "scorm12", None),
])
def test_schemaversion_or_namespaces_say_which_scorm_and_edition(data, format, edition):
    described = scorm.parse(data)

    assert described.format == format
    assert (described.scorm or {}).get("edition") == edition
    assert (described.scorm is None) == (format == "scorm12")


def test_cam_1_3_is_scorm_2004_second_edition_not_scorm_1_2():
    described = scorm.parse(CAM13_MANIFEST)

    assert (described.format, described.scorm["edition"], described.scorm["schemaversion"]) == (
        "scorm2004", 2, "CAM 1.3")
    assert described.scorm["items"] == {"FIRE_SAFETY_SCO": {"type": "sco", "objectives": []}}


def test_unknown_schemaversion_is_refused_naming_the_ones_the_hub_imports():
    with pytest.raises(PackageError) as caught:
        scorm.parse(_with_version("1.1"))

    assert caught.value.code == "unsupported_format"
    assert "'1.1'" in caught.value.reason and "2004 4th Edition" in caught.value.reason


def test_third_edition_tree_objectives_and_sequencing_with_a_sequencing_collection():
    described = tidy(scorm.parse(THIRD_MANIFEST), "imsmanifest.xml")
    info = described.scorm

    assert [(i.id, i.href) for i in described.items] == [
        ("playing_item", "Playing/Playing.html"), ("etiquette_item", "Etiquette/Course.html"),
        ("test_item", "shared/launchpage.html?content=assessment")]
    tree = info["organization"]
    assert (tree["id"], tree["title"], tree["control_mode"]) == (
        "golf_org", "Golf Explained - Simple Remediation", {"choice": False, "flow": True})
    wrapper = tree["children"][0]
    assert (wrapper["id"], wrapper["launch"], wrapper["control_mode"]) == (
        "content_wrapper", False, {"choice": False, "flow": True})
    assert [(c["id"], c["launch"]) for c in wrapper["children"]] == [("playing_item", True), ("etiquette_item", True)]
    assert info["items"]["playing_item"]["objectives"] == [  # its own objectives, not the collection's
        {"id": "playing_satisfied", "primary": True, "satisfied_by_measure": True, "min_normalized_measure": 0.8},
        {"id": "obj_playing", "primary": False, "satisfied_by_measure": False, "min_normalized_measure": 1.0}]
    assert info["items"]["test_item"]["objectives"] == [
        {"id": None, "primary": True, "satisfied_by_measure": True, "min_normalized_measure": 0.7}]
    assert info["sequencing"]["supported"] == ["controlMode", "objectives", "deliveryControls"]
    assert info["sequencing"]["not_supported"] == {
        "sequencingRules": ["playing_item", "etiquette_item"],  # from the collection, through IDRef
        "mapInfo": ["playing_item", "etiquette_item"],
        "choiceExit": ["content_wrapper"], "rollupRules": ["content_wrapper"], "limitConditions": ["test_item"]}


def test_fourth_edition_assets_completion_threshold_launch_data_and_hidden_items():
    info = scorm.parse(FOURTH_MANIFEST).scorm

    assert info["items"] == {
        "WELCOME": {"type": "asset", "objectives": []},
        "SCO-1": {"type": "sco", "objectives": [], "completion_threshold": 0.75, "data_from_lms": "lesson=1"},
        "SCO-2": {"type": "sco", "objectives": []}}
    assert [c["hidden"] for c in info["organization"]["children"]] == [False, False, True]
    assert info["sequencing"]["not_supported"] == {"forwardOnly": ["ORG-1"], "data": ["SCO-1"]}


@pytest.mark.parametrize(("change", "needle"), [
    ((b'IDRef="content_rules"', b'IDRef="nowhere"'), "'nowhere'"),
    ((b"<imsss:minNormalizedMeasure>0.8<", b"<imsss:minNormalizedMeasure>lots<"), "minNormalizedMeasure"),
    ((b'<imsss:objective objectiveID="obj_playing"/>', b"<imsss:objective/>"), "no objectiveID"),
])
def test_sequencing_that_cannot_be_read_is_refused_saying_where(change, needle):
    with pytest.raises(PackageError) as caught:
        scorm.parse(THIRD_MANIFEST.replace(*change))

    assert caught.value.code == "bad_manifest" and needle in caught.value.reason


# ---- imported and signed (SQLite and PostgreSQL) ----

@pytest.fixture
def run_import(app):
    def run(path, course=None):
        with app.app_context():
            return import_package(path, BlobStore.from_config(app.config), app.extensions["hub_keys"].get().signing,
                                  LIMITS, course)

    return run


@pytest.mark.parametrize(("manifest", "edition", "items", "objectives"), [
    (CAM13_MANIFEST, 2, 1, 0), (THIRD_MANIFEST, 3, 3, 5), (FOURTH_MANIFEST, 4, 3, 0)])
def test_scorm2004_package_becomes_a_signed_version_saying_version_and_edition(
        app, run_import, tmp_path, manifest, edition, items, objectives):
    build_scorm2004_zip(tmp_path / "p.zip", manifest)

    imported = run_import(tmp_path / "p.zip")

    key = app.extensions["hub_keys"].get().signing.public_key()
    signed = verify_manifest(json.loads(json.dumps(imported.envelope)), key)
    assert (signed.format, signed.scorm["version"], signed.scorm["edition"]) == ("scorm2004", "2004", edition)
    assert len(signed.items) == items
    assert sum(len(i["objectives"]) for i in signed.scorm["items"].values()) == objectives
    assert parse_fields(signed.to_fields()).scorm == signed.scorm  # a tablet keeps it as the edge sent it
    assert run_import(tmp_path / "p.zip").unchanged


def test_scorm12_manifest_keeps_exactly_the_fields_older_edges_take(run_import, tmp_path):
    from coursekit import build_scorm12_zip

    build_scorm12_zip(tmp_path / "p.zip")

    fields = run_import(tmp_path / "p.zip").envelope["manifest"]

    assert set(fields) == {"v", "course", "version", "title", "format", "entry", "items", "files", "published"}
    assert fields["format"] == "scorm12"


def test_a_cluster_id_with_a_bidirectional_control_is_refused_like_an_item_id():
    data = THIRD_MANIFEST.replace(b'identifier="content_wrapper"', b'identifier="content&#x202e;txt"')

    with pytest.raises(PackageError) as caught:
        tidy(scorm.parse(data), "imsmanifest.xml")

    assert caught.value.code == "bad_item_id"
