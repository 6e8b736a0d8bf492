"""The FHIR and IPS invariants that matter for a summary's safety, checked with fhirpathpy.

Chosen for what a clinician could misread or miss: a document without an identifier or timestamp
(bdl-9, bdl-10), two entries with one fullUrl (bdl-7), a second Composition (bdl-ips-1), a section
that says nothing (cmp-1) or lists entries and says it has none (cmp-2), a required section with
neither entries nor an emptyReason (ips-comp-1), a Patient without a name (IPS: Patient.name 1..*,
ips-pat-1), an allergy or condition whose clinical status contradicts its verification status or
abatement (ait-1, ait-2, con-4, con-5), an observation with both a value and a reason it has none
(obs-6). Expressions are FHIR R4's and the IPS guide's own, compiled once with fhirpathpy's R4 model.
Pure.
"""

from __future__ import annotations

from typing import NamedTuple

from hub.medical.fhir_bundle import Bundle, Problem, listed
from wire.ips import LOINC, REQUIRED_SECTIONS


class Invariant(NamedTuple):
    key: str
    on: str
    """The resources it applies to: "Bundle" (the upload), or a resource type in it."""
    select: str
    """What it applies to inside them: "" the resource, else a list element (each item checked)."""
    at: str
    """The element a Problem's path names, after the resource or item ("" for the item itself)."""
    expression: str
    todo: str


_AIT_ERROR = ("verificationStatus.coding.where(system = "
              "'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification' and code = 'entered-in-error')")
_CON_ERROR = ("verificationStatus.coding.where(system = 'http://terminology.hl7.org/CodeSystem/condition-ver-status' "
              "and code = 'entered-in-error')")

INVARIANTS = (
    Invariant("bdl-7", "Bundle", "", ".entry.fullUrl", "(type = 'history') or "
              "entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()",
              "two entries share a fullUrl: give each entry its own"),
    Invariant("bdl-9", "Bundle", "", ".identifier",
              "type = 'document' implies (identifier.system.exists() and identifier.value.exists())",
              "a document needs Bundle.identifier with a system and a value: add the document's identifier"),
    Invariant("bdl-10", "Bundle", "", ".timestamp", "type = 'document' implies timestamp.exists()",
              "a document needs Bundle.timestamp: add when the summary was assembled"),
    Invariant("bdl-ips-1", "Bundle", "", ".entry", "entry.tail().where(resource is Composition).empty()",
              "an IPS has one Composition, the first entry: remove the others"),
    Invariant("cmp-1", "Composition", "section", "", "text.exists() or entry.exists() or section.exists()",
              "a section needs text, entries or sub-sections: add the section's narrative or its entries"),
    Invariant("cmp-2", "Composition", "section", ".emptyReason", "emptyReason.empty() or entry.empty()",
              "a section with entries cannot also give an emptyReason: remove one of them"),
    Invariant("IPS Patient.name 1..*", "Patient", "", ".name", "name.exists()",
              "the Patient has no name: add the person's name"),
    Invariant("ips-pat-1", "Patient", "name", "", "family.exists() or given.exists() or text.exists()",
              "each Patient.name needs a family name, a given name or a text: add the person's name"),
    Invariant("ait-1", "AllergyIntolerance", "", ".clinicalStatus", f"{_AIT_ERROR}.exists() or clinicalStatus.exists()",
              "an allergy needs its clinicalStatus (active, inactive or resolved): add it"),
    Invariant("ait-2", "AllergyIntolerance", "", ".clinicalStatus", f"{_AIT_ERROR}.empty() or clinicalStatus.empty()",
              "an allergy entered in error has no clinicalStatus: remove it"),
    Invariant("con-4", "Condition", "", ".clinicalStatus", "abatement.empty() or clinicalStatus.coding.where("
              "system = 'http://terminology.hl7.org/CodeSystem/condition-clinical' and "
              "(code = 'resolved' or code = 'remission' or code = 'inactive')).exists()",
              "a condition with an abatement must be inactive, resolved or in remission: correct clinicalStatus or "
              "remove the abatement"),
    Invariant("con-5", "Condition", "", ".clinicalStatus", f"{_CON_ERROR}.empty() or clinicalStatus.empty()",
              "a condition entered in error has no clinicalStatus: remove it"),
    Invariant("obs-6", "Observation", "", ".dataAbsentReason", "dataAbsentReason.empty() or value.empty()",
              "an observation with a value cannot give a dataAbsentReason: remove one of them"),
)
IPS_COMP_1 = Invariant("ips-comp-1", "Composition", "section", "", "entry.reference.exists() or emptyReason.exists()",
                       "a required section needs entries or an emptyReason: list the entries, or say why there are "
                       "none (emptyReason nilknown, or unavailable)")

_COMPILED: dict[str, object] = {}


def invariant_problems(entries: Bundle, bundle: dict) -> list[Problem]:
    """A Problem for every place an INVARIANTS row, or ips-comp-1 on a required section, does not hold."""
    problems = []
    for invariant in INVARIANTS:
        if invariant.on == "Bundle":
            targets = [("Bundle", "Bundle", bundle)]
        else:
            targets = [(e.name, e.type, e.resource) for e in entries.of_type(invariant.on)]
        for name, path, resource in targets:
            items = [(path, resource)]
            if invariant.select:
                items = [(f"{path}.{invariant.select}[{i}]", v)
                         for i, v in enumerate(listed(resource.get(invariant.select)))]
            problems += [_problem(invariant, name, item_path) for item_path, item in items
                         if not _holds(invariant.expression, item)]
    composition = entries.first("Composition")
    for i, section in enumerate(listed(composition.resource.get("section")) if composition else []):
        if isinstance(section, dict) and _required(section) and not _holds(IPS_COMP_1.expression, section):
            problems.append(_problem(IPS_COMP_1, composition.name, f"Composition.section[{i}]"))
    return problems


def _problem(invariant: Invariant, name: str, path: str) -> Problem:
    return Problem(name, path + invariant.at, f"({invariant.key}) {invariant.todo}")


def _holds(expression: str, item) -> bool:
    """False only where the expression evaluates to false; an item of the wrong shape is the structure
    check's to name, not this one's."""
    if expression not in _COMPILED:
        import fhirpathpy
        from fhirpathpy.models import models

        _COMPILED[expression] = fhirpathpy.compile(expression, model=models["r4"])
    try:
        return _COMPILED[expression](item, {}) != [False]
    except Exception:  # noqa: BLE001 - fhirpathpy raises plain Exceptions on shapes it cannot walk
        return True


def _required(section: dict) -> bool:
    code = section.get("code")
    codings = code.get("coding") if isinstance(code, dict) else None
    return any(isinstance(c, dict) and c.get("system") == LOINC and c.get("code") in REQUIRED_SECTIONS
               for c in listed(codings))
