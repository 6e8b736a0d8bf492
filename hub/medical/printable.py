"""The health summary on paper: a self-contained printable HTML page and an A4 PDF, both made from
wire.ips.plain's dict, so the person, their worker and a new GP read the same words.

Both come from one list of parts (`parts`), as the release letter does (provisioning/letter.py). The
reduced-tolerance warning comes first, in a heavy box, whenever there is one. The page fetches nothing and
runs no script (a share page can send it under a strict CSP); every value is text as the summary gave it,
escaped by Jinja2 in the page and drawn as text in the PDF.

English only: the letter's Welsh is written by people who checked it, and clinical words and the overdose
warning need the same care; `lang="cy"` gives the English page until a checked translation exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jinja2 import Environment

from provisioning.letter import FONTS, a4_document
from wire.ips import TOLERANCE_WARNING

if TYPE_CHECKING:
    from fpdf import FPDF

LANGUAGES = ("en",)
TITLE = "Health summary on release"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO


@dataclass(frozen=True)
class Part:
    """One part of the page: `kind` is warning, facts (label and value rows), table (columns and rows) or text."""

    kind: str
    title: str
    rows: list[tuple[str, ...]] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    text: str = ""


def _facts(title: str, pairs: list[tuple[str, str]], none: str) -> Part:
    rows = [(label, value) for label, value in pairs if value]
    return Part("facts", title, rows) if rows else Part("text", title, text=none)


def _ost(ost: dict | None) -> Part:
    if not ost:
        return Part("text", "Opioid substitution treatment", text="None recorded.")
    pairs = [("Medicine", ost.get("drug", "")), ("Form", ost.get("form", "")),
             ("Daily dose", ost.get("daily_dose", "")),
             ("Last supervised dose", ost.get("last_supervised_dose", "")),
             ("Dose given on the day of release", ost.get("dosed_on_release_day", ""))]
    depot = ost.get("depot") or {}
    pairs += [("Depot injection", depot.get("product", "")), ("Depot dose", depot.get("dose", "")),
              ("Depot given", depot.get("given", "")), ("Next depot due", depot.get("next_due", ""))]
    pairs += [("Community prescriber", ost.get("prescriber", "")), ("Pharmacy", ost.get("pharmacy", "")),
              ("First dosing appointment", ost.get("first_dose_appointment", ""))]
    return _facts("Opioid substitution treatment", pairs, "None recorded.")


def _table(title: str, columns: tuple[str, ...], keys: tuple[str, ...], items: list[dict], none: str) -> Part:
    rows = [tuple(str(item.get(key) or "") for key in keys) for item in items or []]
    return Part("table", title, rows, columns) if rows else Part("text", title, text=none)


def parts(plain: dict) -> list[Part]:
    """What the summary says, in order, in plain words."""
    patient, made = plain.get("patient") or {}, plain.get("made") or {}
    found = [Part("warning", "Warning: your tolerance to opioids is lower" if warning == TOLERANCE_WARNING
                  else "Alert", text=warning) for warning in plain.get("warnings") or []]
    found.append(_facts("About this summary", [
        ("Name", patient.get("name", "")), ("Date of birth", patient.get("born", "")),
        ("Release date", plain.get("release_date", "")), ("Made by", made.get("by", "")),
        ("Organisation", made.get("organisation", "")), ("Made on", made.get("at", ""))], "Not recorded."))
    found.append(_table("Medicines", ("Medicine", "Dose", "Last given", "Days supplied", "Prescription issued"),
                        ("name", "dose", "last_given", "days_supplied", "prescription_issued"),
                        plain.get("medicines"), "No medicines recorded."))
    found.append(_ost(plain.get("ost")))
    naloxone = plain.get("naloxone") or {}
    found.append(_facts("Naloxone", [("Kits supplied", naloxone.get("kits", "")),
                                     ("Training given", naloxone.get("training_given", "")),
                                     ("Handed over", naloxone.get("when", ""))], "None recorded."))
    gp = plain.get("gp") or {}
    found.append(_facts("GP", [("Practice", gp.get("practice", "")), ("Registration", gp.get("status", ""))],
                        "No GP recorded."))
    found.append(_table("Allergies", ("Allergy", "Reaction", "Severity"), ("what", "reaction", "severity"),
                        plain.get("allergies"), plain.get("allergies_none") or "Not recorded."))
    if plain.get("allergies") and plain.get("allergies_none"):
        found.append(Part("text", "", text=plain["allergies_none"]))
    found.append(_table("Health problems", ("Problem", "Since", "Status"), ("what", "since", "status"),
                        plain.get("problems"), plain.get("problems_none") or "Not recorded."))
    found.append(_table("Health appointments coming up", ("What", "When", "Where", "With"),
                        ("what", "when", "where", "with"), plain.get("appointments"), "None booked."))
    return found


# HTML ---------------------------------------------------------------------------------------------
_PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}{% if name %}: {{ name }}{% endif %}</title>
<style>
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
html { color: #0b0c0c; background: #fff; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 12pt; line-height: 1.4;
       max-width: 182mm; margin: 0 auto; padding: 6mm 4mm; }
h1 { font-size: 20pt; margin: 0 0 4mm; }
h2 { font-size: 15pt; margin: 6mm 0 2mm; }
section { break-inside: avoid; }
.warning { border: 1.2mm solid #0b0c0c; padding: 3mm 4mm; margin: 0 0 5mm; font-size: 13pt; }
.warning h2 { margin-top: 0; }
.warning h2::before { content: "! "; }
table { border-collapse: collapse; width: 100%; margin: 0 0 2mm; }
th, td { border: 0.3mm solid #505a5f; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
thead th { background: #f3f2f1; }
tbody th { width: 38%; font-weight: bold; }
footer { font-size: 10pt; margin-top: 6mm; }
@media print { body { padding: 0; max-width: none; } }
</style>
</head>
<body>
<main>
<h1>{{ title }}</h1>
{% for part in parts %}
{% if part.kind == "warning" %}
<section class="warning" role="note" aria-labelledby="part-{{ loop.index }}">
<h2 id="part-{{ loop.index }}">{{ part.title }}</h2>
<p><strong>{{ part.text }}</strong></p>
</section>
{% else %}
<section aria-labelledby="part-{{ loop.index }}">
{% if part.title %}<h2 id="part-{{ loop.index }}">{{ part.title }}</h2>{% endif %}
{% if part.kind == "facts" %}
<table>
<tbody>
{% for label, value in part.rows %}<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}</tbody>
</table>
{% elif part.kind == "table" %}
<table>
<thead><tr>{% for column in part.columns %}<th scope="col">{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in part.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{% else %}
<p>{{ part.text }}</p>
{% endif %}
</section>
{% endif %}
{% endfor %}
</main>
<footer><p>{{ footer }}</p></footer>
</body>
</html>
""")
FOOTER = ("Made from the person's health summary (an HL7 International Patient Summary). Show it to your GP, "
          "your pharmacist or your drug service: it tells them what you were given before you left.")


def html(plain: dict, lang: str = "en") -> str:
    """The summary as a complete HTML page, ready to print on A4; no script, fetches nothing. English only
    for now (see the module docstring): any `lang` gives the English page."""
    del lang
    name = (plain.get("patient") or {}).get("name", "")
    return _PAGE.render(title=TITLE, name=name, parts=parts(plain), footer=FOOTER)


# PDF ----------------------------------------------------------------------------------------------


class _Writer:
    """Draws with DejaVu (every script the summary may hold), or with the PDF's built-in Helvetica when the
    fonts are missing, replacing what Latin-1 cannot hold rather than failing."""

    def __init__(self, document: FPDF):
        self.document = document
        self.unicode = all((FONTS / file).is_file() for file in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
        if self.unicode:
            document.add_font("Sans", "", str(FONTS / "DejaVuSans.ttf"))
            document.add_font("Sans", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.family = "Sans" if self.unicode else "Helvetica"

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        value = value.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
        return value.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, style: str = "") -> None:
        self.document.set_font(self.family, style, size)


def _heading(writer: _Writer, title: str, room: float) -> None:
    document = writer.document
    if document.get_y() + room > document.page_break_trigger:
        document.add_page()  # a heading stays with what follows it
    if title:
        writer.font(14, "B")
        document.multi_cell(document.epw, 7, writer.text(title), new_x="LMARGIN", new_y="NEXT")
        document.set_y(document.get_y() + 1)


def _warning(writer: _Writer, part: Part) -> None:
    document = writer.document
    top = document.get_y()
    document.set_x(document.l_margin + 3)
    writer.font(14, "B")
    document.multi_cell(document.epw - 6, 7, writer.text("! " + part.title), new_x="LMARGIN", new_y="NEXT")
    document.set_x(document.l_margin + 3)
    writer.font(12, "B")
    document.multi_cell(document.epw - 6, 6, writer.text(part.text), align="L", new_x="LMARGIN", new_y="NEXT")
    document.set_line_width(1.2)
    document.rect(document.l_margin, top - 2, document.epw, document.get_y() - top + 4)
    document.set_y(document.get_y() + 6)


CELL_MAX = 300
"""The most characters a PDF table cell holds: fpdf2 cannot split a row over pages, and a row taller than a
page fails the whole PDF (the GP's download, the phone's sync). The page (html) keeps every word."""
CUT = " … (cut here: the full text is in the web page and the FHIR bundle)"


def _cell(writer: _Writer, value):
    if isinstance(value, str) and len(value) > CELL_MAX:
        value = value[:CELL_MAX].rstrip() + CUT
    return writer.text(value)


def _rows(writer: _Writer, part: Part) -> None:
    document = writer.document
    writer.font(11)
    document.set_line_width(0.3)
    if part.kind == "facts":
        with document.table(col_widths=(2, 3), line_height=6, first_row_as_headings=False,
                            text_align="LEFT") as table:
            for label, value in part.rows:
                row = table.row()
                writer.font(11, "B")
                row.cell(writer.text(label))
                writer.font(11)
                row.cell(_cell(writer, value))
    else:
        with document.table(line_height=6, first_row_as_headings=True, text_align="LEFT") as table:
            table.row([writer.text(column) for column in part.columns])
            for cells in part.rows:
                table.row([_cell(writer, cell) for cell in cells])
    document.set_y(document.get_y() + 3)


def pdf(plain: dict) -> bytes:
    """The summary as an A4 PDF, the same words as the page."""
    document = a4_document(TITLE)
    writer = _Writer(document)
    document.add_page()
    writer.font(20, "B")
    document.multi_cell(document.epw, 10, writer.text(TITLE), new_x="LMARGIN", new_y="NEXT")
    document.set_y(document.get_y() + 3)
    for part in parts(plain):
        if part.kind == "warning":
            _warning(writer, part)
            continue
        _heading(writer, part.title, 20)
        if part.kind == "text":
            writer.font(11)
            document.multi_cell(document.epw, 6, writer.text(part.text), new_x="LMARGIN", new_y="NEXT")
            document.set_y(document.get_y() + 3)
        else:
            _rows(writer, part)
    writer.font(9)
    document.multi_cell(document.epw, 5, writer.text(FOOTER), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
