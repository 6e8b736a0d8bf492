"""The checks an uploaded health summary or appointments upload must pass before the hub stores it.

Pure: bytes or parsed JSON in, a list of Problems out ([] means accept). The caller (service) stores
nothing when there is one problem; every check runs, so the uploader sees all that is wrong at once
(at most MAX_PROBLEMS, the last one saying how many more there were).

What runs, in order:
1. read_document: FHIR JSON only (UTF-8, one object with a resourceType, no duplicate keys, no NaN,
   at most MAX_DOCUMENT_BYTES, MAX_DEPTH levels deep and MAX_ENTRIES entries). XML is refused with
   the reason.
2. Structure, with fhir.resources' R4B models (fhir.resources has no R4 models; R4B is the closest).
   What that means: R4B (4.3) changed none of the resources an IPS uses (Composition, Patient,
   AllergyIntolerance, Condition, MedicationStatement, MedicationRequest, Medication, Immunization,
   Observation, Procedure, Device, DeviceUseStatement, DiagnosticReport, Flag, CarePlan, Consent,
   DocumentReference, Organization, Practitioner, PractitionerRole, Appointment); it replaced the
   R4 medicinal-product and evidence-synthesis resources (MedicinalProduct*, SubstanceSpecification,
   EffectEvidenceSynthesis, RiskEvidenceSynthesis) with new ones, so an R4 bundle carrying one of
   those is refused, by name, as not an R4B resource. fhir.resources checks cardinality, types,
   unknown elements and the format of primitives (dates, instants, ids), and needs a narrative's
   `div` wherever `text` is given; it does not check codes against value sets (Bundle.type "xyz"
   passes it), so the codes that matter are checked below. It also misses that a primitive may
   carry extensions instead of a value, so a required choice given that way (Immunization's
   "_occurrenceDateTime" with a data-absent-reason, as the AU and NZ IPS examples have) is not
   refused for it. Measured on the HL7 IPS 2.0.0-ballot
   example bundles (R4, CC0): IPS-examples-Bundle-01, IPS-examples-Bundle-with-immunization,
   bundle-minimal and bundle-no-info-required-sections (seven files, two builds) validate as R4B
   unchanged and pass every check below; so does bundle-ips-all-sections (41 resources, 16
   sections) in the copy we found, once the narrative divs stripped from that copy are put back.
3. Our IPS rules: Bundle.type document; the first entry a Composition with type LOINC 60591-5;
   every entry with a fullUrl and a resource; the sections Medication Summary (10160-0), Allergies
   and Intolerances (48765-2) and Problem List (11450-4) present; every section coded in LOINC,
   except a local section (coded in another system, e.g. New Zealand's "Encounters") that lists no
   allergy, condition or medicine; the entries of the sections the IPS defines of the types it allows
   there (an Allergies section entry that is a Condition is refused); the references a reader
   depends on resolving inside the bundle (urn:uuid: fullUrls, relative "Type/id", absolute URLs,
   "#contained"): all of the Composition's, every subject or patient, every medicationReference and
   every "#id" (_must_resolve); others (an Encounter, a performer, a GP on the sender's server) may
   point outside it, as FHIR allows and the Epic, NHS and US connectathon summaries do; the subject rule:
   Composition.subject resolves to the bundle's one Patient, every resource's subject or patient is
   that Patient, and a Patient identifier with system PERSON_ID_SYSTEM must carry this person's id
   (with none, the summary is taken for the person it is uploaded for).
4. The FHIR and IPS invariants that matter for safety, with fhirpathpy (hub/medical/ips_invariants.py):
   bdl-7 (fullUrl unique), bdl-9 (a document has an identifier), bdl-10 (a document has a
   timestamp), bdl-ips-1 (one Composition only), cmp-1 (a section has text, entries or
   sub-sections), cmp-2 (emptyReason only on an empty section), ips-comp-1 (the required sections
   have entries or an emptyReason), ips-pat-1 (Patient has a name with family, given or text),
   ait-1/ait-2 (an allergy's clinical status), con-4/con-5 (a condition's clinical status against
   abatement and entered-in-error), obs-6 (dataAbsentReason only without a value).
   Not checked: terminology bindings, profiles' must-support, narrative content (dom-6), ips-1/2/3
   (they bind only the IPS results profiles, which an uploader need not claim).

Appointments (appointments_problems): a Bundle of any type carrying Appointments (and the Patient,
Practitioner, PractitionerRole, Location, Organization, HealthcareService they name), or one
Appointment; R4B structure; status from the R4 code list; start and end both or neither, and both
unless proposed, cancelled or waitlist (app-2, app-3), end not before start; a participant whose
actor is this person (a Patient in the bundle, or an actor carrying the person-id identifier); every
reference resolves inside the upload.

fhir.resources and fhirpathpy are imported on the first check (about 0.3 s then; the hub starts
without them); a 50-resource summary then takes about 30 ms (docs/health.md, "What the checks accept").
"""

from __future__ import annotations

import json
import re

from hub.medical.appointment_checks import appointments_problems
from hub.medical.fhir_bundle import (
    CONTAINED,
    MAX_PROBLEMS,
    Bundle,
    Entry,
    Problem,
    capped,
    dangling,
    listed,
    names_another_person,
    person_id_problems,
    structure,
)
from hub.medical.ips_invariants import invariant_problems
from wire.ips import (
    IPS_TYPE,
    LOINC,
    SECTION_ALLERGIES,
    SECTION_MEDICATIONS,
    SECTION_PROBLEMS,
)

__all__ = ["MAX_PROBLEMS", "CheckFailed", "Problem", "appointments_problems", "read_document", "summary_problems"]

MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ENTRIES = 5000
"""A long health record is a few hundred resources; the checks take about 0.3 ms a resource."""

SECTION_TITLES = {
    SECTION_MEDICATIONS: "Medication Summary",
    SECTION_ALLERGIES: "Allergies and Intolerances",
    SECTION_PROBLEMS: "Problem List",
}
SECTION_ENTRY_TYPES = {
    SECTION_PROBLEMS: {"Condition"},
    SECTION_ALLERGIES: {"AllergyIntolerance"},
    SECTION_MEDICATIONS: {"MedicationStatement", "MedicationRequest", "MedicationAdministration", "MedicationDispense"},
    "11369-6": {"Immunization"},
    "30954-2": {"Observation", "DiagnosticReport"},
    "47519-4": {"Procedure"},
    "46264-8": {"DeviceUseStatement"},
    "42348-3": {"Consent"},
    "104605-1": {"Flag"},
    "47420-5": {"Condition", "ClinicalImpression"},
    "11348-0": {"Condition"},
    "10162-6": {"Observation"},
    "18776-5": {"CarePlan", "ImmunizationRecommendation"},
    "29762-2": {"Observation"},
    "8716-3": {"Observation"},
}
"""The resource types the IPS Composition profile (2.0) allows as entries of its sections; every
section also takes a DocumentReference. Sections it does not define (81338-6, the patient's story,
takes any resource) are not checked for types."""


class CheckFailed(Exception):
    """The upload cannot be read at all; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.reason for problem in problems))
        self.problems = list(problems)


def read_document(data: bytes) -> dict:
    """The upload parsed: a JSON object with a resourceType, or CheckFailed saying what to send."""
    if len(data) > MAX_DOCUMENT_BYTES:
        _unreadable(f"the upload is {len(data)} bytes, more than {MAX_DOCUMENT_BYTES}: a summary is far smaller; "
                    "send the summary alone, without attachments or images")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        _unreadable("send the bundle as FHIR JSON (application/fhir+json); XML is not taken: the hub checks, stores "
                    "and shares FHIR JSON only, and converting XML here could silently change narratives and "
                    "extensions; every FHIR system exports JSON (e.g. _format=json)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        _unreadable("the upload is UTF-16: send the bundle as FHIR JSON in UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _unreadable(f"the upload is not UTF-8 (byte {exc.start}): send the bundle as FHIR JSON in UTF-8")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        _unreadable(f"the upload is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
                    "send the bundle as FHIR JSON (application/fhir+json)")
    except RecursionError:
        _unreadable(f"the JSON is nested too deeply (more than {MAX_DEPTH} levels): send a FHIR bundle")
    except ValueError as exc:
        _unreadable(f"{exc}: send the bundle as FHIR JSON")
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        _unreadable("the JSON is not a FHIR resource (an object with a resourceType): send a FHIR Bundle")
    if _depth(document) > MAX_DEPTH:
        _unreadable(f"the JSON is nested too deeply (more than {MAX_DEPTH} levels): send a FHIR bundle")
    if len(listed(document.get("entry"))) > MAX_ENTRIES:
        _unreadable(f"the bundle has {len(document['entry'])} entries, more than {MAX_ENTRIES}: send the summary "
                    "(the Patient, the Composition and what its sections list), not the whole record")
    return document


def _unreadable(reason: str):
    raise CheckFailed([Problem("document", "", reason)])


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f'the JSON names "{twice[:40]}" twice in one object, which FHIR does not allow')
    return document


def _no_constant(name: str):
    raise ValueError(f"the JSON holds {name}, which is not a JSON number")


def _depth(document) -> int:
    deepest, todo = 0, [(document, 1)]
    while todo:
        value, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        todo.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def summary_problems(bundle: dict, person_id: str) -> list[Problem]:
    """Every reason the hub cannot store `bundle` as `person_id`'s summary; [] means accept."""
    if bundle.get("resourceType") != "Bundle":
        return [Problem("document", "", f'this is a {str(bundle.get("resourceType"))[:40]}, not a Bundle: send the '
                        "summary as an IPS document Bundle (Bundle.type document, a Composition first)")]
    entries = Bundle(bundle)
    problems = structure(bundle, entries)
    problems += _document_shape(bundle, entries)
    problems += _sections(entries)
    problems += dangling(entries, _must_resolve)
    problems += _subject(entries, person_id)
    problems += invariant_problems(entries, bundle)
    return capped(problems)


_SHOWN = re.compile(r"^[A-Za-z]+\.(subject|patient|medicationReference)$")


def _must_resolve(entry: Entry, path: str, reference: str) -> bool:
    """The references a summary must carry the target of: the Composition's own (FHIR R4 documents:
    its subject, author, attester, custodian and section entries SHALL be in the bundle; an extension's
    are not named), each resource's subject or patient (the subject rule), a medicine's Medication (what
    the summary shows) and every "#id" of a contained resource (FHIR ref-1). The rest (an encounter, a
    performer, a recorder, a GP) may name a resource on the sender's server, as real summaries do
    (Epic, NHS, New Zealand): FHIR allows it, and what the summary shows does not depend on it."""
    if reference.startswith("#") or _SHOWN.match(path):
        return True
    return entry.type == "Composition" and ".extension" not in path and ".modifierExtension" not in path


def _document_shape(bundle: dict, entries: Bundle) -> list[Problem]:
    problems = []
    if bundle.get("type") != "document":
        problems.append(Problem("Bundle", "Bundle.type", f'Bundle.type is "{str(bundle.get("type"))[:40]}": an IPS '
                                'is a document; send it with Bundle.type "document"'))
    for i, entry in enumerate(listed(bundle.get("entry"))):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            problems.append(Problem(f"entry[{i}]", f"Bundle.entry[{i}].resource", "every entry of a summary carries "
                                    "a resource: add it or remove the entry"))
        elif not entry.get("fullUrl"):
            problems.append(Problem(Entry(i, "", entry["resource"]).name, f"Bundle.entry[{i}].fullUrl",
                                    "every entry of an IPS needs a fullUrl (urn:uuid:... or the resource's URL): "
                                    "add one"))
    first = (listed(bundle.get("entry")) or [None])[0]
    resource = first.get("resource") if isinstance(first, dict) else None
    if not isinstance(resource, dict) or resource.get("resourceType") != "Composition":
        problems.append(Problem("Bundle", "Bundle.entry[0].resource", "the first entry of an IPS is its "
                                "Composition: put the Composition first"))
    elif not _has_coding(resource.get("type"), *IPS_TYPE):
        problems.append(Problem(Entry(0, "", resource).name, "Composition.type", "this is not an International "
                                f"Patient Summary: Composition.type must be LOINC {IPS_TYPE[1]} (Patient summary "
                                "Document)"))
    return problems


def _composition(entries: Bundle) -> Entry | None:
    return entries.first("Composition")


def _has_coding(concept, system: str, code: str) -> bool:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return any(isinstance(c, dict) and c.get("system") == system and c.get("code") == code for c in listed(codings))


def _loinc_codes(concept) -> list[str]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [c["code"] for c in listed(codings)
            if isinstance(c, dict) and c.get("system") == LOINC and isinstance(c.get("code"), str)]


def _sections(entries: Bundle) -> list[Problem]:
    composition = _composition(entries)
    if composition is None:
        return []
    problems, present = [], set()
    todo = [(f"Composition.section[{i}]", s, True) for i, s in enumerate(listed(composition.resource.get("section")))]
    while todo:
        path, section, top = todo.pop(0)
        if not isinstance(section, dict):
            continue
        codes = _loinc_codes(section.get("code"))
        if not codes and not _local_section(entries, composition, section):
            problems.append(Problem(composition.name, f"{path}.code", f'the section "{str(section.get("title"))[:60]}"'
                                    " has no LOINC code: code each section with its IPS LOINC code (Medication "
                                    f"Summary {SECTION_MEDICATIONS}, Allergies and Intolerances {SECTION_ALLERGIES}, "
                                    f"Problem List {SECTION_PROBLEMS})"))
        if top:
            present.update(codes)
        allowed = set().union(*(SECTION_ENTRY_TYPES[c] for c in codes if c in SECTION_ENTRY_TYPES)) if any(
            c in SECTION_ENTRY_TYPES for c in codes) else None
        for j, item in enumerate(listed(section.get("entry"))):
            reference = item.get("reference") if isinstance(item, dict) else None
            target = entries.resolve(reference, composition) if isinstance(reference, str) else None
            if allowed and target not in (None, CONTAINED) and target.type not in allowed | {"DocumentReference"}:
                problems.append(Problem(composition.name, f"{path}.entry[{j}]", f"the section "
                                        f"{str(section.get('title') or codes[0])[:60]} lists a {target.type} "
                                        f"({target.name}); it takes {', '.join(sorted(allowed))}: move the entry to "
                                        "the section it belongs in"))
        todo.extend((f"{path}.section[{k}]", s, False) for k, s in enumerate(listed(section.get("section"))))
    for code, title in SECTION_TITLES.items():
        if code not in present:
            problems.append(Problem(composition.name, "Composition.section", f"the required section {title} (LOINC "
                                    f"{code}) is missing: add it, with its entries or an emptyReason saying why "
                                    "there are none"))
    return problems


_REQUIRED_KINDS = set().union(*(SECTION_ENTRY_TYPES[code] for code in SECTION_TITLES))


def _local_section(entries: Bundle, composition: Entry, section: dict) -> bool:
    """A section coded outside LOINC that FHIR lets a document add (New Zealand's IPS adds "Encounters",
    v3-ActClass ENC): accepted when it has a code and lists no allergy, condition or medicine, which
    a reader of the summary would miss there (they are read from the IPS's LOINC sections)."""
    code = section.get("code")
    if not any(isinstance(c, dict) and c.get("code") for c in listed(code.get("coding") if isinstance(code, dict)
                                                                        else None)):
        return False
    for item in listed(section.get("entry")):
        reference = item.get("reference") if isinstance(item, dict) else None
        target = entries.resolve(reference, composition) if isinstance(reference, str) else None
        if target not in (None, CONTAINED) and target.type in _REQUIRED_KINDS:
            return False
    return True


def _subject(entries: Bundle, person_id: str) -> list[Problem]:
    composition = _composition(entries)
    patients = entries.of_type("Patient")
    problems = []
    if len(patients) != 1:
        return [Problem("Bundle", "Bundle.entry", f"the bundle has {len(patients)} Patient resources: a summary is "
                        "about one person; include exactly one Patient")]
    patient = patients[0]
    problems += person_id_problems(patient, person_id)
    if composition is not None:
        subject = composition.resource.get("subject")
        reference = subject.get("reference") if isinstance(subject, dict) else None
        if not isinstance(reference, str):
            problems.append(Problem(composition.name, "Composition.subject", "Composition.subject must reference "
                                    "the bundle's Patient: add subject.reference"))
        elif entries.resolve(reference, composition) not in (patient, None):
            problems.append(Problem(composition.name, "Composition.subject", "Composition.subject is not the "
                                    f"bundle's Patient ({patient.name}): another person's subject is refused"))
    for entry in entries.entries:
        if entry is composition:
            continue
        for key in ("subject", "patient"):
            value = entry.resource.get(key)
            if not isinstance(value, dict):
                continue
            reference = value.get("reference")
            if isinstance(reference, str):
                if entries.resolve(reference, entry) not in (patient, None):
                    problems.append(Problem(entry.name, f"{entry.type}.{key}", f"this {entry.type} is about someone "
                                            f"other than the summary's Patient ({patient.name}): another person's "
                                            "subject is refused; leave it out or correct the reference"))
            elif names_another_person(value.get("identifier"), person_id):
                problems.append(Problem(entry.name, f"{entry.type}.{key}.identifier", "this names another person "
                                        "(another person id): another person's subject is refused"))
    return problems
