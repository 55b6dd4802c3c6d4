"""One FDL step's data flow, compiled (Serverless Workflow: "Inputs and outputs", and each
step type's notes on its local variable and default output).

A ``StepFlow`` knows how to build the step's input from its parent's scope, how to turn the
step's local variable into its output, and what happens when the step ends its sequence:
``exits`` leave the scopes of enclosing choices (their outputs join the scope above) and, at
the end of a frame, produce the flow's output or a branch's / iteration's local.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.errors import STATES_RUNTIME, StatesError
from engine.fdl.data import (
    ContextFn,
    Mappings,
    check_size,
    default_input,
    is_scope,
    merged,
    new_scope,
)


def no_context() -> dict[str, Any]:
    """An empty ``$context`` (where the engine offers none: a Catch's ResultPath)."""
    return {}


@dataclass(frozen=True, eq=False)
class FlowIO:
    """The flow's own ``inputMappings`` / ``outputMappings``."""

    input_mappings: Mappings | None = None
    output_mappings: Mappings | None = None

    def flow_input(self, raw: Any, context_fn: ContextFn) -> Any:
        if raw is None:
            raw = {}
        if self.input_mappings is not None:
            return self.input_mappings.apply(raw, {}, context_fn)
        if not isinstance(raw, dict):
            raise StatesError(STATES_RUNTIME, "The input of an FDL flow must be a JSON object")
        return raw

    def leave(self, scope: dict[str, Any], context_fn: ContextFn) -> Any:
        """The flow's output: its outputMappings over its input and local, else the local."""
        if self.output_mappings is None:
            return scope["local"]
        return self.output_mappings.apply(scope["input"], scope["local"], context_fn)


@dataclass(frozen=True, eq=False)
class BranchEnd:
    """A parallel branch or a foreach iteration ends: its local is its result."""

    def leave(self, scope: dict[str, Any], context_fn: ContextFn) -> Any:
        return scope["local"]


@dataclass(frozen=True, eq=False)
class StepFlow:
    """Input, output and scope exits of one step."""

    name: str
    input_mappings: Mappings | None = None
    output_mappings: Mappings | None = None
    # parallel and foreach output nothing unless outputMappings say otherwise
    empty_default_output: bool = False
    exits: tuple[Any, ...] = ()
    # the flow's first step receives the execution input as it was given
    raw_start: FlowIO | None = None
    always_raw: bool = False

    def scope_of(self, data: Any, context_fn: ContextFn) -> dict[str, Any]:
        if self.raw_start is not None and (self.always_raw or not is_scope(data)):
            return new_scope(self.raw_start.flow_input(data, context_fn))
        return data

    def step_input(self, scope: dict[str, Any], context_fn: ContextFn) -> Any:
        if self.input_mappings is None:
            return default_input(scope)
        return self.input_mappings.apply(scope["input"], scope["local"], context_fn)

    def step_output(self, step_input: Any, local: Any, context_fn: ContextFn) -> Any:
        if self.output_mappings is not None:
            return self.output_mappings.apply(step_input, local, context_fn)
        return {} if self.empty_default_output else local

    def complete(self, scope: dict[str, Any], step_input: Any, local: Any,
                 context_fn: ContextFn) -> Any:
        """The data after this step: its output joins the scope, then the scope exits."""
        output = self.step_output(step_input, local, context_fn)
        check_size(self.name, step_input, local, output)
        data: Any = merged(scope, output, self.name)
        for exit in self.exits:
            data = exit.leave(data, context_fn)
        return data


@dataclass(frozen=True, eq=False)
class ChoiceExit:
    """The steps nested in a choice ended: the choice's output joins the scope above."""

    choice: StepFlow

    def leave(self, scope: dict[str, Any], context_fn: ContextFn) -> Any:
        step = self.choice
        output = step.step_output(scope["input"], scope["local"], context_fn)
        check_size(step.name, scope["input"], scope["local"], output)
        return merged(scope["outer"], output, step.name)


LocalOf = Callable[[Any, Any], Any]


def local_is_result(step_input: Any, result: Any) -> Any:
    return result


def local_is_input(step_input: Any, result: Any) -> Any:
    return step_input


def local_is_empty(step_input: Any, result: Any) -> Any:
    return {}
