"""Paths and payload templates (States Language: "Paths", "Reference Paths",
"Payload Template", "InputPath, Parameters, ResultSelector, ResultPath and OutputPath").

Every path is compiled once into a getter over an evaluation context (``Scope``).
Definite paths made only of names and indexes (``$.a.b``, ``$['a'][0]``) become plain
dict/list lookups; anything else (wildcards, slices, filters, ``..``) goes through
jsonpath-ng, compiled once, and yields a list as AWS does for indefinite paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse as _jsonpath_parse

from engine.errors import STATES_RESULT_PATH_MATCH_FAILURE, STATES_RUNTIME, StatesError

Getter = Callable[["Scope"], Any]

_MISSING = object()
_SEGMENT = re.compile(
    r"""\.(?P<name>[^.\[\]()'"@*?,:]+)"""
    r"""|\[\s*'(?P<sq>[^']*)'\s*\]"""
    r"""|\[\s*"(?P<dq>[^"]*)"\s*\]"""
    r"""|\[\s*(?P<idx>-?\d+)\s*\]"""
)
_ROOT = re.compile(r"^(\$\$|\$[A-Za-z_][A-Za-z0-9_]*|\$)")


class Scope:
    """What a path can see: the current value, the context object and the variables."""

    __slots__ = ("data", "context_fn", "variables", "result", "error_output", "now")

    def __init__(
        self,
        data: Any,
        context_fn: Callable[[], Any],
        variables: Mapping[str, Any],
        result: Any = _MISSING,
        error_output: Any = _MISSING,
        now: float | None = None,
    ):
        self.data = data
        self.context_fn = context_fn
        self.variables = variables
        self.result = result
        self.error_output = error_output
        self.now = now

    def now_millis(self) -> int | None:
        """The injected clock's time for JSONata's $now()/$millis(), in epoch ms."""
        return None if self.now is None else int(self.now * 1000)

    def states(self) -> dict[str, Any]:
        """The ``$states`` binding of JSONata expressions."""
        states = {"input": self.data, "context": self.context_fn()}
        if self.result is not _MISSING:
            states["result"] = self.result
        if self.error_output is not _MISSING:
            states["errorOutput"] = self.error_output
        return states


class PathNotFound(StatesError):
    """A definite path that selects nothing (AWS: States.Runtime in most positions)."""

    def __init__(self, path: str, data: Any):
        self.path = path
        self.data = data
        super().__init__(STATES_RUNTIME, f"The JSONPath '{path}' could not be found")


class PathSyntaxError(ValueError):
    """A path the compiler cannot parse."""


_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def to_json(value: Any) -> str:
    """Render a value the way AWS prints JSON in events and messages (compact)."""
    return _ENCODE(value)


def split_root(path: str) -> tuple[str, str]:
    """Split ``$$.a``/``$var.a``/``$.a`` into (root, rest)."""
    m = _ROOT.match(path)
    if not m:
        raise PathSyntaxError(f"not a path: {path!r}")
    return m.group(1), path[m.end():]


def _segments(rest: str) -> list[Any] | None:
    """Tokenize a definite path tail into keys (str) and indexes (int), or None."""
    out: list[Any] = []
    pos = 0
    while pos < len(rest):
        m = _SEGMENT.match(rest, pos)
        if not m:
            return None
        if m.group("idx") is not None:
            out.append(int(m.group("idx")))
        else:
            out.append(m.group("name") or m.group("sq") or m.group("dq") or "")
        pos = m.end()
    return out


def _walk(value: Any, keys: list[Any]) -> Any:
    for key in keys:
        if isinstance(key, int):
            if not isinstance(value, list) or not -len(value) <= key < len(value):
                return _MISSING
            value = value[key]
        elif isinstance(value, dict):
            value = value.get(key, _MISSING)
            if value is _MISSING:
                return _MISSING
        else:
            return _MISSING
    return value


def _root_getter(root: str) -> Getter:
    if root == "$":
        return lambda scope: scope.data
    if root == "$$":
        return lambda scope: scope.context_fn()
    name = root[1:]

    def variable(scope: Scope) -> Any:
        value = scope.variables.get(name, _MISSING)
        if value is _MISSING:
            raise PathNotFound(root, scope.data)
        return value

    return variable


def compile_path(path: str) -> Getter:
    """Compile a reference path or JSONPath into ``getter(scope) -> value``."""
    root, rest = split_root(path)
    base = _root_getter(root)
    if not rest:
        return base
    keys = _segments(rest)
    if keys is not None:
        return _definite_getter(path, base, keys)
    return _indefinite_getter(path, base, rest)


def _definite_getter(path: str, base: Getter, keys: list[Any]) -> Getter:
    if len(keys) == 1 and isinstance(keys[0], str):
        key = keys[0]

        def one(scope: Scope) -> Any:
            value = base(scope)
            if type(value) is dict and key in value:
                return value[key]
            raise PathNotFound(path, scope.data)

        return one

    def many(scope: Scope) -> Any:
        value = _walk(base(scope), keys)
        if value is _MISSING:
            raise PathNotFound(path, scope.data)
        return value

    return many


def _indefinite_getter(path: str, base: Getter, rest: str) -> Getter:
    try:
        expr = _jsonpath_parse("$" + rest)
    except (JsonPathParserError, JsonPathLexerError, Exception) as exc:
        raise PathSyntaxError(f"invalid JSONPath {path!r}: {exc}") from exc

    def find(scope: Scope) -> Any:
        return [match.value for match in expr.find(base(scope))]

    return find


def is_path(text: Any) -> bool:
    """True for strings that look like a path (``$`` followed by nothing, ``.``, ``[``)."""
    return isinstance(text, str) and _ROOT.match(text) is not None


# --------------------------------------------------------------------------- templates

Template = Callable[[Scope], Any]


def compile_template(
    template: Any, compile_value: Callable[[str, str], Getter] | None = None
) -> Template:
    """Compile a Parameters-style payload template; ``key.$`` values are paths/intrinsics."""
    compile_value = compile_value or _compile_field_path
    if isinstance(template, dict):
        return _dict_template(template, compile_value)
    if isinstance(template, list):
        items = [compile_template(v, compile_value) for v in template]
        return lambda scope: [item(scope) for item in items]
    return lambda scope: template


def _dict_template(template: dict, compile_value: Callable[[str, str], Getter]) -> Template:
    parts: list[tuple[str, Template]] = []
    for key, value in template.items():
        if key.endswith(".$") and isinstance(value, str):
            parts.append((key[:-2], compile_value(key, value)))
        elif isinstance(value, (dict, list)):
            parts.append((key, compile_template(value, compile_value)))
        else:
            parts.append((key, _const(value)))
    return lambda scope: {key: part(scope) for key, part in parts}


def _const(value: Any) -> Template:
    return lambda scope: value


def _compile_field_path(field: str, path: str) -> Getter:
    return field_getter(field, compile_path(path), path)


def field_getter(field: str, getter: Getter, path: str) -> Getter:
    """Wrap a getter so a missing path names the field, as AWS's cause does."""

    def get(scope: Scope) -> Any:
        try:
            return getter(scope)
        except PathNotFound as exc:
            # Inside an intrinsic the cause quotes the argument path, not the whole call.
            shown = path if path.startswith("$") else exc.path
            raise StatesError(STATES_RUNTIME, missing_path_cause(shown, field, scope.data)) from exc

    return get


def invalid_path_getter(getter: Getter, path: str) -> Getter:
    """InputPath, OutputPath, ItemsPath, *SecondsPath...: AWS's "Invalid path" wording."""
    root, rest = split_root(path)
    keys = _segments(rest) or []

    def get(scope: Scope) -> Any:
        try:
            return getter(scope)
        except PathNotFound as exc:
            base = _root_getter(root)(scope) if root != "$" else scope.data
            raise StatesError(STATES_RUNTIME, invalid_path_cause(path, base, keys)) from exc

    return get


def invalid_path_cause(path: str, value: Any, keys: list[Any]) -> str:
    """A missing last key reads "No results for path", an earlier one "Missing property"."""
    root = split_root(path)[0]
    for depth, key in enumerate(keys):
        child = _walk(value, [key])
        if child is _MISSING:
            if depth == len(keys) - 1:
                return f"Invalid path '{path}' : No results for path: {_brackets(root, keys)}"
            return (f"Invalid path '{path}' : Missing property in path "
                    f"{_brackets(root, keys[:depth + 1])}")
        value = child
    return f"Invalid path '{path}' : No results for path: {_brackets(root, keys)}"


def _brackets(root: str, keys: list[Any]) -> str:
    """``$.a.b[0]`` as ``$['a']['b'][0]`` (how AWS quotes paths in these causes)."""
    return root + "".join(f"[{k}]" if isinstance(k, int) else f"['{k}']" for k in keys)


def missing_path_cause(path: str, field: str, data: Any) -> str:
    return (
        f"The JSONPath '{path}' specified for the field '{field}' could not be found "
        f"in the input '{to_json(data)}'"
    )


# --------------------------------------------------------------------------- ResultPath

ResultSetter = Callable[[Any, Any], Any]


def compile_result_path(path: str | None) -> ResultSetter:
    """Compile ResultPath into ``apply(state_input, result) -> output``."""
    if path is None:
        return lambda state_input, result: state_input
    root, rest = split_root(path)
    if root != "$":
        raise PathSyntaxError(f"ResultPath must start with $: {path!r}")
    if not rest:
        return lambda state_input, result: result
    keys = _segments(rest)
    if keys is None or any(isinstance(k, int) for k in keys):
        raise PathSyntaxError(f"ResultPath must be a definite path of names: {path!r}")
    return lambda state_input, result: apply_result_path(path, keys, state_input, result)


def apply_result_path(path: str, keys: list[str], state_input: Any, result: Any) -> Any:
    """Copy ``state_input`` along ``keys`` and put ``result`` at the end (never mutates)."""
    if not isinstance(state_input, dict):
        raise _result_path_failure(path, state_input)
    top = dict(state_input)
    node = top
    for key in keys[:-1]:
        child = node.get(key)
        if child is None and key not in node:
            child = {}
        elif not isinstance(child, dict):
            raise _result_path_failure(path, state_input)
        node[key] = child = dict(child)
        node = child
    node[keys[-1]] = result
    return top


def _result_path_failure(path: str, state_input: Any) -> StatesError:
    return StatesError(
        STATES_RESULT_PATH_MATCH_FAILURE,
        f"Unable to apply ResultPath \"{path}\" to input \"{to_json(state_input)}\"",
    )
