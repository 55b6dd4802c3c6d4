"""Choice conditions of FDL (Serverless Workflow: "Choice steps": ``condition``), compiled
once into a test over the choice step's input, and rendered as the equivalent JSONata
``Condition`` for the ASL view of a flow.

The grammar (the FDL documents show conditions such as ``$.name == "hello"``; they do not
publish a grammar, so this is the subset Stepyard accepts and says so in its errors):

    expr   := or
    or     := and ('||' and)*
    and    := unary ('&&' unary)*
    unary  := '!' unary | compare
    compare:= term (('==' | '!=' | '<' | '<=' | '>' | '>=') term)?
    term   := path | number | string | true | false | null | '(' expr ')'

A path is ``$`` or ``$.a.b[0]`` over the choice step's input; a path that selects nothing
reads as null. ``<``-style comparisons hold only between two numbers or two strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from engine import paths
from engine.json_types import is_number

Test = Callable[[Any], bool]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()])
      | (?P<word>true|false|null)\b
      | (?P<path>\$[^\s=!<>&|()]*)
    )""",
    re.VERBOSE,
)
_COMPARE = {
    "==": lambda a, b: a == b and type(a) is type(b) or _same_number(a, b),
    "!=": lambda a, b: not (a == b and type(a) is type(b) or _same_number(a, b)),
    "<": lambda a, b: _ordered(a, b) and a < b,
    "<=": lambda a, b: _ordered(a, b) and a <= b,
    ">": lambda a, b: _ordered(a, b) and a > b,
    ">=": lambda a, b: _ordered(a, b) and a >= b,
}
_JSONATA_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_WORDS = {"true": True, "false": False, "null": None}


class ConditionError(ValueError):
    """A condition Stepyard cannot read; the message says where."""


def _same_number(a: Any, b: Any) -> bool:
    return is_number(a) and is_number(b) and a == b


def _ordered(a: Any, b: Any) -> bool:
    return (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str))


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ConditionError(f"unexpected text at character {pos + 1}: {text[pos:pos + 12]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Recursive descent over the tokens; builds (test, jsonata) pairs."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ConditionError("the condition ends too early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> tuple[Callable[[Any], Any], str]:
        node = self.logical("||", "or", self.conjunction)
        if self.pos != len(self.tokens):
            raise ConditionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def conjunction(self) -> tuple[Callable[[Any], Any], str]:
        return self.logical("&&", "and", self.unary)

    def logical(self, op: str, word: str, operand: Callable[[], Any]) -> Any:
        fn, text = operand()
        while self.peek() == op:
            self.take()
            right, right_text = operand()
            fn = _or(fn, right) if op == "||" else _and(fn, right)
            text = f"({text} {word} {right_text})"
        return fn, text

    def unary(self) -> tuple[Callable[[Any], Any], str]:
        if self.peek() == "!":
            self.take()
            fn, text = self.unary()
            return (lambda data: not _truthy(fn(data))), f"$not({text})"
        return self.compare()

    def compare(self) -> tuple[Callable[[Any], Any], str]:
        left, left_text = self.term()
        op = self.peek()
        if op not in _COMPARE:
            return left, left_text
        self.take()
        right, right_text = self.term()
        check = _COMPARE[op]
        return ((lambda data: check(left(data), right(data))),
                f"{left_text} {_JSONATA_OPS[op]} {right_text}")

    def term(self) -> tuple[Callable[[Any], Any], str]:
        kind, text = self.take()
        if text == "(":
            inner = self.logical("||", "or", self.conjunction)
            if self.take()[1] != ")":
                raise ConditionError("a '(' is not closed")
            return inner
        if kind == "num":
            value = json.loads(text)
            return (lambda data: value), text
        if kind == "str":
            value = _string(text)
            return (lambda data: value), json.dumps(value)
        if kind == "word":
            word = _WORDS[text]
            return (lambda data: word), text
        if kind == "path":
            return _path(text)
        raise ConditionError(f"unexpected {text!r}")


def _string(text: str) -> str:
    if text.startswith("'"):
        text = '"' + text[1:-1].replace('\\"', '"').replace('"', '\\"') + '"'
    return json.loads(text)


def _path(text: str) -> tuple[Callable[[Any], Any], str]:
    if text != "$" and not text.startswith(("$.", "$[")):
        raise ConditionError(f"a path must start with '$.' (got {text!r})")
    try:
        getter = paths.compile_path(text)
    except paths.PathSyntaxError as exc:
        raise ConditionError(str(exc)) from exc

    def read(data: Any) -> Any:
        try:
            return getter(paths.Scope(data, _no_context, {}))
        except paths.PathNotFound:
            return None

    return read, "$states.input" + text[1:]


def _no_context() -> dict[str, Any]:
    return {}


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "") and value != [] and value != {}


def _or(left: Callable[[Any], Any], right: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: _truthy(left(data)) or _truthy(right(data))


def _and(left: Callable[[Any], Any], right: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: _truthy(left(data)) and _truthy(right(data))


def compile_condition(text: str) -> tuple[Test, str]:
    """``(test(step_input) -> bool, jsonata_text)``; ConditionError when unreadable."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be a non-empty string")
    fn, jsonata = _Parser(text).parse()
    return (lambda data: _truthy(fn(data))), "{% " + jsonata + " %}"
