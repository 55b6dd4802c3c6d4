"""SNS's XML documents, as the SNS API answers and the sns:publish integration measures them."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/"


def render(action: str, result: dict[str, Any] | None, request_id: str) -> str:
    """The response document, laid out as SNS lays it out (two-space indents)."""
    lines = [f'<{action}Response xmlns="{NAMESPACE}">']
    if result is not None:
        lines.append(f"  <{action}Result>")
        lines.extend(_elements(result, 2))
        lines.append(f"  </{action}Result>")
    lines += ["  <ResponseMetadata>", f"    <RequestId>{request_id}</RequestId>", "  </ResponseMetadata>",
              f"</{action}Response>"]
    return "\n".join(lines) + "\n"


def _elements(values: dict[str, Any], depth: int) -> list[str]:
    pad = "  " * depth
    lines: list[str] = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, list):
            lines.append(f"{pad}<{name}>")
            for member in value:
                lines += _member(member, depth + 1)
            lines.append(f"{pad}</{name}>")
        elif isinstance(value, dict) and name in ("Attributes",):
            lines.append(f"{pad}<{name}>")
            for key, item in value.items():
                lines.append(f"{pad}  <entry><key>{escape(key)}</key><value>{escape(str(item))}</value></entry>")
            lines.append(f"{pad}</{name}>")
        else:
            lines.append(f"{pad}<{name}>{escape(str(value))}</{name}>")
    return lines


def _member(member: dict[str, Any], depth: int) -> list[str]:
    pad = "  " * depth
    return [f"{pad}<member>", *_elements(member, depth + 1), f"{pad}</member>"]
