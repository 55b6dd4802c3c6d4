"""Template filters of the console."""

from __future__ import annotations

import json

from django import template

register = template.Library()


@register.filter
def pretty_json(text: str | None) -> str | None:
    """JSON text indented for reading (AWS stores it compact); other text as it is."""
    if not text:
        return text
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


@register.filter
def message_attributes(text: str | None) -> list[tuple[str, str, str]]:
    """A queue message's attributes (stored as SQS's JSON) as (name, type, value) rows."""
    try:
        stored = json.loads(text or "{}")
    except ValueError:
        return []
    if not isinstance(stored, dict):
        return []
    return [
        (name, str(value.get("DataType", "")), str(value.get("StringValue", value.get("BinaryValue", ""))))
        for name, value in sorted(stored.items())
        if isinstance(value, dict)
    ]


@register.filter
def json_preview(text: str | None) -> str | None:
    """What a page shows of a payload: all of it, indented, or only the start of a long one."""
    from console.history import PREVIEW_CHARS

    if text is not None and len(text) > PREVIEW_CHARS:
        return text[:PREVIEW_CHARS]
    return pretty_json(text)
