"""The printable health summary (hub/medical/printable.py): the page and the PDF say every continuity field and the
reduced-tolerance warning first; the page is self-contained, runs no script and escapes what the summary holds."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from hub.medical.printable import html, pdf
from wire.ips import TOLERANCE_WARNING, plain
from wire.ips_build import EXAMPLE_FACTS, release_summary

EVERY_FIELD = [
    "Sam Carter", "2 April 1990", "14 December 2026", "Dr Ann Jones", "HMP Leeds Healthcare",
    "Sertraline 50 mg tablets", "50 mg once a day", "14 December 2026 at 08:05", "28",
    "Yes, 13 December 2026, by Dr Ann Jones", "Omeprazole 20 mg capsules", "20 mg in the morning",
    "Buprenorphine", "Sublingual tablet", "16 mg once a day", "14 December 2026 at 08:30",
    "Dose given on the day of release", "Buvidal 64 mg monthly prolonged-release injection", "64 mg",
    "1 December 2026", "29 December 2026", "Dr Priya Patel", "Boots, 12 High Street",
    "15 December 2026 at 10:00, Boots, 12 High Street, Dr Priya Patel", "Kits supplied", "Yes, 10 December 2026",
    "14 December 2026 at 09:00", "Hyde Park Surgery", "Accepted by the practice: registration under way",
    "Penicillin", "Rash", "Moderate", "Depression", "1 May 2019", "Blood test", "Nurse Bell",
]


@pytest.fixture(scope="module")
def summary():
    return plain(release_summary(EXAMPLE_FACTS, "p-123", "2026-12-14T10:00:00+00:00"), today="2026-12-14")


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_says_every_field_with_the_warning_first(summary):
    page = _Page()
    page.feed(html(summary))
    text = _words(" ".join(page.text))
    for field in EVERY_FIELD:
        assert field in text, field
    assert text.index("tolerance to opioids is lower") < text.index("Medicines")
    assert _words(TOLERANCE_WARNING) in text


def test_the_page_is_accessible_and_self_contained(summary):
    page = _Page()
    page.feed(html(summary))
    tags = [tag for tag, _attrs in page.tags]
    assert ("html", {"lang": "en"}) in page.tags and tags.count("h1") == 1 and "h2" in tags
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in page.tags if tag == "th")
    assert not {"script", "link", "img", "iframe"} & set(tags)
    assert not any("src" in attrs or "href" in attrs for _tag, attrs in page.tags)


def test_what_the_summary_holds_is_escaped(summary):
    page = html({**summary, "patient": {"name": "<script>alert(1)</script>", "born": ""}})
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_an_empty_summary_says_so_rather_than_showing_blanks():
    page = _words(html(plain(None)))
    assert "No medicines recorded." in page and "None recorded." in page and "Not recorded." in page
    assert "tolerance" not in page


@pytest.fixture(scope="module")
def document(summary):
    tricky = {**summary, "patient": {**summary["patient"], "name": "Siân Ŵyn Łukasz"}}
    return pdf(tricky)


def test_the_pdf_is_a_pdf_that_says_every_field_and_the_warning(document):
    assert document.startswith(b"%PDF-") and document.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils): the text was not read back")
    text = _words(subprocess.run(["pdftotext", "-raw", "-", "-"], input=document, capture_output=True, check=True,
                                 timeout=30).stdout.decode())
    for field in EVERY_FIELD[1:]:
        assert field in text, field
    assert "Siân Ŵyn Łukasz" in text, "text beyond Latin-1 is drawn, not dropped"
    assert _words(TOLERANCE_WARNING) in text
    assert text.index("tolerance to opioids is lower") < text.index("Medicines")
