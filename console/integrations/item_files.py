"""Items from the text of an S3 object, as a Distributed Map's ItemReader reads them.

``InputType`` JSON (the object is one JSON array), JSONL (one JSON value a line) or CSV
(headers from the first row, ``CSVHeaderLocation: FIRST_ROW``, or given,
``CSVHeaders``; ``CSVDelimiter`` COMMA, PIPE, SEMICOLON, SPACE or TAB). Every CSV value is
text; a row with more fields than headers drops the extra ones, one with fewer gets
empty strings; blank lines are skipped. Problems raise ``ItemsError`` with the cause AWS
records where it is known ("CSV headers cannot contain duplicates.", "Attempting to map
over non-iterable node.").
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


class ItemsError(ValueError):
    """The object cannot be read as the ReaderConfig says."""


def parse(text: str, config: dict[str, Any], limit: int) -> list[Any]:
    """The items in ``text`` (at most ``limit`` of them; 0: all)."""
    kind = str(config.get("InputType") or "JSON").upper()
    if kind == "JSON":
        items = _json(text)
    elif kind == "JSONL":
        items = _jsonl(text, limit)
    elif kind == "CSV":
        items = _csv(text, config, limit)
    else:
        raise ItemsError(f"InputType {kind} cannot be read from one object.")
    return items[:limit] if limit else items


def _json(text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ItemsError(f"The object is not valid JSON: {error}") from None
    if not isinstance(value, list):
        raise ItemsError("Attempting to map over non-iterable node.")
    return value


def _jsonl(text: str, limit: int) -> list[Any]:
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except ValueError as error:
            raise ItemsError(f"Line {number} is not valid JSON: {error}") from None
        if limit and len(items) >= limit:
            break
    return items


def _csv(text: str, config: dict[str, Any], limit: int) -> list[dict[str, str]]:
    delimiter = DELIMITERS.get(str(config.get("CSVDelimiter") or "COMMA").upper())
    if delimiter is None:
        raise ItemsError(f"CSVDelimiter must be one of {', '.join(DELIMITERS)}.")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = _headers(rows, config)
        items = []
        for row in rows:
            if not row:
                continue
            items.append({name: row[i] if i < len(row) else "" for i, name in enumerate(headers)})
            if limit and len(items) >= limit:
                break
    except csv.Error as error:
        raise ItemsError(f"The CSV is malformed at line {rows.line_num}: {error}") from None
    return items


def _headers(rows: Any, config: dict[str, Any]) -> list[str]:
    location = str(config.get("CSVHeaderLocation") or "FIRST_ROW").upper()
    if location == "GIVEN":
        headers = config.get("CSVHeaders")
        if not isinstance(headers, list) or not headers:
            raise ItemsError("CSVHeaders must be given when CSVHeaderLocation is GIVEN.")
        headers = [str(name) for name in headers]
    else:
        headers = next((row for row in rows if row), None)
        if headers is None:
            raise ItemsError("The CSV has no header row.")
    if len(set(headers)) != len(headers):
        raise ItemsError("CSV headers cannot contain duplicates.")
    return headers
