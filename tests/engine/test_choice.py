"""Choice rules behave like AWS's, including type mismatches and string patterns."""

from __future__ import annotations

import pytest

from engine.driver import run


def _choose(rule: dict, data: object) -> str:
    rule = {**rule, "Next": "Yes"}
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
        "Yes": {"Type": "Pass", "Result": "yes", "End": True},
        "No": {"Type": "Pass", "Result": "no", "End": True},
    }}
    return run(definition, data)


@pytest.mark.parametrize(("rule", "data", "expected"), [
    ({"Variable": "$.n", "NumericGreaterThan": 1}, {"n": 2}, "yes"),
    ({"Variable": "$.n", "NumericGreaterThan": 1}, {"n": "2"}, "no"),
    ({"Variable": "$.n", "NumericEquals": 1}, {"n": True}, "no"),
    ({"Variable": "$.s", "StringMatches": "log-*.txt"}, {"s": "log-1.txt"}, "yes"),
    ({"Variable": "$.s", "StringMatches": "a\\*b"}, {"s": "a*b"}, "yes"),
    ({"Variable": "$.s", "StringMatches": "a\\*b"}, {"s": "axxb"}, "no"),
    ({"Variable": "$.t", "TimestampLessThan": "2020-01-01T00:00:00Z"},
     {"t": "2019-12-31T23:59:59.5+00:00"}, "yes"),
    ({"Variable": "$.t", "IsTimestamp": True}, {"t": "2019-12-31T23:59:59"}, "no"),
    ({"Variable": "$.x", "IsPresent": False}, {}, "yes"),
    ({"Not": {"Variable": "$.x", "IsNull": True}}, {"x": None}, "no"),
    ({"And": [{"Variable": "$.a", "BooleanEquals": True},
              {"Variable": "$.b", "StringEqualsPath": "$.c"}]},
     {"a": True, "b": "q", "c": "q"}, "yes"),
])
def test_rule_matches_like_aws(rule: dict, data: object, expected: str) -> None:
    assert _choose(rule, data) == expected


def test_jsonata_condition_chooses_the_branch() -> None:
    definition = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "No",
              "Choices": [{"Condition": "{% $states.input.cost < 10 %}", "Next": "Yes"}]},
        "Yes": {"Type": "Pass", "Output": "yes", "End": True},
        "No": {"Type": "Pass", "Output": "no", "End": True},
    }}
    assert run(definition, {"cost": 3}) == "yes"
    assert run(definition, {"cost": 30}) == "no"
