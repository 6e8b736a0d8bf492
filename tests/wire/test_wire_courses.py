"""wire.courses: an edge uses a course only as the hub signed it, with every path safe to join."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from wire.batches import canonical_json
from wire.courses import (
    LABEL,
    Manifest,
    ManifestError,
    ManifestFile,
    check_path,
    sign_manifest,
    verify_manifest,
)
from wire.keys import new_signing_key

SHA_A, SHA_B = "a" * 64, "b" * 64
FIELDS = {
    "v": 1, "course": "intro-maths", "version": 2, "title": "Introduction to maths", "format": "scorm12",
    "entry": "index.html",
    "items": [{"id": "unit-1", "title": "Unit 1", "href": "index.html?unit=1"},
              {"id": "unit-2", "title": "Unit 2", "href": "units/two.html#start"}],
    "files": [{"path": "index.html", "sha256": SHA_A, "size": 120, "type": "text/html"},
              {"path": "units/two.html", "sha256": SHA_B, "size": 0, "type": "text/html; charset=utf-8"}],
    "published": "2026-11-27T01:00:00.000Z",
}


@pytest.fixture(scope="module")
def hub_key():
    return new_signing_key()


def fields(**changes) -> dict:
    value = copy.deepcopy(FIELDS)
    value.update(changes)
    return value


def test_signed_manifest_verifies_into_a_frozen_manifest(hub_key):
    envelope = sign_manifest(fields(), hub_key)

    manifest = verify_manifest(json.loads(json.dumps(envelope)), hub_key.public_key())

    assert isinstance(manifest, Manifest)
    assert manifest.course == "intro-maths" and manifest.version == 2 and manifest.format == "scorm12"
    assert manifest.files[1] == ManifestFile("units/two.html", SHA_B, 0, "text/html; charset=utf-8")
    assert manifest.items[0].href == "index.html?unit=1"
    assert manifest.to_fields() == FIELDS
    assert manifest.total_size == 120
    with pytest.raises(AttributeError):
        manifest.version = 3


def test_signature_covers_the_label_and_canonical_fields(hub_key):
    envelope = sign_manifest(fields(), hub_key)

    hub_key.public_key().verify(base64.b64decode(envelope["signature"]), LABEL + canonical_json(FIELDS))


@pytest.mark.parametrize(("field", "value"), [
    ("version", 3), ("title", "Other"), ("entry", "units/two.html"), ("course", "other-course"),
    ("files", [{"path": "index.html", "sha256": SHA_B, "size": 120, "type": "text/html"},
               {"path": "units/two.html", "sha256": SHA_B, "size": 0, "type": "text/html"}]),
])
def test_manifest_with_a_tampered_field_is_refused(hub_key, field, value):
    envelope = sign_manifest(fields(), hub_key)
    envelope["manifest"][field] = value

    with pytest.raises(ManifestError) as caught:
        verify_manifest(envelope, hub_key.public_key())
    assert caught.value.code == "bad_signature"


def test_manifest_signed_by_another_key_is_refused(hub_key):
    envelope = sign_manifest(fields(), new_signing_key())

    with pytest.raises(ManifestError, match="bad_signature"):
        verify_manifest(envelope, hub_key.public_key())


@pytest.mark.parametrize("envelope", [{}, {"manifest": FIELDS}, {"manifest": FIELDS, "signature": "!!"},
                                      {"signature": "AAAA"}, "not a dict"])
def test_envelope_missing_parts_is_refused_as_bad_signature(hub_key, envelope):
    with pytest.raises(ManifestError, match="bad_signature"):
        verify_manifest(envelope, hub_key.public_key())


@pytest.mark.parametrize("path", [
    "/etc/passwd", "../escape.html", "a/../../b", "a\\b.html", "a\x00.html", "a//b", "./a", "a/./b",
    "dir/", "", "C:/windows", "a\nb", "x" * 1025,
])
def test_unsafe_paths_are_refused(path):
    with pytest.raises(ManifestError) as caught:
        check_path(path)
    assert caught.value.code == "unsafe_path"


@pytest.mark.parametrize("path", ["index.html", "a/b/c.pdf", "media/clip one.mp4", "…é/ü.html", "a..b/c"])
def test_ordinary_relative_paths_pass(path):
    assert check_path(path) == path


@pytest.mark.parametrize("where", ["file", "entry", "href"])
def test_unsafe_path_anywhere_in_a_signed_manifest_is_refused(hub_key, where):
    """Even the hub's genuine signature does not make an unsafe path usable."""
    value = fields()
    if where == "file":
        value["files"][1]["path"] = "../../etc/cron.d/x"
    elif where == "entry":
        value["entry"] = "/etc/passwd"
    else:
        value["items"][0]["href"] = "..\\index.html"
    envelope = {"manifest": value,
                "signature": base64.b64encode(hub_key.sign(LABEL + canonical_json(value))).decode()}

    with pytest.raises(ManifestError) as caught:
        verify_manifest(envelope, hub_key.public_key())
    assert caught.value.code == "unsafe_path"


@pytest.mark.parametrize(("change", "code"), [
    ({"files": [{"path": "index.html", "sha256": "A" * 64, "size": 1, "type": "text/html"}]}, "bad_hash"),
    ({"files": [{"path": "index.html", "sha256": "ab", "size": 1, "type": "text/html"}]}, "bad_hash"),
    ({"files": [{"path": "index.html", "sha256": SHA_A, "size": 1, "type": "text/html"},
                {"path": "index.html", "sha256": SHA_B, "size": 1, "type": "text/html"}]}, "duplicate_path"),
    ({"entry": "missing.html"}, "missing_file"),
    ({"items": [{"id": "u", "title": "U", "href": "missing.html#x"}]}, "missing_file"),
    ({"course": "Intro_Maths"}, "bad_manifest"),
    ({"course": "-intro"}, "bad_manifest"),
    ({"version": 0}, "bad_manifest"),
    ({"version": True}, "bad_manifest"),
    ({"v": 2}, "bad_manifest"),
    ({"format": "scorm2004"}, "bad_manifest"),  # without its scorm field
    ({"format": "aicc"}, "bad_manifest"),
    ({"published": "yesterday"}, "bad_manifest"),
    ({"files": []}, "bad_manifest"),
    ({"files": [{"path": "index.html", "sha256": SHA_A, "size": -1, "type": "text/html"}]}, "bad_manifest"),
    ({"files": [{"path": "index.html", "sha256": SHA_A, "size": 1, "type": "html"}]}, "bad_manifest"),
    ({"extra": 1}, "bad_manifest"),
])
def test_manifest_breaking_a_rule_cannot_be_signed(hub_key, change, code):
    value = fields(**change)
    if "files" in change:
        value["items"] = []
        value["entry"] = "index.html"

    with pytest.raises(ManifestError) as caught:
        sign_manifest(value, hub_key)
    assert caught.value.code == code


def test_manifest_error_carries_code_and_reason():
    error = ManifestError("bad_hash", "not hex")

    assert (error.code, error.reason, str(error)) == ("bad_hash", "not hex", "bad_hash: not hex")
