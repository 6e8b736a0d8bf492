"""XLSForms for the forms tests, made with openpyxl as a form designer's spreadsheet would be: a survey
sheet (English and Welsh labels), a choices sheet and a settings sheet (form_id, version)."""

from __future__ import annotations

import io
import os
import struct
import zlib

import openpyxl

SURVEY_HEADER = ["type", "name", "label::English (en)", "label::Welsh (cy)", "required", "constraint", "parameters",
                 "appearance"]
SURVEY = [
    ["text", "employer", "Who was the interview with?", "Gyda phwy oedd y cyfweliad?", "yes",
     "string-length(.) <= 80", "", ""],
    ["begin group", "interview", "The interview", "Y cyfweliad", "", "", "", ""],
    ["select_one went", "went", "How did it go?", "Sut aeth hi?", "yes", "", "", ""],
    ["select_multiple help", "help", "What would help?", "Beth fyddai'n helpu?", "", "count-selected(.) <= 2", "", ""],
    ["integer", "minutes", "How long was it (minutes)?", "Pa mor hir oedd e (munudau)?", "",
     ". >= 1 and . <= 480", "", ""],
    ["decimal", "pay", "Hourly pay offered", "Cyflog yr awr a gynigiwyd", "", ". >= 0", "", ""],
    ["date", "day", "Which day?", "Pa ddiwrnod?", "yes", ". <= today()", "", ""],
    ["end group", "", "", "", "", "", "", ""],
    ["image", "photo", "A photo of the letter", "Llun o'r llythyr", "", "", "max-pixels=1024", ""],
    ["image", "signature", "Sign here", "Llofnodwch yma", "", "", "", "signature"],
    ["audio", "voice", "Say how you feel", "Dywedwch sut rydych chi'n teimlo", "", "", "", ""],
    ["geopoint", "where", "Where are you?", "Ble rydych chi?", "", "", "capture-accuracy=10 warning-accuracy=25",
     ""],
]
CHOICES = [
    ["went", "well", "Well", "Yn dda"], ["went", "badly", "Badly", "Yn wael"],
    ["help", "travel", "Travel money", "Arian teithio"], ["help", "clothes", "Clothes", "Dillad"],
    ["help", "practice", "Practice", "Ymarfer"],
]


LOGIC_HEADER = ["type", "name", "label::English (en)", "label::Welsh (cy)", "required", "relevant", "constraint",
                "calculation", "choice_filter"]
LOGIC_SURVEY = [
    ["select_one went or_other", "went", "How did it go?", "Sut aeth hi?", "yes", "", "", "", ""],
    ["text", "why", "What went badly?", "Beth aeth o'i le?", "", "${went} = 'badly'", "", "", ""],
    ["begin group", "job", "The job", "Y swydd", "", "selected(${went}, 'well')", "", "", ""],
    ["integer", "hours", "Hours a week", "Oriau'r wythnos", "yes", "", ". > 0 and . <= 48", "", ""],
    ["decimal", "pay", "Hourly pay", "Cyflog yr awr", "", "", ". >= 10.42 or ${hours} < 16", "", ""],
    ["calculate", "weekly", "", "", "", "", "", "round(${hours} * ${pay}, 2)", ""],
    ["date", "starts", "When do you start?", "Pryd ydych chi'n dechrau?", "${hours} >= 16", "", ". >= today()", "",
     ""],
    ["end group", "", "", "", "", "", "", "", ""],
    ["select_one region", "region", "Which region?", "Pa ranbarth?", "", "", "", "", ""],
    ["select_one town", "town", "Which town?", "Pa dref?", "", "${region} != ''", "", "", "region = ${region}"],
    ["phone number", "phone", "Your phone number", "Eich rhif ffôn", "", "", "", "", ""],
]
"""A form with skip logic (a question and a group), a required-if, a constraint on another answer, a
calculation, filtered choices (a town of the region chosen), or_other and a phone number."""
LOGIC_CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::Welsh (cy)", "region"]
LOGIC_CHOICES = [
    ["went", "well", "Well", "Yn dda", ""], ["went", "badly", "Badly", "Yn wael", ""],
    ["region", "wales", "Wales", "Cymru", ""], ["region", "england", "England", "Lloegr", ""],
    ["town", "cardiff", "Cardiff", "Caerdydd", "wales"], ["town", "swansea", "Swansea", "Abertawe", "wales"],
    ["town", "bristol", "Bristol", "Bryste", "england"],
]


def logic_xlsform(form_id: str = "job_news", version: str = "2027020101", survey=None) -> bytes:
    """LOGIC_SURVEY's workbook (or another survey with its columns and choices)."""
    return xlsform(form_id, version, LOGIC_SURVEY if survey is None else survey, "Job news", LOGIC_HEADER,
                   LOGIC_CHOICES, LOGIC_CHOICES_HEADER)


def xlsform(form_id: str = "interview_feedback", version: str = "2027010101", survey=None, title: str =
            "Interview feedback", header=None, choices=None, choices_header=None) -> bytes:
    """An .xlsx workbook's bytes."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [header or SURVEY_HEADER, *(SURVEY if survey is None else survey)]:
        sheet.append(row)
    listed = book.create_sheet("choices")
    for row in [choices_header or ["list_name", "name", "label::English (en)", "label::Welsh (cy)"],
                *(CHOICES if choices is None else choices)]:
        listed.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "default_language"])
    settings.append([form_id, version, title, "English (en)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def png(width: int = 2, height: int = 2, noise: bool = False) -> bytes:
    """A real PNG of this size (greyscale, one byte a pixel); with `noise`, random pixels (it does not
    compress: about width x height bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + (os.urandom(width) if noise else bytes((x * 7 + y) % 256 for x in range(width)))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def ogg_opus(size: int = 3000) -> bytes:
    """The start of an Ogg Opus voice note (its first page's OpusHead), then bytes."""
    head = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
    return head + os.urandom(size - len(head))
