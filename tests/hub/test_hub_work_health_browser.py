"""A person's health summary in the workers' console, in Debian's Chromium against a real `throughgate hub
run`: a health care worker opens it from the person's page, uploads a broken file and reads the reasons
(each naming the resource and the path), uploads the good one, says why they open it and reads the
medicines and the reduced-tolerance warning, then sees their read listed; every page passes axe-core
(WCAG 2.1 A, AA)."""

from __future__ import annotations

import copy
import json

import pytest
from test_hub_work_health import FACTS, MEDICINE
from workkit import add_person, log_in_in_chromium, make_worker, running_hub

from tests import browserkit
from wire import ips, ips_build


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("health-browser")) as started:
        yield started


def test_a_health_worker_reads_a_refusals_reasons_then_uploads_and_reads_the_summary(hub, browser, tmp_path):
    process, app = hub
    hana = make_worker(app, "hana", "health_care", "Swansea health")
    person = add_person(app, "hana")
    good = ips_build.release_summary(FACTS, person, "2027-03-13T10:00:00+00:00")
    broken = copy.deepcopy(good)
    composition = broken["entry"][0]["resource"]
    composition["section"] = [s for s in composition["section"]
                              if s["code"]["coding"][0]["code"] != ips.SECTION_ALLERGIES]
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    (tmp_path / "summary.json").write_text(json.dumps(good))
    context, page = log_in_in_chromium(browser, process.url, hana)

    page.goto(f"{process.url}/work/people/{person}")
    page.get_by_role("link", name="Health summary").click()
    page.wait_for_url(f"**/work/people/{person}/health")
    assert page.get_by_text("No health summary has been uploaded").is_visible()
    browserkit.assert_accessible(page)

    def send(path):
        page.get_by_role("link", name="Upload a summary or health appointments").click()
        page.wait_for_url(f"**/work/people/{person}/health/upload")
        page.get_by_label("The file (JSON)").set_input_files(str(path))
        page.get_by_role("radio", name="Summary").check()
        page.get_by_label("The person agreed to carry this summary").check()
        page.get_by_role("button", name="Upload").click()

    send(tmp_path / "broken.json")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Allergies and Intolerances (LOINC 48765-2) is missing" in alert.inner_text()
    assert alert.locator("code").first.inner_text() == "Composition.section"
    assert alert.locator("strong").first.inner_text().startswith("Composition/")
    browserkit.assert_accessible(page)

    page.get_by_role("link", name="Health summary").click()
    send(tmp_path / "summary.json")
    page.wait_for_url(lambda url: "uploaded=" in url)
    assert page.get_by_role("status").inner_text().startswith("Uploaded.")
    assert page.get_by_text(MEDICINE).count() == 0  # not before saying why
    browserkit.assert_accessible(page)

    page.get_by_label("Checking medicines").check()
    page.get_by_role("button", name="Open the summary").click()
    page.wait_for_url(lambda url: "purpose=medicines" in url)
    assert page.get_by_role("rowheader", name=MEDICINE).is_visible()
    assert page.get_by_role("heading", name="Warning: read this first").is_visible()
    assert page.get_by_text("Your tolerance to opioids").is_visible()
    assert page.get_by_role("link", name="Download the FHIR bundle").is_visible()
    browserkit.assert_accessible(page)

    page.get_by_role("link", name="Who has read their health records").click()
    page.wait_for_url(f"**/work/people/{person}/health/reads")
    assert page.get_by_role("cell", name="Checking medicines").is_visible()
    browserkit.assert_accessible(page)
    context.close()
