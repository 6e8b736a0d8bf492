"""wire.course_scorm: a scorm2004 manifest carries its `scorm` field (version, edition, tree,
objectives, sequencing) and must; other formats never do, so older edges still take them."""

from __future__ import annotations

import copy
import json

import pytest

from wire.courses import ManifestError, parse_fields, sign_manifest, verify_manifest
from wire.keys import new_signing_key

SCORM = {
    "version": "2004", "edition": 3, "schemaversion": "2004 3rd Edition",
    "organization": {"id": "org", "title": "Golf", "launch": False, "hidden": False,
                     "control_mode": {"choice": True, "flow": True},
                     "children": [{"id": "unit-1", "title": "Unit 1", "launch": True, "hidden": False,
                                   "children": []}]},
    "items": {"unit-1": {"type": "sco", "completion_threshold": 0.75, "objectives": [
        {"id": "obj-1", "primary": True, "satisfied_by_measure": True, "min_normalized_measure": 0.8}]}},
    "sequencing": {"supported": ["controlMode", "objectives"], "not_supported": {"rollupRules": ["org"]}},
}
FIELDS = {
    "v": 1, "course": "golf", "version": 1, "title": "Golf", "format": "scorm2004", "entry": "index.html",
    "items": [{"id": "unit-1", "title": "Unit 1", "href": "index.html"}],
    "files": [{"path": "index.html", "sha256": "a" * 64, "size": 1, "type": "text/html"}],
    "published": "2026-11-27T01:00:00.000Z", "scorm": SCORM,
}


def fields(scorm=..., **changes) -> dict:
    value = copy.deepcopy(FIELDS)
    value.update(changes)
    if scorm is not ...:
        value.pop("scorm")
        if scorm is not None:
            value["scorm"] = scorm
    return value


def scorm_with(**changes) -> dict:
    value = copy.deepcopy(SCORM)
    value.update(changes)
    return value


def test_scorm2004_manifest_verifies_with_its_scorm_field_and_round_trips():
    key = new_signing_key()
    envelope = sign_manifest(fields(), key)

    manifest = verify_manifest(json.loads(json.dumps(envelope)), key.public_key())

    assert manifest.format == "scorm2004" and manifest.scorm == SCORM
    assert manifest.to_fields() == FIELDS  # what a tablet stores re-reads as signed


@pytest.mark.parametrize("value", [
    fields(scorm=None),  # scorm2004 without it
    fields(format="scorm12"),  # scorm12 with it
    fields(format="native"),
    fields(scorm=scorm_with(version="1.2")),
    fields(scorm=scorm_with(edition=5)),
    fields(scorm=scorm_with(edition=True)),
    fields(scorm=scorm_with(extra=1)),
    fields(scorm=scorm_with(items={"not-an-item": {"type": "sco", "objectives": []}})),
    fields(scorm=scorm_with(items={"unit-1": {"type": "lesson", "objectives": []}})),
    fields(scorm=scorm_with(items={"unit-1": {"type": "sco", "objectives": [{"id": "x"}]}})),
    fields(scorm=scorm_with(items={"unit-1": {"type": "sco", "objectives": [], "completion_threshold": 2}})),
    fields(scorm=scorm_with(organization={"id": "o", "title": "T", "launch": True, "children": []})),
    fields(scorm=scorm_with(sequencing={"not_supported": {"rollupRules": "org"}})),
])
def test_scorm_field_breaking_a_rule_is_refused(value):
    with pytest.raises(ManifestError) as caught:
        parse_fields(value)

    assert caught.value.code == "bad_manifest"


def test_organization_nested_too_deep_is_refused():
    node = {"id": "leaf", "title": "Leaf", "children": []}
    for depth in range(70):
        node = {"id": f"n{depth}", "title": "N", "children": [node]}

    with pytest.raises(ManifestError, match="deeper"):
        parse_fields(fields(scorm=scorm_with(organization=node)))
