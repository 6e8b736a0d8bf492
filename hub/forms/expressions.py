"""The XPath expressions an XLSForm writes in `relevant`, `required`, `constraint`, `calculation` and
`choice_filter`, for the subset the ODK XForms spec gives forms: parsed (never Python's eval) and evaluated
against a submission's answers. The person's app has the same evaluator (app/src/phone/forms/expressions.js),
and tests/hub/test_forms_expressions_node.py runs both on one table of cases.

`parse(text) -> tree` or ExpressionRefused saying what is not taken; `evaluate(tree, answers, context) -> value`;
`references(tree)` the `${name}`s it reads. A tree is JSON (lists): ["num", 1.5], ["str", "x"], ["ref", "name"]
(`${name}`), ["cur"] (`.`), ["name", "state"] (a bare name: a column of the choice a choice_filter looks at),
["neg", a], ["op", "+", a, b], ["call", "selected", [args]].

Values follow XPath 1.0 as ODK's JavaRosa and Enketo apply it, with four types: booleans, numbers (floats;
NaN where a text is not a number), strings, and dates (XDate, days since 1970-01-01, from today() and date()).
An answer is what fields.py stored, given to `answers` by field name; an unanswered field is "" (so
number(${x}) is NaN and string-length(${x}) is 0); a select_multiple's answer is its names joined by spaces.

- `=` and `!=`: as booleans if either side is one, else as numbers if either is a number or a date, else as
  strings. `< <= > >=` and `+ - * div mod`: as numbers. A string `YYYY-MM-DD` counts as that day's number
  (as Enketo does), so `${day} < '2027-01-05'` compares days.
- A number as a string: whole numbers without a point (`5`, not `5.0`), `NaN`, `Infinity`.
- round(x) rounds halves up (XPath's floor(x + 0.5)); round(x, n) to n places, halves away from zero.
- regex() runs on RE2 here (google-re2: linear in the answer's length, whatever the pattern, so no pattern can
  hold a sync) and on JavaScript's RegExp in the app: keep patterns to the common part of both (classes,
  ranges, counts, anchors; `\\w` and `\\d` are ASCII in both). A pattern RE2 does not take (lookaround,
  backreferences, which XML Schema's regexes, the ones XForms name, lack too) is refused at publishing. Its
  pattern is written in the form (a quoted string, never another answer), and one that a backtracking engine
  could take hours over is refused too (`patterns.pattern_problem`): a repeat inside an unbounded repeat, or
  alternatives inside one, like `(a+)+` or `(\\w+\\s?)*`; the hub would be safe with it, but the person's
  phone checks answers with a backtracking engine, and it would hang there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hub.forms.patterns import matches, pattern_problem

EPOCH = date(1970, 1, 1)
FIRST_DAY, LAST_DAY = -719162, 2932896
"""0001-01-01 and 9999-12-31 as days: a date outside them is written as ""."""
MAX_LENGTH = 2000
"""The longest expression read (real forms' longest are a few hundred characters)."""
MAX_DEPTH = 64
MAX_TEXT_CHARS = 100_000
"""The longest text an expression may make: an answer is at most 10,000 characters, but concat() of
calculations that concat() each other grows without end (six rows made 15 GB), so a longer one is refused."""

FUNCTIONS = {
    # name: (fewest, most arguments; None for any number)
    "true": (0, 0), "false": (0, 0), "not": (1, 1), "boolean": (1, 1), "string": (0, 1), "number": (0, 1),
    "int": (1, 1), "round": (1, 2), "floor": (1, 1), "ceiling": (1, 1), "abs": (1, 1), "pow": (2, 2),
    "sqrt": (1, 1), "exp": (1, 1), "log": (1, 1), "log10": (1, 1), "sin": (1, 1), "cos": (1, 1), "tan": (1, 1),
    "asin": (1, 1), "acos": (1, 1), "atan": (1, 1), "atan2": (2, 2), "pi": (0, 0),
    "string-length": (0, 1), "concat": (0, None), "contains": (2, 2), "starts-with": (2, 2),
    "ends-with": (2, 2), "substr": (2, 3), "normalize-space": (0, 1), "selected": (2, 2),
    "count-selected": (1, 1), "regex": (2, 2), "today": (0, 0), "date": (1, 1), "if": (3, 3),
    "coalesce": (2, 2),
}
REFUSED = {
    "now": "now() gives another time on the phone and at the hub; use the type 'start' or 'end'",
    "once": "once() keeps the phone's first value, which the hub cannot know",
    "random": "random() differs between the phone and the hub", "uuid": "uuid() differs between the phone and "
    "the hub", "pulldata": "pulldata() reads a CSV file attached to the form, which the hub does not take",
    "jr:choice-name": "jr:choice-name() is not supported yet: compare the choice's name instead",
    "indexed-repeat": "repeats are not supported", "position": "repeats are not supported",
    "count": "count() counts a repeat's entries; repeats are not supported",
    "sum": "sum() adds a repeat's entries; repeats are not supported",
}
"""Functions of ODK's XForms that the hub does not take, and why (anything else unknown is refused too)."""

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<num>\d+(?:\.\d*)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.\.|\.)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?)
""", re.VERBOSE | re.ASCII)
_REF_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_XPATH_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*", re.ASCII)
_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*", re.ASCII)
_BINARY = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5,
           "*": 6, "div": 6, "mod": 6}


class ExpressionRefused(ValueError):
    """An expression outside the subset the hub takes: `reason` says what, and what to write instead."""

    def __init__(self, text: str, reason: str):
        super().__init__(f"'{text}': {reason}")
        self.text, self.reason = text, reason


@dataclass(frozen=True)
class XDate:
    """A day, as XPath's date type: days since 1970-01-01 (NaN for a text that is not a day)."""
    days: float


def _tokens(text: str) -> list[tuple[str, str]]:
    found, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            if text[at] in "‘’“”":
                raise ExpressionRefused(text, f"'{text[at]}' at character {at + 1} is a typographic quote: write a "
                                        "text between straight quotes, like 'other'")
            what = "'|' (a union of node-sets)" if text[at] == "|" else "'/' (a path)" if text[at] == "/" else \
                f"'{text[at]}'"
            raise ExpressionRefused(text, f"{what} at character {at + 1} is not supported: refer to a question "
                                    "as ${name}")
        kind = match.lastgroup if match.lastgroup != "refname" else "ref"
        if kind == "ref":
            name = match["refname"].strip()
            if not _REF_NAME.fullmatch(name):
                raise ExpressionRefused(text, f"'${{{match['refname']}}}' is not a question's name")
            found.append(("ref", name))
        elif kind == "dot":
            if match[0] == "..":
                raise ExpressionRefused(text, "'..' (a path) is not supported: refer to a question as ${name}")
            found.append(("dot", "."))
        elif kind != "space":
            found.append((kind, match[0]))
        at = match.end()
    return found


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            want = f"'{value}'" if value else "more"
            where = "at the end" if token is None else f"before '{token[1]}'"
            raise ExpressionRefused(self.text, f"expected {want} {where}")
        self.at += 1
        return token

    def binary(self) -> str | None:
        token = self.peek()
        if token and ((token[0] == "op" and token[1] in _BINARY) or (token[0] == "word" and token[1] in _BINARY)):
            return token[1]
        return None

    def expression(self, least: int = 1) -> list:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionRefused(self.text, f"it nests deeper than {MAX_DEPTH}")
        left = self.unary()
        while (op := self.binary()) is not None and _BINARY[op] >= least:
            self.at += 1
            left = ["op", op, left, self.expression(_BINARY[op] + 1)]
        self.depth -= 1
        return left

    def unary(self) -> list:
        token = self.peek()
        if token == ("op", "-"):
            self.at += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionRefused(self.text, f"it nests deeper than {MAX_DEPTH}")
            inner = self.unary()
            self.depth -= 1
            return ["neg", inner]
        return self.primary()

    def primary(self) -> list:
        kind, value = self.take()
        if kind == "num":
            return ["num", float(value)]
        if kind == "str":
            return ["str", value[1:-1]]
        if kind == "ref":
            return ["ref", value]
        if kind == "dot":
            return ["cur"]
        if kind == "op" and value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if kind == "word":
            if self.peek() == ("op", "("):
                return self.call(value)
            return ["name", value]
        raise ExpressionRefused(self.text, f"'{value}' cannot start a value here")

    def call(self, name: str) -> list:
        if name in REFUSED:
            raise ExpressionRefused(self.text, REFUSED[name])
        if name not in FUNCTIONS:
            raise ExpressionRefused(self.text, f"the function {name}() is not supported: the hub takes "
                                    f"{', '.join(sorted(FUNCTIONS))}")
        self.take("(")
        args = []
        if self.peek() != ("op", ")"):
            args.append(self.expression())
            while self.peek() == ("op", ","):
                self.at += 1
                args.append(self.expression())
        self.take(")")
        fewest, most = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = f"{fewest}" if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
            plural = "" if wanted == "1" else "s"
            raise ExpressionRefused(self.text, f"{name}() takes {wanted} argument{plural}, not {len(args)}")
        if name == "regex" and args[1][0] != "str":
            raise ExpressionRefused(self.text, "regex()'s pattern is written in the form, in quotes, not taken "
                                    "from an answer")
        if name == "regex" and (problem := pattern_problem(args[1][1])):
            raise ExpressionRefused(self.text, f"the pattern {args[1][1]!r} {problem}")
        return ["call", name, args]


def parse(text: str) -> list:
    """The tree of an expression; ExpressionRefused for anything outside the subset."""
    text = str(text)
    if len(text) > MAX_LENGTH:
        raise ExpressionRefused(text[:60] + "…", f"it is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionRefused(text, "it is empty")
    parser = _Parser(text)
    tree = parser.expression()
    if parser.peek() is not None:
        raise ExpressionRefused(text, f"{parser.peek()[1]!r} is not expected there")
    return tree


def walk(tree: list):
    """Every node of a tree."""
    yield tree
    if tree[0] == "neg":
        yield from walk(tree[1])
    elif tree[0] == "op":
        yield from walk(tree[2])
        yield from walk(tree[3])
    elif tree[0] == "call":
        for arg in tree[2]:
            yield from walk(arg)


def references(tree: list) -> set[str]:
    """The question names a tree reads (its `${name}`s)."""
    return {node[1] for node in walk(tree) if node[0] == "ref"}


# --- values -------------------------------------------------------------------------------------------------

def day_number(day: date) -> float:
    return float((day - EPOCH).days)


def _day_of(text: str) -> float:
    match = _DAY.fullmatch(text)
    if not match:
        return math.nan
    try:
        return day_number(date(int(match[1]), int(match[2]), int(match[3])))
    except ValueError:
        return math.nan


def to_number(value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, XDate):
        return value.days
    text = str(value)
    if _XPATH_NUMBER.fullmatch(text):
        return float(text)
    return _day_of(text)


def to_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, XDate):
        return not math.isnan(value.days)
    return len(str(value)) > 0


def number_text(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)  # the shortest that reads back, as JavaScript's; then its exponent rules
    if "e" in text and abs(number) >= 1e-6:
        return format(Decimal(text), "f")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent):+d}"
    return text


def to_string(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(float(value))
    if isinstance(value, XDate):
        if not FIRST_DAY <= value.days <= LAST_DAY:  # NaN too
            return ""
        return (EPOCH + timedelta(days=math.floor(value.days))).isoformat()
    return str(value)


def _equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, (int, float, XDate)) or isinstance(b, (int, float, XDate)):
        return to_number(a) == to_number(b)
    return to_string(a) == to_string(b)


def _arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            return math.nan if x == 0 or math.isnan(x) else math.copysign(math.inf, x) * math.copysign(1, y)
        return x / y
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    return math.fmod(x, y) if not math.isinf(y) else x


def _round(x: float, places: float = 0.0) -> float:
    if math.isnan(x) or math.isinf(x) or math.isnan(places) or abs(places) > 300:
        return x
    if places == 0:
        return float(math.floor(x + 0.5))
    digits = int(places)  # whole powers of ten, exact in both Python and JavaScript
    if digits >= 0:
        rounded = math.floor(abs(x) * 10.0 ** digits + 0.5) / 10.0 ** digits
    else:
        rounded = math.floor(abs(x) / 10.0 ** -digits + 0.5) * 10.0 ** -digits
    return math.copysign(rounded, x)


def _math(name: str, x: float) -> float:
    """As JavaScript's Math gives it (Python raises where it gives infinity or NaN)."""
    if name in ("floor", "ceiling", "abs") and (math.isinf(x) or math.isnan(x)):
        return abs(x) if name == "abs" else x
    if name in ("log", "log10") and x == 0:
        return -math.inf
    try:
        return float(_MATH[name](x))
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


def _pow(x: float, y: float) -> float:
    if math.isnan(y) or (abs(x) == 1 and math.isinf(y)):
        return math.nan
    try:
        return math.pow(x, y)
    except OverflowError:
        return -math.inf if x < 0 and y == int(y) and int(y) % 2 else math.inf
    except ValueError:
        if x == 0:
            return -math.inf if math.copysign(1, x) < 0 and y == int(y) and int(y) % 2 else math.inf
        return math.nan


_MATH = {"floor": math.floor, "ceiling": math.ceil, "abs": abs, "sqrt": math.sqrt, "exp": math.exp,
         "log": math.log, "log10": math.log10, "sin": math.sin, "cos": math.cos, "tan": math.tan,
         "asin": math.asin, "acos": math.acos, "atan": math.atan}


def _to_date(value) -> XDate:
    if isinstance(value, XDate):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return XDate(float(value))
    return XDate(_day_of(to_string(value)))


def _concat(parts: list[str]) -> str:
    if sum(map(len, parts)) > MAX_TEXT_CHARS:
        raise ExpressionRefused("concat()", f"it would make a text of over {MAX_TEXT_CHARS} characters")
    return "".join(parts)


def _substr(text: str, start: float, end: float | None) -> str:
    chars = list(text)
    if math.isnan(start) or start == math.inf:
        return ""
    first = 0 if start == -math.inf else max(0, int(start))
    if end is None or end == math.inf:
        last = len(chars)
    else:
        last = 0 if math.isnan(end) or end == -math.inf else max(0, int(end))
    return "".join(chars[first:last])


def _text_of(values: list, context: dict) -> str:
    return to_string(values[0] if values else answer_value(context.get("current")))


def _today(context: dict) -> XDate:
    today = context.get("today")
    return XDate(day_number(today) if isinstance(today, date) else _day_of(str(today or "")))


def _int(x: float) -> float:
    return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))


def _names(value) -> list[str]:
    return to_string(value).split()


_EAGER = {
    "true": lambda v, c: True, "false": lambda v, c: False, "pi": lambda v, c: math.pi,
    "today": lambda v, c: _today(c),
    "not": lambda v, c: not to_boolean(v[0]), "boolean": lambda v, c: to_boolean(v[0]),
    "number": lambda v, c: to_number(v[0] if v else answer_value(c.get("current"))),
    "string": lambda v, c: _text_of(v, c),
    "string-length": lambda v, c: float(len(_text_of(v, c))),
    "normalize-space": lambda v, c: " ".join(_text_of(v, c).split()),
    "int": lambda v, c: _int(to_number(v[0])),
    "round": lambda v, c: _round(to_number(v[0]), to_number(v[1]) if len(v) > 1 else 0.0),
    "pow": lambda v, c: _pow(to_number(v[0]), to_number(v[1])),
    "atan2": lambda v, c: math.atan2(to_number(v[0]), to_number(v[1])),
    "concat": lambda v, c: _concat([to_string(x) for x in v]),
    "contains": lambda v, c: to_string(v[1]) in to_string(v[0]),
    "starts-with": lambda v, c: to_string(v[0]).startswith(to_string(v[1])),
    "ends-with": lambda v, c: to_string(v[0]).endswith(to_string(v[1])),
    "substr": lambda v, c: _substr(to_string(v[0]), to_number(v[1]), to_number(v[2]) if len(v) > 2 else None),
    "selected": lambda v, c: to_string(v[1]).strip() in _names(v[0]),
    "count-selected": lambda v, c: float(len(_names(v[0]))),
    "regex": lambda v, c: matches(to_string(v[0]), to_string(v[1])),
    "date": lambda v, c: _to_date(v[0]),
    "coalesce": lambda v, c: v[0] if to_string(v[0]) != "" else v[1],
    **{name: (lambda v, c, name=name: _math(name, to_number(v[0]))) for name in _MATH},
}
"""Functions that take their arguments' values (all but if(), which evaluates only the branch it takes)."""


def _call(name: str, args: list, answers: dict, context: dict):
    if name == "if":
        chosen = args[1] if to_boolean(evaluate(args[0], answers, context)) else args[2]
        return evaluate(chosen, answers, context)
    return _EAGER[name]([evaluate(arg, answers, context) for arg in args], context)


def evaluate(tree: list, answers: dict, context: dict | None = None):
    """The value of a tree: `answers` maps question names to their values as fields.py stores them (left out:
    not answered); `context` holds "current" (the value `.` stands for), "today" (a date) and "item" (the
    choice a choice_filter is looking at: its name and other columns)."""
    context = context if context is not None else {}
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "str":
        return tree[1]
    if kind == "ref":
        return answer_value(answers.get(tree[1]))
    if kind == "cur":
        return answer_value(context.get("current"))
    if kind == "name":
        return answer_value((context.get("item") or {}).get(tree[1]))
    if kind == "neg":
        return -to_number(evaluate(tree[1], answers, context))
    if kind == "call":
        return _call(tree[1], tree[2], answers, context)
    op, left = tree[1], evaluate(tree[2], answers, context)
    if op == "or":
        return to_boolean(left) or to_boolean(evaluate(tree[3], answers, context))
    if op == "and":
        return to_boolean(left) and to_boolean(evaluate(tree[3], answers, context))
    right = evaluate(tree[3], answers, context)
    if op == "=":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if op in ("<", "<=", ">", ">="):
        x, y = to_number(left), to_number(right)
        return x < y if op == "<" else x <= y if op == "<=" else x > y if op == ">" else x >= y
    return _arithmetic(op, to_number(left), to_number(right))


def answer_value(value):
    """A stored answer as XPath sees it: not answered is "", a list of choices their names joined by spaces,
    a number a number, a geopoint `lat lon altitude accuracy`, a file its SHA-256."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        if "lat" in value:
            return " ".join(number_text(float(value.get(k) or 0)) for k in ("lat", "lon", "altitude", "accuracy"))
        return str(value.get("sha256", ""))
    return value if isinstance(value, (str, XDate)) else str(value)
