"""How the validator words and collects its findings (AWS's SCHEMA_VALIDATION_FAILED phrasing:
"Expected value of type [STRING]", "These fields are required: [...]", "Field 'X' is not
supported", "The field 'X' should have one of these values: [...]")."""

from __future__ import annotations

from engine.errors import Diagnostic

SCHEMA = "SCHEMA_VALIDATION_FAILED"


class Report:
    """Diagnostics in the order AWS reports them."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, location: str, message: str, code: str = SCHEMA) -> None:
        self.items.append(Diagnostic(code, location, message))


def expected_type(kind: str) -> str:
    return f"Expected value of type [{kind}]"


def required(*names: str) -> str:
    return f"These fields are required: [{', '.join(names)}]"


def not_supported(name: str) -> str:
    return f"Field '{name}' is not supported"


def one_of_values(field: str, values: tuple[str, ...]) -> str:
    return f"The field '{field}' should have one of these values: [{', '.join(values)}]"
