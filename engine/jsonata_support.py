"""JSONata plumbing for engine.jsonata ("Transforming data with JSONata in Step Functions").

Three jobs, kept apart from the template logic:

* the functions Step Functions adds to JSONata ($partition, $range, $hash,
  $random with an optional seed, $uuid, $parse), with $eval removed as AWS
  does (calling it fails with T1006 "Attempted to invoke a non-function");
  a $range of one item is a sequence, so AWS (and so Stepyard) answers the item;
* turning jsonata-python's values back into plain JSON (its sequences, its
  null marker, floats that are integers) and spotting non-JSON results;
* rendering a JSONata error the way AWS (jsonata-js) words it, e.g.
  ``T0410: Argument 1 of function "abs" does not match function signature``
  (jsonata-python's catalogue says "Object" where jsonata-js says "function"
  and does not quote substituted tokens).
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
from collections.abc import Callable
from typing import Any

from jsonata import Functions, JException, Jsonata, Utils

from engine import intrinsics_functions as fn
from engine import json_types
from engine.errors import StatesError
from engine.jsonata_bounds import LIMITS


class FunctionFailure(Exception):
    """An AWS-provided JSONata function refused its arguments (message has no code)."""


class UnsupportedResult(Exception):
    """An expression produced something JSON cannot hold (e.g. a function)."""


# ------------------------------------------------------------ AWS functions


def _plain_arg(value: Any) -> Any:
    return None if value is Utils.NULL_VALUE else to_plain(value)


def _guard(call: Callable[..., Any], intrinsic: str, name: str) -> Callable[..., Any]:
    """Run the intrinsic twin of an AWS JSONata function, naming the JSONata function."""

    def run(*args: Any) -> Any:
        try:
            return call(*[_plain_arg(arg) for arg in args])
        except StatesError as exc:
            raise FunctionFailure(str(exc.cause).replace(intrinsic, name)) from exc

    return run


def _range(*args: Any) -> Any:
    """$range; a one-item result is a JSONata sequence, so AWS answers the item itself."""
    items = _guard(fn.array_range, "States.ArrayRange", "$range")(*args)
    return Utils.create_sequence(items[0]) if len(items) == 1 else items


def _parse(text: str) -> Any:
    try:
        value = json_types.loads(text)
    except ValueError as exc:
        raise FunctionFailure(f"The input of $parse is not valid JSON: {text}") from exc
    return Utils.NULL_VALUE if value is None else value


def _pad(text: Any, width: Any, char: Any = None) -> Any:
    # $pad allocates its result at once, before any size check could see it.
    if isinstance(width, (int, float)) and abs(width) > LIMITS.max_size:
        raise FunctionFailure(f"$pad cannot make a string longer than {LIMITS.max_size} characters")
    return Functions.pad(text, width, char)


def _function(call: Callable[..., Any], signature: str) -> Jsonata.JFunction:
    return Jsonata.JFunction(Jsonata.JLambda(call), signature)


class Clock(threading.local):
    """What $now() and $millis() read: an injected instant, else JSONata's own (per thread)."""

    def __init__(self) -> None:
        self.millis: int | None = None

    def current(self) -> int:
        if self.millis is not None:
            return self.millis
        return int(Jsonata.CURRENT.jsonata.timestamp)


def aws_frame(random_source: Any, uuid_source: Callable[[], Any], clock: Clock) -> Jsonata.Frame:
    """A frame binding Step Functions' extra functions over JSONata's built-ins."""
    frame = Jsonata.Frame(Jsonata.static_frame)

    def aws_random(seed: Any = None) -> float:
        # AWS: "$random(seed)" is deterministic for a given seed.
        source = random_source if seed is None else random.Random(seed)
        return float(source.random())

    def now(picture: str | None = None, timezone: str | None = None) -> Any:
        return Functions.datetime_from_millis(clock.current(), picture, timezone)

    bindings = {
        "partition": _function(
            _guard(fn.array_partition, "States.ArrayPartition", "$partition"), "<an:a>"
        ),
        "range": _function(_range, "<nnn:a>"),
        "hash": _function(_guard(fn.states_hash, "States.Hash", "$hash"), "<ss:s>"),
        "random": _function(aws_random, "<n?:n>"),
        "uuid": _function(lambda: str(uuid_source()), "<:s>"),
        "parse": _function(_parse, "<s:x>"),
        "now": _function(now, "<s?s?:s>"),
        "millis": _function(clock.current, "<:n>"),
        "pad": _function(_pad, "<s-ns?:s>"),
    }
    for name, function in bindings.items():
        frame.bind(name, function)
    # AWS: "$eval is not available"; a call fails like any undefined function.
    frame.bind("eval", None)
    return frame


# ------------------------------------------------------------ value mapping


def to_jsonata(value: Any) -> Any:
    """Bind a workflow value: a top-level JSON null must stay null, not undefined."""
    return Utils.NULL_VALUE if value is None else value


def to_plain(value: Any) -> Any:
    """Convert a JSONata result to plain JSON values (lists, dicts, int when integral)."""
    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _plain_number(value)
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    raise UnsupportedResult(type(value).__name__)


def _plain_number(value: float) -> int | float:
    # AWS prints JSONata numbers like JavaScript does: 3.0 is 3.
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


# ------------------------------------------------------------ error messages

# jsonata-js names the element type of T0412 ("must be an array of "numbers"").
_ARRAY_OF = {
    "a": "arrays",
    "b": "booleans",
    "f": "functions",
    "n": "numbers",
    "o": "objects",
    "s": "strings",
}
_PLACEHOLDER = re.compile(r"\{\{\{?\w+\}?\}\}")


def describe_jsonata_error(error: JException) -> str:
    """Render ``CODE: message`` the way jsonata-js (and so AWS) words it."""
    template = JException.error_codes.get(error.error)
    if template is None:
        return f"{error.error}: {error}"
    if template == "{{{message}}}":
        return f"{error.error}: {error.current}"
    args = [error.current, error.expected, getattr(error, "extra", None)]
    if error.error == "T0412":
        args[2] = _ARRAY_OF.get(str(args[2]), args[2])
    values = iter(args)
    message = _PLACEHOLDER.sub(lambda match: _stringify(next(values, None)), template)
    return f"{error.error}: {message.replace('Object', 'function')}"


def _stringify(value: Any) -> str:
    """JSON.stringify as jsonata-js applies it to a message token."""
    if value is None:
        return "undefined"
    try:
        return json.dumps(to_plain(value), ensure_ascii=False, separators=(",", ":"))
    except UnsupportedResult:
        return str(value)
