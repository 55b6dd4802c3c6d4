"""Choice rules (States Language: "Choice State", "Choice Rules", comparison operators,
Boolean expressions And/Or/Not, and JSONata ``Condition``).

A rule compiles to ``test(scope) -> bool``. Following AWS, a comparison whose operand has
the wrong type is simply false (``NumericEquals`` on a string, a malformed timestamp), and
booleans are never numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from engine import exprs, paths
from engine.errors import STATES_QUERY_EVALUATION_ERROR, STATES_RUNTIME, StatesError
from engine.json_types import is_number, type_name
from engine.paths import Scope

Test = Callable[[Scope], bool]

_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp with a mandatory offset, as AWS requires, else None."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    main, _, frac_offset = text.partition(".")
    if frac_offset:
        digits = re.match(r"\d+", frac_offset).group(0)  # type: ignore[union-attr]
        text = f"{main}.{digits[:6].ljust(6, '0')}{frac_offset[len(digits):]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _string_matches(pattern: str) -> Callable[[Any], bool]:
    """``*`` is a wildcard; ``\\*`` and ``\\\\`` are literal (AWS's escapes)."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else re.escape(ch))
        i += 1
    regex = re.compile("".join(out), re.S)
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _compare(kind: str, op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    if kind == "String":
        return lambda a, b: isinstance(a, str) and isinstance(b, str) and op(a, b)
    if kind == "Numeric":
        return lambda a, b: is_number(a) and is_number(b) and op(a, b)
    if kind == "Boolean":
        return lambda a, b: isinstance(a, bool) and isinstance(b, bool) and op(a, b)

    def timestamps(a: Any, b: Any) -> bool:
        ta, tb = parse_timestamp(a), parse_timestamp(b)
        return ta is not None and tb is not None and op(ta, tb)

    return timestamps


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    kind + name: _compare(kind, op)
    for kind in ("String", "Numeric", "Boolean", "Timestamp")
    for name, op in _OPS.items()
    if kind != "Boolean" or name == "Equals"
}

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": lambda v: parse_timestamp(v) is not None,
}


def compile_rule(rule: Mapping[str, Any], ql: str, where: str) -> Test:
    """Compile a top-level rule or a nested Boolean expression."""
    if ql == "JSONata" and "Condition" in rule:
        return _condition(rule["Condition"], where)
    if "And" in rule:
        parts = [compile_rule(r, ql, where) for r in rule["And"]]
        return lambda scope: all(p(scope) for p in parts)
    if "Or" in rule:
        parts = [compile_rule(r, ql, where) for r in rule["Or"]]
        return lambda scope: any(p(scope) for p in parts)
    if "Not" in rule:
        inner = compile_rule(rule["Not"], ql, where)
        return lambda scope: not inner(scope)
    return _comparison(rule, where)


def _condition(text: Any, where: str) -> Test:
    evaluate = exprs.compile_jsonata(text, f"{where}/Condition")

    def test(scope: Scope) -> bool:
        value = evaluate(scope)
        if not isinstance(value, bool):
            raise StatesError(
                STATES_QUERY_EVALUATION_ERROR,
                f"The JSONata expression '{_inner(text)}' specified for the field 'Condition' "
                f"returned an unexpected result type. Expected 'boolean', but was "
                f"'{type_name(value)}' for value: {paths.to_json(value)}",
            )
        return value

    return test


def _inner(text: Any) -> str:
    return text[2:-2].strip() if exprs.is_jsonata_text(text) else str(text)


def _comparison(rule: Mapping[str, Any], where: str) -> Test:
    variable_text = rule.get("Variable", "$")
    variable = exprs.compile_path_or_intrinsic(variable_text, f"{where}/Variable")
    for name, expected in rule.items():
        if name == "IsPresent":
            return _is_present(variable, bool(expected))
        if name in _TYPE_TESTS:
            return _type_test(variable, variable_text, _TYPE_TESTS[name], bool(expected))
        if name == "StringMatches":
            return _binary(variable, variable_text, _ignoring_right(_string_matches(expected)))
        if name in COMPARATORS:
            return _binary(variable, variable_text, COMPARATORS[name], _constant(expected))
        if name.endswith("Path") and name[:-4] in COMPARATORS:
            other = exprs.compile_path_or_intrinsic(expected, f"{where}/{name}")
            return _binary(variable, variable_text, COMPARATORS[name[:-4]], _read(other, expected))
    raise exprs.CompileError(where, "Choice rule has no comparison operator")


def _read(getter: Callable[[Scope], Any], text: str) -> Callable[[Scope], Any]:
    def read(scope: Scope) -> Any:
        try:
            return getter(scope)
        except paths.PathNotFound as exc:
            raise _invalid_path(text) from exc

    return read


def _invalid_path(text: str) -> StatesError:
    return StatesError(
        STATES_RUNTIME,
        f"Invalid path '{text}': The choice state's condition path references an invalid value.",
    )


def _is_present(variable: Callable[[Scope], Any], expected: bool) -> Test:
    def test(scope: Scope) -> bool:
        try:
            variable(scope)
        except paths.PathNotFound:
            return not expected
        return expected

    return test


def _type_test(
    variable: Callable[[Scope], Any], text: str, check: Callable[[Any], bool], expected: bool
) -> Test:
    read = _read(variable, text)
    return lambda scope: check(read(scope)) == expected


def _binary(
    variable: Callable[[Scope], Any],
    text: str,
    compare: Callable[[Any, Any], bool],
    other: Callable[[Scope], Any] | None = None,
) -> Test:
    read = _read(variable, text)
    if other is None:
        return lambda scope: compare(read(scope), None)
    return lambda scope: compare(read(scope), other(scope))


def _constant(value: Any) -> Callable[[Any], Any]:
    """A getter that ignores its scope and returns ``value`` (a literal operand)."""
    return lambda scope: value


def _ignoring_right(test: Callable[[Any], bool]) -> Callable[[Any, Any], bool]:
    """A binary comparator made of a one-operand test (StringMatches has no right path)."""
    return lambda left, right: test(left)
