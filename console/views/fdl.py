"""What the state machine pages need to offer FDL (Serverless Workflow flows, YAML) beside ASL:
the language of a definition, the blank templates of the editor's language choice, and the
ASL equivalent of a flow (engine.fdl.fdl_to_asl) for the "Show ASL equivalent" view."""

from __future__ import annotations

import json

from console import starters
from engine import fdl

ASL, FDL = "ASL", "FDL"
LANGUAGES = ((ASL, "Amazon States Language (JSON)"), (FDL, "Serverless Workflow FDL (YAML)"))


def language_of(definition: str | None) -> str:
    return FDL if definition and fdl.is_fdl(definition) else ASL


def editor_context(definition: str | None) -> dict:
    """The language choice of the definition editor, and the blank definition of each."""
    return {
        "language": language_of(definition),
        "languages": LANGUAGES,
        "blank_definitions": {ASL: starters.BLANK_DEFINITION, FDL: starters.BLANK_FDL_DEFINITION},
    }


def asl_equivalent(definition: str) -> str | None:
    """The ASL document of an FDL flow, pretty-printed; None for ASL or a flow that does not load."""
    if language_of(definition) != FDL:
        return None
    try:
        return json.dumps(fdl.fdl_to_asl(definition), indent=2, ensure_ascii=False)
    except ValueError:  # a DefinitionError: the flow does not load
        return None
