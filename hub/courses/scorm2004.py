"""SCORM 2004 in imsmanifest.xml: which SCORM a package is, and what a 2004 package says beyond
its launchable items (the signed manifest's `scorm` field, wire/course_scorm.py).

Which SCORM, from `metadata/schemaversion`:

    1.2 (or 1.2.x)                          SCORM 1.2
    CAM 1.3 (or 1.3)                        SCORM 2004 2nd edition
    2004 3rd Edition, 2004 4th Edition      SCORM 2004 3rd, 4th edition ("SCORM 2004 ..." too)
    none                                    SCORM 2004, edition not stated, if any element or
                                            attribute is in an ADL 2004 or IMS Simple Sequencing
                                            namespace (adlcp_v1p3, adlseq_v1p3, adlnav_v1p3, imsss);
                                            else SCORM 1.2, as before
    anything else                           refused: unsupported_format

What a 2004 package says, read from the default organization:

- the organisation tree: every <item>, nested as in the package, with its title, whether it
  launches (has an identifierref), and whether it is hidden (isvisible="false");
- per launchable item: adlcp:scormType of its resource (sco talks to the runtime API, asset does
  not), adlcp:dataFromLMS (cmi.launch_data), adlcp:completionThreshold, and its objectives
  (imsss:objectives: the primaryObjective and each objective, by objectiveID, with
  satisfiedByMeasure and minNormalizedMeasure: the player's cmi.objectives and
  cmi.scaled_passing_score);
- sequencing: an <imsss:sequencing IDRef> takes the elements of the same-ID entry in
  <imsss:sequencingCollection> that it does not set itself. The player carries out controlMode
  choice (the learner picks any item: the item picker) and flow (previous and next), recorded on
  every node with children, with SCORM's defaults (choice true, flow false) where the package sets
  none, and it lets the content report its own completion and success (deliveryControls
  completionSetByContent, objectiveSetByContent). Every other sequencing element is recorded in
  `not_supported` with the nodes that use it, and the import says so, so the admin knows the
  course may run otherwise than its author meant (in the order of the tree, every item
  selectable where choice is on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from hub.courses.package import PackageError
from wire.course_scorm import MAX_DEPTH, MAX_TEXT
from wire.text import HIDDEN

MANIFEST = "imsmanifest.xml"
NAMESPACES_2004 = ("http://www.adlnet.org/xsd/adlcp_v1p3", "http://www.adlnet.org/xsd/adlseq_v1p3",
                   "http://www.adlnet.org/xsd/adlnav_v1p3", "http://www.imsglobal.org/xsd/imsss")
SCHEMAVERSIONS = "1.2, CAM 1.3, 2004 3rd Edition or 2004 4th Edition"
NOT_SUPPORTED = {
    "sequencingRules": "sequencing rules (pre-, exit and post-conditions)",
    "limitConditions": "limit conditions (attempt limits)",
    "rollupRules": "rollup rules",
    "rollupConsiderations": "rollup considerations",
    "randomizationControls": "randomization",
    "auxiliaryResources": "auxiliary resources",
    "constrainedChoiceConsiderations": "constrained choice",
    "mapInfo": "shared global objectives (objective mapInfo)",
    "forwardOnly": "forward-only navigation (controlMode forwardOnly)",
    "choiceExit": "no choice exit (controlMode choiceExit false)",
    "tracked": "untracked activities (deliveryControls tracked false)",
    "clusterObjectives": "objectives of a cluster (rolled up from its children)",
    "presentation": "hidden navigation controls (adlnav:presentation)",
    "data": "shared data (adlcp:data)",
}
"""Names in `not_supported` and what the import prints for each; any other sequencing element is
named as the package names it."""
SUPPORTED = ("controlMode", "objectives", "deliveryControls")
_EDITION = re.compile(r"(?:scorm\s*)?2004\s*(\d)\s*(?:st|nd|rd|th)?\s*ed(?:ition|\.)?")


@dataclass(frozen=True)
class Version:
    format: str
    edition: int | None
    schemaversion: str


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(name) -> str:
    return name[1:].split("}", 1)[0] if isinstance(name, str) and name.startswith("{") else ""


def _text(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _attr(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().lower() in ("true", "1")


def version(root: Element, stated: str) -> Version:
    """Which SCORM the manifest is, from its schemaversion (`stated`), else its namespaces."""
    text = " ".join(stated.split()).lower()
    if text.startswith("1.2"):
        return Version("scorm12", None, stated)
    if re.fullmatch(r"(?:cam\s*)?1\.3", text):
        return Version("scorm2004", 2, stated)
    if match := _EDITION.fullmatch(text):
        edition = int(match.group(1))
        if edition in (2, 3, 4):
            return Version("scorm2004", edition, stated)
    if text:
        raise PackageError("unsupported_format", f"{MANIFEST} says schemaversion {stated!r}; the hub imports "
                           f"SCORM 1.2 and SCORM 2004 (schemaversion {SCHEMAVERSIONS})")
    for element in root.iter():
        if _namespace(element.tag) in NAMESPACES_2004 or any(_namespace(k) in NAMESPACES_2004 for k in element.attrib):
            return Version("scorm2004", None, "")
    return Version("scorm12", None, "")


class _Reader:
    """Walks the default organization once, collecting what the `scorm` field holds."""

    def __init__(self, root: Element, types: dict[str, str]):
        self.types = types
        """item id -> "sco" | "asset": each launchable item's resource type."""
        self.items: dict[str, dict] = {}
        self.used: set[str] = set()
        self.not_supported: dict[str, list[str]] = {}
        holder = _child(root, "sequencingCollection")
        entries = [s for s in holder if _local(s.tag) == "sequencing"] if holder is not None else []
        self.collection = {s.get("ID"): s for s in entries}

    def note(self, name: str, where: str) -> None:
        found = self.not_supported.setdefault(name, [])
        if where not in found:
            found.append(where)

    def sequencing(self, element: Element, where: str) -> list[Element]:
        """The node's sequencing elements, with those of a referenced collection entry it does not set."""
        own = _child(element, "sequencing")
        if own is None:
            return []
        found = list(own)
        ref = own.get("IDRef")
        if ref:
            if ref not in self.collection:
                raise PackageError("bad_manifest", f"{MANIFEST}: the sequencing of {where!r} refers to IDRef {ref!r}, "
                                   "which is not in the manifest's <imsss:sequencingCollection>")
            named = {_local(e.tag) for e in found}
            found = [e for e in self.collection[ref] if _local(e.tag) not in named] + found
        return found

    def node(self, element: Element, depth: int, organization: bool = False) -> dict:
        where = element.get("identifier") or ""
        if depth > MAX_DEPTH:
            raise PackageError("bad_manifest", f"{MANIFEST}'s organization nests items deeper than {MAX_DEPTH}")
        launch = not organization and bool(element.get("identifierref"))
        children = [self.node(child, depth + 1) for child in element if _local(child.tag) == "item"]
        node = {"id": where, "title": _text(_child(element, "title")) or where, "launch": launch,
                "hidden": _flag(element.get("isvisible"), True) is False, "children": children}
        mode = {"choice": True, "flow": False}
        objectives: list[dict] = []
        for rule in self.sequencing(element, where):
            name = _local(rule.tag)
            if name == "controlMode":
                self.used.add(name)
                mode = {"choice": _flag(rule.get("choice"), True), "flow": _flag(rule.get("flow"), False)}
                if _flag(rule.get("forwardOnly"), False):
                    self.note("forwardOnly", where)
                if not _flag(rule.get("choiceExit"), True):
                    self.note("choiceExit", where)
            elif name == "objectives":
                objectives = self.objectives(rule, where)
            elif name == "deliveryControls":
                self.used.add(name)
                if not _flag(rule.get("tracked"), True):
                    self.note("tracked", where)
            else:
                self.note(name, where)
        for extra in element:
            if _local(extra.tag) in ("presentation", "data"):
                self.note(_local(extra.tag), where)
        if children:
            node["control_mode"] = mode
            if objectives:
                self.note("clusterObjectives", where)
        if launch:
            self.items[where] = self.item(element, where, objectives)
        return node

    def objectives(self, holder: Element, where: str) -> list[dict]:
        found = []
        for objective in holder:
            kind = _local(objective.tag)
            if kind not in ("primaryObjective", "objective"):
                continue
            identifier = objective.get("objectiveID") or None
            if identifier is None and kind == "objective":
                raise PackageError("bad_manifest", f"{MANIFEST}: an <imsss:objective> of {where!r} has no objectiveID")
            if identifier is not None and (len(identifier) > MAX_TEXT or HIDDEN.search(identifier)
                                           or any(ord(c) < 32 for c in identifier)):
                raise PackageError("bad_manifest", f"{MANIFEST}: an objectiveID of {where!r} is over {MAX_TEXT} "
                                   "characters or holds a control character")
            measure = _text(_child(objective, "minNormalizedMeasure"))
            try:
                value = float(measure) if measure else 1.0
            except ValueError:
                value = None
            if value is None or not -1 <= value <= 1:
                raise PackageError("bad_manifest", f"{MANIFEST}: minNormalizedMeasure {measure!r} of {where!r} is not "
                                   "a number from -1 to 1")
            found.append({"id": identifier, "primary": kind == "primaryObjective",
                          "satisfied_by_measure": _flag(objective.get("satisfiedByMeasure"), False),
                          "min_normalized_measure": value})
            if any(_local(e.tag) == "mapInfo" for e in objective):
                self.note("mapInfo", where)
        if found:
            self.used.add("objectives")
        return found

    def item(self, element: Element, where: str, objectives: list[dict]) -> dict:
        item = {"type": self.types.get(where, "sco"), "objectives": objectives}
        data = _child(element, "dataFromLMS")
        if data is not None:
            item["data_from_lms"] = "".join(data.itertext()).strip()[:MAX_TEXT]
        threshold = _child(element, "completionThreshold")
        if threshold is not None:
            value = _text(threshold) or (_attr(threshold, "minProgressMeasure") or "1.0"
                                         if _flag(_attr(threshold, "completedByMeasure"), False) else "")
            try:
                number = float(value) if value else None
            except ValueError:
                number = None
            if number is not None and 0 <= number <= 1:
                item["completion_threshold"] = number
        return item


def describe(root: Element, organization: Element, types: dict[str, str], found: Version) -> dict:
    """The signed manifest's `scorm` field for a SCORM 2004 package."""
    reader = _Reader(root, types)
    tree = reader.node(organization, 0, organization=True)
    return {"version": "2004", "edition": found.edition, "schemaversion": found.schemaversion,
            "organization": tree, "items": reader.items,
            "sequencing": {"supported": [name for name in SUPPORTED if name in reader.used],
                           "not_supported": reader.not_supported}}


def not_supported_text(scorm: dict) -> list[str]:
    """One line per sequencing feature the package uses that the player does not carry out."""
    lines = []
    for name, where in (scorm.get("sequencing") or {}).get("not_supported", {}).items():
        shown = ", ".join(where[:3]) + (f" and {len(where) - 3} more" if len(where) > 3 else "")
        lines.append(f"{NOT_SUPPORTED.get(name, name)}: {shown}")
    return lines
