"""Parse JSON and remember the line of every object member, to point errors at a field."""

from __future__ import annotations

import json
from json.decoder import scanstring
from typing import Any

Path = tuple[str, ...]
_WS = " \t\r\n"
_DECODER = json.JSONDecoder()


class JsonSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def loads_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """The value of ``text`` and ``{path of keys: line}`` for each object member in it."""
    try:
        json.loads(text)  # the standard parser's messages for malformed JSON
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(error.lineno, f"not valid JSON: {error.msg} (column {error.colno})") from None
    lines: dict[Path, int] = {}
    value, _ = _value(text, _skip(text, 0), (), lines)
    return value, lines


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WS:
        index += 1
    return index


def _value(text: str, index: int, path: Path, lines: dict[Path, int]) -> tuple[Any, int]:
    if text[index] == "{":
        return _object(text, index + 1, path, lines)
    return _DECODER.raw_decode(text, index)


def _object(text: str, index: int, path: Path, lines: dict[Path, int]) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    index = _skip(text, index)
    if text[index] == "}":
        return result, index + 1
    while True:
        line = text.count("\n", 0, index) + 1
        key, index = scanstring(text, index + 1)
        index = _skip(text, _skip(text, index) + 1)  # past the colon
        lines[(*path, key)] = line
        result[key], index = _value(text, index, (*path, key), lines)
        index = _skip(text, index)
        if text[index] == "}":
            return result, index + 1
        index = _skip(text, index + 1)  # past the comma


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of ``path``, else of its nearest parent that has one (1 for the top)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1
