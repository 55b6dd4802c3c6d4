"""Driving the definition editor (CodeMirror) as a user does: click, select all, type."""

from __future__ import annotations

import json


def set_definition(page, document: dict | str) -> None:
    """Replace the editor's text, as a paste would."""
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    page.click("#id_definition-editor .cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def selected_text(page) -> str:
    return page.evaluate("() => getSelection().toString()")
