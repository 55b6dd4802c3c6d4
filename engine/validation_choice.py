"""Choice state rules (States Language: "Choice State", "Choice Rules"; AWS's JSONata
"Condition" rules).

A JSONPath rule is either a boolean combination (And, Or, Not) or a comparison: a Variable and
exactly one comparison operator whose value has the operator's type (the *Path variants take a
path). Only top-level rules carry Next (and Assign/Comment/Output).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.validation_report import expected_type, not_supported, required
from engine.validation_values import is_json_path, is_jsonata, is_rfc3339

if TYPE_CHECKING:
    from engine.validation_states import StateChecker

_KINDS = {"String": "STRING", "Numeric": "NUMBER", "Boolean": "BOOLEAN", "Timestamp": "STRING"}
_RELATIONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")


def _operators() -> dict[str, str]:
    """Comparison operator -> the kind of value it takes (PATH for the *Path variants)."""
    ops: dict[str, str] = {}
    for prefix, kind in _KINDS.items():
        relations = ("Equals",) if prefix == "Boolean" else _RELATIONS
        for relation in relations:
            ops[prefix + relation] = kind if prefix != "Timestamp" else "TIMESTAMP"
            ops[prefix + relation + "Path"] = "PATH"
    ops["StringMatches"] = "STRING"
    ops.update({name: "BOOLEAN" for name in _TYPE_TESTS})
    return ops


COMPARISONS = _operators()
_BOOLEAN_OPS = ("And", "Or", "Not")
_TOP_EXTRAS = frozenset({"Next", "Assign", "Comment"})
_JSONATA_RULE = frozenset({"Condition", "Next", "Assign", "Output", "Comment"})


def check_choices(c: StateChecker, state: dict, loc: str, language: str) -> None:
    if "Default" in state and not isinstance(state["Default"], str):
        c.add(f"{loc}/Default", expected_type("STRING"))
    choices = state.get("Choices")
    if choices is None:
        return
    if not isinstance(choices, list):
        c.add(f"{loc}/Choices", expected_type("ARRAY"))
        return
    for i, rule in enumerate(choices):
        where = f"{loc}/Choices[{i}]"
        if language == "JSONata":
            _jsonata_rule(c, rule, where)
        else:
            _top_rule(c, rule, where)


def _jsonata_rule(c: StateChecker, rule: Any, loc: str) -> None:
    if not isinstance(rule, dict):
        c.add(loc, expected_type("OBJECT"))
        return
    missing = [f for f in ("Condition", "Next") if f not in rule]
    if missing:
        c.add(loc, required(*missing))
    for field in rule:
        if field not in _JSONATA_RULE:
            c.add(loc, not_supported(field))
    condition = rule.get("Condition")
    if "Condition" in rule and not (isinstance(condition, bool) or is_jsonata(condition)):
        c.add(f"{loc}/Condition", expected_type("BOOLEAN"))
    for field in ("Condition", "Output", "Assign"):
        if field in rule:
            c.jsonata_values(rule[field], f"{loc}/{field}")


def _top_rule(c: StateChecker, rule: Any, loc: str) -> None:
    if isinstance(rule, dict) and "Next" not in rule:
        c.add(loc, required("Next"))
    if isinstance(rule, dict):
        c.assign(rule.get("Assign"), f"{loc}/Assign", "JSONPath")
    _rule(c, rule, loc, top=True)


def _rule(c: StateChecker, rule: Any, loc: str, top: bool) -> None:
    if not isinstance(rule, dict):
        c.add(loc, expected_type("OBJECT"))
        return
    operators = [k for k in rule if k in COMPARISONS or k in _BOOLEAN_OPS]
    for field in rule:
        if (
            field not in COMPARISONS
            and field not in _BOOLEAN_OPS
            and field != "Variable"
            and not (top and field in _TOP_EXTRAS)
        ):
            c.add(loc, not_supported(field))
    if len(operators) != 1:
        # Wording not recorded from AWS.
        c.add(
            loc, "Exactly one comparison operator or boolean combination (And, Or, Not) is required"
        )
        return
    op = operators[0]
    if op in _BOOLEAN_OPS:
        _combination(c, rule, op, loc)
    else:
        _comparison(c, rule, op, loc)


def _combination(c: StateChecker, rule: dict, op: str, loc: str) -> None:
    if "Variable" in rule:
        c.add(loc, not_supported("Variable"))
    value = rule[op]
    if op == "Not":
        _rule(c, value, f"{loc}/Not", top=False)
        return
    if not isinstance(value, list) or not value:
        c.add(f"{loc}/{op}", expected_type("ARRAY"))
        return
    for i, sub in enumerate(value):
        _rule(c, sub, f"{loc}/{op}[{i}]", top=False)


def _comparison(c: StateChecker, rule: dict, op: str, loc: str) -> None:
    if "Variable" not in rule:
        c.add(loc, required("Variable"))
    elif not is_json_path(rule["Variable"]):
        c.add(f"{loc}/Variable", "The value for the field 'Variable' must be a valid JSONPath")
    message = _value_problem(COMPARISONS[op], rule[op])
    if message:
        c.add(f"{loc}/{op}", message)


def _value_problem(kind: str, value: Any) -> str | None:
    if kind == "PATH":
        return None if is_json_path(value) else "The value must be a valid JSONPath"
    if kind == "TIMESTAMP":
        return None if is_rfc3339(value) else "String does not match RFC3339 timestamp"
    if kind == "NUMBER":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "BOOLEAN":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    return None if ok else expected_type(kind)
