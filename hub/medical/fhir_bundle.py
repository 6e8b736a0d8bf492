"""A FHIR upload as the health checks see it: its entries, how a reference inside it resolves, and what
fhir.resources' R4B models say of its structure, each finding a Problem naming the resource and path.

Shared by the summary checks and the appointments checks (hub/medical/checks.py,
hub/medical/appointment_checks.py). Pure. fhir.resources is imported on first use (about 0.3 s).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wire.ips import PERSON_ID_SYSTEM

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    resource: str
    """What is wrong: "Composition/abc", "entry[3]" (an entry whose resource has no id), "Bundle",
    "document" (the upload as a whole)."""
    path: str
    """FHIRPath-like, inside that resource, e.g. "Composition.section[0].code"."""
    reason: str
    """Plain words: what is wrong and what to do."""


@dataclass(frozen=True)
class Entry:
    index: int
    full_url: str
    resource: dict

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def name(self) -> str:
        rid = self.resource.get("id")
        return f"{self.type}/{rid}" if isinstance(rid, str) and rid and self.type else f"entry[{self.index}]"


def listed(value) -> list:
    """A JSON value that should be a list, or [] when it is not: the structure check names the
    wrong shape; the other checks go on without tripping over it."""
    return value if isinstance(value, list) else []


CONTAINED = Entry(-1, "", {})
"""What a "#id" reference resolves to: a resource contained in the one that names it."""
_RESTFUL = re.compile(r"^(?P<base>https?://.+)/(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/.*)?$")
_RELATIVE = re.compile(r"^(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(/_history/.*)?$")


class Bundle:
    """The entries of a bundle (or one resource sent alone), and how a reference inside them resolves."""

    def __init__(self, document: dict):
        if document.get("resourceType") == "Bundle":
            raw = listed(document.get("entry"))
            self.entries = [Entry(i, str(e.get("fullUrl") or ""), e["resource"]) for i, e in enumerate(raw)
                            if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
        else:
            self.entries = [Entry(0, "", document)]
        self.by_url = {e.full_url: e for e in self.entries if e.full_url}
        self.by_type_id = {(e.type, e.resource["id"]): e for e in self.entries if isinstance(e.resource.get("id"), str)}

    def of_type(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.type == kind]

    def first(self, kind: str) -> Entry | None:
        return self.entries[0] if self.entries and self.entries[0].type == kind else None

    def resolve(self, reference: str, source: Entry) -> Entry | None:
        """The entry that a reference inside `source` names, CONTAINED for one of its contained
        resources, None for nothing in the upload. Bundle rules: an absolute reference (urn:uuid:,
        http...) matches a fullUrl; a relative "Type/id" resolves against the RESTful base of the
        source's fullUrl, and else (a urn:uuid: fullUrl, as IPS 1.x examples have) to the entry of
        that type and id."""
        if reference.startswith("#"):
            ids = [c.get("id") for c in listed(source.resource.get("contained")) if isinstance(c, dict)]
            return CONTAINED if reference == "#" or reference[1:] in ids else None
        if reference in self.by_url:
            return self.by_url[reference]
        relative, restful = _RELATIVE.match(reference), _RESTFUL.match(reference)
        if relative:
            base = _RESTFUL.match(source.full_url)
            if base and f"{base['base']}/{relative['type']}/{relative['id']}" in self.by_url:
                return self.by_url[f"{base['base']}/{relative['type']}/{relative['id']}"]
            return self.by_type_id.get((relative["type"], relative["id"]))
        if restful:  # a versioned absolute reference: the entry's fullUrl carries no version
            return self.by_url.get(f"{restful['base']}/{restful['type']}/{restful['id']}")
        return None


def references(value, path: str) -> Iterator[tuple[str, str]]:
    """(path, reference) for every Reference with a `reference` anywhere in `value`."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield path, value["reference"]
        for key, child in value.items():
            if isinstance(child, dict | list):
                yield from references(child, f"{path}.{key}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from references(child, f"{path}[{i}]")


def dangling(bundle: Bundle, must_resolve=None) -> list[Problem]:
    """A Problem for every reference that names nothing inside the upload (of those `must_resolve(entry,
    path, reference)` picks; all when None): what the hub stores must be readable alone, years later,
    without the system that sent it."""
    return [Problem(entry.name, path, _unresolved(reference))
            for entry in bundle.entries for path, reference in references(entry.resource, entry.type)
            if (must_resolve is None or must_resolve(entry, path, reference))
            and bundle.resolve(reference, entry) is None]


_LONG_ID = re.compile(r"(^|/)[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{65,}(/_history/.*)?$")


def _unresolved(reference: str) -> str:
    if _LONG_ID.search(reference):
        return (f'the reference "{reference[:100]}..." has an id longer than the 64 characters FHIR allows, so it '
                "cannot name a resource: give the resource (and the reference) an id of at most 64 characters")
    return (f'the reference "{reference[:100]}" names nothing in this upload: include the resource it names '
            "(with that fullUrl, or as Type/id) or correct the reference")


def person_id_problems(patient: Entry, person_id: str) -> list[Problem]:
    """A Problem for each of the Patient's identifiers in the hub's person-id system that is not this person's."""
    return [Problem(patient.name, f"Patient.identifier[{i}]", "this Patient carries another person's id "
                    "(another person's subject): upload it for the person it is about")
            for i, identifier in enumerate(listed(patient.resource.get("identifier")))
            if names_another_person(identifier, person_id)]


def names_another_person(identifier, person_id: str) -> bool:
    return isinstance(identifier, dict) and identifier.get("system") == PERSON_ID_SYSTEM \
        and identifier.get("value") != person_id


def names_the_person(identifier, person_id: str) -> bool:
    return isinstance(identifier, dict) and identifier.get("system") == PERSON_ID_SYSTEM \
        and identifier.get("value") == person_id


def capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS, the last one saying how many more there were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    shown = problems[:MAX_PROBLEMS - 1]
    return shown + [Problem("Bundle", "", f"and {len(problems) - len(shown)} more problems: correct these and "
                            "upload again to see the rest")]


# -- structure: fhir.resources R4B --------------------------------------------------------------------

def structure(document: dict, bundle: Bundle) -> list[Problem]:
    """fhir.resources R4B's verdict on the upload, one Problem per error it finds. A resource type R4B
    does not have is named as such and its entry left out of the model check (fhir.resources raises
    KeyError on one, which would hide every other error)."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    problems, unknown = [], set()
    for entry in bundle.entries:
        contained = [(f"{entry.type}.contained[{i}]", c) for i, c in
                     enumerate(listed(entry.resource.get("contained"))) if isinstance(c, dict)]
        for path, resource in [(entry.type, entry.resource), *contained]:
            kind = resource.get("resourceType")
            if not _r4b_resource(get_fhir_model_class, kind):
                unknown.add(entry.index)
                problems.append(Problem(entry.name, path, f'"{str(kind)[:60]}" is not a FHIR R4B resource type '
                                        "(the hub checks with R4B, the closest to R4 it has): leave it out"))
    raw = document.get("entry") if document.get("resourceType") == "Bundle" else None
    kept = list(range(len(raw))) if isinstance(raw, list) else []
    checked = document
    if unknown:
        if raw is None or not isinstance(raw, list):
            return problems
        kept = [i for i in kept if i not in unknown]
        checked = dict(document, entry=[raw[i] for i in kept])
    try:
        get_fhir_model_class(str(checked["resourceType"])).model_validate(checked)
    except ValidationError as exc:
        problems += [_from_pydantic(error, checked, kept, bundle) for error in exc.errors(include_url=False)
                     if not _choice_given_by_extension(error)]
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(Problem("document", "", f"fhir.resources could not read it ({type(exc).__name__}): "
                                "send a FHIR R4 resource"))
    return problems


_CHOICE = re.compile(r"Expect any of field value from this list \[([^\]]*)\]")


def _choice_given_by_extension(error: dict) -> bool:
    """True for fhir.resources' "Expect any of field value from this list [...]" on a required choice
    (Immunization.occurrence[x]) that the resource gives as a primitive extension without a value,
    e.g. "_occurrenceDateTime": {"extension": [data-absent-reason unknown]}: valid FHIR (a primitive
    may carry extensions instead of a value), which the Australian and New Zealand IPS examples use."""
    found = _CHOICE.search(str(error.get("msg", "")))
    given = error.get("input")
    if not found or not isinstance(given, dict):
        return False
    fields = [name.strip().strip("'\"") for name in found.group(1).split(",")]
    return any(isinstance(given.get(f"_{name}"), dict) and given[f"_{name}"].get("extension") for name in fields)


def _r4b_resource(get_class, kind) -> bool:
    if not isinstance(kind, str) or not kind[:1].isupper():
        return False
    try:
        get_class(kind)
    except (KeyError, ImportError, ValueError):
        return False
    return True


def _from_pydantic(error: dict, document: dict, kept: list[int], bundle: Bundle) -> Problem:
    loc = [p for p in error.get("loc", ()) if isinstance(p, int) or re.fullmatch(r"[A-Za-z_]\w*", str(p))]
    if document.get("resourceType") == "Bundle":
        resource, path = "Bundle", "Bundle"
    else:
        resource, path = bundle.entries[0].name, bundle.entries[0].type
    if len(loc) >= 3 and loc[0] == "entry" and isinstance(loc[1], int) and loc[2] == "resource":
        index = kept[loc[1]] if loc[1] < len(kept) else loc[1]
        entry = next((e for e in bundle.entries if e.index == index), None)
        if entry is not None:
            resource, path, loc = entry.name, entry.type, loc[3:]
        else:
            resource, loc = f"entry[{index}]", ["entry", index, *loc[2:]]
    elif len(loc) >= 2 and loc[0] == "entry" and isinstance(loc[1], int):
        loc = ["entry", kept[loc[1]] if loc[1] < len(kept) else loc[1], *loc[2:]]
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return Problem(resource, path, _plain(error))


def _plain(error: dict) -> str:
    kind, message = str(error.get("type", "")), str(error.get("msg", ""))
    field = str((error.get("loc") or ("",))[-1])
    if kind == "extra_forbidden":
        return f'"{field}" is not an element here in FHIR R4B: remove it or correct its name'
    if kind in ("model_field_validation.missing", "missing"):
        return f'"{field}" is required here: add it'
    if "spec regex" in message:
        what = message.removeprefix("Value error, ").split(" value string")[0].strip().lower() or "value"
        return f"this is not a valid FHIR {what}: correct its format (a date is YYYY, YYYY-MM or YYYY-MM-DD)"
    return f"{message.removeprefix('Value error, ')[:160]}: correct this element"
