"""Settings checked at load, the same way for `edge.toml`, the hub's settings and the site file.

A key's type is its dataclass field's type (or a `Key` for settings kept in a table, like the hub's);
its range, choices or rule are declared beside it with `setting(...)`. `check` returns every value it
could accept and one problem per key it could not, each naming the key, what was expected and what
was found: `[uplink] interval_s: expected a number of seconds (> 0), found the string "fast"`.
Unknown keys are refused, with "did you mean" when one is close. Environment variables are text:
`check_text` converts them by the key's type, with the same messages, naming the variable.

Pure: callers read the files and the environment and raise `SettingsError`, which names the file.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

MISSING = dataclasses.MISSING  # a Key's default when the key is required
_UNITS = {"_bytes_per_s": "bytes per second", "_ms": "milliseconds", "_s": "seconds", "_hours": "hours",
          "_days": "days", "_bytes": "bytes"}  # a key's unit from its name, first match
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class SettingsError(ValueError):
    """Settings that cannot be used. `source` is the file (or "environment"), `problems` one line per key;
    with no problems, `source` is the whole message."""

    def __init__(self, source: str, problems: Sequence[str] = ()):
        self.source, self.problems = source, list(problems)
        if not self.problems:
            message = source
        elif len(self.problems) == 1:
            message = f"{source}: {self.problems[0]}"
        else:
            message = f"{source}: {len(self.problems)} problems:\n" + "\n".join(f"  {p}" for p in self.problems)
        super().__init__(message)


@dataclasses.dataclass(frozen=True)
class Rule:
    """What a value must be besides its type. `what` replaces the type's words in messages
    ("a TCP port"); `valid` is a last test for what a range cannot say (a time zone, a pattern)."""

    above: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    choices: tuple = ()
    what: str = ""
    unit: str = ""  # default: from the key's name (_s: seconds, _bytes: bytes, ...)
    valid: Callable[[Any], bool] | None = None

    def holds(self, value) -> bool:
        if self.choices and value not in self.choices:
            return False
        if isinstance(value, int | float) and not isinstance(value, bool) and not (
                (self.above is None or value > self.above) and (self.at_least is None or value >= self.at_least)
                and (self.at_most is None or value <= self.at_most)):
            return False
        return self.valid is None or bool(self.valid(value))


class Key(NamedTuple):
    """One setting: its type (str, int, float, bool, tuple[str, ...], tuple[str, str] or a dataclass
    for a table of settings), its default (MISSING: required), its meaning and its rule."""

    kind: Any
    default: Any = MISSING
    meaning: str = ""
    rule: Rule = Rule()

    @property
    def required(self) -> bool:
        return self.default is MISSING


def setting(default=MISSING, *, default_factory=MISSING, **rule):
    """A dataclass field with a rule: `interval_s: float = setting(1.0, above=0)`."""
    return dataclasses.field(default=default, default_factory=default_factory, metadata={"rule": Rule(**rule)})


PORT = {"what": "a TCP port", "at_least": 1, "at_most": 65535}


def keys_of(cls, skip: Iterable[str] = ()) -> dict[str, Key]:
    """The settings of a dataclass: each field's type, default and rule (`setting(...)`)."""
    hints = typing.get_type_hints(cls)
    keys = {}
    for f in dataclasses.fields(cls):
        if f.name in skip or not f.init:
            continue
        default = f.default if f.default_factory is MISSING else f.default_factory()
        keys[f.name] = Key(hints[f.name], default, "", f.metadata.get("rule", Rule()))
    return keys


def check(keys: Mapping[str, Key], data: Mapping, nest: str = "{}.", where: str = "",
          elsewhere: Mapping[str, str] | None = None) -> tuple[dict, list[str]]:
    """Every value of `data` that its key accepts (defaults filled in; a table's values as a dict), and a
    problem for each that it does not, each named `where + key`. A dataclass key's value is a table,
    checked with that dataclass's keys and named by `nest` ("[{}] " gives `[uplink] interval_s`).
    An unknown key that another table has is pointed there (`elsewhere`: key -> its name there)."""
    elsewhere = _everywhere(keys, nest) if elsewhere is None else elsewhere
    values, problems = {}, _unknowns(keys, data, nest, where, elsewhere)
    for name, key in keys.items():
        label = where + name
        if _is_table(key.kind):
            table, table_problems = _table(key, data, name, nest.format(label), elsewhere)
            problems += table_problems
            if table is not None:
                values[name] = table
        elif name in data:
            value = convert(key, data[name])
            if value is None:
                problems.append(f"{label}: expected {expected(key, name)}, found {found(data[name])}")
            else:
                values[name] = value
        elif key.required:
            problems.append(f"{label}: missing; expected {expected(key, name)}")
        else:
            values[name] = key.default
    return values, problems


def _unknowns(keys: Mapping[str, Key], data: Mapping, nest: str, where: str, elsewhere: Mapping[str, str]) -> list:
    problems = []
    for name in (name for name in data if name not in keys):
        if isinstance(data[name], Mapping):  # an unknown [table]: named as written, like its likely meaning
            tables = [nest.format(where + k).rstrip(" .") for k, key in keys.items() if _is_table(key.kind)]
            label = nest.format(where + name).rstrip(" .")
            problems.append(f"{label}: {_unknown(label, tables, 'table')}")
        else:
            problems.append(f"{where}{name}: {_unknown(name, keys, there=elsewhere.get(name))}")
    return problems


def _everywhere(keys: Mapping[str, Key], nest: str) -> dict[str, str]:
    names = {}
    for name, key in keys.items():
        if _is_table(key.kind):
            names.update((inner, nest.format(name) + inner) for inner in keys_of(key.kind))
        names.setdefault(name, name)
    return names


def _table(key: Key, data: Mapping, name: str, where: str,
           elsewhere: Mapping[str, str]) -> tuple[dict | None, list[str]]:
    if name not in data and key.required:
        return None, [f"{where.rstrip(' .')}: missing; expected a table"]
    table = data.get(name, {})
    if not isinstance(table, Mapping):
        return None, [f"{where.rstrip(' .')}: expected a table, found {found(table)}"]
    return check(keys_of(key.kind), table, where=where, elsewhere=elsewhere)


def build(cls, values: Mapping, **fixed):
    """An instance of `cls` from what `check` accepted (with no problems), tables made into their dataclasses."""
    keys = keys_of(cls, skip=fixed)
    made = {name: build(keys[name].kind, value) if _is_table(keys[name].kind) else value
            for name, value in values.items()}
    return cls(**made, **fixed)


def parse(cls, data: Mapping, source: str, nest: str = "{}.", **fixed):
    """`cls` from parsed TOML, checked; raises SettingsError naming `source` and every problem."""
    values, problems = check(keys_of(cls, skip=fixed), data, nest)
    if problems:
        raise SettingsError(source, problems)
    return build(cls, values, **fixed)


def check_text(keys: Mapping[str, Key], environ: Mapping[str, str], prefix: str,
               also_known: Iterable[str] = ()) -> tuple[dict, list[str]]:
    """Settings from environment variables `<prefix><KEY>`, each converted from text by its key's type;
    a variable with the prefix that names no key (nor one of `also_known`) is a problem too."""
    values, problems = {}, []
    known = {prefix + name for name in keys} | set(also_known)
    for variable in sorted(v for v in environ if v.startswith(prefix) and v not in known):
        problems.append(f"{variable}: {_unknown(variable, known, 'variable')}")
    for name, key in keys.items():
        if prefix + name not in environ:
            continue
        raw = environ[prefix + name]
        value = convert(key, from_text(key.kind, raw))
        if value is None:
            problems.append(f"{prefix}{name}: expected {expected(key, name)}, found {json.dumps(raw)}")
        else:
            values[name] = value
    return values, problems


def from_text(kind, raw: str):
    """Text (an environment variable) as the value of a key of type `kind`; the text itself if it is not one."""
    text = raw.strip()
    try:
        if kind is bool:
            return True if text.lower() in _TRUE else False if text.lower() in _FALSE else raw
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
    except ValueError:
        return raw
    if typing.get_origin(kind) is tuple:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def convert(key: Key, value):
    """The value as the key's type if it is one and keeps the key's rule; else None (TOML has no null)."""
    converted = _typed(key.kind, value)
    return None if converted is _WRONG or not key.rule.holds(converted) else converted


_WRONG = object()


def _typed(kind, value):
    if kind is bool:
        return value if isinstance(value, bool) else _WRONG
    if isinstance(value, bool):
        return _WRONG
    if kind is int:
        return value if isinstance(value, int) else _WRONG
    if kind is float:
        return _finite(value)
    if kind is str:
        return value if isinstance(value, str) else _WRONG
    if typing.get_origin(kind) is tuple:
        return _typed_tuple(typing.get_args(kind), value)
    return value if isinstance(value, kind) else _WRONG


def _finite(value):
    try:
        number = float(value) if isinstance(value, int | float) else math.nan
    except OverflowError:
        return _WRONG
    return number if math.isfinite(number) else _WRONG


def _typed_tuple(args: tuple, value):
    if not isinstance(value, list):
        return _WRONG
    items = args[:1] * len(value) if len(args) == 2 and args[1] is Ellipsis else args
    if len(items) != len(value):
        return _WRONG
    converted = tuple(_typed(kind, item) for kind, item in zip(items, value, strict=True))
    return _WRONG if _WRONG in converted else converted


def expected(key: Key, name: str = "") -> str:
    """What the key takes, in words: `a number of seconds (> 0)`, `a TCP port (1-65535)`, `one of "ap", "radius"`."""
    rule = key.rule
    if rule.choices:
        return "one of " + ", ".join(_literal(choice) for choice in rule.choices)
    words = rule.what or _type_words(key.kind, rule.unit or _unit(name))
    low, high = rule.at_least, rule.at_most
    if rule.above is not None:
        words += f" (> {_number(rule.above)})"
    elif low is not None and high is not None:
        words += f" ({_number(low)}-{_number(high)})"
    elif low is not None:
        words += f" (>= {_number(low)})"
    elif high is not None:
        words += f" (<= {_number(high)})"
    return words


def _type_words(kind, unit: str) -> str:
    if kind in (int, float):
        noun = "a whole number" if kind is int else "a number"
        return f"{noun} of {unit}" if unit else noun
    if typing.get_origin(kind) is tuple:
        args = typing.get_args(kind)
        each = _type_words(args[0], "").removeprefix("a ").removeprefix("an ")
        return f"a list of {each}s" if args[-1] is Ellipsis else f"a list of {len(args)} {each}s"
    return {bool: "true or false", str: "a string"}.get(kind, "a table")


def _unit(name: str) -> str:
    return next((unit for suffix, unit in _UNITS.items() if name.lower().endswith(suffix)), "")


def found(value) -> str:
    """A found value, in words that show its TOML type: `the string "500"`, `500`, `true`, `a table`."""
    if isinstance(value, str):
        return f"the string {_literal(value)}"
    if isinstance(value, bool | int | float):
        return _literal(value)
    if isinstance(value, list):
        return "the list [" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "a table"
    return f"the {type(value).__name__} {value}"  # TOML dates and times


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else repr(value)


def _unknown(name: str, known: Iterable[str], noun: str = "key", there: str | None = None) -> str:
    known = list(known)
    if not known:
        return f"unknown {noun}; there are none here: every key goes at the top, before any [table]"
    if there:
        return f"unknown {noun} here; did you mean {there}?"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown {noun}; did you mean {close[0]}?"
    return f"unknown {noun}; known: {', '.join(sorted(known))}"


def _is_table(kind) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


__all__ = ["MISSING", "PORT", "Key", "Rule", "SettingsError", "build", "check", "check_text", "convert", "expected",
           "found", "from_text", "keys_of", "parse", "setting"]
