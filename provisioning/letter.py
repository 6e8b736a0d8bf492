"""The release letter: what a person takes out of prison to start Throughgate on their own phone.
The hub (hub/release, the workers' console) and the edge console (release at the prison) both print it.
One A4 page, as HTML to print from a browser and as a PDF, in English and Welsh side by side.

Both come from one list of blocks (`blocks`), so the page and the PDF say the same thing. Every
field is text as staff typed it: the HTML escapes it (Jinja2 autoescape), the PDF draws it as text.
The QR code carries the offer's URI (provisioning.tokens.ActivationOffer); the code is printed
under it for a phone whose camera fails. Times are shown in UK time (Europe/London).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import segno
from jinja2 import Environment
from markupsafe import Markup

from provisioning.qr import qr_svg
from provisioning.tokens import ActivationOffer

if TYPE_CHECKING:
    from fpdf import FPDF

LOCAL = ZoneInfo("Europe/London")
FONTS = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core: Welsh needs ŵ and ŷ
QR_MM = 48  # printed size of the QR code: scans from paper at arm's length
QR_LABEL = "QR code with your activation code: point your phone's camera at it"

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS_CY = ("dydd Llun", "dydd Mawrth", "dydd Mercher", "dydd Iau", "dydd Gwener", "dydd Sadwrn", "dydd Sul")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_MONTHS_CY = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi",
              "Hydref", "Tachwedd", "Rhagfyr")

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO


class LetterError(RuntimeError):
    """The letter cannot be made here; the message says what to install or do instead."""


@dataclass(frozen=True)
class Letter:
    name: str  # as staff typed it; may be empty
    offer: ActivationOffer
    expires_at: str  # RFC 3339
    issued_at: str  # RFC 3339
    prison: str
    contacts: Sequence[tuple[str, str, str]] = ()  # (role, name, phone) the person may call


@dataclass(frozen=True)
class Block:
    """One part of the letter: `kind` is heading, pair (English beside Welsh), qr, code, contacts (under
    a heading) or footer."""

    kind: str
    en: str = ""
    cy: str = ""


def when(rfc3339: str) -> tuple[str, str]:
    """A moment in words, UK time, in English and in Welsh: 'Monday 14 December 2026 at 17:06'."""
    moment = datetime.fromisoformat(rfc3339)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(LOCAL)
    clock = f"{moment:%H:%M}"
    en = f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year} at {clock}"
    cy = f"{_DAYS_CY[moment.weekday()]} {moment.day} {_MONTHS_CY[moment.month - 1]} {moment.year} am {clock}"
    return en, cy


def _after_ar(cy: str) -> str:
    """'ar' (on) softens the word after it: ar ddydd Llun, not ar dydd Llun."""
    return "d" + cy if cy.startswith("dydd ") else cy


def blocks(letter: Letter) -> list[Block]:
    """What the letter says, in order, in plain words."""
    expires_en, expires_cy = when(letter.expires_at)
    issued_en, issued_cy = when(letter.issued_at)
    parts = [Block("heading", "Start Throughgate on your phone", "Dechrau Throughgate ar eich ffôn")]
    if letter.name.strip():
        parts.append(Block("pair", f"This letter is for {letter.name}.", f"Mae'r llythyr hwn ar gyfer {letter.name}."))
    parts += [
        Block("pair",
              "This letter has a code to start Throughgate on your own phone. Throughgate keeps your "
              "courses, your messages with your workers and your appointments in one place.",
              "Mae cod yn y llythyr hwn i ddechrau Throughgate ar eich ffôn eich hun. Mae Throughgate yn "
              "cadw eich cyrsiau, eich negeseuon gyda'ch gweithwyr a'ch apwyntiadau mewn un lle."),
        Block("pair", "1. On your phone, open the camera and point it at this square.",
              "1. Ar eich ffôn, agorwch y camera a'i bwyntio at y sgwâr hwn."),
        Block("qr"),
        Block("pair", "2. If the camera does not work: on your phone, go to this address and type this code.",
              "2. Os nad yw'r camera'n gweithio: ar eich ffôn, ewch i'r cyfeiriad hwn a theipiwch y cod hwn."),
        Block("code"),
        Block("pair", f"This code stops working on {expires_en}. It works once only.",
              f"Bydd y cod hwn yn dod i ben ar {_after_ar(expires_cy)}. Mae'n gweithio unwaith yn unig."),
        Block("pair", "Keep this letter safe. Do not give the code to anyone else.",
              "Cadwch y llythyr hwn yn ddiogel. Peidiwch â rhoi'r cod i neb arall."),
        Block("pair", "If the code does not work, or it has stopped working, ask your worker for a new one.",
              "Os nad yw'r cod yn gweithio, neu os yw wedi dod i ben, gofynnwch i'ch gweithiwr am un newydd."),
    ]
    if letter.contacts:
        parts.append(Block("contacts", "Who to call", "Pwy i'w ffonio"))
    else:
        parts.append(Block("pair", "Ask the staff who gave you this letter who your worker is.",
                           "Gofynnwch i'r staff a roddodd y llythyr hwn i chi pwy yw eich gweithiwr."))
    parts.append(Block("footer", f"Prison: {letter.prison}. Date: {issued_en}.",
                       f"Carchar: {letter.prison}. Dyddiad: {issued_cy}."))
    return parts


# HTML ---------------------------------------------------------------------------------------------
_PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Throughgate: your activation code / eich cod actifadu</title>
<style>
@page { size: A4; margin: 9mm 14mm; }
* { box-sizing: border-box; }
html { color: #000; background: #fff; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 13pt; line-height: 1.35;
       max-width: 182mm; margin: 0 auto; padding: 6mm 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0 8mm; margin: 0 0 2.5mm; }
section { break-inside: avoid; }
.pair > * { margin: 0; }
.pair > [lang="cy"] { border-left: 0.6mm solid #000; padding-left: 3mm; }
h1, h2 { font-size: 18pt; line-height: 1.2; margin: 0 0 3mm; }
h2 { font-size: 15pt; margin-top: 2mm; }
.scan { display: flex; justify-content: center; margin: 0 0 2mm; }
.scan svg { width: {{ qr_mm }}mm; height: {{ qr_mm }}mm; display: block; }
.code { text-align: center; border: 0.8mm solid #000; padding: 2mm; margin: 0 0 4mm; break-inside: avoid; }
.code .hub { font-family: "DejaVu Sans Mono", monospace; font-size: 13pt; overflow-wrap: anywhere; margin: 0; }
.code .value { font-family: "DejaVu Sans Mono", monospace; font-size: 28pt; font-weight: bold;
               letter-spacing: 0.08em; margin: 1mm 0 0; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; }
th, td { border: 0.4mm solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
td.phone { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; }
footer { font-size: 11pt; }
@media print {
  body { max-width: none; padding: 0; font-size: 12pt; line-height: 1.25; }
  h1 { font-size: 16pt; } h2 { font-size: 14pt; } .pair { margin-bottom: 2mm; }
}
</style>
</head>
<body>
<main>
{% for block in blocks %}
{% if block.kind == "heading" %}
<h1 class="pair"><span>{{ block.en }}</span><span lang="cy">{{ block.cy }}</span></h1>
{% elif block.kind == "pair" %}
<div class="pair"><p>{{ block.en }}</p><p lang="cy">{{ block.cy }}</p></div>
{% elif block.kind == "qr" %}
<div class="scan">{{ qr }}</div>
{% elif block.kind == "code" %}
<div class="code">
<p class="hub">{{ letter.offer.hub }}</p>
<p class="value">{{ letter.offer.code }}</p>
</div>
{% elif block.kind == "contacts" %}
<section>
<h2 class="pair"><span>{{ block.en }}</span><span lang="cy">{{ block.cy }}</span></h2>
<table>
<thead><tr><th scope="col">Who <span lang="cy">/ Pwy</span></th><th scope="col">Name <span lang="cy">/ Enw</span></th>
<th scope="col">Phone <span lang="cy">/ Ffôn</span></th></tr></thead>
<tbody>
{% for role, name, phone in letter.contacts %}
<tr><td>{{ role }}</td><td>{{ name }}</td><td class="phone">{{ phone }}</td></tr>
{% endfor %}
</tbody>
</table>
</section>
{% elif block.kind == "footer" %}
<footer class="pair"><p>{{ block.en }}</p><p lang="cy">{{ block.cy }}</p></footer>
{% endif %}
{% endfor %}
</main>
</body>
</html>
""")


def _svg(uri: str) -> Markup:
    """segno's SVG, scalable (a viewBox for its fixed size) and announced as one image."""
    svg = qr_svg(uri)
    size = re.match(r'<svg [^>]*?width="(\d+)" height="(\d+)"', svg)
    if size is None:
        raise LetterError("the QR code's SVG has no size: check the segno version against constraints.txt")
    width, height = size.groups()
    svg = svg.replace(f'width="{width}" height="{height}"',
                      f'viewBox="0 0 {width} {height}" role="img" aria-label="{QR_LABEL}"', 1)
    return Markup(svg)  # noqa: S704 (segno's own markup; the only data in it is the offer, drawn as modules)


def html(letter: Letter) -> str:
    """The letter as a complete HTML page, ready to print on A4; fetches nothing."""
    return _PAGE.render(letter=letter, blocks=blocks(letter), qr=_svg(letter.offer.to_link()), qr_mm=QR_MM)


# PDF ----------------------------------------------------------------------------------------------
_MARGIN, _GAP, _LINE = 14.0, 8.0, 5.4  # mm


def _fonts(pdf: FPDF) -> None:
    for family, style, file in (("Sans", "", "DejaVuSans.ttf"), ("Sans", "B", "DejaVuSans-Bold.ttf"),
                                ("Mono", "B", "DejaVuSansMono-Bold.ttf"), ("Mono", "", "DejaVuSansMono.ttf")):
        if not (FONTS / file).is_file():
            raise LetterError(f"the PDF needs {FONTS / file}: install Debian's fonts-dejavu-core "
                              "(apt-get install fonts-dejavu-core), or print the HTML page instead")
        pdf.add_font(family, style, str(FONTS / file))


def _pair(pdf: FPDF, en: str, cy: str, size: float, style: str = "") -> None:
    """English in the left column, Welsh in the right, the same height; a new page if it will not fit."""
    pdf.set_font("Sans", style, size)
    column = (pdf.epw - _GAP) / 2
    line = _LINE * size / 12.5
    tall = max(pdf.multi_cell(column, line, text, align="L", dry_run=True, output="HEIGHT") for text in (en, cy))
    if pdf.get_y() + tall > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    pdf.multi_cell(column, line, en, align="L")
    pdf.set_xy(pdf.l_margin + column + _GAP, top)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.6)
    pdf.line(pdf.get_x() - 3, top, pdf.get_x() - 3, top + tall)
    pdf.multi_cell(column, line, cy, align="L")
    pdf.set_xy(pdf.l_margin, top + tall + 2)


def _qr(pdf: FPDF, uri: str) -> None:
    png = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(png, kind="png", scale=10, border=4)
    png.seek(0)
    if pdf.get_y() + QR_MM > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(png, x=(pdf.w - QR_MM) / 2, y=pdf.get_y(), w=QR_MM, h=QR_MM, alt_text=QR_LABEL)
    pdf.set_xy(pdf.l_margin, pdf.get_y() + QR_MM + 1)


def _code(pdf: FPDF, offer: ActivationOffer) -> None:
    top = pdf.get_y()
    pdf.set_font("Mono", "", 13)
    pdf.multi_cell(pdf.epw, 6.5, offer.hub, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Mono", "B", 28)
    pdf.cell(pdf.epw, 13, offer.code, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.8)
    pdf.rect(pdf.l_margin, top - 1.5, pdf.epw, pdf.get_y() - top + 3)
    pdf.set_y(pdf.get_y() + 5)


def _contacts(pdf: FPDF, block: Block, contacts: Sequence[tuple[str, str, str]]) -> None:
    if pdf.get_y() + 12 + 8 * (len(contacts) + 1) > pdf.page_break_trigger:
        pdf.add_page()  # the heading stays with its table
    _pair(pdf, block.en, block.cy, 14, "B")
    pdf.set_font("Sans", "", 12)
    pdf.set_line_width(0.3)
    with pdf.table(col_widths=(2, 2, 1.6), line_height=7, first_row_as_headings=True) as table:
        table.row(("Who / Pwy", "Name / Enw", "Phone / Ffôn"))
        for role, name, phone in contacts:
            table.row((role, name, phone))
    pdf.set_y(pdf.get_y() + 4)


def a4_document(title: str):
    """An empty A4 fpdf2 document as Throughgate's printouts have it (margins, page breaks, language, title)."""
    from fpdf import FPDF  # here, not at import: fpdf2 and fontTools take 0.16 s, every CLI command would pay it

    document = FPDF(format="A4")
    document.set_margins(_MARGIN, 12, _MARGIN)
    document.set_auto_page_break(True, margin=12)
    document.set_lang("en-GB")
    document.set_title(title)
    document.set_creator("Throughgate")
    return document


def pdf(letter: Letter) -> bytes:
    """The letter as a one-page A4 PDF (more pages only for a long list of contacts)."""
    document = a4_document("Throughgate: your activation code / eich cod actifadu")
    _fonts(document)
    document.add_page()
    for block in blocks(letter):
        if block.kind == "heading":
            _pair(document, block.en, block.cy, 17, "B")
        elif block.kind == "pair":
            _pair(document, block.en, block.cy, 12)
        elif block.kind == "qr":
            _qr(document, letter.offer.to_link())
        elif block.kind == "code":
            _code(document, letter.offer)
        elif block.kind == "contacts":
            _contacts(document, block, letter.contacts)
        elif block.kind == "footer":
            _pair(document, block.en, block.cy, 10.5)
    return bytes(document.output())
