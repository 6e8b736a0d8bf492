"""regex() patterns in forms: which a form may hold (`pattern_problem`, at publishing) and matching them on a
person's answer at the hub (`matches`), with RE2, whose time is linear in the answer's length whatever the
pattern (docs/forms.md). Pure functions; the compiled patterns are cached."""

from __future__ import annotations

import functools
import re

import re2

try:
    from re import _parser as _re_parser  # Python 3.11+
except ImportError:  # pragma: no cover (3.10)
    import sre_parse as _re_parser


def _inner(name: str, av) -> list:
    """The parts a parsed group-like item holds (re's parser: SUBPATTERN, ASSERT, ATOMIC_GROUP, ...)."""
    return {"SUBPATTERN": lambda: [av[3]], "ASSERT": lambda: [av[1]], "ASSERT_NOT": lambda: [av[1]],
            "ATOMIC_GROUP": lambda: [av], "GROUPREF_EXISTS": lambda: [p for p in av[1:] if p]}.get(name, list)()


def _repeats_badly(items, unbounded: bool, repeated: bool) -> bool:
    """Whether a parsed pattern holds a part that can match one text in many ways inside a repeat: a
    variable repeat or alternatives inside an unbounded repeat, or an unbounded repeat inside any repeat."""
    for op, av in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, inner = av
            if (unbounded and low != high) or (repeated and high == _re_parser.MAXREPEAT):
                return True
            if high > 1 and _repeats_badly(inner, unbounded or high == _re_parser.MAXREPEAT, True):
                return True
        elif name == "BRANCH":
            if unbounded or any(_repeats_badly(branch, unbounded, repeated) for branch in av[1]):
                return True
        elif any(_repeats_badly(part, unbounded, repeated) for part in _inner(name, av)):
            return True
    return False


@functools.lru_cache(maxsize=256)
def pattern_problem(pattern: str) -> str | None:
    """Why a form may not hold this regular expression, or None: one RE2 does not take, or one a backtracking
    engine (the phone's RegExp) could take hours over on one answer, a repeat of a part that can itself match
    in many ways (docs/forms.md)."""
    try:
        parsed = _re_parser.parse(pattern)
    except re.error as exc:
        return f"is not a regular expression ({exc})"
    if _repeats_badly(parsed.data, False, False):
        return ("repeats a part that itself repeats or has alternatives (like (a+)+ or ([a-z]+ ?)*), which could "
                "take a phone hours to check on one answer: write each repeat over one class, like ^[A-Za-z ]*$")
    if _linear(pattern) is None:
        return ("uses what the hub's regular expressions do not take (a lookahead or lookbehind, a "
                "backreference, or a possessive repeat): write the pattern without it")
    return None


@functools.lru_cache(maxsize=256)
def _linear(pattern: str):
    """The pattern compiled by RE2 (time linear in the text), or None where RE2 does not take it."""
    options = re2.Options()
    options.log_errors = False  # a refused pattern is said to the publisher, not logged by the C++ library
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def matches(text: str, pattern: str) -> bool:
    """regex(): whether `pattern` matches in `text`, with RE2; false for a pattern `pattern_problem` refuses (a
    form published before the hub refused them), which is never run."""
    compiled = None if pattern_problem(pattern) else _linear(pattern)
    return compiled is not None and compiled.search(text) is not None
