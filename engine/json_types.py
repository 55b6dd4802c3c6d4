"""JSON value kinds as the States Language and AWS's error messages name them."""

from __future__ import annotations

import json
import re
from typing import Any


def is_number(value: Any) -> bool:
    """True for a JSON number (Python's bool is an int, but not a JSON number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    """The JSON type of ``value`` as AWS words it: null, boolean, number, string, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


# Deeper JSON than this is refused wherever Stepyard parses it: the engine and the console
# walk values recursively, and Python's stack ends near 1,000 frames. AWS documents no
# nesting limit; real payloads stay far below this one.
MAX_DEPTH = 128


class JsonTooDeep(ValueError):
    """A JSON text nested deeper than MAX_DEPTH."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, **options: Any) -> Any:
    """``json.loads`` for untrusted text: ValueError for bad JSON, NaN/Infinity and deep nesting."""
    try:
        value = json.loads(text, parse_constant=_no_constant, **options)
    except RecursionError:
        raise JsonTooDeep(f"JSON nested more than {max_depth} levels deep") from None
    if depth(value, stop_after=max_depth) > max_depth:
        raise JsonTooDeep(f"JSON nested more than {max_depth} levels deep")
    if _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode("utf-8", "replace")):
        _check_encodable(value)
    return value


# A "\ud800" escape without its pair decodes to a str that cannot be written as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _check_encodable(value: Any) -> None:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("JSON text holds an unpaired surrogate (\\ud800-\\udfff)") from None


def depth(value: Any, *, stop_after: int = MAX_DEPTH) -> int:
    """How deeply a JSON value nests (a scalar is 0), counting no further than ``stop_after + 1``."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            level += 1
            deepest = max(deepest, level)
            if deepest > stop_after:
                return deepest
            stack.extend((child, level) for child in item if isinstance(child, (dict, list)))
    return deepest
