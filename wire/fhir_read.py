"""Reading FHIR R4 resources as plain JSON (dicts), whatever shape they come in: the small, forgiving readers
wire/ips.plain is built from. A value of the wrong type reads as absent, never as an error, because a summary
from any health system must still show what it can.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SEMANTIC_TAG = re.compile(r" \((substance|finding|disorder|situation|medicinal product|product|procedure|"
                           r"clinical drug|regime/therapy|observable entity)\)$")
LOCAL = ZoneInfo("Europe/London")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


# Reading FHIR ---------------------------------------------------------------------------------------
class Bundle:
    """A bundle's resources, found by fullUrl or by Type/id (the HL7 examples use both)."""

    def __init__(self, bundle: dict | None):
        self.resources: list[dict] = []
        self._by: dict[str, dict] = {}
        entries = bundle.get("entry") if isinstance(bundle, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                continue
            self.resources.append(resource)
            full = entry.get("fullUrl")
            if isinstance(full, str):
                self._by[full] = resource
            if isinstance(resource.get("id"), str):
                self._by.setdefault(f"{resource['resourceType']}/{resource['id']}", resource)

    def get(self, reference, *types: str, source: dict | None = None) -> dict | None:
        """The resource a Reference points to, if it is in the bundle (or, for "#id", contained in
        `source`, the resource holding the reference) and of one of `types`. Absolute references
        ("https://server/fhir/Condition/1", versioned or not) find the entry by fullUrl or by Type/id."""
        ref = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(ref, str):
            return None
        if ref.startswith("#"):
            found = next((c for c in as_list(source.get("contained") if isinstance(source, dict) else None)
                          if isinstance(c, dict) and isinstance(c.get("resourceType"), str)
                          and c.get("id") == ref[1:]), None)
            return found if found is not None and (not types or found["resourceType"] in types) else None
        found = self._by.get(ref)
        if found is None and "/" in ref:
            parts = ref.rstrip("/").split("/")
            found = self._by.get("/".join(parts[-2:])) if len(parts) >= 2 else None
            if found is None and len(parts) >= 4 and parts[-2] == "_history":
                found = self._by.get("/".join(parts[-4:-2]))
        if found is None or (types and found.get("resourceType") not in types):
            return None
        return found

    def of_type(self, kind: str) -> list[dict]:
        return [resource for resource in self.resources if resource["resourceType"] == kind]


def as_list(value) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def string(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def codings(concept) -> list[dict]:
    return [coding for coding in as_list(concept.get("coding") if isinstance(concept, dict) else None)
            if isinstance(coding, dict)]


def has_code(concept, system: str, codes) -> bool:
    codes = {codes} if isinstance(codes, str) else set(codes)
    return any(coding.get("system") == system and string(coding.get("code")) in codes for coding in codings(concept))


def concept(concept) -> str:
    """A CodeableConcept in words: its text, else the first display of its codings."""
    if not isinstance(concept, dict):
        return ""
    if string(concept.get("text")):
        return string(concept["text"])
    for coding in codings(concept):
        if string(coding.get("display")):
            return SEMANTIC_TAG.sub("", string(coding["display"]))  # SNOMED CT's tags are for coders
    return ""


def name_of(resource: dict | None) -> str:
    """A Patient's, Practitioner's, Organization's or Location's name in words."""
    if not isinstance(resource, dict):
        return ""
    name = resource.get("name")
    if isinstance(name, str):
        return name.strip()
    for human in as_list(name):
        if not isinstance(human, dict):
            continue
        if string(human.get("text")):
            return string(human["text"])
        words = [string(part) for part in as_list(human.get("prefix")) + as_list(human.get("given"))]
        words.append(string(human.get("family")))
        text = " ".join(word for word in words if word)
        if text:
            return text
    return ""


def party(bundle: Bundle, reference, source: dict | None = None) -> str:
    """Who a reference names: a Practitioner, a PractitionerRole (practitioner at organisation), an
    Organization; its display when the resource is not in the bundle (or contained in `source`)."""
    found = bundle.get(reference, source=source)
    display = string(reference.get("display")) if isinstance(reference, dict) else ""
    if found is None:
        return display
    if found["resourceType"] == "PractitionerRole":
        who = party(bundle, found.get("practitioner"), source)
        where = party(bundle, found.get("organization"), source)
        return ", ".join(part for part in (who, where) if part) or display
    return name_of(found) or display


def quantity(quantity) -> str:
    if not isinstance(quantity, dict) or not isinstance(quantity.get("value"), int | float):
        return ""
    value = quantity["value"]
    number = f"{value:g}" if isinstance(value, float) else str(value)
    unit = string(quantity.get("unit")) or string(quantity.get("code"))
    if unit.startswith("{") and unit.endswith("}"):
        unit = unit[1:-1]
    return f"{number} {unit}".strip()


def parse(moment) -> date | datetime | None:
    if not isinstance(moment, str):
        return None
    text = moment.strip()
    try:
        if "T" in text:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def when(moment) -> str:
    """A FHIR date or dateTime in words, UK time: '14 December 2026 at 09:15', '14 December 2026',
    'December 2026', '2026'; '' for anything else."""
    parsed = parse(moment)
    if isinstance(parsed, datetime):
        local = parsed.astimezone(LOCAL)
        return f"{local.day} {_MONTHS[local.month - 1]} {local.year} at {local:%H:%M}"
    if isinstance(parsed, date):
        return f"{parsed.day} {_MONTHS[parsed.month - 1]} {parsed.year}"
    text = string(moment)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return f"{_MONTHS[int(text[5:]) - 1]} {text[:4]}"
    return text if len(text) == 4 and text.isdigit() else ""


def local_day(moment) -> date | None:
    parsed = parse(moment)
    if isinstance(parsed, datetime):
        return parsed.astimezone(LOCAL).date()
    return parsed if isinstance(parsed, date) else None


def sort_key(moment) -> str:
    parsed = parse(moment)
    if isinstance(parsed, datetime):
        return parsed.astimezone(UTC).isoformat()
    return parsed.isoformat() if isinstance(parsed, date) else string(moment)


def effective(resource: dict) -> str:
    """When something happened: effective[x], performed[x], occurrence[x], whenHandedOver (a FHIR string)."""
    for key in ("effectiveDateTime", "performedDateTime", "occurrenceDateTime", "whenHandedOver", "authoredOn"):
        if isinstance(resource.get(key), str):
            return resource[key]
    for key in ("effectivePeriod", "performedPeriod", "occurrencePeriod"):
        period = resource.get(key)
        if isinstance(period, dict):
            return period.get("end") or period.get("start") or ""
    return ""
