"""An International Patient Summary (IPS, HL7 FHIR R4) in plain words: what a person, a worker or a
clinician reads on a screen or on paper. Pure: a bundle (a dict, as JSON gives it) in, a dict of strings out.

`plain` reads any valid R4 IPS document bundle (the official HL7 examples) and the release summaries that
wire/ips_build.py makes, whose continuity fields (last dose given, days supplied, opioid substitution,
naloxone, GP registration) sit in standard FHIR resources linked from each MedicationStatement's
`derivedFrom`, as docs/health.md ("Mapping: the release summary in FHIR") sets out. What it cannot read
it leaves out (an empty string, an empty list, None): a summary is never filled in by guessing.

Dates are shown in words, UK time ("14 December 2026 at 09:15"), because people read them on paper.
"""

from __future__ import annotations

from datetime import date

from wire.fhir_read import (
    Bundle as _Bundle,
)
from wire.fhir_read import (
    as_dict as _dict,
)
from wire.fhir_read import (
    as_list as _list,
)
from wire.fhir_read import (
    codings as _codings,
)
from wire.fhir_read import (
    concept as _concept,
)
from wire.fhir_read import (
    effective as _effective,
)
from wire.fhir_read import (
    has_code as _has_code,
)
from wire.fhir_read import (
    local_day as _local_day,
)
from wire.fhir_read import (
    name_of as _name,
)
from wire.fhir_read import (
    party as _party,
)
from wire.fhir_read import (
    quantity as _quantity,
)
from wire.fhir_read import (
    sort_key as _sort_key,
)
from wire.fhir_read import (
    string as _str,
)
from wire.fhir_read import (
    when,
)

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
IPS_TYPE = (LOINC, "60591-5")  # Composition.type of an IPS
PERSON_ID_SYSTEM = "https://throughgate.org/fhir/sid/person-id"  # Patient.identifier for the hub's person id
CONTINUITY_SYSTEM = "https://throughgate.org/fhir/CodeSystem/continuity"
"""Our one small code system, only where no standard code exists (docs/health.md lists its codes)."""
RELEASE_EVENT = "release"  # Composition.event.code: the release from custody; period.end is the release day

SECTION_MEDICATIONS = "10160-0"
SECTION_ALLERGIES = "48765-2"
SECTION_PROBLEMS = "11450-4"
SECTION_PROCEDURES = "47519-4"
SECTION_PLAN = "18776-5"
SECTION_ALERTS = "104605-1"
REQUIRED_SECTIONS = (SECTION_MEDICATIONS, SECTION_ALLERGIES, SECTION_PROBLEMS)

# SNOMED CT substances (international edition), checked against published FHIR content and NHS dm+d
METHADONE = "387286002"  # Methadone (substance)
BUPRENORPHINE = "387173000"  # Buprenorphine (substance)
NALOXONE = "372890007"  # Naloxone (substance)
OST_SUBSTANCES = {METHADONE: "Methadone", BUPRENORPHINE: "Buprenorphine"}
OPIOID_DEPENDENCE = "75544000"  # Opioid dependence (disorder): the reason that makes methadone or buprenorphine OST
INJECTION_ROUTES = {"34206005", "78421000"}  # Subcutaneous route, Intramuscular route: a depot, not a daily dose

ORDERS = ("order", "original-order", "reflex-order", "filler-order", "instance-order")
"""A MedicationRequest with one of these intents is a prescription issued; a plan or proposal is not."""
IPS_ABSENT = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"
"""IPS's codes for 'no known allergies', 'no known problems', 'no information about medications'..."""
NO_KNOWN_SNOMED = {"716186003", "409137002", "429625007", "428607008", "160245001"}
"""SNOMED CT situations the IPS examples use the same way: No known allergy, No known drug allergy, No known
food allergy, No known environmental allergy, No current problems or disability."""
TOLERANCE_WARNING = (
    "Your tolerance to opioids (heroin, methadone, buprenorphine, strong painkillers) is lower than before "
    "you went into prison. A dose you used to take can now kill you. Do not use alone, start low, and carry "
    "naloxone: it can reverse an overdose while you wait for an ambulance (call 999)."
)
"""Shown whenever a summary holds opioid substitution or naloxone, whatever the summary itself says."""

GP_STATUS = {
    "requested": "Registration asked for, not yet accepted by the practice",
    "received": "Registration asked for, not yet accepted by the practice",
    "accepted": "Accepted by the practice: registration under way",
    "in-progress": "Accepted by the practice: registration under way",
    "completed": "Registered with the practice",
    "rejected": "The practice refused the registration: ask for help to register with another",
    "cancelled": "Registration cancelled",
}


# Sections -------------------------------------------------------------------------------------------
def _composition(bundle: _Bundle) -> dict | None:
    for resource in bundle.resources:
        if resource["resourceType"] == "Composition":
            return resource
    return None


def _section(composition: dict | None, code: str) -> dict | None:
    sections = composition.get("section") if isinstance(composition, dict) else None
    for section in _list(sections):
        if isinstance(section, dict) and _has_code(section.get("code"), LOINC, code):
            return section
    return None


def _entries(bundle: _Bundle, section: dict | None, *types: str) -> list[dict]:
    """The section's entries of these types, leaving out those recorded in error or refuted: a summary
    must never show a medicine, allergy or problem its own author has withdrawn."""
    if section is None:
        return []
    found = (bundle.get(reference, *types) for reference in _list(section.get("entry")))
    return [resource for resource in found if resource is not None and not _withdrawn(resource)]


WITHDRAWN = {"entered-in-error", "refuted"}
NOT_CURRENT = {"stopped": "stopped", "completed": "finished", "not-taken": "not taken", "cancelled": "stopped",
               "inactive": "no longer active", "resolved": "no longer active"}
"""A medicine's status, or an allergy's clinical status, that says it is not current: the summary still
shows it (a clinician may need to know it was stopped) with these words after its name."""


def _withdrawn(resource: dict) -> bool:
    if _str(resource.get("status")) in WITHDRAWN:
        return True
    return any(_str(coding.get("code")) in WITHDRAWN for coding in _codings(resource.get("verificationStatus")))


def _not_current(resource: dict) -> str:
    """'' for a current medicine or allergy; else the words that say it is not, as '(stopped)'."""
    status = _str(resource.get("status"))
    if resource.get("resourceType") == "AllergyIntolerance":
        status = next((_str(c.get("code")) for c in _codings(resource.get("clinicalStatus"))), "")
    words = NOT_CURRENT.get(status, "")
    return f" ({words})" if words else ""


def _empty_reason(section: dict | None) -> str:
    if section is None or section.get("entry"):
        return ""
    return _concept(section.get("emptyReason"))


def _absent(concept) -> str:
    """IPS's 'no known allergies' and the like, when a resource's code is one of those."""
    for coding in _codings(concept):
        if coding.get("system") == IPS_ABSENT or (coding.get("system") == SNOMED
                                                   and _str(coding.get("code")) in NO_KNOWN_SNOMED):
            return _concept(concept) or _str(coding.get("code")).replace("-", " ").capitalize()
    return ""


SYSTEM_NAMES = {SNOMED: "SNOMED CT", LOINC: "LOINC", "http://hl7.org/fhir/sid/icd-10": "ICD-10",
                "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM", "http://www.whocc.no/atc": "ATC",
                "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm", "https://dmd.nhs.uk": "dm+d"}


def _code_words(concept) -> str:
    """A code with neither text nor display, as the summary gives it ("SNOMED CT 418770003"): an allergy
    or a problem sent without words is still shown, never dropped, so a clinician can look it up."""
    for coding in _codings(concept):
        code = _str(coding.get("code"))
        if code:
            system = _str(coding.get("system"))
            return f"{SYSTEM_NAMES.get(system, system or 'code')} {code}".strip()
    return ""


# Medicines ------------------------------------------------------------------------------------------
def _medication(bundle: _Bundle, resource: dict) -> tuple[str, dict | None, dict]:
    """A resource's medicine: (name, Medication resource or None, its code). The Medication may be an
    entry or contained in `resource` ("#id"); one with no code is named by its ingredients; one not
    found by the reference's display."""
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, dict):
        return _concept(concept) or _code_words(concept), None, concept
    reference = resource.get("medicationReference")
    display = _str(_dict(reference).get("display"))
    medication = bundle.get(reference, "Medication", source=resource)
    if medication is None:
        return display, None, {}
    code = medication.get("code") if isinstance(medication.get("code"), dict) else {}
    return _concept(code) or _ingredients(bundle, medication) or display or _code_words(code), medication, code


def _ingredients(bundle: _Bundle, medication: dict) -> str:
    """A Medication's ingredients in words ("Amoxicillin + Clavulanic acid"), for one with no code."""
    names = []
    for ingredient in _list(medication.get("ingredient")):
        if not isinstance(ingredient, dict):
            continue
        item = bundle.get(ingredient.get("itemReference"), "Substance", "Medication", source=medication)
        name = _concept(ingredient.get("itemCodeableConcept")) or (
            _concept(item.get("code")) if item else _str(_dict(ingredient.get("itemReference")).get("display")))
        if name and name not in names:
            names.append(name)
    return " + ".join(names)


def _substances(bundle: _Bundle, resource: dict) -> set[str]:
    """The SNOMED CT codes of the medicine and of its ingredients."""
    _name_, medication, code = _medication(bundle, resource)
    concepts = [code]
    for ingredient in _list(medication.get("ingredient") if medication else None):
        if isinstance(ingredient, dict):
            concepts.append(ingredient.get("itemCodeableConcept"))
    return {_str(coding.get("code")) for concept in concepts for coding in _codings(concept)
            if coding.get("system") == SNOMED}


_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times"}
_UNITS = {"s": "second", "min": "minute", "h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}


def _often(timing) -> str:
    """Timing.repeat in words ("twice a day", "every 8 hours", "once a week"), else Timing.code's words."""
    timing = _dict(timing)
    repeat = _dict(timing.get("repeat"))
    frequency, period, unit = repeat.get("frequency", 1), repeat.get("period"), _UNITS.get(repeat.get("periodUnit"))
    if isinstance(frequency, int) and isinstance(period, int | float) and unit and period > 0:
        if period == 1:
            return f"{_TIMES.get(frequency, f'{frequency} times')} a {unit}"
        if frequency == 1:
            return f"every {period:g} {unit}s"
    return _concept(timing.get("code"))


def _dose(dosages) -> str:
    """A Dosage in words: its text, else the dose (or range), how often and whether only when needed;
    the route alone when that is all it says."""
    for dosage in _list(dosages):
        if not isinstance(dosage, dict):
            continue
        if _str(dosage.get("text")):
            return _str(dosage["text"])
        dose = ""
        for rate in _list(dosage.get("doseAndRate")):
            if isinstance(rate, dict):
                dose = _quantity(rate.get("doseQuantity")) or _range(rate.get("doseRange"))
                if dose:
                    break
        if not dose:
            dose = _quantity(dosage.get("dose"))  # MedicationAdministration.dosage
        needed = dosage.get("asNeededBoolean") is True or isinstance(dosage.get("asNeededCodeableConcept"), dict)
        words = " ".join(part for part in (dose, _often(dosage.get("timing")), "when needed" if needed else "") if part)
        if words:
            return words[0].upper() + words[1:] if not dose else words
        route = _concept(dosage.get("route"))
        if route:
            return route
    return ""


def _range(value) -> str:
    low, high = _quantity(_dict(value).get("low")), _quantity(_dict(value).get("high"))
    if low and high:
        low_number, _space, low_unit = low.partition(" ")
        high_number, _space, high_unit = high.partition(" ")
        return f"{low_number} to {high}" if low_unit == high_unit else f"{low} to {high}"
    return low or high


def _derived(bundle: _Bundle, statement: dict, kind: str) -> list[dict]:
    return [found for found in (bundle.get(ref, kind) for ref in _list(statement.get("derivedFrom"))) if found]


def _latest(resources: list[dict]) -> dict | None:
    return max(resources, key=lambda resource: _sort_key(_effective(resource)), default=None)


def _release_day(bundle: _Bundle, composition: dict | None) -> str:
    for event in _list(composition.get("event") if composition else None):
        if not isinstance(event, dict):
            continue
        if any(_has_code(code, CONTINUITY_SYSTEM, RELEASE_EVENT) for code in _list(event.get("code"))):
            period = event.get("period") if isinstance(event.get("period"), dict) else {}
            return _str(period.get("end"))
    return ""


def _prescription(bundle: _Bundle, requests: list[dict], release: bool) -> str:
    if not requests:
        return "No" if release else ""
    request = requests[0]
    words = "Yes"
    issued = when(request.get("authoredOn"))
    if issued:
        words += f", {issued}"
    who = _party(bundle, request.get("requester"), request)
    return f"{words}, by {who}" if who else words


def _medicine(bundle: _Bundle, statement: dict, release: bool) -> dict:
    name, _medication_, _code = _medication(bundle, statement)
    given = _latest(_derived(bundle, statement, "MedicationAdministration"))
    dispenses = _derived(bundle, statement, "MedicationDispense")
    days = ""
    for dispense in dispenses:
        days = _quantity(dispense.get("daysSupply")) and f"{dispense['daysSupply']['value']:g}"
        if days:
            break
    if not dispenses and release:
        days = "None"  # docs/health.md: a release summary writes a dispense whenever one went out
    return {"name": name + _not_current(statement) if name else "", "dose": _dose(statement.get("dosage")),
            "last_given": when(_effective(given)) if given else "",
            "days_supplied": days,
            "prescription_issued": _prescription(bundle, [
                request for request in _derived(bundle, statement, "MedicationRequest")
                if request.get("intent", "order") in ORDERS], release)}


def _is_ost(bundle: _Bundle, statement: dict) -> bool:
    if not _substances(bundle, statement) & set(OST_SUBSTANCES):
        return False
    return any(_has_code(reason, SNOMED, OPIOID_DEPENDENCE) for reason in _list(statement.get("reasonCode")))


def _is_depot(administration: dict) -> bool:
    dosage = administration.get("dosage") if isinstance(administration.get("dosage"), dict) else {}
    return _has_code(dosage.get("route"), SNOMED, INJECTION_ROUTES)


def _appointment_words(bundle: _Bundle, appointment: dict | None) -> str:
    if appointment is None:
        return ""
    item = _appointment(bundle, appointment)
    return ", ".join(part for part in (item["when"], item["where"], item["with"]) if part)


def _ost(bundle: _Bundle, statement: dict, release_day: str) -> dict:
    name, medication, _code = _medication(bundle, statement)
    drug = next((OST_SUBSTANCES[code] for code in OST_SUBSTANCES if code in _substances(bundle, statement)), name)
    form = _concept(medication.get("form")) if medication else ""
    administrations = _derived(bundle, statement, "MedicationAdministration")
    supervised = _latest([given for given in administrations if not _is_depot(given)])
    depot_given = _latest([given for given in administrations if _is_depot(given)])
    depot = None
    if depot_given is not None:
        product, _m, _c = _medication(bundle, depot_given)
        due = _derived(bundle, statement, "ServiceRequest")
        next_due = min((_effective(request) for request in due if _effective(request)), key=_sort_key, default="")
        depot = {"product": product, "dose": _dose(depot_given.get("dosage")),
                 "given": when(_effective(depot_given)), "next_due": when(next_due)}
    last = _effective(supervised) if supervised else ""
    on_release = ""
    if release_day and _local_day(release_day):
        if supervised is None:
            on_release = "" if depot else "No"
        else:
            on_release = "Yes" if _local_day(last) == _local_day(release_day) else "No"
    requests = _derived(bundle, statement, "MedicationRequest")
    prescriber = pharmacy = ""
    for request in requests:
        prescriber = prescriber or _party(bundle, request.get("requester"))
        dispense = request.get("dispenseRequest") if isinstance(request.get("dispenseRequest"), dict) else {}
        pharmacy = pharmacy or _party(bundle, dispense.get("performer"))
    appointments = sorted(_derived(bundle, statement, "Appointment"), key=lambda a: _sort_key(a.get("start")))
    return {"drug": drug, "form": form, "daily_dose": _dose(statement.get("dosage")),
            "last_supervised_dose": when(last), "dosed_on_release_day": on_release, "depot": depot,
            "prescriber": prescriber, "pharmacy": pharmacy,
            "first_dose_appointment": _appointment_words(bundle, appointments[0] if appointments else None)}


def _naloxone(bundle: _Bundle, statements: list[dict]) -> dict | None:
    dispenses = [dispense for dispense in bundle.of_type("MedicationDispense")
                 if NALOXONE in _substances(bundle, dispense)]
    for statement in statements:
        if NALOXONE in _substances(bundle, statement):
            dispenses += [d for d in _derived(bundle, statement, "MedicationDispense") if d not in dispenses]
    if not dispenses:
        return None
    kits = sum(d["quantity"]["value"] for d in dispenses
               if isinstance(d.get("quantity"), dict) and isinstance(d["quantity"].get("value"), int | float))
    training = [procedure for procedure in bundle.of_type("Procedure")
                if _has_code(procedure.get("code"), CONTINUITY_SYSTEM, "naloxone-training")
                and procedure.get("status") == "completed"]
    handed = _latest(dispenses)
    return {"kits": f"{kits:g}" if kits else "",
            "training_given": ("Yes, " + when(_effective(training[0]))).rstrip(", ") if training else "No",
            "when": when(_effective(handed)) if handed else ""}


# GP, allergies, problems, appointments --------------------------------------------------------------
def _gp(bundle: _Bundle, patient: dict | None) -> dict | None:
    tasks = [task for task in bundle.of_type("Task")
             if _has_code(task.get("code"), CONTINUITY_SYSTEM, "gp-registration")]
    practice = ""
    for reference in _list(patient.get("generalPractitioner") if patient else None):
        practice = practice or _party(bundle, reference)
    status = ""
    if tasks:
        task = tasks[-1]
        practice = practice or _party(bundle, task.get("owner"))
        status = GP_STATUS.get(_str(task.get("status")), "")
    if not practice and not status:
        return None
    return {"practice": practice, "status": status}


def _allergies(bundle: _Bundle, section: dict | None) -> tuple[list[dict], str]:
    found, none = [], _empty_reason(section)
    for allergy in _entries(bundle, section, "AllergyIntolerance"):
        absent = _absent(allergy.get("code"))
        if absent:
            none = f"{none}; {absent}" if none else absent
            continue
        reactions = [r for r in _list(allergy.get("reaction")) if isinstance(r, dict)]
        what = _concept(allergy.get("code")) or _code_words(allergy.get("code"))
        if not what:
            continue
        reaction = ", ".join(filter(None, (_concept(m) for r in reactions for m in _list(r.get("manifestation")))))
        severity = next((_str(r.get("severity")) for r in reactions if _str(r.get("severity"))), "")
        if not severity and _str(allergy.get("criticality")) in ("high", "low"):
            severity = {"high": "High risk", "low": "Low risk"}[allergy["criticality"]]
        found.append({"what": what + _not_current(allergy), "reaction": reaction, "severity": severity.capitalize()})
    return found, none


def _problems(bundle: _Bundle, section: dict | None) -> tuple[list[dict], str]:
    found, none = [], _empty_reason(section)
    for condition in _entries(bundle, section, "Condition"):
        absent = _absent(condition.get("code"))
        if absent:
            none = f"{none}; {absent}" if none else absent
            continue
        what = _concept(condition.get("code")) or _code_words(condition.get("code"))
        if not what:
            continue
        since = when(condition.get("onsetDateTime")) or _str(condition.get("onsetString"))
        if not since and isinstance(condition.get("onsetPeriod"), dict):
            since = when(condition["onsetPeriod"].get("start"))
        status = _concept(condition.get("clinicalStatus"))
        if status == "" and _codings(condition.get("clinicalStatus")):
            status = _str(_codings(condition["clinicalStatus"])[0].get("code"))
        found.append({"what": what, "since": since, "status": status.capitalize()})
    return found, none


def _appointment(bundle: _Bundle, appointment: dict) -> dict:
    what = (_str(appointment.get("description"))
            or next((_concept(c) for c in _list(appointment.get("serviceType")) if _concept(c)), "")
            or _concept(appointment.get("appointmentType")))
    where, people = "", []
    for participant in _list(appointment.get("participant")):
        actor = participant.get("actor") if isinstance(participant, dict) else None
        found = bundle.get(actor)
        kind = found["resourceType"] if found else _str(_dict(actor).get("reference")).split("/")[0]
        if kind == "Patient":
            continue
        if kind == "Location":
            where = where or _party(bundle, actor)
        elif _party(bundle, actor):
            people.append(_party(bundle, actor))
    return {"what": what, "when": when(appointment.get("start")), "where": where, "with": ", ".join(people),
            "_start": appointment.get("start")}


def _appointment_keys(appointment: dict) -> set:
    """What makes two Appointments one: the same id, the same identifier, or the same start and the same
    description (two systems that each made up their own ids)."""
    keys = {("id", _str(appointment.get("id")))} if _str(appointment.get("id")) else {("object", id(appointment))}
    for identifier in _list(appointment.get("identifier")):
        if isinstance(identifier, dict) and _str(identifier.get("value")):
            keys.add(("identifier", _str(identifier.get("system")), _str(identifier["value"])))
    what = _str(appointment.get("description")) or next(
        (_concept(c) for c in _list(appointment.get("serviceType")) if _concept(c)), "")
    if _sort_key(appointment.get("start")) and what:
        keys.add(("start", _sort_key(appointment.get("start")), what.casefold()))
    return keys


def _appointments(bundles: list[_Bundle], today: str | None) -> list[dict]:
    seen, items = set(), []
    for bundle in bundles:
        for appointment in bundle.of_type("Appointment"):
            if appointment.get("status") in ("cancelled", "noshow", "entered-in-error", "fulfilled"):
                continue
            keys = _appointment_keys(appointment)
            if keys & seen:
                continue  # the same appointment, sent in the summary and again with the appointments
            seen |= keys
            start_day = _local_day(appointment.get("start"))
            if today and (start_day is None or start_day < date.fromisoformat(today[:10])):
                continue
            items.append(_appointment(bundle, appointment))
    items.sort(key=lambda item: _sort_key(item["_start"]))
    return [{key: value for key, value in item.items() if key != "_start"} for item in items]


# The summary ----------------------------------------------------------------------------------------
def plain(summary: dict | None, appointments: dict | None = None, today: str | None = None) -> dict:
    """The summary in plain words, every key always present (empty when unknown): see the module docstring.
    `appointments` is a bundle of FHIR Appointments uploaded beside the summary; `today` (YYYY-MM-DD) hides
    appointments before it."""
    bundle = _Bundle(summary)
    composition = _composition(bundle)
    patient = bundle.get(composition.get("subject"), "Patient") if composition else None
    if patient is None and composition is None:
        patients = bundle.of_type("Patient")
        patient = patients[0] if len(patients) == 1 else None
    made_by = ""
    organisation = _party(bundle, composition.get("custodian")) if composition else ""
    for author in _list(composition.get("author") if composition else None):
        found = bundle.get(author)
        if found is not None and found["resourceType"] == "Organization":
            organisation = organisation or _name(found)
        else:
            made_by = made_by or _party(bundle, author)
    release_day = _release_day(bundle, composition)
    release = bool(release_day)

    statements = _entries(bundle, _section(composition, SECTION_MEDICATIONS), "MedicationStatement",
                          "MedicationRequest")
    medicines, ost = [], None
    for statement in statements:
        if statement["resourceType"] == "MedicationStatement" and _is_ost(bundle, statement):
            ost = ost or _ost(bundle, statement, release_day)
        elif NALOXONE in _substances(bundle, statement) and release:
            continue  # a take-home kit, shown under naloxone
        elif _absent(_medication(bundle, statement)[2]):
            continue
        elif statement["resourceType"] == "MedicationStatement":
            medicines.append(_medicine(bundle, statement, release))
        else:
            name = _medication(bundle, statement)[0]
            medicines.append({"name": name + _not_current(statement) if name else "",
                              "dose": _dose(statement.get("dosageInstruction")), "last_given": "",
                              "days_supplied": "", "prescription_issued": ""})
    medicines = [medicine for medicine in medicines if medicine["name"]]
    naloxone = _naloxone(bundle, statements)

    warnings = []
    if ost is not None or naloxone is not None:
        warnings.append(TOLERANCE_WARNING)
    for flag in _entries(bundle, _section(composition, SECTION_ALERTS), "Flag"):
        text = _concept(flag.get("code"))
        if flag.get("status") == "active" and text and text not in warnings:
            warnings.append(text)

    allergies, allergies_none = _allergies(bundle, _section(composition, SECTION_ALLERGIES))
    problems, problems_none = _problems(bundle, _section(composition, SECTION_PROBLEMS))
    return {
        "patient": {"name": _name(patient), "born": when(patient.get("birthDate")) if patient else ""},
        "made": {"at": when(composition.get("date")) if composition else "", "by": made_by,
                 "organisation": organisation},
        "release_date": when(release_day),
        "medicines": medicines,
        "ost": ost,
        "naloxone": naloxone,
        "warnings": warnings,
        "gp": _gp(bundle, patient),
        "allergies": allergies, "allergies_none": allergies_none,
        "problems": problems, "problems_none": problems_none,
        "appointments": _appointments([bundle, _Bundle(appointments)], today),
    }
