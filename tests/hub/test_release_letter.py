"""The release letter (provisioning/letter.py; the hub and the edge console print it): the page and the
PDF a person takes out of prison.
What the person reads is checked as they would meet it: the PDF through poppler (text, and the
page rasterised), the HTML page printed to A4 by Chromium, each QR code decoded by zbarimg from
the pixels and parsed back to the offer."""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import pytest

from provisioning import letter
from provisioning.tokens import ActivationOffer, new_enrolment_code, parse_activation_offer
from tests import browserkit

HOSTILE = 'Siân "Sid" O\'Neil <script>alert(1)</script>'
OFFER = ActivationOffer("https://hub.throughgate.example.org:8443", new_enrolment_code(), "5e" * 32)
LETTER = letter.Letter(HOSTILE, OFFER, "2026-07-06T16:00:00Z", "2026-06-29T09:30:00Z", "HMP Berwyn",
                       [("Probation officer", "Llŷr Williams", "01978 523 000"),
                        ("Employment adviser", "Dŵr <b>Jones</b>", "0300 123 4567")])


def need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is missing: Debian's {package} (make deps installs it)")
    return path


def decoded_qr_codes(pdf_file: Path) -> list[str]:
    """Every QR code zbarimg finds on the PDF's first page, rasterised at 150 dpi like a cheap scan."""
    need("pdftoppm", "poppler-utils")
    need("zbarimg", "zbar-tools")
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf_file),
                    str(pdf_file.with_suffix(""))], check=True, timeout=30)
    found = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                            str(pdf_file.with_suffix(".png"))], capture_output=True, text=True, timeout=30)
    return found.stdout.splitlines()


def pages(pdf_file: Path) -> int:
    need("pdfinfo", "poppler-utils")
    info = subprocess.run(["pdfinfo", str(pdf_file)], capture_output=True, text=True, check=True, timeout=30)
    return int(next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def page() -> str:
    return letter.html(LETTER)


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("letter") / "letter.pdf"
    path.write_bytes(letter.pdf(LETTER))
    return path


def test_page_escapes_a_hostile_name_and_contact(page):
    assert "<script>" not in page and "alert(1)</script>" not in page and "<b>Jones" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Siân &#34;Sid&#34; O&#39;Neil" in page
    assert "Dŵr &lt;b&gt;Jones&lt;/b&gt;" in page


def test_page_says_it_all_in_english_and_in_welsh_marked_cy(page):
    assert '<html lang="en">' in page
    assert page.count('lang="cy"') >= 10
    shown = html.unescape(page)
    assert '<p lang="cy">1. Ar eich ffôn, agorwch y camera a\'i bwyntio at y sgwâr hwn.</p>' in shown
    assert "On your phone, open the camera and point it at this square." in shown
    assert "ask your worker for a new one" in shown and "gofynnwch i'ch gweithiwr am un newydd" in shown
    assert "It works once only." in shown and "Mae'n gweithio unwaith yn unig." in shown


def test_page_shows_code_address_and_expiry_in_uk_time(page):
    assert f'<p class="value">{OFFER.code}</p>' in page
    assert OFFER.hub in page
    # 16:00 UTC on 6 July is 17:00 in the UK (summer time)
    assert "This code stops working on Monday 6 July 2026 at 17:00." in page
    assert "ar ddydd Llun 6 Gorffennaf 2026 am 17:00" in page
    assert "Llŷr Williams" in page and "01978 523 000" in page


def test_page_is_print_ready_and_fetches_nothing(page):
    assert "@page { size: A4;" in page and "@media print" in page
    for fetching in ("<img", "<link", "<script", "url(", "src=", "@import"):
        assert fetching not in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-label="QR code' in svg and "viewBox=" in svg


def test_letter_without_name_or_contacts_says_who_to_ask():
    bare = letter.html(letter.Letter("", OFFER, "2026-12-14T17:06:00Z", "2026-12-07T17:06:00Z", "HMP Parc"))
    assert "This letter is for" not in bare and "<table" not in bare
    assert "Ask the staff who gave you this letter who your worker is." in bare
    assert "Monday 14 December 2026 at 17:06" in bare  # winter: UK time is UTC


def test_page_meets_wcag_2_1_aa_in_chromium(browser, page):
    tab = browserkit.new_context(browser).new_page()
    tab.set_content(page)
    browserkit.assert_accessible(tab)


def test_printed_page_is_one_a4_sheet_whose_qr_code_decodes_to_the_offer(browser, page, tmp_path):
    printed = tmp_path / "printed.pdf"
    tab = browser.new_page()
    tab.set_content(page)
    printed.write_bytes(tab.pdf(prefer_css_page_size=True, print_background=True))
    assert pages(printed) == 1
    codes = decoded_qr_codes(printed)
    assert codes == [OFFER.to_link()]  # a link a phone's camera opens in the browser, at the app
    assert parse_activation_offer(codes[0]) == OFFER


def test_pdf_is_one_page_with_the_code_and_welsh_letters_intact(pdf_file):
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    assert pages(pdf_file) == 1
    need("pdftotext", "poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True,
                          check=True, timeout=30).stdout
    assert OFFER.code in text and OFFER.hub in text
    for welsh in ("sgwâr", "ffôn", "Llŷr Williams", "Dŵr <b>Jones</b>", "Gorffennaf"):
        assert welsh in text
    assert HOSTILE.split(" <")[0] in text


def test_pdf_qr_code_decodes_to_the_offer(pdf_file):
    codes = decoded_qr_codes(pdf_file)
    assert codes == [OFFER.to_link()]
    assert codes[0].startswith(f"{OFFER.hub}/app/#/activate?code={OFFER.code}&ca=")
    assert parse_activation_offer(codes[0]) == OFFER


def test_pdf_qr_code_is_big_enough_to_scan_from_paper():
    assert letter.QR_MM >= 40


def test_pdf_without_its_font_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(letter, "FONTS", tmp_path)
    with pytest.raises(letter.LetterError, match="apt-get install fonts-dejavu-core"):
        letter.pdf(LETTER)
