"""The admin console's import page (the same importer as the CLI and the API): a second package from
one template fails with the two course names to type and what to do, then imports when named; a
SCORM 2004 import's done page says its edition, items, objectives and unsupported sequencing."""

from __future__ import annotations

import html
import time

import consolekit
from consolekit import BASE, post
from coursekit import build_scorm12_zip
from scorm2004kit import THIRD_MANIFEST, build_scorm2004_zip

console_app, admins, as_role = consolekit.console_app, consolekit.admins, consolekit.as_role


def imported(client, path, course: str = "") -> str:
    """Upload the package from the import form and follow its progress page until it is over."""
    with open(path, "rb") as package:
        answer = post(client, "/admin/course-imports", {"package": (package, path.name), "course": course},
                      content_type="multipart/form-data")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    deadline = time.monotonic() + 20
    while True:
        text = client.get(answer.headers["Location"], base_url=BASE).get_data(as_text=True)
        if 'http-equiv="refresh"' not in text:
            return html.unescape(text)
        assert time.monotonic() < deadline, "the import did not finish in 20 s"
        time.sleep(0.05)


def test_second_package_from_a_template_fails_saying_the_names_then_imports_named(as_role, tmp_path):
    client = as_role("content")
    build_scorm12_zip(tmp_path / "fire.zip", identifier="adapt_manifest", title="Fire safety", units=1)
    build_scorm12_zip(tmp_path / "food.zip", identifier="adapt_manifest", title="Food hygiene", units=1)
    imported(client, tmp_path / "fire.zip")

    failed = imported(client, tmp_path / "food.zip")
    named = imported(client, tmp_path / "food.zip", course="food-hygiene")

    assert "(course_name_taken): course adapt-manifest is already held by a different package" in failed
    assert "food-hygiene to import it as a course of its own" in failed
    assert "What to do: Import the package again and type a course name in the form" in failed
    assert 'Done: imported course food-hygiene version 1 (SCORM 1.2), "Food hygiene"' in named


def test_scorm2004_import_says_edition_items_objectives_and_unsupported_sequencing(as_role, tmp_path):
    client = as_role("content")
    build_scorm2004_zip(tmp_path / "golf.zip", THIRD_MANIFEST)

    done = imported(client, tmp_path / "golf.zip", course="golf-remediation")

    assert "Done: imported course golf-remediation version 1 (SCORM 2004 3rd edition)" in done
    assert "<li>3 launchable items (3 SCOs, 0 assets), 5 objectives</li>" in done
    assert "limit conditions (attempt limits): test_item</li>" in done
