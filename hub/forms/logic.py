"""A form's logic, from the expressions in its field list (hub/forms/expressions.py): at publishing, every
`${name}` must be a question of the form, a choice_filter may read only its choices' columns, and calculations
may not depend on each other in a circle; at each submission, skip logic, required-if, constraints with
expressions, filtered choices and calculations, as ODK Collect applies them. Pure functions: no I/O.

- **relevant**: a question is asked when its own `relevant` and those of the groups around it are true. The
  answer to a question not asked must be empty: one sent anyway is refused naming the field.
- **required**: `required` (yes) or `required_if` (an expression) counts only where the question is asked.
- **constraint**: `constraint_expr` is checked on an answered question, `.` being its answer.
- **choice_filter**: each chosen name must be one of the choices the filter leaves, for the answers given.
- **calculate**: the hub computes each calculation from the answers (empty where not asked) and stores its
  value as text; a phone that sent another value has its value replaced and the field flagged
  `calculation_differs` (a worker sees both were not the same; the evidence is not refused for it).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from hub.forms import expressions

EXPRESSION_KEYS = ("relevant", "required_if", "constraint_expr", "calculation", "choice_filter")
COLUMNS = {"required_if": "required", "constraint_expr": "constraint"}
"""The XLSForm column each key of the field list comes from, where its name differs."""


class LogicRefused(ValueError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"field '{path}': {reason}")
        self.path, self.reason = path, reason


@lru_cache(maxsize=2048)
def _tree(text: str) -> list:
    return expressions.parse(text)


def problems(fields: list[dict]) -> list[str]:
    """What stops a published form's logic from working: unknown names, a filter reading what its choices do
    not have, calculations in a circle."""
    found: list[str] = []
    names = {f["name"] for f in fields}
    paths: dict[str, list[str]] = {}
    for f in fields:
        paths.setdefault(f["name"], []).append(f["path"])
    for f in fields:
        for key in EXPRESSION_KEYS:
            if key not in f:
                continue
            tree = _tree(f[key])
            column = COLUMNS.get(key, key)
            for missing in sorted(expressions.references(tree) - names):
                found.append(f"field '{f['path']}': the {column} '{f[key]}' refers to ${{{missing}}}, which is not a "
                             "question of this form")
            for twice in sorted(name for name in expressions.references(tree) & names if len(paths[name]) > 1):
                found.append(f"field '{f['path']}': the {column} '{f[key]}' refers to ${{{twice}}}, and the form has "
                             f"more than one question named {twice} ({', '.join(paths[twice])}): rename one")
            if key == "choice_filter":
                columns = {"name"} | {k for choice in f.get("choices", []) for k in choice.get("data", {})}
                for bare in sorted({node[1] for node in expressions.walk(tree) if node[0] == "name"} - columns):
                    found.append(f"field '{f['path']}': the choice_filter '{f[key]}' reads '{bare}', which is not a "
                                 f"column of its choices (they have {', '.join(sorted(columns))}; a text goes "
                                 f"between quotes, like '{bare}')")
    if not found:
        found.extend(_circles(fields))
    return found


def _needs(field: dict, by_path: dict[str, dict]) -> set[str]:
    """The names a field's value or relevance reads, its groups' relevance included."""
    needed = set()
    for key in ("calculation", "relevant"):
        if key in field:
            needed |= expressions.references(_tree(field[key]))
    group = by_path.get(field.get("group", ""))
    return needed | (_needs(group, by_path) if group else set())


def _circles(fields: list[dict]) -> list[str]:
    by_path = {f["path"]: f for f in fields}
    calculated = {f["name"]: f for f in fields if f["type"] == "calculate"}
    needs = {name: _needs(f, by_path) & set(calculated) for name, f in calculated.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> str | None:
        if name in trail:
            return " -> ".join([*trail[trail.index(name):], name])
        if name in done:
            return None
        for other in sorted(needs[name]):
            if circle := visit(other, [*trail, name]):
                return circle
        done.add(name)
        return None

    for name in calculated:
        if circle := visit(name, []):
            return [f"the calculations depend on each other in a circle ({circle}): break it"]
    return []


def _message(field: dict) -> str:
    said = field.get("constraint_message") or {}
    return said.get("en") or said.get("default") or next(iter(said.values()), "")


class _Submission:
    """One submission's answers as the expressions see them, with the calculations computed on demand."""

    def __init__(self, fields: list[dict], stored: dict, today: date):
        self.by_path = {f["path"]: f for f in fields}
        self.calculated = {f["name"]: f for f in fields if f["type"] == "calculate"}
        self.answers = {f["name"]: stored[f["path"]] for f in fields if f["path"] in stored
                        and f["type"] != "calculate"}
        self.today = today
        self.computing: set[str] = set()

    def value(self, text: str, current=None, item=None):
        tree = _tree(text)
        for name in expressions.references(tree):
            if name in self.calculated and name not in self.answers:
                self.compute(name)
        return expressions.evaluate(tree, self.answers, {"today": self.today, "current": current, "item": item})

    def compute(self, name: str) -> str:
        if name not in self.answers:
            field = self.calculated[name]
            if name in self.computing:  # publishing refuses circles; a field list from elsewhere may have one
                raise LogicRefused(field["path"], "its calculation depends on itself")
            self.computing.add(name)
            try:
                asked = self.asked(field)
                self.answers[name] = expressions.to_string(self.value(field["calculation"])) if asked else ""
            except expressions.ExpressionRefused as exc:
                raise LogicRefused(field["path"], f"its calculation cannot be made: {exc.reason}") from None
            self.computing.discard(name)
        return self.answers[name]

    def asked(self, field: dict) -> bool:
        group = self.by_path.get(field.get("group", ""))
        if group is not None and not self.asked(group):
            return False
        return "relevant" not in field or expressions.to_boolean(self.value(field["relevant"],
                                                                             self.answers.get(field["name"])))


def apply(fields: list[dict], stored: dict, sent: dict, today: date) -> tuple[dict, dict[str, list[str]]]:
    """The submission's calculated values (path -> text) and flags; LogicRefused for an answer to a question
    not asked, a required one missing, a constraint not met or a choice the filter does not offer. `stored`
    holds the checked answers by path (fields.py), `sent` what the phone sent (for its calculated values)."""
    state = _Submission(fields, stored, today)
    calculated, flags = {}, {}
    for field in fields:
        path, kind = field["path"], field["type"]
        if kind in ("group", "note"):
            continue
        if kind == "calculate":
            value = state.compute(field["name"])
            if value != "":
                calculated[path] = value
            if sent.get(path) not in (None, "") and expressions.to_string(expressions.answer_value(sent[path])) \
                    != value:
                flags[path] = ["calculation_differs"]
            continue
        answered = path in stored
        if not state.asked(field):
            if answered:
                raise LogicRefused(path, f"this question is not asked for the answers given (relevant: "
                                   f"{_why_not_asked(field, state)}), so leave it empty")
            continue
        if not answered:
            if field.get("required") or ("required_if" in field and expressions.to_boolean(
                    state.value(field["required_if"]))):
                raise LogicRefused(path, "this question must be answered")
            continue
        _check_answer(field, stored[path], state)
    return calculated, flags


def _why_not_asked(field: dict, state: _Submission) -> str:
    group = state.by_path.get(field.get("group", ""))
    if group is not None and not state.asked(group):
        return _why_not_asked(group, state)
    return field.get("relevant", "")


def _check_answer(field: dict, value, state: _Submission) -> None:
    path = field["path"]
    if "constraint_expr" in field and not expressions.to_boolean(state.value(field["constraint_expr"], value)):
        said = _message(field)
        raise LogicRefused(path, f"{value!r} does not meet this question's rule {field['constraint_expr']!r}"
                           + (f": {said}" if said else ""))
    if "choice_filter" in field:
        offered = [c["name"] for c in field.get("choices", [])
                   if expressions.to_boolean(state.value(field["choice_filter"], value,
                                                         {**c.get("data", {}), "name": c["name"]}))]
        for name in value if isinstance(value, list) else [value]:
            if name not in offered:
                raise LogicRefused(path, f"{name!r} is not one of the choices offered for the answers given: "
                                   f"{', '.join(offered) or 'none'}")
