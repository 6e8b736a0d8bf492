"""What a signed course manifest says about its SCORM package, beyond the items: the `scorm` field.

    scorm = {"version": "2004", "edition": 2 | 3 | 4 | null, "schemaversion": str,
             "organization": node,
             "items": {item id: {"type": "sco" | "asset",
                                 "objectives": [objective], "data_from_lms"?: str,
                                 "completion_threshold"?: number}},
             "sequencing": {"supported": [str], "not_supported": {name: [node id]}}}
    node = {"id", "title", "launch": bool, "hidden": bool, "children": [node],
            "control_mode"?: {"choice": bool, "flow": bool}}          (on every node with children)
    objective = {"id": str | null, "primary": bool, "satisfied_by_measure": bool,
                 "min_normalized_measure": number}

The edition is 2 for schemaversion `CAM 1.3`, 3 and 4 for `2004 3rd/4th Edition`, and null when
the package states none (it was known as SCORM 2004 by its namespaces). `node.launch` says the node
is one of the manifest's items (same id); a node with children is a cluster the player shows as a
heading, navigated as its `control_mode` says (SCORM's defaults, choice true and flow false, when
the package sets none). `not_supported` names the IMS Simple Sequencing elements (and ADL
extensions) the package uses that the player does not carry out, with the nodes that use them.

Only `format: "scorm2004"` manifests carry it (and must): a `scorm12` or `native` manifest has no
such field, so an edge of an earlier release, whose parser takes only the fields it knows, still
takes them. (It refuses a `scorm2004` manifest as an unknown format, that course alone.)
"""

from __future__ import annotations

from wire.errors import CodedError

VERSIONS = {"scorm2004": "2004"}
EDITIONS = (2, 3, 4, None)
MAX_NODES = 10_000
MAX_DEPTH = 64
MAX_TEXT = 4000
"""An objective id (a URI in SCORM 2004: 4000 characters at most) or data_from_lms."""
_TOP = {"version", "edition", "schemaversion", "organization", "items", "sequencing"}
_NODE = {"id", "title", "launch", "hidden", "children", "control_mode"}
_ITEM = {"type", "objectives", "data_from_lms", "completion_threshold"}
_OBJECTIVE = {"id", "primary", "satisfied_by_measure", "min_normalized_measure"}


class ScormFieldError(CodedError):
    """The `scorm` field breaks a rule; wire.courses raises it as ManifestError(bad_manifest)."""


def _fail(reason: str):
    raise ScormFieldError("bad_manifest", f"scorm: {reason}")


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value, what: str, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        _fail(f"{what} must be a string of at most {MAX_TEXT} characters")


def check(raw, format: str, item_ids: set[str]) -> dict:
    """The field, if it keeps these rules for a manifest of `format` whose items are `item_ids`."""
    if format not in VERSIONS:
        _fail(f"a {format} manifest has no scorm field")
    if not isinstance(raw, dict) or not raw.keys() <= _TOP or not {"version", "edition"} <= raw.keys():
        _fail(f"must be an object with version and edition, and only {sorted(_TOP)}")
    if raw["version"] != VERSIONS[format]:
        _fail(f"version {raw['version']!r} does not match format {format}")
    if raw["edition"] not in EDITIONS or isinstance(raw["edition"], bool):
        _fail(f"edition {raw['edition']!r} is not one of {EDITIONS}")
    _text(raw.get("schemaversion", ""), "schemaversion")
    items = raw.get("items", {})
    if not isinstance(items, dict) or not set(items) <= item_ids:
        _fail("items must be an object keyed by the manifest's item ids")
    for item_id, item in items.items():
        _check_item(item_id, item)
    if "organization" in raw:
        count = _check_node(raw["organization"], item_ids, 0, [0])
        if count > MAX_NODES:
            _fail(f"more than {MAX_NODES} nodes in the organization")
    sequencing = raw.get("sequencing", {})
    if not isinstance(sequencing, dict) or not {"supported", "not_supported"} >= sequencing.keys():
        _fail("sequencing must be {supported, not_supported}")
    supported, missing = sequencing.get("supported", []), sequencing.get("not_supported", {})
    if not isinstance(supported, list) or not all(isinstance(s, str) for s in supported):
        _fail("sequencing.supported must be a list of names")
    if not isinstance(missing, dict) or not all(
            isinstance(where, list) and all(isinstance(w, str) for w in where) for where in missing.values()):
        _fail("sequencing.not_supported must map a name to the ids of the nodes that use it")
    return raw


def _check_item(item_id: str, item) -> None:
    if not isinstance(item, dict) or not item.keys() <= _ITEM or item.get("type") not in ("sco", "asset"):
        _fail(f"item {item_id!r} must be {{type: sco | asset, objectives, ...}}")
    if "data_from_lms" in item:
        _text(item["data_from_lms"], f"item {item_id!r} data_from_lms")
    if "completion_threshold" in item and not (
            _is_number(item["completion_threshold"]) and 0 <= item["completion_threshold"] <= 1):
        _fail(f"item {item_id!r} completion_threshold must be a number from 0 to 1")
    objectives = item.get("objectives", [])
    if not isinstance(objectives, list):
        _fail(f"item {item_id!r} objectives must be a list")
    for objective in objectives:
        if not isinstance(objective, dict) or objective.keys() != _OBJECTIVE:
            _fail(f"item {item_id!r}: each objective must be {sorted(_OBJECTIVE)}")
        _text(objective["id"], f"item {item_id!r} objective id", nullable=bool(objective["primary"]))
        if not isinstance(objective["primary"], bool) or not isinstance(objective["satisfied_by_measure"], bool):
            _fail(f"item {item_id!r}: an objective's primary and satisfied_by_measure are true or false")
        if not _is_number(objective["min_normalized_measure"]) or not -1 <= objective["min_normalized_measure"] <= 1:
            _fail(f"item {item_id!r}: min_normalized_measure must be a number from -1 to 1")


def _check_node(node, item_ids: set[str], depth: int, count: list[int]) -> int:
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_NODES:
        _fail(f"the organization is deeper than {MAX_DEPTH} or has more than {MAX_NODES} nodes")
    if not isinstance(node, dict) or not node.keys() <= _NODE or not {"id", "title", "children"} <= node.keys():
        _fail("each organization node must be {id, title, launch, hidden, children[, control_mode]}")
    if not isinstance(node["id"], str) or not isinstance(node["title"], str) or not isinstance(node["children"], list):
        _fail("a node's id and title are strings, its children a list")
    if node.get("launch") and node["id"] not in item_ids:
        _fail(f"node {node['id']!r} is launchable but is not one of the manifest's items")
    mode = node.get("control_mode")
    if mode is not None and (not isinstance(mode, dict) or mode.keys() != {"choice", "flow"}
                             or not all(isinstance(v, bool) for v in mode.values())):
        _fail(f"node {node['id']!r}: control_mode must be {{choice: bool, flow: bool}}")
    for child in node["children"]:
        _check_node(child, item_ids, depth + 1, count)
    return count[0]
