"""Validation of an FDL flow with located findings (Serverless Workflow: "Flow Definition
Language overview" and the pages of each step type, "Inputs and outputs", "Error handling").

Every finding is a Diagnostic whose location is a JSON pointer into the document
(``/steps/2/inputMappings/0/source``) and whose message ends with the line and column in
the YAML text. Unknown fields are warnings: FDL documents grow, and a typo is worth a
mention but should not block a run.
"""

from __future__ import annotations

from typing import Any

from engine.errors import Diagnostic
from engine.fdl.conditions import ConditionError, compile_condition
from engine.fdl.data import MappingError, compile_source
from engine.fdl.document import SCHEMA, FdlDocument

UNKNOWN_STEP_TYPE = "FDL_UNKNOWN_STEP_TYPE"
MISSING_NAME = "FDL_MISSING_NAME"
DUPLICATE_NAME = "FDL_DUPLICATE_STEP_NAME"
UNKNOWN_GOTO = "FDL_UNKNOWN_GOTO_TARGET"
BAD_MAPPING = "FDL_INVALID_MAPPING"
BAD_RETRY = "FDL_INVALID_RETRY"
BAD_CATCH = "FDL_INVALID_CATCH"
BAD_CONDITION = "FDL_INVALID_CONDITION"
BAD_RESOURCE = "FDL_INVALID_RESOURCE"
UNKNOWN_FIELD = "FDL_UNKNOWN_FIELD"

PATTERNS = ("requestResponse", "sync", "waitForCallback")
MAX_INTERVAL = 86400
_COMMON = {"type", "name", "end", "inputMappings", "outputMappings", "description"}
_FIELDS = {
    "task": {"resourceArn", "pattern", "timeoutSeconds", "serviceParams", "retry", "catch",
             "errorMappings"},
    "pass": set(),
    "wait": {"duration", "timestamp"},
    "succeed": set(),
    "fail": {"error", "cause"},
    "choice": {"choices", "default"},
    "parallel": {"branches", "retry", "catch", "errorMappings"},
    "foreach": {"iterationMapping", "steps", "maxConcurrency", "retry", "catch",
                "errorMappings"},
}
_FLOW_FIELDS = {"version", "type", "steps", "inputMappings", "outputMappings",
                "timeoutSeconds", "description", "name"}
_RESOURCE_PREFIXES = ("acs:fc:", "acs:mns:", "acs:fnf:", "acs:", "arn:")


class Checker:
    """Collects findings; knows where each pointer is in the text."""

    def __init__(self, document: FdlDocument):
        self.document = document
        self.items: list[Diagnostic] = []

    def add(self, code: str, pointer: str, message: str, severity: str = "ERROR") -> None:
        where = self.document.where(pointer)
        self.items.append(Diagnostic(code, pointer or "/", f"{message} ({where})", severity))

    def required(self, body: dict[str, Any], key: str, pointer: str, kind: type | tuple,
                 code: str = SCHEMA) -> bool:
        if key not in body:
            self.add(code, pointer, f"The field '{key}' is required")
            return False
        return self.typed(body, key, pointer, kind, code)

    def typed(self, body: dict[str, Any], key: str, pointer: str, kind: type | tuple,
              code: str = SCHEMA) -> bool:
        if key not in body:
            return True
        value = body[key]
        wrong = not isinstance(value, kind) or (isinstance(value, bool) and bool not in
                                                 (kind if isinstance(kind, tuple) else (kind,)))
        if wrong:
            self.add(code, f"{pointer}/{key}", f"The field '{key}' must be {_kind_name(kind)}")
            return False
        return True

    def unknown(self, body: dict[str, Any], allowed: set[str], pointer: str) -> None:
        for key in body:
            if key not in allowed:
                self.add(UNKNOWN_FIELD, f"{pointer}/{key}", f"Unknown field '{key}'", "WARNING")


def _kind_name(kind: type | tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
             list: "a list", dict: "an object"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def validate_flow(document: FdlDocument) -> list[Diagnostic]:
    """Every finding for an FDL flow, in document order."""
    check = Checker(document)
    flow = document.data
    if flow.get("version") != "v1":
        check.add(SCHEMA, "/version", "The field 'version' must be v1")
    if flow.get("type") != "flow":
        check.add(SCHEMA, "/type", "The field 'type' must be flow")
    check.unknown(flow, _FLOW_FIELDS, "")
    _mappings(check, flow, "inputMappings", "")
    _mappings(check, flow, "outputMappings", "")
    _positive(check, flow, "timeoutSeconds", "")
    if check.required(flow, "steps", "", list):
        _frame(check, flow["steps"], "/steps")
    return check.items


def _frame(check: Checker, steps: list[Any], pointer: str) -> None:
    """A flow, branch or foreach body: its names are unique across nested choices too."""
    names: dict[str, str] = {}
    _sequence(check, steps, pointer, names)


def _sequence(check: Checker, steps: list[Any], pointer: str, names: dict[str, str]) -> None:
    if not steps:
        check.add(SCHEMA, pointer, "At least one step is required")
        return
    siblings = {s.get("name") for s in steps if isinstance(s, dict)}
    for i, step in enumerate(steps):
        where = f"{pointer}/{i}"
        if not isinstance(step, dict):
            check.add(SCHEMA, where, "A step must be an object")
            continue
        _step(check, step, where, names, siblings)


def _step(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
          siblings: set[Any]) -> None:
    _name(check, step, pointer, names)
    kind = step.get("type")
    if kind not in _FIELDS:
        shown = "missing" if kind is None else repr(kind)
        check.add(UNKNOWN_STEP_TYPE, f"{pointer}/type",
                  f"The step type is {shown}; use one of {', '.join(_FIELDS)}")
        return
    check.unknown(step, _COMMON | _FIELDS[kind], pointer)
    check.typed(step, "end", pointer, bool)
    _mappings(check, step, "inputMappings", pointer)
    _mappings(check, step, "outputMappings", pointer)
    _KIND_CHECKS[kind](check, step, pointer, names, siblings)
    if "retry" in _FIELDS[kind]:
        _retry(check, step, pointer)
        _catch(check, step, pointer, siblings)
        _mappings(check, step, "errorMappings", pointer, error_mappings=True)


def _name(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str]) -> None:
    name = step.get("name")
    if not isinstance(name, str) or not name.strip():
        check.add(MISSING_NAME, f"{pointer}/name", "Every step needs a non-empty 'name'")
        return
    if name in names:
        check.add(DUPLICATE_NAME, f"{pointer}/name",
                  f"The step name '{name}' is already used at {names[name]}")
        return
    names[name] = pointer


# --------------------------------------------------------------------------- fields


def _positive(check: Checker, body: dict[str, Any], key: str, pointer: str,
              maximum: int | None = None, code: str = SCHEMA, allow_zero: bool = False) -> None:
    if key not in body or not check.typed(body, key, pointer, int, code):
        return
    value = body[key]
    if value < (0 if allow_zero else 1) or (maximum is not None and value > maximum):
        low = "0" if allow_zero else "1"
        high = f" and at most {maximum}" if maximum is not None else ""
        check.add(code, f"{pointer}/{key}", f"The field '{key}' must be at least {low}{high}")


def _mappings(check: Checker, body: dict[str, Any], key: str, pointer: str,
              error_mappings: bool = False) -> None:
    if key not in body or not check.typed(body, key, pointer, list, BAD_MAPPING):
        return
    for i, mapping in enumerate(body[key]):
        where = f"{pointer}/{key}/{i}"
        if not isinstance(mapping, dict):
            check.add(BAD_MAPPING, where, "A mapping must be an object with target and source")
            continue
        target = mapping.get("target")
        if not isinstance(target, str) or not target:
            check.add(BAD_MAPPING, f"{where}/target", "A mapping needs a non-empty 'target'")
        if "source" not in mapping:
            check.add(BAD_MAPPING, f"{where}/source", "A mapping needs a 'source'")
            continue
        _source(check, mapping["source"], f"{where}/source", error_mappings)


def _source(check: Checker, source: Any, pointer: str, error_mappings: bool) -> None:
    if error_mappings and source not in ("$local.error", "$local.cause"):
        check.add(BAD_MAPPING, pointer,
                  "An errorMappings source must be $local.error or $local.cause")
        return
    try:
        compile_source(source)
    except MappingError as exc:
        check.add(BAD_MAPPING, pointer, f"The source {exc}")


def _retry(check: Checker, step: dict[str, Any], pointer: str) -> None:
    if "retry" not in step or not check.typed(step, "retry", pointer, list, BAD_RETRY):
        return
    for i, rule in enumerate(step["retry"]):
        where = f"{pointer}/retry/{i}"
        if not isinstance(rule, dict):
            check.add(BAD_RETRY, where, "A retry policy must be an object")
            continue
        check.unknown(rule, {"errors", "intervalSeconds", "maxAttempts", "multiplier",
                             "maxIntervalSeconds"}, where)
        _errors(check, rule, where, BAD_RETRY)
        _positive(check, rule, "intervalSeconds", where, MAX_INTERVAL, BAD_RETRY)
        _positive(check, rule, "maxIntervalSeconds", where, MAX_INTERVAL, BAD_RETRY)
        _positive(check, rule, "maxAttempts", where, None, BAD_RETRY, allow_zero=True)
        if check.typed(rule, "multiplier", where, (int, float), BAD_RETRY) and \
                rule.get("multiplier", 1) < 1:
            check.add(BAD_RETRY, f"{where}/multiplier", "The multiplier must be at least 1")


def _catch(check: Checker, step: dict[str, Any], pointer: str, siblings: set[Any]) -> None:
    if "catch" not in step or not check.typed(step, "catch", pointer, list, BAD_CATCH):
        return
    for i, rule in enumerate(step["catch"]):
        where = f"{pointer}/catch/{i}"
        if not isinstance(rule, dict):
            check.add(BAD_CATCH, where, "A catch policy must be an object")
            continue
        check.unknown(rule, {"errors", "goto"}, where)
        _errors(check, rule, where, BAD_CATCH)
        if check.required(rule, "goto", where, str, BAD_CATCH):
            _goto(check, rule["goto"], f"{where}/goto", siblings)


def _errors(check: Checker, rule: dict[str, Any], pointer: str, code: str) -> None:
    errors = rule.get("errors")
    if not isinstance(errors, list) or not errors or \
            not all(isinstance(e, str) and e for e in errors):
        check.add(code, f"{pointer}/errors", "'errors' must be a non-empty list of error names")


def _goto(check: Checker, target: Any, pointer: str, siblings: set[Any]) -> None:
    if target not in siblings:
        check.add(UNKNOWN_GOTO, pointer,
                  f"The goto target '{target}' is not a step of the same sequence")


# --------------------------------------------------------------------------- step types


def _task(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
          siblings: set[Any]) -> None:
    if check.required(step, "resourceArn", pointer, str, BAD_RESOURCE) and \
            not step["resourceArn"].startswith(_RESOURCE_PREFIXES):
        check.add(BAD_RESOURCE, f"{pointer}/resourceArn",
                  f"'{step['resourceArn']}' is not a resource ARN (acs:fc:..., acs:mns:...)")
    if check.typed(step, "pattern", pointer, str) and \
            step.get("pattern", PATTERNS[0]) not in PATTERNS:
        check.add(SCHEMA, f"{pointer}/pattern", f"The pattern must be one of {', '.join(PATTERNS)}")
    _positive(check, step, "timeoutSeconds", pointer)
    check.typed(step, "serviceParams", pointer, dict)
    if isinstance(step.get("serviceParams"), dict):
        _service_params(check, step["serviceParams"], f"{pointer}/serviceParams")


def _service_params(check: Checker, value: Any, pointer: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _service_params(check, item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _service_params(check, item, f"{pointer}/{i}")
    else:
        try:
            compile_source(value, allow_dollar=True)
        except MappingError as exc:
            check.add(BAD_MAPPING, pointer, f"The value {exc}")


def _nothing(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
             siblings: set[Any]) -> None:
    """pass and succeed steps have no fields of their own."""


def _wait(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
          siblings: set[Any]) -> None:
    if ("duration" in step) == ("timestamp" in step):
        check.add(SCHEMA, pointer, "A wait step needs exactly one of 'duration' or 'timestamp'")
        return
    _positive(check, step, "duration", pointer, allow_zero=True)
    check.typed(step, "timestamp", pointer, str)


def _fail(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
          siblings: set[Any]) -> None:
    check.typed(step, "error", pointer, str)
    check.typed(step, "cause", pointer, str)


def _parallel(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
              siblings: set[Any]) -> None:
    if not check.required(step, "branches", pointer, list):
        return
    if not step["branches"]:
        check.add(SCHEMA, f"{pointer}/branches", "A parallel step needs at least one branch")
    for i, branch in enumerate(step["branches"]):
        where = f"{pointer}/branches/{i}"
        if not isinstance(branch, dict) or not check.required(branch, "steps", where, list):
            if not isinstance(branch, dict):
                check.add(SCHEMA, where, "A branch must be an object with 'steps'")
            continue
        _frame(check, branch["steps"], f"{where}/steps")


def _foreach(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
             siblings: set[Any]) -> None:
    if check.required(step, "iterationMapping", pointer, dict):
        mapping = step["iterationMapping"]
        where = f"{pointer}/iterationMapping"
        check.unknown(mapping, {"collection", "item", "index"}, where)
        if check.required(mapping, "collection", where, str, BAD_MAPPING):
            _collection(check, mapping["collection"], f"{where}/collection")
        check.required(mapping, "item", where, str, BAD_MAPPING)
        check.typed(mapping, "index", where, str, BAD_MAPPING)
    _positive(check, step, "maxConcurrency", pointer, 100, allow_zero=True)
    if check.required(step, "steps", pointer, list):
        _frame(check, step["steps"], f"{pointer}/steps")


def _collection(check: Checker, collection: str, pointer: str) -> None:
    if not collection.startswith("$"):
        check.add(BAD_MAPPING, pointer, f"The collection '{collection}' must be a path such as $.names")
        return
    try:
        compile_source(collection, allow_dollar=True)
    except MappingError as exc:
        check.add(BAD_MAPPING, pointer, f"The collection {exc}")


def _choice(check: Checker, step: dict[str, Any], pointer: str, names: dict[str, str],
            siblings: set[Any]) -> None:
    if check.required(step, "choices", pointer, list):
        if not step["choices"]:
            check.add(SCHEMA, f"{pointer}/choices", "A choice step needs at least one choice")
        for i, option in enumerate(step["choices"]):
            where = f"{pointer}/choices/{i}"
            if not isinstance(option, dict):
                check.add(SCHEMA, where, "A choice must be an object")
                continue
            check.unknown(option, {"condition", "goto", "steps"}, where)
            _condition(check, option, where)
            _branch(check, option, where, names, siblings)
    if "default" in step:
        if check.typed(step, "default", pointer, dict):
            check.unknown(step["default"], {"goto", "steps"}, f"{pointer}/default")
            _branch(check, step["default"], f"{pointer}/default", names, siblings)


def _condition(check: Checker, option: dict[str, Any], pointer: str) -> None:
    if not check.required(option, "condition", pointer, str, BAD_CONDITION):
        return
    try:
        compile_condition(option["condition"])
    except ConditionError as exc:
        check.add(BAD_CONDITION, f"{pointer}/condition", f"The condition cannot be read: {exc}")


def _branch(check: Checker, option: dict[str, Any], pointer: str, names: dict[str, str],
            siblings: set[Any]) -> None:
    if ("goto" in option) == ("steps" in option):
        check.add(SCHEMA, pointer, "A choice needs exactly one of 'goto' or 'steps'")
        return
    if "goto" in option:
        if check.typed(option, "goto", pointer, str):
            _goto(check, option["goto"], f"{pointer}/goto", siblings)
    elif check.typed(option, "steps", pointer, list):
        _sequence(check, option["steps"], f"{pointer}/steps", names)


_KIND_CHECKS = {
    "task": _task,
    "pass": _nothing,
    "succeed": _nothing,
    "wait": _wait,
    "fail": _fail,
    "parallel": _parallel,
    "foreach": _foreach,
    "choice": _choice,
}
