"""FDL data flow at run time (Serverless Workflow: "Inputs and outputs"): input and output
mappings over ``$input``, ``$local`` and ``$context``, the default rules when mappings are
omitted, a parent's local merging its children's outputs, and the 32 KiB limit.

A sequence of steps (the flow, a parallel branch, a foreach iteration, or the steps nested
in a choice) runs in one engine frame whose data is the *scope*
``{"input": <the parent's input>, "local": <the parent's local so far>}``; steps nested in
a choice add ``"outer": <the enclosing scope>``. Every mapping and path is compiled once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine import paths
from engine.errors import STATES_DATA_LIMIT_EXCEEDED, STATES_RUNTIME, StatesError

LIMIT_BYTES = 32 * 1024
ROOTS = ("$input", "$local", "$context")
ContextFn = Callable[[], Any]
# (input, local, context_fn) -> value
Source = Callable[[Any, Any, ContextFn], Any]


class MappingError(ValueError):
    """A mapping source that cannot be compiled (location relative to the mapping)."""


@dataclass(frozen=True, eq=False)
class Mappings:
    """A compiled ``inputMappings`` / ``outputMappings`` / ``errorMappings`` list."""

    pairs: tuple[tuple[str, Source, str], ...]

    def apply(self, input: Any, local: Any, context_fn: ContextFn) -> dict[str, Any]:
        return {target: source(input, local, context_fn) for target, source, _ in self.pairs}


def _no_context() -> dict[str, Any]:
    return {}


def compile_source(source: Any, allow_dollar: bool = False) -> Source:
    """A mapping ``source``: ``$input...``, ``$local...``, ``$context...`` or a constant.

    ``allow_dollar``: ``$`` / ``$.x`` read the input too (serviceParams, collections).
    """
    if not isinstance(source, str) or not source.startswith("$"):
        return lambda input, local, context_fn: source
    root, rest = _split(source, allow_dollar)
    try:
        getter = paths.compile_path("$" + rest)
    except paths.PathSyntaxError as exc:
        raise MappingError(f"'{source}' is not a valid path: {exc}") from exc
    pick = _ROOT_PICKERS[root]

    def read(input: Any, local: Any, context_fn: ContextFn) -> Any:
        value = pick(input, local, context_fn)
        try:
            return getter(paths.Scope(value, _no_context, {}))
        except paths.PathNotFound as exc:
            raise StatesError(STATES_RUNTIME,
                              f"The mapping source '{source}' selects nothing") from exc

    return read


def _split(source: str, allow_dollar: bool) -> tuple[str, str]:
    for root in ROOTS:
        if source == root or source.startswith((root + ".", root + "[")):
            return root, source[len(root):]
    if allow_dollar and (source == "$" or source.startswith(("$.", "$["))):
        return "$input", source[1:]
    roots = ", ".join(ROOTS + (("$",) if allow_dollar else ()))
    raise MappingError(f"'{source}' must start with one of {roots} (or be a constant)")


_ROOT_PICKERS: dict[str, Callable[[Any, Any, ContextFn], Any]] = {
    "$input": lambda input, local, context_fn: input,
    "$local": lambda input, local, context_fn: local,
    "$context": lambda input, local, context_fn: context_fn(),
}


def compile_template(value: Any) -> Callable[[Any, ContextFn], Any]:
    """``serviceParams``: nested values whose ``$...`` strings read the step input."""
    if isinstance(value, dict):
        parts = [(key, compile_template(item)) for key, item in value.items()]
        return lambda data, ctx: {key: part(data, ctx) for key, part in parts}
    if isinstance(value, list):
        items = [compile_template(item) for item in value]
        return lambda data, ctx: [item(data, ctx) for item in items]
    source = compile_source(value, allow_dollar=True)
    return lambda data, ctx: source(data, None, ctx)


# --------------------------------------------------------------------------- scopes


def is_scope(data: Any) -> bool:
    return type(data) is dict and "input" in data and "local" in data and (
        len(data) == 2 or (len(data) == 3 and "outer" in data))


def new_scope(input: Any, outer: Any = None) -> dict[str, Any]:
    scope = {"input": input, "local": {}}
    if outer is not None:
        scope["outer"] = outer
    return scope


def merged(scope: Mapping[str, Any], output: Any, who: str) -> dict[str, Any]:
    """The parent scope after a child's output joined its local (later keys win)."""
    if not isinstance(output, dict):
        raise StatesError(STATES_RUNTIME,
                          f"The output of step '{who}' must be a JSON object: "
                          f"{paths.to_json(output)}")
    result = dict(scope)
    result["local"] = {**scope["local"], **output}
    return result


def default_input(scope: Mapping[str, Any]) -> dict[str, Any]:
    """No inputMappings: the parent's input and local together (the local wins)."""
    parent_input = scope["input"]
    base = parent_input if isinstance(parent_input, dict) else {}
    return {**base, **scope["local"]}


def check_size(who: str, *values: Any) -> None:
    """FDL: a step's input, output and local together may not pass 32 KiB."""
    total = sum(len(paths.to_json(v).encode("utf-8")) for v in values)
    if total > LIMIT_BYTES:
        raise StatesError(STATES_DATA_LIMIT_EXCEEDED,
                          f"The input, output and local variable of step '{who}' take "
                          f"{total} bytes, more than the 32 KiB FDL allows")


# --------------------------------------------------------------------------- $context


def fdl_context(asl_context: Mapping[str, Any]) -> dict[str, Any]:
    """The ``$context`` object FDL mappings see, built from the engine's context object."""
    execution = asl_context.get("Execution", {})
    machine = asl_context.get("StateMachine", {})
    state = asl_context.get("State", {})
    context: dict[str, Any] = {
        "execution": {"name": execution.get("Name"), "id": execution.get("Id"),
                      "input": execution.get("Input"),
                      "startTime": execution.get("StartTime")},
        "flow": {"name": machine.get("Name"), "id": machine.get("Id")},
        "step": {"name": state.get("Name"), "enteredTime": state.get("EnteredTime"),
                 "retryCount": state.get("RetryCount", 0)},
    }
    task = asl_context.get("Task")
    if task:
        context["task"] = {"token": task.get("Token")}
    item = asl_context.get("Map", {}).get("Item")
    if item:
        context["iteration"] = {"index": item.get("Index"), "item": item.get("Value")}
    return context


def context_reader(scope: paths.Scope) -> ContextFn:
    """A lazy ``$context`` for one evaluation (built only if a mapping reads it)."""
    cache: list[Any] = []

    def read() -> Any:
        if not cache:
            cache.append(fdl_context(scope.context_fn()))
        return cache[0]

    return read
