"""Template filters of the console."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django import template
from django.utils.html import format_html

from console.history import PREVIEW_CHARS
from engine import json_types

register = template.Library()


@register.filter
def pretty_json(text: str | None) -> str | None:
    """JSON text indented for reading (AWS stores it compact); other text as it is."""
    if not text:
        return text
    try:
        return json.dumps(json_types.loads(text), indent=2, ensure_ascii=False)
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
    if text is not None and len(text) > PREVIEW_CHARS:
        return text[:PREVIEW_CHARS]
    return pretty_json(text)


@register.simple_tag
def when(value: datetime | float | str | None, precision: str = "date") -> str:
    """A moment as <time>: UTC in the page, shown in the reader's local time (nav.js), UTC on hover.

    ``value`` is a datetime or Unix seconds (SQS's timestamps); precision "date", "precise"
    (milliseconds) or "time" (no date).
    """
    if value is None or value == "":
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), tz=UTC)
    pattern = {"precise": "%Y-%m-%d %H:%M:%S.%f", "time": "%H:%M:%S"}.get(precision, "%Y-%m-%d %H:%M:%S")
    text = moment.astimezone(UTC).strftime(pattern)
    text = text[:-3] if precision == "precise" else text
    return format_html('<time datetime="{}" data-local="{}">{} UTC</time>', moment.isoformat(), precision, text)


@register.filter
def human_ms(ms: float | None) -> str:
    """A duration in words a person reads at a glance: 850 ms, 2.4 s, 3 min 5 s, 2 h 10 min."""
    if ms is None:
        return "—"
    seconds = ms / 1000
    if ms < 1000:
        return f"{round(ms)} ms"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{round(seconds)} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours < 48 else f"{hours // 24} d {hours % 24} h"


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """mapping[key] in a template (None when it is missing)."""
    return mapping.get(key)
