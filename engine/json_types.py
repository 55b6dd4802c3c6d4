"""JSON value kinds as the States Language and AWS's error messages name them."""

from __future__ import annotations

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
