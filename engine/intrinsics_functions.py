"""The 18 intrinsic functions of the States Language ("Intrinsic Functions").

Each implementation takes already-evaluated argument values and returns the
result, raising StatesError("States.IntrinsicFailure", cause) when AWS would.
Argument counts are checked at compile time by ``engine.intrinsics``; the
checks here are about the runtime types and values of the arguments.

Number handling follows AWS's Java implementation: integers are Java ints,
``States.MathAdd`` / ``States.MathRandom`` round fractional arguments half up
(``Math.round``: 2.5 -> 3, -2.5 -> -2), and ``States.Format`` renders objects
and arrays the way Java's ``Map.toString`` / ``List.toString`` do.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine import json_types
from engine.errors import STATES_INTRINSIC_FAILURE, StatesError
from engine.json_types import is_number, type_name

# AWS documents these limits for the encode/decode/hash intrinsics.
MAX_STRING_LENGTH = 10_000
# States.ArrayRange refuses to build arrays with more than 1000 items.
MAX_RANGE_ITEMS = 1000

HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def fail(cause: str) -> StatesError:
    """Build the States.IntrinsicFailure error AWS raises for a bad call."""
    return StatesError(STATES_INTRINSIC_FAILURE, cause)


# ---------------------------------------------------------------- type checks


def _require(func: str, position: int, value: Any, kind: str, ok: bool) -> None:
    if not ok:
        raise fail(
            f"The {_ordinal(position)} argument of {func} must be {kind}, "
            f"but was {type_name(value)}: {to_json(value)}"
        )


def _ordinal(position: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(position, f"#{position}")


def require_array(func: str, position: int, value: Any) -> list:
    _require(func, position, value, "an array", isinstance(value, list))
    return value


def require_string(func: str, position: int, value: Any) -> str:
    _require(func, position, value, "a string", isinstance(value, str))
    return value


def require_object(func: str, position: int, value: Any) -> dict:
    _require(func, position, value, "an object", isinstance(value, dict))
    return value


def require_integer(func: str, position: int, value: Any) -> int:
    """Accept ints and integral floats (JSON has one number type)."""
    ok = is_number(value) and float(value).is_integer()
    _require(func, position, value, "an integer", ok)
    return int(value)


def java_round(value: Any, func: str, position: int) -> int:
    """Round half up like java.lang.Math.round (AWS: 2.5 -> 3, -2.5 -> -2)."""
    if type(value) is int:
        return value
    _require(func, position, value, "a number", is_number(value))
    return int(math.floor(value + 0.5))


# ------------------------------------------------------------------ rendering


def java_double(value: float) -> str:
    """Render a float like Java's Double.toString (what AWS prints)."""
    if math.isinf(value) or math.isnan(value):
        return {math.inf: "Infinity", -math.inf: "-Infinity"}.get(value, "NaN")
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)  # Python and Java agree on plain notation here.
    exact = Decimal(repr(value))
    digits = "".join(map(str, exact.as_tuple().digits)).rstrip("0") or "0"
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exact.adjusted()}"


def to_json(value: Any) -> str:
    """Serialise compactly, the way AWS (Jackson) writes JSON text."""
    if isinstance(value, float) and not isinstance(value, bool):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (json.dumps(k, ensure_ascii=False) + ":" + to_json(v) for k, v in value.items())
        return "{" + ",".join(items) + "}"
    return json.dumps(value, ensure_ascii=False)


def format_value(value: Any) -> str:
    """Render one States.Format argument (Java toString of the JSON value)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality: unlike Python, true is not 1 and 1 is 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(v, right[k]) for k, v in left.items())
    if type(left) in (list, dict) or type(right) in (list, dict):
        return False
    return left == right


# ------------------------------------------------------------------- generic


def states_format(template: Any, *args: Any) -> str:
    """States.Format with a template known only at run time (no escapes)."""
    text = require_string("States.Format", 1, template)
    return format_pieces(text.split("{}"), args)


def format_pieces(pieces: list[str], args: tuple | list) -> str:
    """Interleave template pieces with rendered arguments."""
    if len(pieces) - 1 != len(args):
        raise fail(
            f"The number of arguments ({len(args)}) does not match the number of "
            f"placeholders ({len(pieces) - 1}) in the States.Format template"
        )
    out = [pieces[0]]
    for arg, piece in zip(args, pieces[1:], strict=True):
        out.append(format_value(arg))
        out.append(piece)
    return "".join(out)


# -------------------------------------------------------------------- arrays


def states_array(*args: Any) -> list:
    return list(args)


def array_partition(array: Any, size: Any) -> list:
    items = require_array("States.ArrayPartition", 1, array)
    chunk = require_integer("States.ArrayPartition", 2, size)
    if chunk <= 0:
        raise fail(
            f"The chunk size of States.ArrayPartition must be greater than 0, but was {chunk}"
        )
    return [items[i : i + chunk] for i in range(0, len(items), chunk)]


def array_contains(array: Any, value: Any) -> bool:
    items = require_array("States.ArrayContains", 1, array)
    return any(json_equal(item, value) for item in items)


def array_range(start: Any, end: Any, step: Any) -> list:
    first = require_integer("States.ArrayRange", 1, start)
    last = require_integer("States.ArrayRange", 2, end)
    stride = require_integer("States.ArrayRange", 3, step)
    if stride == 0:
        raise fail("The step of States.ArrayRange must not be 0")
    stop = last + (1 if stride > 0 else -1)
    if len(range(first, stop, stride)) > MAX_RANGE_ITEMS:
        raise fail(f"States.ArrayRange cannot produce more than {MAX_RANGE_ITEMS} items")
    return list(range(first, stop, stride))


def array_get_item(array: Any, index: Any) -> Any:
    items = require_array("States.ArrayGetItem", 1, array)
    position = require_integer("States.ArrayGetItem", 2, index)
    if not 0 <= position < len(items):
        raise fail(
            f"The index {position} is out of bounds for States.ArrayGetItem "
            f"on an array of length {len(items)}"
        )
    return items[position]


def array_length(array: Any) -> int:
    return len(require_array("States.ArrayLength", 1, array))


def array_unique(array: Any) -> list:
    # One pass with a hashable key (a pairwise comparison is quadratic: a 256 KiB array of
    # distinct numbers would take hours).
    seen: set = set()
    unique: list = []
    for item in require_array("States.ArrayUnique", 1, array):
        key = _json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _json_key(value: Any) -> Any:
    """A hashable stand-in equal for values json_equal calls equal (1 is 1.0, true is not 1)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, list):
        return ("array", tuple(_json_key(item) for item in value))
    return ("object", frozenset((key, _json_key(item)) for key, item in value.items()))


# -------------------------------------------------------- encoding and hashes


def _require_short(func: str, text: str) -> None:
    if len(text) > MAX_STRING_LENGTH:
        raise fail(f"The input of {func} must be at most {MAX_STRING_LENGTH} characters long")


def base64_encode(value: Any) -> str:
    text = require_string("States.Base64Encode", 1, value)
    _require_short("States.Base64Encode", text)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def base64_decode(value: Any) -> str:
    text = require_string("States.Base64Decode", 1, value)
    _require_short("States.Base64Decode", text)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError) as exc:
        raise fail(f"The input of States.Base64Decode is not valid base64: {text}") from exc


def states_hash(value: Any, algorithm: Any) -> str:
    name = require_string("States.Hash", 2, algorithm)
    if name not in HASH_ALGORITHMS:
        supported = ", ".join(HASH_ALGORITHMS)
        raise fail(
            f"The hashing algorithm {name} is not supported by States.Hash "
            f"(use one of: {supported})"
        )
    text = value if isinstance(value, str) else to_json(value)
    _require_short("States.Hash", text)
    return HASH_ALGORITHMS[name](text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------- JSON


def string_to_json(value: Any) -> Any:
    text = require_string("States.StringToJson", 1, value)
    # AWS turns an empty or blank string into null instead of failing.
    if not text.strip():
        return None
    try:
        return json_types.loads(text)
    except ValueError as exc:
        raise fail(f"The input of States.StringToJson is not valid JSON: {text}") from exc


def json_to_string(value: Any) -> str:
    return to_json(value)


def json_merge(left: Any, right: Any, deep: Any) -> dict:
    first = require_object("States.JsonMerge", 1, left)
    second = require_object("States.JsonMerge", 2, right)
    _require("States.JsonMerge", 3, deep, "a boolean", isinstance(deep, bool))
    # AWS only implements the shallow mode; the flag must be false.
    if deep:
        raise fail(
            "States.JsonMerge only supports shallow merging: its third argument must be false"
        )
    return {**first, **second}


# ----------------------------------------------------------------------- math


def math_add(left: Any, right: Any) -> int:
    if type(left) is int and type(right) is int:
        return left + right
    return java_round(left, "States.MathAdd", 1) + java_round(right, "States.MathAdd", 2)


def math_random(source: Any, start: Any, end: Any) -> int:
    """A random integer in [start, end), drawn from ``source.randrange``."""
    low = java_round(start, "States.MathRandom", 1)
    high = java_round(end, "States.MathRandom", 2)
    if low >= high:
        raise fail(f"The start ({low}) of States.MathRandom must be less than its end ({high})")
    return int(source.randrange(low, high))


# -------------------------------------------------------------------- strings


def string_split(value: Any, delimiters: Any) -> list[str]:
    """Split on any delimiter character, dropping empty tokens.

    AWS behaves like Java's StringTokenizer: "a,,b" split on "," is ["a", "b"].
    """
    text = require_string("States.StringSplit", 1, value)
    chars = require_string("States.StringSplit", 2, delimiters)
    if not chars:
        return [text] if text else []
    tokens: list[str] = []
    current: list[str] = []
    for char in text:
        if char in chars:
            tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return [token for token in tokens if token]
