"""Parse and compile intrinsic function calls (States Language, "Intrinsic Functions").

An intrinsic is the value of a ``"key.$"`` field (Parameters, ItemSelector,
ResultSelector, Assign, ...) such as ``States.Format('Hi {}', $.name)``. It is
parsed once, at load time, into a plain Python closure; evaluating it never
parses again.

Public API (stable; used by engine.definition and engine.validation):

``is_intrinsic(text) -> bool``
    True when a ``.$`` value is an intrinsic call (it starts with ``States.``).

``IntrinsicSyntaxError(ValueError)``
    Raised by ``compile_intrinsic`` for text that is not a valid call: unknown
    function, wrong argument count, bad literal, illegal escape, more than 10
    nested calls. ``str(error)`` is a human-readable reason; the validator
    wraps it in AWS's "must be a valid JSONPath or a valid intrinsic function
    call" diagnostic.

``compile_intrinsic(text, compile_path, *, random_source=None, uuid_source=None)``
    Returns ``evaluate(ctx) -> value``. Path arguments (``$``, ``$.a.b``,
    ``$$.Execution.Id``, ``$var.field``) are handed, as text, to
    ``compile_path(text)``, which must return a getter ``getter(ctx)``; ``ctx``
    is opaque here and passed through unchanged, so whatever the path getters
    raise for a missing path (States.Runtime in AWS) propagates as is.
    Bad argument values raise ``StatesError("States.IntrinsicFailure", cause)``;
    the caller prefixes AWS's "An error occurred while executing the state
    ..." sentence. ``random_source`` needs ``randrange(start, stop)`` (default
    ``random.Random()``) and ``uuid_source`` is a zero-argument callable
    (default ``uuid.uuid4``), so tests can be deterministic.

String literals use single quotes; the only escapes are ``\\'``, ``\\{``,
``\\}`` and ``\\\\`` (AWS rejects others, e.g. ``\\"``). In a literal
``States.Format`` template an escaped brace is a literal brace, never part of
a ``{}`` placeholder.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import intrinsics_functions as fn

Getter = Callable[[Any], Any]
PathCompiler = Callable[[str], Getter]

# AWS: "You can nest up to 10 intrinsic functions within a field".
MAX_NESTING = 10

_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_KEYWORDS = {"true": True, "false": False, "null": None}
_ESCAPES = {"'": "'", "{": "{", "}": "}", "\\": "\\"}

# name -> (fewest arguments, most arguments or None for no limit)
ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}

_PLAIN: dict[str, Callable[..., Any]] = {
    "States.StringToJson": fn.string_to_json,
    "States.JsonToString": fn.json_to_string,
    "States.Array": fn.states_array,
    "States.ArrayPartition": fn.array_partition,
    "States.ArrayContains": fn.array_contains,
    "States.ArrayRange": fn.array_range,
    "States.ArrayGetItem": fn.array_get_item,
    "States.ArrayLength": fn.array_length,
    "States.ArrayUnique": fn.array_unique,
    "States.Base64Encode": fn.base64_encode,
    "States.Base64Decode": fn.base64_decode,
    "States.Hash": fn.states_hash,
    "States.JsonMerge": fn.json_merge,
    "States.StringSplit": fn.string_split,
}


class IntrinsicSyntaxError(ValueError):
    """The text of a ``.$`` field is not a valid intrinsic function call."""


def is_intrinsic(text: str) -> bool:
    """Tell whether the value of a ``.$`` field is an intrinsic function call."""
    return isinstance(text, str) and text.startswith("States.")


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class _Literal:
    value: Any
    # For string literals: the text split at unescaped "{}" placeholders.
    pieces: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Path:
    text: str


@dataclass(frozen=True)
class _Call:
    name: str
    args: tuple[Any, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------- parser


class _Parser:
    """Recursive-descent parser over the characters of one intrinsic call."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, reason: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(f"{reason} at position {self.pos} in {self.text!r}")

    def parse(self) -> _Call:
        call = self.call(depth=1)
        self.skip_spaces()
        if self.pos != len(self.text):
            raise self.error("Unexpected text after the intrinsic function call")
        return call

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def call(self, depth: int) -> _Call:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.error("Expected an intrinsic function name")
        name = match.group()
        if name not in ARITY:
            raise self.error(f"Unknown intrinsic function {name}")
        if depth > MAX_NESTING:
            raise self.error(f"More than {MAX_NESTING} nested intrinsic functions")
        self.pos = match.end()
        self.skip_spaces()
        if self.peek() != "(":
            raise self.error(f"Expected '(' after {name}")
        self.pos += 1
        args = self.arguments(depth)
        _check_arity(name, len(args), self)
        return _Call(name, tuple(args))

    def arguments(self, depth: int) -> list[Any]:
        args: list[Any] = []
        self.skip_spaces()
        if self.peek() == ")":
            self.pos += 1
            return args
        while True:
            self.skip_spaces()
            args.append(self.argument(depth))
            self.skip_spaces()
            char = self.peek()
            self.pos += 1
            if char == ")":
                return args
            if char != ",":
                self.pos -= 1
                raise self.error("Expected ',' or ')' between arguments")

    def argument(self, depth: int) -> Any:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return _Path(self.path())
        if self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        return self.scalar()

    def string(self) -> _Literal:
        self.pos += 1
        pieces: list[Any] = []
        current: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "'":
                self.pos += 1
                pieces.append("".join(current))
                return _Literal("{}".join(pieces), tuple(pieces))
            if char == "\\":
                current.append(self.escape())
                continue
            if char == "{" and self.text.startswith("{}", self.pos):
                pieces.append("".join(current))
                current = []
                self.pos += 2
                continue
            current.append(char)
            self.pos += 1
        raise self.error("Unterminated string literal")

    def escape(self) -> str:
        char = self.text[self.pos + 1 : self.pos + 2]
        if char not in _ESCAPES:
            raise self.error(f"Illegal escape sequence '\\{char}' in a string literal")
        self.pos += 2
        return _ESCAPES[char]

    def path(self) -> str:
        """Scan a path up to the ',' or ')' that ends the argument."""
        start, depth, quote = self.pos, 0, ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])" and depth:
                depth -= 1
            elif char in ",)":
                break
            self.pos += 1
        return self.text[start : self.pos].rstrip()

    def scalar(self) -> _Literal:
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            text = match.group()
            number = float(text) if match.group(1) or match.group(2) else int(text)
            return _Literal(number)
        for word, value in _KEYWORDS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return _Literal(value)
        raise self.error("Expected an argument (string, number, true, false, null, path or call)")


def _check_arity(name: str, count: int, parser: _Parser) -> None:
    low, high = ARITY[name]
    if count < low or (high is not None and count > high):
        if low == high:
            expected = str(low)
        else:
            expected = f"at least {low}" if high is None else f"{low} to {high}"
        raise parser.error(f"{name} takes {expected} argument(s) but was given {count}")


# ------------------------------------------------------------------- compiler


@dataclass(frozen=True)
class _Env:
    compile_path: PathCompiler
    random_source: Any
    uuid_source: Callable[[], Any]


def compile_intrinsic(
    text: str,
    compile_path: PathCompiler,
    *,
    random_source: Any = None,
    uuid_source: Callable[[], Any] | None = None,
) -> Getter:
    """Parse an intrinsic call once and return ``evaluate(ctx) -> value``."""
    if not is_intrinsic(text):
        raise IntrinsicSyntaxError(f"Not an intrinsic function call: {text!r}")
    env = _Env(compile_path, random_source or random.Random(), uuid_source or uuid.uuid4)
    return _compile_call(_Parser(text).parse(), env)


def _compile_node(node: Any, env: _Env) -> Getter:
    if isinstance(node, _Literal):
        value = node.value
        return lambda ctx: value
    if isinstance(node, _Path):
        return _compile_path(node.text, env)
    return _compile_call(node, env)


def _compile_path(text: str, env: _Env) -> Getter:
    try:
        return env.compile_path(text)
    except ValueError as exc:
        raise IntrinsicSyntaxError(f"Invalid path argument {text!r}: {exc}") from exc


def _compile_call(call: _Call, env: _Env) -> Getter:
    special = _SPECIAL.get(call.name)
    if special is not None:
        return special(call, env)
    impl = _PLAIN[call.name]
    getters = [_compile_node(arg, env) for arg in call.args]
    if len(getters) == 1:
        only = getters[0]
        return lambda ctx: impl(only(ctx))
    if len(getters) == 2:
        first, second = getters
        return lambda ctx: impl(first(ctx), second(ctx))
    return lambda ctx: impl(*[getter(ctx) for getter in getters])


def _compile_format(call: _Call, env: _Env) -> Getter:
    template, *rest = call.args
    getters = [_compile_node(arg, env) for arg in rest]
    if isinstance(template, _Literal) and isinstance(template.value, str):
        pieces = list(template.pieces)
        return lambda ctx: fn.format_pieces(pieces, [getter(ctx) for getter in getters])
    dynamic = _compile_node(template, env)
    return lambda ctx: fn.states_format(dynamic(ctx), *[getter(ctx) for getter in getters])


def _compile_math_add(call: _Call, env: _Env) -> Getter:
    left, right = (_compile_node(arg, env) for arg in call.args)
    constant = call.args[1].value if isinstance(call.args[1], _Literal) else None
    if type(constant) is int:
        # The hot loop case, States.MathAdd($.i, 1): one getter call, one add.
        def add_constant(ctx: Any) -> Any:
            value = left(ctx)
            if type(value) is int:
                return value + constant
            return fn.math_add(value, constant)

        return add_constant
    return lambda ctx: fn.math_add(left(ctx), right(ctx))


def _compile_math_random(call: _Call, env: _Env) -> Getter:
    start, end, *seed = (_compile_node(arg, env) for arg in call.args)
    if seed:
        # A seeded call is deterministic: same seed, same number.
        seed_getter = seed[0]

        def seeded(ctx: Any) -> int:
            source = random.Random(fn.java_round(seed_getter(ctx), "States.MathRandom", 3))
            return fn.math_random(source, start(ctx), end(ctx))

        return seeded
    source = env.random_source
    return lambda ctx: fn.math_random(source, start(ctx), end(ctx))


def _compile_uuid(call: _Call, env: _Env) -> Getter:
    source = env.uuid_source
    return lambda ctx: str(source())


_SPECIAL: dict[str, Callable[[_Call, _Env], Getter]] = {
    "States.Format": _compile_format,
    "States.MathAdd": _compile_math_add,
    "States.MathRandom": _compile_math_random,
    "States.UUID": _compile_uuid,
}
