"""AWS's naming rules for state machines, executions, activities and the like."""

from __future__ import annotations

import re

from console.services import InvalidName

# AWS: no whitespace, brackets, wildcards, these special characters, or control
# characters (U+0000-001F, U+007F-009F); 1 to 80 characters.
_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]")
MAX_NAME_LENGTH = 80


def name_problem(name: str) -> str | None:
    """Say what is wrong with ``name`` under AWS's rules, or None when it is fine."""
    if not name:
        return "A name must have at least 1 character."
    if len(name) > MAX_NAME_LENGTH:
        return f"A name can have at most {MAX_NAME_LENGTH} characters."
    bad = _FORBIDDEN.search(name)
    if bad:
        return f"A name must not contain {bad.group()!r}."
    return None


def check_name(name: str) -> None:
    """Raise InvalidName, worded as AWS words it, unless ``name`` follows the rules."""
    if name_problem(name):
        raise InvalidName(f"Invalid Name: '{name}'")
