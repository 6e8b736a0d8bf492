"""A SCORM 2004 course from the hub to the edge (real hub, real edge sync): the manifest the edge
publishes, and serves its tablets, says the SCORM version and edition, items and objectives."""

from __future__ import annotations

import importlib
import json

from edge.courses import catalogue
from tests.courses.courses_kit import import_course, open_edge_store, run_sync

scorm2004kit = importlib.import_module("scorm2004kit")  # tests/hub, on the path courses_kit sets


def test_a_scorm2004_course_reaches_the_edge_saying_its_version_and_edition(stack, tmp_path):
    scorm2004kit.build_scorm2004_zip(tmp_path / "golf.zip", scorm2004kit.THIRD_MANIFEST)
    printed = import_course(stack, tmp_path / "golf.zip")
    open_edge_store(stack)

    sync, _ = run_sync(stack)

    assert "(SCORM 2004 3rd edition)" in printed
    assert sync.report.ok, sync.report.errors
    (current,) = catalogue.current_versions()
    manifest = json.loads(current.envelope)["manifest"]
    assert (manifest["format"], manifest["scorm"]["version"], manifest["scorm"]["edition"]) == ("scorm2004", "2004", 3)
    assert manifest["scorm"]["items"]["playing_item"]["objectives"][0]["id"] == "playing_satisfied"
    assert "sequencingRules" in manifest["scorm"]["sequencing"]["not_supported"]
