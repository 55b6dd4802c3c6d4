"""Compile the data-flow fields of a state in either query language
(States Language: "Input and Output Processing" for JSONPath; "Transforming data with
JSONata" for Arguments/Output/Assign; "Passing data between states with variables").

Every compiled field is a ``Value``: a callable ``(scope) -> value`` that knows its field
name, so run-time errors can name the field as AWS's causes do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine import paths
from engine.paths import Scope

Eval = Callable[[Scope], Any]


class CompileError(ValueError):
    """A field the compiler cannot compile; carries the /States/... location."""

    def __init__(self, location: str, message: str):
        self.location = location
        super().__init__(message)


@dataclass(frozen=True, eq=False)
class Value:
    """A compiled field: ``field`` is the name used in the definition (e.g. SecondsPath)."""

    field: str
    text: Any
    get: Eval
    jsonata: bool = False


Number = Value


def _identity(scope: Scope) -> Any:
    return scope.data


def _empty_object(scope: Scope) -> Any:
    return {}


@dataclass(frozen=True, eq=False)
class StateIO:
    """InputPath/Parameters/ResultSelector/ResultPath/OutputPath or Arguments/Output, + Assign."""

    input_path: Eval | None = None
    parameters: Eval | None = None
    result_selector: Eval | None = None
    result_path: paths.ResultSetter = staticmethod(lambda state_input, result: result)
    output_path: Eval | None = None
    output: Eval | None = None
    assign: Eval | None = None
    jsonata: bool = False
    has_result_path: bool = False


@dataclass(frozen=True, eq=False)
class CatchIO:
    result_path: paths.ResultSetter
    output: Eval | None = None
    assign: Eval | None = None


@dataclass(frozen=True, eq=False)
class RuleIO:
    output: Eval | None = None
    assign: Eval | None = None


# --------------------------------------------------------------------------- JSONata


def is_jsonata_text(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _contains_jsonata(value: Any) -> bool:
    if isinstance(value, str):
        return is_jsonata_text(value)
    if isinstance(value, dict):
        return any(_contains_jsonata(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_jsonata(v) for v in value)
    return False


def compile_jsonata(value: Any, where: str) -> Eval:
    """Compile any JSON value whose strings may hold ``{% expr %}``; constants stay as is.

    ``where`` is the /States/... location; the part after the state name is the field
    name AWS quotes in its causes (``Output``, ``Assign``, ``Choices[0]/Condition``).
    """
    if not _contains_jsonata(value):
        return lambda scope: value
    try:
        from engine import jsonata
    except ImportError as exc:
        raise CompileError(where, "JSONata support is not available") from exc
    try:
        template = jsonata.compile_template(value, _field_name(where))
    except ValueError as exc:
        raise CompileError(where, str(exc)) from exc
    evaluate = template.evaluate
    return lambda scope: evaluate(scope.states(), scope.variables,
                                  now_millis=scope.now_millis())


def _field_name(where: str) -> str:
    parts = where.split("/")
    return "/".join(parts[3:]) if len(parts) > 3 and parts[1] == "States" else parts[-1]


# --------------------------------------------------------------------------- JSONPath


def compile_path_or_intrinsic(text: str, where: str) -> Eval:
    """A ``.$`` value: a reference path, a JSONPath, or an intrinsic function call."""
    try:
        from engine import intrinsics
    except ImportError:
        intrinsics = None  # type: ignore[assignment]
    try:
        if intrinsics is not None and intrinsics.is_intrinsic(text):
            return intrinsics.compile_intrinsic(text, paths.compile_path)
        if text.startswith("States."):
            raise CompileError(where, "Intrinsic functions are not available")
        return paths.compile_path(text)
    except (paths.PathSyntaxError, ValueError) as exc:
        if isinstance(exc, CompileError):
            raise
        raise CompileError(where, str(exc)) from exc


def compile_payload(template: Any, where: str) -> Eval:
    """A JSONPath payload template (Parameters, ResultSelector, ItemSelector, Assign)."""

    def value(field: str, text: str) -> Eval:
        return paths.field_getter(field, compile_path_or_intrinsic(text, f"{where}/{field}"), text)

    return paths.compile_template(template, value)


def _jsonpath_getter(body: Mapping[str, Any], field: str, where: str) -> Eval | None:
    """InputPath/OutputPath: absent -> identity, null -> {}."""
    if field not in body:
        return None
    text = body[field]
    if text is None:
        return _empty_object
    try:
        getter = paths.compile_path(text)
    except paths.PathSyntaxError as exc:
        raise CompileError(f"{where}/{field}", str(exc)) from exc
    return paths.invalid_path_getter(getter, text)


def _result_path(body: Mapping[str, Any], where: str) -> paths.ResultSetter:
    try:
        return paths.compile_result_path(body.get("ResultPath", "$"))
    except paths.PathSyntaxError as exc:
        raise CompileError(f"{where}/ResultPath", str(exc)) from exc


# --------------------------------------------------------------------------- per state


def compile_state_io(body: Mapping[str, Any], ql: str, where: str) -> StateIO:
    if ql == "JSONata":
        return _jsonata_io(body, where)
    selector = body.get("ResultSelector")
    parameters = body.get("Parameters") if body.get("Type") != "Map" else None
    return StateIO(
        input_path=_jsonpath_getter(body, "InputPath", where),
        parameters=compile_payload(parameters, f"{where}/Parameters")
        if parameters is not None
        else None,
        result_selector=compile_payload(selector, f"{where}/ResultSelector")
        if selector is not None
        else None,
        result_path=_result_path(body, where),
        output_path=_jsonpath_getter(body, "OutputPath", where),
        assign=_assign(body, "JSONPath", where),
        has_result_path="ResultPath" in body,
    )


def _jsonata_io(body: Mapping[str, Any], where: str) -> StateIO:
    arguments = body.get("Arguments") if body.get("Type") != "Map" else None
    return StateIO(
        parameters=compile_jsonata(arguments, f"{where}/Arguments")
        if arguments is not None
        else None,
        output=compile_jsonata(body["Output"], f"{where}/Output") if "Output" in body else None,
        assign=_assign(body, "JSONata", where),
        jsonata=True,
    )


def _assign(body: Mapping[str, Any], ql: str, where: str) -> Eval | None:
    if "Assign" not in body:
        return None
    if ql == "JSONata":
        return compile_jsonata(body["Assign"], f"{where}/Assign")
    return compile_payload(body["Assign"], f"{where}/Assign")


def compile_catch_io(body: Mapping[str, Any], ql: str, where: str) -> CatchIO:
    if ql == "JSONata":
        output = compile_jsonata(body["Output"], f"{where}/Output") if "Output" in body else None
        return CatchIO(
            result_path=lambda state_input, result: result,
            output=output,
            assign=_assign(body, ql, where),
        )
    return CatchIO(result_path=_result_path(body, where), assign=_assign(body, ql, where))


def compile_rule_io(body: Mapping[str, Any], ql: str, where: str) -> RuleIO:
    output = None
    if ql == "JSONata" and "Output" in body:
        output = compile_jsonata(body["Output"], f"{where}/Output")
    return RuleIO(output=output, assign=_assign(body, ql, where))


# --------------------------------------------------------------------------- fields


def compile_number(body: Mapping[str, Any], name: str, ql: str, where: str) -> Value | None:
    """``Name`` (literal or JSONata) or ``NamePath`` (JSONPath) as a Value."""
    return compile_value(body, name, ql, where, invalid_path_wording=True)


def compile_value(body: Mapping[str, Any], name: str, ql: str, where: str,
                  invalid_path_wording: bool = False) -> Value | None:
    """``Name`` (literal, or JSONata in JSONata states) or ``NamePath`` (path/intrinsic).

    AWS words a missing ``ErrorPath``/``CausePath`` like a Parameters field, but a missing
    ``TimeoutSecondsPath``, ``MaxConcurrencyPath``... as an "Invalid path".
    """
    if name in body:
        text = body[name]
        if ql == "JSONata" and is_jsonata_text(text):
            return Value(name, text, compile_jsonata(text, f"{where}/{name}"), jsonata=True)
        return Value(name, text, lambda scope: text)
    path_field = name + "Path"
    if path_field in body:
        text = body[path_field]
        getter = compile_path_or_intrinsic(text, f"{where}/{path_field}")
        if invalid_path_wording:
            return Value(path_field, text, paths.invalid_path_getter(getter, text))
        return Value(path_field, text, paths.field_getter(path_field, getter, text))
    return None


def compile_items(body: Mapping[str, Any], ql: str, where: str) -> Value:
    """Map's items: ``Items`` (JSONata or literal array) or ``ItemsPath`` (default ``$``)."""
    if "Items" in body:
        text = body["Items"]
        return Value("Items", text, compile_jsonata(text, f"{where}/Items"), jsonata=True)
    # ``field`` is empty when ItemsPath is left out (the items are the effective input).
    text = body.get("ItemsPath", "$")
    getter = paths.compile_path(text)
    return Value("ItemsPath" if "ItemsPath" in body else "", text, paths.invalid_path_getter(getter, text))


def compile_template_field(
    body: Mapping[str, Any], name: str, ql: str, where: str
) -> Value | None:
    if name not in body:
        return None
    if ql == "JSONata":
        return Value(name, body[name], compile_jsonata(body[name], f"{where}/{name}"), True)
    return Value(name, body[name], compile_payload(body[name], f"{where}/{name}"))
