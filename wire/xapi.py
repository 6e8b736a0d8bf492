"""xAPI 1.0.3 statements: how Throughgate writes learning records for any Learning Record Store.

    {"id": "<uuid>", "timestamp": "2026-11-26T20:10:00.000Z",
     "actor": {"objectType": "Agent", "account": {"homePage": "urn:throughgate", "name": "L-0042"}},
     "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
     "object": {"objectType": "Activity", "id": "urn:throughgate:course:maths-1/unit-3",
                "definition": {"name": {"en-US": "Fractions"}}},
     "result": {"completion": true, "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}}}

The actor is always the pseudonymous learner id as an account on `urn:throughgate`: never a
name, never an email address. `statement` builds one; `validate` checks the rules of the xAPI
1.0.3 data model (Part Two of the specification) that an LRS enforces with 400 Bad Request,
naming the first one broken. Throughgate always sends a statement id (an LRS answers a repeat
of an id with 204/409, which makes forwarding idempotent), so `validate` requires one.
"""

from __future__ import annotations

import math
import re
import uuid
from urllib.parse import quote, unquote

from wire.records import timestamp as now_timestamp
from wire.records import timestamp_problem, valid_dns_label

XAPI_VERSION = "1.0.3"
HOME_PAGE = "urn:throughgate"
ACTIVITY_PREFIX = "urn:throughgate:course:"
LANGUAGE = "en-US"

_ADL = "http://adlnet.gov/expapi/verbs/"
VERBS: dict[str, str] = {
    # ADL's core verbs (http://adlnet.gov/expapi/verbs/...), listed in ADL's xAPI vocabulary registry.
    **{name: _ADL + name for name in (
        "answered", "asked", "attempted", "attended", "commented", "completed", "exited",
        "experienced", "failed", "imported", "initialized", "interacted", "launched", "mastered",
        "passed", "preferred", "progressed", "registered", "responded", "resumed", "scored",
        "shared", "suspended", "terminated", "voided")},
    # ADL's core set has no verb for these two; the registry lists these IRIs for them.
    "submitted": "http://activitystrea.ms/schema/1.0/submit",
    "earned": "http://id.tincanapi.com/verb/earned",
}

_STATEMENT_FIELDS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                     "authority", "version", "attachments"}
_AGENT_FIELDS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_DEFINITION_FIELDS = {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                      "correctResponsesPattern", "choices", "scale", "source", "target", "steps"}
_INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                      "sequencing", "likert", "numeric", "other"}
_RESULT_FIELDS = {"score", "success", "completion", "response", "duration", "extensions"}
_SCORE_FIELDS = {"scaled", "raw", "min", "max"}
_CONTEXT_FIELDS = {"registration", "instructor", "team", "contextActivities", "revision", "platform",
                   "language", "statement", "extensions"}
_CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
_ATTACHMENT_FIELDS = {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]+")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_SHA1 = re.compile(r"[0-9a-f]{40}")
_VERSION = re.compile(r"1\.0\.\d+")
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"P(?:(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}D)?(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?|{_NUMBER}W)")


class XapiError(ValueError):
    """A statement that breaks an xAPI rule; `reason` names the rule and where."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def activity_id(course: str, item: str | None = None) -> str:
    """`urn:throughgate:course:<course>[/<item>]`; the item is percent-encoded into one segment."""
    if not valid_dns_label(course):
        raise XapiError(f"course {course!r} is not a lower-case DNS label")
    if item is None:
        return ACTIVITY_PREFIX + course
    if not isinstance(item, str) or not item:
        raise XapiError("an item id is a non-empty string")
    return f"{ACTIVITY_PREFIX}{course}/{quote(item, safe='-._~')}"


def parse_activity_id(iri: str) -> tuple[str, str | None]:
    """(course, item or None) from an activity id that `activity_id` made."""
    if not isinstance(iri, str) or not iri.startswith(ACTIVITY_PREFIX):
        raise XapiError(f"{iri!r} is not a Throughgate activity id")
    course, _, item = iri[len(ACTIVITY_PREFIX):].partition("/")
    if not valid_dns_label(course):
        raise XapiError(f"{iri!r} does not name a course")
    return course, (unquote(item) if item else None)


def agent(learner: str) -> dict:
    """The pseudonymous learner as an xAPI Agent: an account, never a name or email."""
    return {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": learner}}


def verb_object(name: str) -> dict:
    """A verb from VERBS with its display language map."""
    if name not in VERBS:
        raise XapiError(f"verb {name!r} is not one of {', '.join(sorted(VERBS))}")
    return {"id": VERBS[name], "display": {LANGUAGE: name}}


def statement(actor_learner: str, verb: str, object_id: str, object_name: str | None = None,
              result: dict | None = None, context: dict | None = None,
              statement_id: str | None = None, timestamp: str | None = None) -> dict:
    """Build one xAPI 1.0.3 statement (validated). `verb` is a key of VERBS."""
    built = {
        "id": statement_id or str(uuid.uuid4()),
        "timestamp": timestamp or now_timestamp(),
        "actor": agent(actor_learner),
        "verb": verb_object(verb),
        "object": {"objectType": "Activity", "id": object_id},
    }
    if object_name is not None:
        built["object"]["definition"] = {"name": {LANGUAGE: object_name}}
    if result is not None:
        built["result"] = result
    if context is not None:
        built["context"] = context
    validate(built)
    return built



# --- validation: each helper raises XapiError naming the path of the first problem ---

def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise XapiError(reason)


def _object(value, where: str) -> dict:
    _require(isinstance(value, dict), f"{where} must be a JSON object")
    return value


def _only(value: dict, allowed: set[str], where: str) -> None:
    unknown = set(value) - allowed
    _require(not unknown, f"{where} has unknown propert{'y' if len(unknown) == 1 else 'ies'}: "
                          f"{', '.join(sorted(map(str, unknown)))}")


def is_iri(value) -> bool:
    return isinstance(value, str) and len(value) <= 2048 and bool(_IRI.fullmatch(value))


def is_uuid(value) -> bool:
    return isinstance(value, str) and bool(_UUID.fullmatch(value))


def is_duration(value) -> bool:
    return (isinstance(value, str) and bool(_DURATION.fullmatch(value))
            and value not in ("P", "PT") and not value.endswith("T"))


def _iri(value, where: str) -> None:
    _require(is_iri(value), f"{where} must be an IRI (scheme:rest, no spaces)")


def _number(value, where: str) -> float:
    _require(isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
             f"{where} must be a number")
    return value


def _language_map(value, where: str, non_empty: bool = False) -> None:
    _object(value, where)
    _require(bool(value) or not non_empty, f"{where} must hold at least one language")
    for tag, text in value.items():
        _require(bool(_LANGUAGE_TAG.fullmatch(tag)), f"{where} key {tag!r} is not an RFC 5646 language tag")
        _require(isinstance(text, str), f"{where}[{tag!r}] must be a string")


def _extensions(value, where: str) -> None:
    _object(value, where)
    for key in value:
        _iri(key, f"{where} key {key!r}")


def validate_agent(value, where: str = "actor") -> None:
    """An Agent with exactly one inverse functional identifier."""
    _object(value, where)
    _only(value, _AGENT_FIELDS, where)
    _require(value.get("objectType", "Agent") == "Agent", f"{where}.objectType must be 'Agent'")
    present = [ifi for ifi in _IFIS if ifi in value]
    _require(len(present) == 1, f"{where} must have exactly one of {', '.join(_IFIS)} (has {len(present)})")
    if "name" in value:
        _require(isinstance(value["name"], str), f"{where}.name must be a string")
    ifi = present[0]
    if ifi == "account":
        account = _object(value["account"], f"{where}.account")
        _only(account, {"homePage", "name"}, f"{where}.account")
        _require("homePage" in account and "name" in account, f"{where}.account needs homePage and name")
        _iri(account["homePage"], f"{where}.account.homePage")
        _require(isinstance(account["name"], str) and account["name"] != "",
                 f"{where}.account.name must be a non-empty string")
    elif ifi == "mbox":
        _require(isinstance(value["mbox"], str) and value["mbox"].startswith("mailto:")
                 and "@" in value["mbox"], f"{where}.mbox must be a mailto: IRI")
    elif ifi == "mbox_sha1sum":
        _require(isinstance(value["mbox_sha1sum"], str) and bool(_SHA1.fullmatch(value["mbox_sha1sum"])),
                 f"{where}.mbox_sha1sum must be 40 lower-case hex digits")
    else:
        _iri(value["openid"], f"{where}.openid")


def _group(value, where: str) -> None:
    _object(value, where)
    _only(value, _AGENT_FIELDS | {"member"}, where)
    _require(value.get("objectType") == "Group", f"{where}.objectType must be 'Group'")
    members = value.get("member", [])
    _require(isinstance(members, list), f"{where}.member must be an array")
    for index, member in enumerate(members):
        validate_agent(member, f"{where}.member[{index}]")
    if not any(ifi in value for ifi in _IFIS):
        _require(bool(members), f"{where}: an anonymous Group must list its members")


def _agent_or_group(value, where: str) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        _group(value, where)
    else:
        validate_agent(value, where)


def _verb_rules(value) -> None:
    _object(value, "verb")
    _only(value, {"id", "display"}, "verb")
    _iri(value.get("id"), "verb.id")
    _require("display" in value, "verb.display (a language map) is required")
    _language_map(value["display"], "verb.display", non_empty=True)


def _statement_ref(value, where: str) -> None:
    _only(value, {"objectType", "id"}, where)
    _require(is_uuid(value.get("id")), f"{where}.id must be a UUID")


def _activity(value, where: str) -> None:
    _object(value, where)
    _only(value, {"objectType", "id", "definition"}, where)
    _require(value.get("objectType", "Activity") == "Activity", f"{where}.objectType must be 'Activity'")
    _iri(value.get("id"), f"{where}.id")
    if "definition" not in value:
        return
    definition = _object(value["definition"], f"{where}.definition")
    _only(definition, _DEFINITION_FIELDS, f"{where}.definition")
    for field in ("name", "description"):
        if field in definition:
            _language_map(definition[field], f"{where}.definition.{field}")
    for field in ("type", "moreInfo"):
        if field in definition:
            _iri(definition[field], f"{where}.definition.{field}")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{where}.definition.extensions")
    if "interactionType" in definition:
        _require(definition["interactionType"] in _INTERACTION_TYPES,
                 f"{where}.definition.interactionType must be one of {', '.join(sorted(_INTERACTION_TYPES))}")
    if "correctResponsesPattern" in definition:
        pattern = definition["correctResponsesPattern"]
        _require(isinstance(pattern, list) and all(isinstance(p, str) for p in pattern),
                 f"{where}.definition.correctResponsesPattern must be an array of strings")


def _object_rules(value) -> str:
    _object(value, "object")
    kind = value.get("objectType", "Activity")
    if kind == "StatementRef":
        _statement_ref(value, "object")
    else:
        _require(kind == "Activity", f"object.objectType {kind!r} is not supported here (Activity or StatementRef)")
        _activity(value, "object")
    return kind


def _score(value) -> None:
    _object(value, "result.score")
    _only(value, _SCORE_FIELDS, "result.score")
    numbers = {field: _number(value[field], f"result.score.{field}") for field in _SCORE_FIELDS if field in value}
    if "scaled" in numbers:
        _require(-1 <= numbers["scaled"] <= 1, "result.score.scaled must be between -1 and 1")
    if "min" in numbers and "max" in numbers:
        _require(numbers["min"] < numbers["max"], "result.score.min must be less than result.score.max")
    if "raw" in numbers:
        _require(numbers["raw"] >= numbers.get("min", -math.inf), "result.score.raw must not be below min")
        _require(numbers["raw"] <= numbers.get("max", math.inf), "result.score.raw must not be above max")


def _result(value) -> None:
    _object(value, "result")
    _only(value, _RESULT_FIELDS, "result")
    if "score" in value:
        _score(value["score"])
    for field in ("success", "completion"):
        if field in value:
            _require(isinstance(value[field], bool), f"result.{field} must be true or false")
    if "response" in value:
        _require(isinstance(value["response"], str), "result.response must be a string")
    if "duration" in value:
        _require(is_duration(value["duration"]), "result.duration must be an ISO 8601 duration (e.g. PT1M30S)")
    if "extensions" in value:
        _extensions(value["extensions"], "result.extensions")


def _context(value, object_kind: str) -> None:
    _object(value, "context")
    _only(value, _CONTEXT_FIELDS, "context")
    if "registration" in value:
        _require(is_uuid(value["registration"]), "context.registration must be a UUID")
    if "instructor" in value:
        _agent_or_group(value["instructor"], "context.instructor")
    if "team" in value:
        _group(value["team"], "context.team")
    if "contextActivities" in value:
        activities = _object(value["contextActivities"], "context.contextActivities")
        _only(activities, _CONTEXT_ACTIVITY_KEYS, "context.contextActivities")
        for key, listed in activities.items():
            for index, activity in enumerate(listed if isinstance(listed, list) else [listed]):
                _activity(activity, f"context.contextActivities.{key}[{index}]")
    for field in ("revision", "platform"):
        if field in value:
            _require(isinstance(value[field], str), f"context.{field} must be a string")
            _require(object_kind == "Activity", f"context.{field} is only for a statement about an Activity")
    if "language" in value:
        _require(isinstance(value["language"], str) and bool(_LANGUAGE_TAG.fullmatch(value["language"])),
                 "context.language must be an RFC 5646 language tag")
    if "statement" in value:
        ref = _object(value["statement"], "context.statement")
        _require(ref.get("objectType") == "StatementRef", "context.statement.objectType must be 'StatementRef'")
        _statement_ref(ref, "context.statement")
    if "extensions" in value:
        _extensions(value["extensions"], "context.extensions")


def _attachments(value) -> None:
    _require(isinstance(value, list), "attachments must be an array")
    for index, attachment in enumerate(value):
        where = f"attachments[{index}]"
        _object(attachment, where)
        _only(attachment, _ATTACHMENT_FIELDS, where)
        _iri(attachment.get("usageType"), f"{where}.usageType")
        _language_map(attachment.get("display"), f"{where}.display", non_empty=True)
        _require(isinstance(attachment.get("contentType"), str), f"{where}.contentType must be a string")
        length = attachment.get("length")
        _require(type(length) is int and length >= 0, f"{where}.length must be a whole number")
        _require(isinstance(attachment.get("sha2"), str), f"{where}.sha2 must be a string")


def _timestamp(value, field: str) -> None:
    problem = timestamp_problem(value)
    _require(problem is None, f"{field} {problem}")


def validate(statement: dict) -> None:
    """Raise XapiError naming the first xAPI 1.0.3 rule the statement breaks."""
    _object(statement, "a statement")
    _only(statement, _STATEMENT_FIELDS, "the statement")
    for required in ("id", "actor", "verb", "object"):
        _require(required in statement, f"the statement has no {required!r}")
    _require(is_uuid(statement["id"]), "id must be a UUID")
    _agent_or_group(statement["actor"], "actor")
    _verb_rules(statement["verb"])
    object_kind = _object_rules(statement["object"])
    if "result" in statement:
        _result(statement["result"])
    if "context" in statement:
        _context(statement["context"], object_kind)
    for field in ("timestamp", "stored"):
        if field in statement:
            _timestamp(statement[field], field)
    if "authority" in statement:
        _agent_or_group(statement["authority"], "authority")
    if "version" in statement:
        _require(isinstance(statement["version"], str) and bool(_VERSION.fullmatch(statement["version"])),
                 "version must be 1.0.x")
    if "attachments" in statement:
        _attachments(statement["attachments"])
