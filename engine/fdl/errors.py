"""FnF error names (Serverless Workflow: "Error handling": ``FnF.ALL``, ``FnF.Timeout``,
``FnF.TaskFailed``...) and the States Language names the engine raises for the same
failures. Retry and catch clauses match both spellings; ``$local.error`` in errorMappings
shows the FnF spelling.
"""

from __future__ import annotations

from collections.abc import Iterable

FNF_TO_STATES = {
    "FnF.ALL": "States.ALL",
    "FnF.Timeout": "States.Timeout",
    "FnF.TaskFailed": "States.TaskFailed",
    "FnF.HeartbeatTimeout": "States.HeartbeatTimeout",
    "FnF.BranchFailed": "States.BranchFailed",
    "FnF.NoChoiceMatched": "States.NoChoiceMatched",
    "FnF.DataLimitExceeded": "States.DataLimitExceeded",
    "FnF.Runtime": "States.Runtime",
}
STATES_TO_FNF = {states: fnf for fnf, states in FNF_TO_STATES.items()}


def to_states(names: Iterable[str]) -> list[str]:
    """The ASL spelling of ``names`` (for the ASL view of a flow)."""
    return [FNF_TO_STATES.get(name, name) for name in names]


def matching(names: Iterable[str]) -> tuple[str, ...]:
    """Both spellings, so an integration reporting ``FnF.Timeout`` matches too."""
    out: list[str] = []
    for name in names:
        for spelling in (name, FNF_TO_STATES.get(name), STATES_TO_FNF.get(name)):
            if spelling and spelling not in out:
                out.append(spelling)
    return tuple(out)


def to_fnf(name: str | None) -> str | None:
    """The FnF spelling of an engine error name (unchanged when it has none)."""
    return STATES_TO_FNF.get(name, name) if name else name
