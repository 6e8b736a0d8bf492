"""An XLSForm (.xlsx) read into what the hub keeps of a form version: the XForm XML (made by pyxform, as
ODK Central and KoboToolbox make it) and the field list the person's app renders from.

`read(data, form_id=None) -> Definition`, or FormRefused with every problem found, each naming the sheet
row and what to change. Only the field types and columns the hub can check on a submission are taken
(hub/forms/fields.py, with the expressions of hub/forms/expressions.py and hub/forms/logic.py); a form
that needs more (repeats, files attached to the form) is refused rather than published half-working.
docs/forms.md lists them.

The field list (`Definition.fields`), in the order of the survey sheet:

    {"name", "path" ("group/name"), "type", "label": {lang: text}, "required": bool,
     "hint": {lang: text}, "group": its group's path, "appearance", "default",
     "constraint": {"ge"|"gt"|"le"|"lt": number or date or "today", "min_length", "max_length",
                    "pattern", "min_selected", "max_selected"},
     "constraint_expr": an XPath expression, where the constraint is not one of those,
     "relevant": an XPath expression (skip logic; also on a group), "required_if": an XPath expression,
     "constraint_message": {lang: text}, "required_message": {lang: text},
     "choices": [{"name", "label": {lang: text}, "data": {column: text}}]   select_one, select_multiple
     "choice_filter": an XPath expression (bare names are the choice's name and data columns)
     "calculation": an XPath expression                                     calculate
     "inputmode": "tel"                                                     phone number (a text of digits)
     "max_pixels": int                                                     image
     "capture_accuracy", "warning_accuracy": metres, "allow_mock_accuracy"  geopoint}

Groups are entries of type `group` (name, path, label, relevant); notes are entries of type `note` (no
value); calculations are entries of type `calculate` (no label: the hub computes their value). Expressions
are kept as the XLSForm writes them (`${name}` for a question), for the app and the hub to parse alike.
A language is its code where the column gives one (`label::Welsh (cy)` is `cy`), else its name; a
plain `label` column is the settings' default language, or `default`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from hub.forms import expressions, logic, patterns
from hub.refusals import Refused

MAX_BYTES = 2 * 1024 * 1024
"""The largest XLSForm the hub reads (a form of hundreds of questions is well under 200 KB)."""
MAX_ROWS = 2000
MAX_COLUMNS = 256
"""The widest sheet read (a form in many languages, with hints and media, has a few dozen columns): openpyxl
makes a cell for every column up to a sheet's last in each row it reads, so one cell far to the right made a
small workbook take gigabytes."""
MAX_UNPACKED = 32 * 1024 * 1024
"""The most the workbook's parts may unpack to (a zip bomb stops here, before it is read)."""

TYPES = {"text": "text", "string": "text", "integer": "integer", "int": "integer", "decimal": "decimal",
         "date": "date", "image": "image", "photo": "image", "audio": "audio", "geopoint": "geopoint",
         "note": "note", "start": "start", "end": "end", "today": "today", "calculate": "calculate",
         "phone number": "text"}
"""XLSForm type -> the hub's (select_one/select_multiple and groups are read apart). start, end and today
are filled in by the app (when the form was opened and sent, and the day)."""
SELECTS = ("select_one", "select_multiple")
SUPPORTED = ("text, integer, decimal, date, select_one LIST, select_multiple LIST (with or_other), image (a photo; "
             "appearance signature for a signature), audio, geopoint, note, phone number, calculate, "
             "begin group/end group, start, end, today")
UNSUPPORTED_COLUMNS = {"repeat_count": "repeats ('repeat_count')", "trigger": "triggers ('trigger')"}
PHONE_PATTERN = r"^\d*$"
"""pyxform's constraint for the type `phone number` (digits only; its hint says "Enter numbers only.")."""
OTHER_LABEL, SPECIFY_OTHER = "Other", "Specify other."
"""What pyxform names the choice and the question that `or_other` adds."""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
_FORM_ID = re.compile(r"[^\W\d](?:[\w .-]{0,62}[\w.-])?")
"""A form id: letters, digits, _ . - and spaces inside (pyxform and ODK Central take any text, and a form id
comes from the file's name when the settings sheet gives none, so 'Spec test' is common); the hub keeps to
what reads well in a URL and a file name."""
_LANG_CODE = re.compile(r".*\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\)\s*$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FormRefused(ValueError):
    """The XLSForm cannot be published; `problems` says each reason, with its row."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Definition:
    form_id: str
    version: str
    title: str
    default_language: str
    languages: list[str]
    fields: list[dict]
    xform: str
    warnings: list[str] = field(default_factory=list)

    def document(self) -> dict:
        """What the app renders from (and the hub checks submissions against)."""
        return {"form_id": self.form_id, "version": self.version, "title": self.title,
                "default_language": self.default_language, "languages": self.languages, "fields": self.fields}


def language_code(name: str) -> str:
    """`English (en)` -> `en`; a name without a code is kept as written."""
    match = _LANG_CODE.fullmatch(name.strip())
    return match[1].lower() if match else name.strip()


def _header(cell) -> tuple[str, str | None]:
    """A column's (base, language): `label::Welsh (cy)` -> ("label", "Welsh (cy)")."""
    text = str(cell or "").strip()
    parts = text.split("::", 1) if "::" in text else text.split(":", 1) if ":" in text else [text]
    base = parts[0].strip().lower().replace(" ", "_")
    if base == "jr" and len(parts) > 1:  # jr:constraintMsg, an old spelling
        return parts[1].strip().lower(), None
    return base, (parts[1].strip() if len(parts) > 1 and parts[1].strip() else None)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class _Sheet:
    columns: list[tuple[str, str | None]]
    rows: list[tuple[int, list[str]]]
    headers: list[str] = field(default_factory=list)

    def get(self, row: list[str], base: str) -> str:
        for index, (name, lang) in enumerate(self.columns):
            if name == base and lang is None and index < len(row) and row[index]:
                return row[index]
        return ""

    def translated(self, row: list[str], base: str, default_lang: str) -> dict[str, str]:
        found = {}
        for index, (name, lang) in enumerate(self.columns):
            if name == base and index < len(row) and row[index]:
                found[language_code(lang) if lang else default_lang] = row[index]
        return found

    def languages(self) -> list[str]:
        return sorted({language_code(lang) for name, lang in self.columns
                       if lang and name in ("label", "hint", "constraint_message", "required_message")})


def _sheet(workbook, name: str) -> _Sheet | None:
    found = next((ws for ws in workbook.worksheets if ws.title.strip().lower() == name), None)
    if found is None:
        return None
    rows = []
    columns: list[tuple[str, str | None]] = []
    headers: list[str] = []
    for number, values in enumerate(found.iter_rows(values_only=True), start=1):
        if number == 1:
            columns = [_header(cell) for cell in values]
            headers = [_text(cell) for cell in values]
            continue
        texts = [_text(value) for value in values]
        if any(texts):
            rows.append((number, texts))
        if number > MAX_ROWS:
            raise FormRefused([f"the {name} sheet has more than {MAX_ROWS} rows: split the form"])
    return _Sheet(columns, rows, headers)


def _flag(text: str) -> bool | None:
    """yes or no (as XLSForm writes them), or None for an expression."""
    value = text.strip().lower()
    if value in ("", "no", "false", "false()", "0"):
        return False
    if value in ("yes", "true", "true()", "1"):
        return True
    return None


def _expression(text: str, column: str, where: str, problems: list[str]) -> str | None:
    """The column's expression, as written, where the hub can evaluate it; None (a problem said why)."""
    text = {"True": "true()", "False": "false()"}.get(text, text)  # a spreadsheet's TRUE and FALSE cells
    try:
        tree = expressions.parse(text)
    except expressions.ExpressionRefused as refused:
        problems.append(f"{where}: the {column} '{text}' cannot be checked by the hub: {refused.reason}")
        return None
    if column != "choice_filter" and (bare := next((n[1] for n in expressions.walk(tree) if n[0] == "name"), None)):
        problems.append(f"{where}: the {column} '{text}' names '{bare}': refer to a question as ${{{bare}}}")
        return None
    return text


def _parameters(text: str) -> dict[str, str]:
    found = {}
    for part in re.split(r"[\s;,]+", text.strip()):
        if "=" in part:
            key, value = part.split("=", 1)
            found[key.strip().lower()] = value.strip()
    return found


def _number(text: str, kind: str):
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "decimal" and re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text) if "." in text else int(text)
    if kind == "date":
        if text == "today()":
            return "today"
        match = re.fullmatch(r"(?:date\(\s*)?'(\d{4}-\d{2}-\d{2})'(?:\s*\))?", text)
        if match:
            return match[1]
    raise ValueError(text)


_COMPARE = {">=": "ge", ">": "gt", "<=": "le", "<": "lt"}


def constraint_of(expression: str, kind: str) -> dict:
    """The checks an XLSForm constraint asks for, of those the hub can make; ValueError for others.
    Terms joined by `and`: `. >= 16`, `. < today()`, `string-length(.) <= 40`, `regex(., '^[0-9]+$')`,
    `count-selected(.) <= 3`."""
    found: dict = {}
    for term in re.split(r"\s+and\s+", expression.strip()):
        term = term.strip()
        while term.startswith("(") and term.endswith(")") and term.count("(") == term.count(")"):
            term = term[1:-1].strip()
        compare = re.fullmatch(r"\.\s*(>=|<=|>|<)\s*(.+)", term)
        length = re.fullmatch(r"string-length\(\s*\.\s*\)\s*(>=|<=|>|<)\s*(\d+)", term)
        count = re.fullmatch(r"count-selected\(\s*\.\s*\)\s*(>=|<=|>|<)\s*(\d+)", term)
        pattern = re.fullmatch(r"regex\(\s*\.\s*,\s*'(.*)'\s*\)", term)
        if compare and kind in ("integer", "decimal", "date"):
            found[_COMPARE[compare[1]]] = _number(compare[2].strip(), kind)
        elif (length and kind == "text") or (count and kind == "select_multiple"):
            op, n = (length or count)[1], int((length or count)[2])
            low, high = ("min_length", "max_length") if length else ("min_selected", "max_selected")
            if op in (">=", ">"):
                found[low] = n + (op == ">")
            else:
                found[high] = n - (op == "<")
        elif pattern and kind == "text" and not patterns.pattern_problem(pattern[1]):
            found["pattern"] = pattern[1]
        else:
            raise ValueError(term)
    return found


def _words(raw_type: str) -> list[str]:
    """A type's words, old spellings made new: `select one from yn` -> select_one yn."""
    words = raw_type.lower().replace("begin_", "begin ").replace("end_", "end ").split()
    if words[:3] == ["select", "one", "from"]:
        return ["select_one", *words[3:]]
    if words[:5] == ["select", "all", "that", "apply", "from"]:
        return ["select_multiple", *words[5:]]
    return words


_OR_OTHER = (["or_other"], ["or", "other"], ["or", "specify", "other"])


def _kind(words: list[str], raw_type: str, where: str, choices: dict, problems: list[str]) -> dict | None:
    """{"type"} (and "choices", "or_other") for a question's type, or None (a problem said why)."""
    kind = words[0]
    if kind in SELECTS:
        other = words[2:] in _OR_OTHER
        if len(words) != 2 and not other:
            problems.append(f"{where}: '{raw_type}' is not supported: the hub takes '{kind} LIST' with the list "
                            f"in the choices sheet (or '{kind} LIST or_other')")
            return None
        if words[1] not in choices:
            problems.append(f"{where}: the choices sheet has no list '{words[1]}'")
            return None
        listed = [dict(choice) for choice in choices[words[1]]]
        if other and not any(choice["name"] == "other" for choice in listed):
            languages = sorted({lang for choice in listed for lang in choice["label"]}) or ["default"]
            listed.append({"name": "other", "label": dict.fromkeys(languages, OTHER_LABEL)})
        return {"type": kind, "choices": listed, **({"or_other": True} if other else {})}
    if " ".join(words) in TYPES:
        return {"type": TYPES[" ".join(words)], **({"inputmode": "tel"} if words == ["phone", "number"] else {})}
    problems.append(f"{where}: the type '{raw_type}' is not supported: the hub takes {SUPPORTED}")
    return None


def _specify_other(entry: dict) -> dict:
    """The text question pyxform adds after a select with or_other: asked when 'other' is chosen."""
    path = entry["path"].rsplit("/", 1)
    name = f"{entry['name']}_other"
    languages = sorted(entry.get("label", {})) or ["default"]
    return {"name": name, "path": "/".join([*path[:-1], name]), **({"group": entry["group"]} if "group" in entry
                                                                    else {}),
            "type": "text", "label": dict.fromkeys(languages, SPECIFY_OTHER), "required": False,
            "relevant": f"selected(${{{entry['name']}}}, 'other')"}


def _checks(entry: dict, survey: _Sheet, values: list[str], where: str, problems: list[str]) -> None:
    """The entry's constraint and parameters (max-pixels, GPS accuracies)."""
    constraint = survey.get(values, "constraint")
    if constraint:
        try:
            entry["constraint"] = {**entry.get("constraint", {}), **constraint_of(constraint, entry["type"])}
        except (ValueError, re.error):  # any other expression, checked by the evaluator
            if (text := _expression(constraint, "constraint", where, problems)) is not None:
                entry["constraint_expr"] = text
    if entry.get("inputmode") == "tel":
        entry.setdefault("constraint", {}).setdefault("pattern", PHONE_PATTERN)
    params = _parameters(survey.get(values, "parameters"))
    try:
        if entry["type"] in ("image", "signature") and "max-pixels" in params:
            entry["max_pixels"] = int(params["max-pixels"])
        if entry["type"] == "geopoint":
            for key in ("capture-accuracy", "warning-accuracy"):
                if key in params:
                    entry[key.replace("-", "_")] = float(params[key])
            if params.get("allow-mock-accuracy", "").lower() == "true":
                entry["allow_mock_accuracy"] = True
    except ValueError:
        problems.append(f"{where}: the parameters '{survey.get(values, 'parameters')}' need numbers, like "
                        "max-pixels=1024 or capture-accuracy=10 warning-accuracy=25")


def _question(entry: dict, survey: _Sheet, values: list[str], row: int, default_lang: str,
              problems: list[str]) -> dict:
    appearance = survey.get(values, "appearance")
    if entry["type"] == "image" and "signature" in appearance.split():
        entry["type"] = "signature"
    entry["label"] = survey.translated(values, "label", default_lang)
    where = f"survey row {row} ('{entry['name']}')"
    required = survey.get(values, "required")
    entry["required"] = bool(_flag(required))
    if _flag(required) is None and (text := _expression(required, "required", where, problems)) is not None:
        entry["required_if"] = text
    if (relevant := survey.get(values, "relevant")) and (text := _expression(relevant, "relevant", where, problems)):
        entry["relevant"] = text
    for key in ("hint", "constraint_message", "required_message"):
        if translated := survey.translated(values, key, default_lang):
            entry[key] = translated
    if appearance:
        entry["appearance"] = appearance
    for column, kinds in (("calculation", ("calculate",)), ("choice_filter", SELECTS)):
        text = survey.get(values, column)
        if text and entry["type"] not in kinds:
            problems.append(f"{where}: a {column} is for {' or '.join(kinds)} rows: move it to one")
        elif text and (found := _expression(text, column, where, problems)) is not None:
            entry[column] = found
    if entry["type"] == "calculate" and "calculation" not in entry and not any(p.startswith(where) for p in problems):
        problems.append(f"{where}: a calculate row needs a calculation")
    if "choice_filter" not in entry:
        for choice in entry.get("choices", []):
            choice.pop("data", None)
    if default := survey.get(values, "default"):
        entry["default"] = default
    _checks(entry, survey, values, where, problems)
    return entry


def _fields(survey: _Sheet, choices: dict[str, list[dict]], default_lang: str, problems: list[str]) -> list[dict]:
    fields: list[dict] = []
    groups: list[str] = []
    for row, values in survey.rows:
        raw_type = " ".join(survey.get(values, "type").split())
        name = survey.get(values, "name")
        words = _words(raw_type)
        where = f"survey row {row} ('{name}')"
        if not words:
            if name:
                problems.append(f"{where}: no type: give it one of {SUPPORTED}")
            continue
        if words[:2] in (["end", "repeat"], ["end", "loop"]):
            continue  # its begin is refused, and says why
        if words[:2] == ["end", "group"]:
            if not groups:
                problems.append(f"survey row {row}: 'end group' without a 'begin group' above it")
            else:
                groups.pop()
            continue
        for column, what in UNSUPPORTED_COLUMNS.items():
            if survey.get(values, column):
                problems.append(f"{where}: {what} is not supported by the hub yet: remove it, or split the form")
        if not _NAME.fullmatch(name or ""):
            problems.append(f"survey row {row}: the name '{name}' must start with a letter or _ and hold only "
                            "letters, digits, _, - and . (at most 64)")
            continue
        path = "/".join([*groups, name])
        entry: dict = {"name": name, "path": path, **({"group": groups[-1]} if groups else {})}
        if words[:2] == ["begin", "group"]:
            group = {**entry, "type": "group", "label": survey.translated(values, "label", default_lang)}
            if (relevant := survey.get(values, "relevant")) and _expression(relevant, "relevant", where, problems):
                group["relevant"] = relevant
            fields.append(group)
            groups.append(path)
            continue
        kind = _kind(words, raw_type, where, choices, problems)
        if kind is not None:
            fields.append(_question({**entry, **kind}, survey, values, row, default_lang, problems))
            if kind.get("or_other"):
                fields.append(_specify_other(fields[-1]))
    if groups:
        problems.append(f"the group '{groups[-1]}' has no 'end group'")
    return fields


def _choices(sheet: _Sheet | None, default_lang: str, problems: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    if sheet is None:
        return found
    known = {"list_name", "list name", "name", "label", "image", "audio", "video", "media", "big-image"}
    data_columns = [(i, header) for i, header in enumerate(sheet.headers)
                    if header and sheet.columns[i][0] not in known and "::" not in header]
    for row, values in sheet.rows:
        list_name = sheet.get(values, "list_name") or sheet.get(values, "list name")
        name = sheet.get(values, "name")
        if not list_name or not name:
            problems.append(f"choices row {row}: each choice needs a list_name and a name")
            continue
        choice = {"name": name, "label": sheet.translated(values, "label", default_lang)}
        if data := {header: values[i] for i, header in data_columns if i < len(values) and values[i]}:
            choice["data"] = data  # the columns a choice_filter reads (kept only where a select has one)
        found.setdefault(list_name.lower(), []).append(choice)
    return found


def _workbook(data: bytes):
    import openpyxl  # only when a form is published

    if len(data) > MAX_BYTES:
        raise FormRefused([f"the file is {len(data)} bytes; an XLSForm may be at most {MAX_BYTES} bytes"])
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FormRefused(["this is not an .xlsx workbook: save the XLSForm as Excel (.xlsx) and publish that"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(part.file_size for part in archive.infolist()) > MAX_UNPACKED:
            raise FormRefused([f"the workbook unpacks to over {MAX_UNPACKED} bytes: an XLSForm is far smaller; save "
                               "only the survey, choices and settings sheets"])
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many kinds for a broken workbook)
        raise FormRefused([f"the workbook cannot be read ({exc}): save it again as .xlsx"]) from None
    for sheet in workbook.worksheets:  # before any row is read (each row read is as wide as the sheet)
        if sheet.max_column > MAX_COLUMNS:
            raise FormRefused([f"the {sheet.title} sheet has {sheet.max_column} columns (a cell in column "
                               f"{sheet.max_column}); an XLSForm has at most {MAX_COLUMNS}: delete the columns "
                               "after the last one the form uses"])
        if sheet.max_row > MAX_ROWS:
            raise FormRefused([f"the {sheet.title} sheet has more than {MAX_ROWS} rows: split the form, or "
                               "delete the rows after the last one the form uses"])
    return workbook


def _settings(workbook) -> tuple[_Sheet | None, dict[str, str]]:
    sheet = _sheet(workbook, "settings")
    if sheet is None or not sheet.rows:
        return sheet, {}
    row = sheet.rows[0][1]
    return sheet, {name: row[i] for i, (name, _lang) in enumerate(sheet.columns) if i < len(row) and row[i]}


def read(data: bytes, form_id: str | None = None, file_name: str = "") -> Definition:
    """The form version this XLSForm defines; FormRefused (every problem) when it cannot be published.
    `form_id` replaces the settings sheet's form_id; without either, the file's name is the id (as pyxform
    and ODK Central do)."""
    workbook = _workbook(data)
    problems: list[str] = []
    survey = _sheet(workbook, "survey")
    if survey is None or not survey.rows:
        raise FormRefused(["the workbook has no 'survey' sheet with questions: an XLSForm has survey, choices "
                           "and settings sheets"])
    settings_sheet, settings = _settings(workbook)
    stem = re.sub(r"\.xlsx$", "", file_name.rsplit("/", 1)[-1], flags=re.IGNORECASE)
    form_id = (form_id or settings.get("form_id") or settings.get("id_string") or stem).strip()
    version = settings.get("version", "").strip()
    if not _FORM_ID.fullmatch(form_id):
        problems.append(f"the form id '{form_id}' is missing or not a name: give form_id in the settings sheet "
                        "(at most 64 letters, digits, spaces, _ . and -, starting with a letter, like "
                        "interview_feedback), or --form-id")
    if version and not re.fullmatch(r"[A-Za-z0-9_.:+ -]{1,64}", version):
        problems.append(f"the version '{version}' is too long or has other characters: give version in the settings "
                        "sheet like 2027010101 (letters, digits, _ . : + - and spaces; a new one for each change), "
                        "or leave it out and the hub names each new content itself")
    default_name = settings.get("default_language", "")
    default_lang = language_code(default_name) if default_name else "default"
    choices = _choices(_sheet(workbook, "choices"), default_lang, problems)
    fields = _fields(survey, choices, default_lang, problems)
    if not problems:
        problems.extend(logic.problems(fields))
    if not any(f["type"] not in ("group", "note", "calculate") for f in fields) and not problems:
        problems.append("the form asks nothing: add a question to the survey sheet")
    if problems:
        raise FormRefused(problems)
    xform, warnings = _xform(workbook, settings_sheet, form_id)
    languages = sorted({lang for f in fields for lang in f.get("label", {})} | set(survey.languages()))
    version = version or content_version(fields, xform)
    return Definition(form_id, version, settings.get("form_title") or form_id, default_lang, languages, fields,
                      xform, warnings)


def content_version(fields: list[dict], xform: str) -> str:
    """The version of a form whose settings sheet names none (the XLSForm spec makes it optional, and most forms
    in the wild leave it out): taken from what the form asks, so publishing the same form again changes
    nothing and a changed form becomes a new version, where the hub would otherwise refuse both."""
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode() + b"\0" + xform.encode()).hexdigest()
    return f"auto-{digest[:12]}"


def _xform(workbook, settings_sheet: _Sheet | None, form_id: str) -> tuple[str, list[str]]:
    """pyxform's XForm for the workbook, with `form_id` as its id."""
    try:
        from pyxform.errors import PyXFormError
        from pyxform.xls2xform import convert
    except ImportError:  # a hub installed without it: everything else works
        raise Refused(503, "pyxform_missing", "this hub cannot convert XLSForms: its operator installs pyxform "
                      "(pip install pyxform, in the hub's environment), then publish again") from None

    sheet = next((ws for ws in workbook.worksheets if ws.title.strip().lower() == "settings"), None)
    if sheet is None:
        sheet = workbook.create_sheet("settings")
    column = next((i for i, (name, _lang) in enumerate(settings_sheet.columns) if name in ("form_id", "id_string")),
                  None) if settings_sheet else None
    if column is None:
        column = sheet.max_column if sheet.max_row > 1 or sheet.cell(1, 1).value else 0
        sheet.cell(1, column + 1, "form_id")
    sheet.cell(2, column + 1, form_id)
    out = io.BytesIO()
    workbook.save(out)
    warnings: list[str] = []
    try:
        result = convert(out.getvalue(), warnings=warnings, file_type=".xlsx")
    except PyXFormError as exc:
        raise FormRefused([f"pyxform: {str(exc).strip()}"]) from None
    return result.xform, warnings
