"""Syntax of the values inside a definition: paths, reference paths, intrinsic functions,
JSONata expressions and RFC 3339 timestamps (States Language: "Paths", "Reference Paths",
"Intrinsic Functions", "Timestamps"; AWS's JSONata "{% ... %}" expressions).

Each check answers True/False (or an error text for JSONata); the caller words the diagnostic.
The engine's own compilers are used when they exist so that the validator and the interpreter
agree on what parses; small local grammars stand in until then.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

_ROOT = re.compile(r"^(\$\$|\$[A-Za-z_][A-Za-z0-9_]*|\$)")
_REF_SEGMENT = re.compile(r"""\.[^.\[\]'"]+|\[\s*'[^']*'\s*\]|\[\s*"[^"]*"\s*\]|\[\s*\d+\s*\]""")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_INTRINSIC_NAMES = frozenset(
    {
        "Format",
        "StringToJson",
        "JsonToString",
        "Array",
        "ArrayPartition",
        "ArrayContains",
        "ArrayRange",
        "ArrayGetItem",
        "ArrayLength",
        "ArrayUnique",
        "Base64Encode",
        "Base64Decode",
        "Hash",
        "JsonMerge",
        "MathRandom",
        "MathAdd",
        "StringSplit",
        "UUID",
    }
)
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_STRING_ESCAPES = frozenset("'{}\\")
_JSONATA_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def is_jsonata(value: Any) -> bool:
    """Whether a string is a JSONata expression wrapper "{% ... %}"."""
    return (
        isinstance(value, str)
        and value.startswith("{%")
        and value.endswith("%}")
        and len(value) >= 4
    )


def is_json_path(text: Any, *, context: bool = True, variables: bool = True) -> bool:
    """Whether text is a JSONPath AWS accepts ($..., $$... context object, $var variables)."""
    if not isinstance(text, str):
        return False
    if not _root_allowed(text, context, variables):
        return False
    return _compiles(text)


def _root_allowed(text: str, context: bool, variables: bool) -> bool:
    m = _ROOT.match(text)
    if not m:
        return False
    root = m.group(1)
    return (root != "$$" or context) and (root in ("$", "$$") or variables)


def _compiles(text: str) -> bool:
    try:
        from engine.paths import PathSyntaxError, compile_path
    except ImportError:
        return _parses_with_jsonpath_ng(text)
    try:
        compile_path(text)
    except (PathSyntaxError, ValueError, TypeError, AttributeError):
        return False
    except Exception:  # jsonpath-ng raises bare Exception subclasses for odd input
        return False
    return True


def _parses_with_jsonpath_ng(text: str) -> bool:
    from jsonpath_ng.ext import parse

    rest = _ROOT.sub("$", text, count=1)
    try:
        parse(rest)
    except Exception:  # jsonpath-ng's lexer/parser errors share no base class
        return False
    return True


def is_reference_path(text: Any, *, context: bool = True, variables: bool = True) -> bool:
    """A path that names one node: only names and indexes, no wildcards, slices or filters."""
    if not isinstance(text, str):
        return False
    if not _root_allowed(text, context, variables):
        return False
    pos = _ROOT.match(text).end()  # type: ignore[union-attr]
    while pos < len(text):
        seg = _REF_SEGMENT.match(text, pos)
        if not seg:
            return False
        pos = seg.end()
    return True


def is_intrinsic_call(text: Any) -> bool:
    """Whether text is a well-formed intrinsic function call (States.Xxx(...))."""
    if not isinstance(text, str) or not text.startswith("States."):
        return False
    try:
        from engine.intrinsics import IntrinsicSyntaxError, compile_intrinsic
    except ImportError:
        return _IntrinsicScanner(text).whole()
    try:
        compile_intrinsic(text, compile_path=lambda p: lambda ctx: None)
    except IntrinsicSyntaxError:
        return False
    return True


def is_path_or_intrinsic(text: Any) -> bool:
    return is_json_path(text) or is_intrinsic_call(text)


def jsonata_error(expression: str) -> str | None:
    """None when the "{% ... %}" expression parses, else the parser's message."""
    try:
        from engine.jsonata import JsonataSyntaxError, compile_template
    except ImportError:
        return _jsonata_package_error(expression[2:-2])
    try:
        compile_template(expression)
    except JsonataSyntaxError as exc:
        return _strip_code(str(exc))
    return None


def _jsonata_package_error(body: str) -> str | None:
    import jsonata

    try:
        jsonata.Jsonata(body)
    except Exception as exc:  # jsonata-python reports syntax errors as JException
        return _strip_code(str(exc))
    return None


def _strip_code(message: str) -> str:
    # AWS shows the parser's text without JSONata's "S0xxx: " error-code prefix.
    return re.sub(r"^[ST]\d{4}:\s*", "", message)


def jsonata_unsupported(expression: str, in_catcher: bool) -> str | None:
    """AWS's UNSUPPORTED_JSONATA_EXPRESSION message for names Step Functions does not offer."""
    code = _JSONATA_STRINGS.sub('""', expression[2:-2])
    if "$$" in code:
        return "Reference to '$$' is not supported."
    if not in_catcher and re.search(r"\$states\.errorOutput\b", code):
        return "Field '$states.errorOutput' does not exist."
    return None


def is_rfc3339(text: Any) -> bool:
    """Whether text is an RFC 3339 timestamp with a real date and time."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class _IntrinsicScanner:
    """Recursive-descent check of the intrinsic function grammar."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def whole(self) -> bool:
        return self.call() and self.pos == len(self.text)

    def call(self) -> bool:
        m = re.compile(r"States\.([A-Za-z0-9]+)\(").match(self.text, self.pos)
        if not m or m.group(1) not in _INTRINSIC_NAMES:
            return False
        self.pos = m.end()
        self.skip_ws()
        if self.peek() == ")":
            self.pos += 1
            return True
        return self.arguments()

    def arguments(self) -> bool:
        while True:
            self.skip_ws()
            if not self.argument():
                return False
            self.skip_ws()
            ch = self.peek()
            self.pos += 1
            if ch == ")":
                return True
            if ch != ",":
                return False

    def argument(self) -> bool:
        ch = self.peek()
        if ch == "'":
            return self.string()
        if ch == "$":
            return self.path()
        if self.text.startswith("States.", self.pos):
            return self.call()
        for word in ("null", "true", "false"):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return True
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return True
        return False

    def string(self) -> bool:
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                if self.text[self.pos + 1 : self.pos + 2] not in _STRING_ESCAPES:
                    return False
                self.pos += 2
                continue
            self.pos += 1
            if ch == "'":
                return True
        return False

    def path(self) -> bool:
        start, depth = self.pos, 0
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            self.pos += 1
        return is_json_path(self.text[start : self.pos].rstrip())

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip_ws(self) -> None:
        while self.peek() in (" ", "\t"):
            self.pos += 1
