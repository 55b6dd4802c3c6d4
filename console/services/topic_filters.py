"""Subscription filter policies, evaluated as SNS evaluates them.

A policy is a JSON object: each key names a message attribute (FilterPolicyScope
MessageAttributes) or a field of the JSON message body (MessageBody, where keys nest);
its array of conditions matches when any condition matches (OR), and every key must
match (AND); ``"$or": [policy, ...]`` offers alternatives. Conditions: exact strings,
numbers, booleans and null; ``prefix``, ``suffix``, ``equals-ignore-case``,
``anything-but`` (values, or a prefix/suffix), ``numeric`` ranges, ``exists`` and
``cidr``. As in SNS, a condition other than ``exists: false`` never matches a missing
key, numbers match only Number attributes (or JSON numbers in the body), String.Array
attributes and body arrays match when any element matches, and Binary attributes are
never matched.
"""

from __future__ import annotations

import ipaddress
import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from console.services.topic_errors import InvalidParameter
from engine import json_types

ATTRIBUTES, BODY = "MessageAttributes", "MessageBody"
SCOPES = (ATTRIBUTES, BODY)
_NUMERIC_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr")
_ABSENT: list[Any] = []


def _invalid(name: str, reason: str) -> InvalidParameter:
    return InvalidParameter(f"{name}: {reason}")


# --------------------------------------------------------------------------- checking


def check_policy(text: str, scope: str = ATTRIBUTES, name: str = "FilterPolicy") -> dict[str, Any]:
    """Parse and check a filter policy; InvalidParameter (SNS's wording) if it is not one."""
    try:
        policy = json_types.loads(text, parse_float=Decimal)
    except ValueError:
        raise _invalid(name, "failed to parse JSON.") from None
    if not isinstance(policy, dict) or not policy:
        raise _invalid(name, "Filter policy must be a non-empty JSON object.")
    _check_object(policy, nested=scope == BODY, name=name)
    return policy


def _check_object(policy: dict[str, Any], *, nested: bool, name: str) -> None:
    for key, value in policy.items():
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(isinstance(v, dict) for v in value):
                raise _invalid(name, "$or must be an array of at least two filter policies.")
            for alternative in value:
                _check_object(alternative, nested=nested, name=name)
        elif isinstance(value, dict) and nested:
            _check_object(value, nested=nested, name=name)
        elif isinstance(value, list):
            for condition in value:
                _check_condition(condition, name)
        else:
            raise _invalid(name, f"\"{key}\" must be an object or an array")


def _check_condition(condition: Any, name: str) -> None:
    if condition is None or isinstance(condition, (str, bool, int, Decimal)):
        return
    if not isinstance(condition, dict) or len(condition) != 1:
        raise _invalid(name, "Match value must be String, number, true, false, or null")
    (kind, argument), = condition.items()
    if kind not in _OPERATORS:
        raise _invalid(name, f"Unrecognized match type {kind}")
    if kind == "numeric":
        _numeric_bounds(argument, name)
    elif kind == "exists" and not isinstance(argument, bool):
        raise _invalid(name, "exists match pattern must be either true or false.")
    elif kind == "cidr":
        _network(argument, name)
    elif kind == "anything-but":
        _check_anything_but(argument, name)
    elif kind in ("prefix", "suffix", "equals-ignore-case") and not isinstance(argument, str):
        raise _invalid(name, f"{kind} match pattern must be a string")


def _check_anything_but(argument: Any, name: str) -> None:
    if isinstance(argument, dict):
        if len(argument) != 1 or next(iter(argument)) not in ("prefix", "suffix"):
            raise _invalid(name, "Unsupported anything-but pattern")
        return
    values = argument if isinstance(argument, list) else [argument]
    if not values or not all(isinstance(v, (str, int, Decimal)) and not isinstance(v, bool) for v in values):
        raise _invalid(name, "anything-but must be a string, a number, or an array of them")


def _numeric_bounds(argument: Any, name: str) -> list[tuple[Callable[[Any, Any], bool], Decimal]]:
    if not isinstance(argument, list) or not argument or len(argument) % 2:
        raise _invalid(name, "Value of numeric must be an array of operator and value pairs.")
    bounds = []
    for position in range(0, len(argument), 2):
        symbol, value = argument[position], argument[position + 1]
        if symbol not in _NUMERIC_OPERATORS:
            raise _invalid(name, f"Unrecognized numeric range operator: {symbol}")
        if not isinstance(value, (int, Decimal)) or isinstance(value, bool):
            raise _invalid(name, "Value of numeric must be numbers.")
        bounds.append((_NUMERIC_OPERATORS[symbol], Decimal(value)))
    if len(bounds) > 2 or (len(bounds) == 2 and argument[0] == "="):
        raise _invalid(name, "Too many elements in numeric expression.")
    return bounds


def _network(argument: Any, name: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(str(argument), strict=False)
    except ValueError:
        raise _invalid(name, f"Malformed CIDR, one '/' required: {argument}") from None


# --------------------------------------------------------------------------- matching


def matches(policy: dict[str, Any], scope: str, message: str, attributes: dict[str, dict]) -> bool:
    """Whether a message with these attributes passes the (checked) policy."""
    if scope == BODY:
        try:
            document = json_types.loads(message, parse_float=Decimal)
        except ValueError:
            return False  # SNS drops a non-JSON message for a MessageBody policy
        return isinstance(document, dict) and _object_matches(policy, document)
    return _object_matches(policy, _attribute_document(attributes))


def _attribute_document(attributes: dict[str, dict]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for name, value in attributes.items():
        data_type = str(value.get("DataType", ""))
        text = value.get("StringValue")
        if data_type.startswith("Number"):
            document[name] = _number(text)
        elif data_type.startswith("String.Array"):
            document[name] = _array(text)
        elif data_type.startswith("String"):
            document[name] = text
    return document


def _number(text: Any) -> Any:
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return text


def _array(text: Any) -> Any:
    try:
        value = json_types.loads(str(text), parse_float=Decimal)
    except ValueError:
        return text
    return value if isinstance(value, list) else text


def _object_matches(policy: dict[str, Any], document: Any) -> bool:
    for key, rule in policy.items():
        if key == "$or":
            if not any(_object_matches(alternative, document) for alternative in rule):
                return False
        elif isinstance(rule, dict):
            children = [v for v in _leaves(_values(document, key)) if isinstance(v, dict)]
            if not any(_object_matches(rule, child) for child in children):
                return False
        elif not _key_matches(rule, _leaves(_values(document, key))):
            return False
    return True


def _values(document: Any, key: str) -> list[Any]:
    """The values under ``key``; arrays of objects contribute each element's value."""
    if isinstance(document, list):
        return [v for element in document for v in _values(element, key)]
    if isinstance(document, dict) and key in document:
        return [document[key]]
    return _ABSENT


def _leaves(values: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        flat.extend(_leaves(value) if isinstance(value, list) else [value])
    return flat


def _key_matches(conditions: list[Any], values: list[Any]) -> bool:
    for condition in conditions:
        if isinstance(condition, dict) and "exists" in condition:
            if bool(values) == condition["exists"]:
                return True
        elif any(_condition_matches(condition, value) for value in values):
            return True
    return False


def _condition_matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return _equal(condition, value)
    (kind, argument), = condition.items()
    return _MATCHERS[kind](argument, value)


def _equal(expected: Any, value: Any) -> bool:
    if expected is None or value is None:
        return expected is None and value is None
    if isinstance(expected, (bool, str)) or isinstance(value, (bool, str)):
        return type(expected) is type(value) and expected == value
    return Decimal(value) == Decimal(expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _anything_but(argument: Any, value: Any) -> bool:
    if isinstance(argument, dict):
        (kind, text), = argument.items()
        return isinstance(value, str) and not _MATCHERS[kind](text, value)
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_equal(candidate, value) for candidate in excluded)


def _numeric(argument: Any, value: Any) -> bool:
    if not _is_number(value):
        return False
    return all(compare(Decimal(value), bound) for compare, bound in _numeric_bounds(argument, "FilterPolicy"))


def _cidr(argument: Any, value: Any) -> bool:
    try:
        return ipaddress.ip_address(str(value)) in _network(argument, "FilterPolicy")
    except ValueError:
        return False


_MATCHERS: dict[str, Callable[[Any, Any], bool]] = {
    "prefix": lambda text, value: isinstance(value, str) and value.startswith(text),
    "suffix": lambda text, value: isinstance(value, str) and value.endswith(text),
    "equals-ignore-case": lambda text, value: isinstance(value, str) and value.lower() == text.lower(),
    "anything-but": _anything_but,
    "numeric": _numeric,
    "cidr": _cidr,
}
