"""Template filters of the console."""

from __future__ import annotations

import json

from django import template

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
