"""Reading a definition's JSON text the way Step Functions does (INVALID_JSON_DESCRIPTION).

AWS parses definitions with Jackson and returns Jackson's own error text: the message, then
"\\n at [Source: (String)"<text>"; line: L, column: C]", with that bracket also used as the
diagnostic's location. Python's ``json`` accepts the same documents (we reject NaN/Infinity,
which Jackson refuses too), so we parse with it and, only when it fails, re-scan the text with
a small scanner that reproduces where and how Jackson reports the problem. Like Jackson's
default ObjectMapper, content after the root value is ignored.
"""

from __future__ import annotations

import json
from typing import Any

from engine.errors import Diagnostic
from engine.json_types import MAX_DEPTH, depth

INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
_VALUE_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_SOURCE_LIMIT = 500  # Jackson quotes at most this many characters of the source text
_ESCAPES = set('"\\/bfnrtu')


class JsonDescriptionError(ValueError):
    """The definition is not JSON; carries the INVALID_JSON_DESCRIPTION diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message)


class _JacksonError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message = message
        self.pos = pos


def parse_json(text: str | bytes) -> Any:
    """Parse definition text; raise JsonDescriptionError worded like AWS (Jackson)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    try:
        value, _end = json.JSONDecoder(parse_constant=_reject_constant).raw_decode(
            text, _skip_ws(text, 0)
        )
    except RecursionError:
        raise _too_deep(text) from None
    except ValueError:
        message, pos = _describe(text)
        raise JsonDescriptionError(_diagnostic(text, message, pos)) from None
    if depth(value) > MAX_DEPTH:
        raise _too_deep(text)
    return value


def _too_deep(text: str) -> JsonDescriptionError:
    # Jackson's own words for its (larger) StreamReadConstraints nesting limit.
    message = f"Document nesting depth exceeds the maximum allowed ({MAX_DEPTH})"
    return JsonDescriptionError(_diagnostic(text, message, 0))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard token {name}")


def _diagnostic(text: str, message: str, pos: int) -> Diagnostic:
    where = location_of(text, pos)
    return Diagnostic(INVALID_JSON_DESCRIPTION, where, f"{message}\n at {where}")


def location_of(text: str, pos: int) -> str:
    """Jackson's "[Source: ...; line: L, column: C]" for a 0-based offset."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"[Source: {_source(text)}; line: {line}, column: {column}]"


def _source(text: str) -> str:
    if len(text) <= _SOURCE_LIMIT:
        return f'(String)"{text}"'
    return f'(String)"{text[:_SOURCE_LIMIT]}"[truncated {len(text) - _SOURCE_LIMIT} chars]'


def _describe(text: str) -> tuple[str, int]:
    """Find the first error the way Jackson meets it: (message, offset after the culprit)."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except _JacksonError as exc:
        return exc.message, exc.pos
    return "Unexpected content", len(text)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _char_desc(ch: str) -> str:
    code = ord(ch)
    if code < 32:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{ch}' (code {code} / 0x{code:x})"
    return f"'{ch}' (code {code})"


def _is_ident(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


class _Scanner:
    """Walks JSON text and raises _JacksonError with Jackson's wording for the first fault."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def document(self) -> None:
        self.pos = _skip_ws(self.text, 0)
        if self.pos >= len(self.text):
            raise _JacksonError("No content to map due to end-of-input", self.pos)
        self.value()

    def unexpected(self, what: str) -> _JacksonError:
        ch = self.text[self.pos]
        return _JacksonError(f"Unexpected character ({_char_desc(ch)}): {what}", self.pos + 1)

    def eof_in(self, kind: str, start: int) -> _JacksonError:
        marker = location_of(self.text, start)
        message = (
            f"Unexpected end-of-input: expected close marker for {kind} (start marker at {marker})"
        )
        return _JacksonError(message, len(self.text))

    def value(self) -> None:
        ch = self.text[self.pos]
        if ch == "{":
            self.container("}", "Object", self.member)
        elif ch == "[":
            self.container("]", "Array", self.value_in)
        elif ch == '"':
            self.string()
        elif ch == "-" or ch.isdigit():
            self.number()
        else:
            self.odd_value(ch)

    def odd_value(self, ch: str) -> None:
        for word in ("true", "false", "null"):
            if self.text.startswith(word, self.pos) and not self.ident_at(self.pos + len(word)):
                self.pos += len(word)
                return
        if _is_ident(ch):
            end = self.pos
            while self.ident_at(end):
                end += 1
            token = self.text[self.pos : end]
            raise _JacksonError(f"Unrecognized token '{token}': was expecting {_VALUE_LIST}", end)
        if ch in "]},":
            raise self.unexpected("expected a value")
        raise self.unexpected(f"expected a valid value {_VALUE_LIST}")

    def ident_at(self, pos: int) -> bool:
        return pos < len(self.text) and _is_ident(self.text[pos])

    def container(self, close: str, kind: str, item: Any) -> None:
        start = self.pos
        self.pos = _skip_ws(self.text, self.pos + 1)
        if self.pos >= len(self.text):
            raise self.eof_in(kind, start)
        if self.text[self.pos] == close:
            self.pos += 1
            return
        while True:
            item(kind, start)
            self.pos = _skip_ws(self.text, self.pos)
            if self.pos >= len(self.text):
                raise self.eof_in(kind, start)
            ch = self.text[self.pos]
            if ch == close:
                self.pos += 1
                return
            if ch != ",":
                raise self.unexpected(f"was expecting comma to separate {kind} entries")
            self.pos = _skip_ws(self.text, self.pos + 1)
            if self.pos >= len(self.text):
                raise self.eof_in(kind, start)

    def value_in(self, kind: str, start: int) -> None:
        self.value()

    def member(self, kind: str, start: int) -> None:
        if self.text[self.pos] != '"':
            raise self.unexpected("was expecting double-quote to start field name")
        self.string()
        self.pos = _skip_ws(self.text, self.pos)
        if self.pos >= len(self.text):
            raise self.eof_in(kind, start)
        if self.text[self.pos] != ":":
            raise self.unexpected("was expecting a colon to separate field name and value")
        self.pos = _skip_ws(self.text, self.pos + 1)
        if self.pos >= len(self.text):
            raise self.eof_in(kind, start)
        self.value()

    def string(self) -> None:
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == '"':
                self.pos += 1
                return
            if ch == "\\":
                self.escape()
                continue
            if ord(ch) < 32:
                raise _JacksonError(
                    f"Illegal unquoted character ({_char_desc(ch)}): has to be escaped using "
                    "backslash to be included in string value",
                    self.pos + 1,
                )
            self.pos += 1
        raise _JacksonError(
            "Unexpected end-of-input: was expecting closing quote for a string value", self.pos
        )

    def escape(self) -> None:
        self.pos += 1
        if self.pos >= len(self.text):
            raise _JacksonError("Unexpected end-of-input in character escape sequence", self.pos)
        ch = self.text[self.pos]
        if ch not in _ESCAPES:
            raise _JacksonError(f"Unrecognized character escape {_char_desc(ch)}", self.pos + 1)
        if ch == "u":
            digits = self.text[self.pos + 1 : self.pos + 5]
            if len(digits) < 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise _JacksonError(
                    "Unexpected character in hex escape: expected a hex-digit", self.pos + 1
                )
            self.pos += 4
        self.pos += 1

    def number(self) -> None:
        start = self.pos
        if self.text[self.pos] == "-":
            self.pos += 1
            if self.pos >= len(self.text) or not self.text[self.pos].isdigit():
                raise self.number_fault(
                    "expected digit (0-9) to follow minus sign, for valid numeric value"
                )
        if (
            self.text.startswith("0", self.pos)
            and self.pos + 1 < len(self.text)
            and self.text[self.pos + 1].isdigit()
        ):
            raise _JacksonError("Invalid numeric value: Leading zeroes not allowed", self.pos + 2)
        self.digits()
        if self.text.startswith(".", self.pos):
            self.pos += 1
            if not self.digits():
                raise self.number_fault("Decimal point not followed by a digit")
        if self.pos < len(self.text) and self.text[self.pos] in "eE":
            self.pos += 1
            if self.pos < len(self.text) and self.text[self.pos] in "+-":
                self.pos += 1
            if not self.digits():
                raise self.number_fault("Exponent indicator not followed by a digit")
        if self.pos == start:
            raise self.unexpected(f"expected a valid value {_VALUE_LIST}")

    def digits(self) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isdigit():
            self.pos += 1
        return self.pos > start

    def number_fault(self, what: str) -> _JacksonError:
        if self.pos >= len(self.text):
            return _JacksonError("Unexpected end-of-input in a Number value", self.pos)
        ch = self.text[self.pos]
        return _JacksonError(
            f"Unexpected character ({_char_desc(ch)}) in numeric value: {what}", self.pos + 1
        )
