"""Focused checks of the definition validator, one AWS rule each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.errors import DefinitionError
from engine.validation import parse_json, validate, validate_result, validate_state
from engine.validation_json import JsonDescriptionError


def _machine(states: dict, start: str = "A", **top: Any) -> dict:
    return {"StartAt": start, "States": states, **top}


def _found(definition: Any, machine_type: str = "STANDARD") -> list[tuple[str, str, str]]:
    return [(d.code, d.location, d.message) for d in validate(definition, machine_type)]


PASS_END = {"Type": "Pass", "End": True}


def test_it_accepts_a_minimal_machine() -> None:
    assert validate(_machine({"A": PASS_END})) == []


def test_it_accepts_json_text_and_bytes() -> None:
    text = json.dumps(_machine({"A": PASS_END}))
    assert validate(text) == [] and validate(text.encode()) == []


def test_it_words_a_bad_token_like_jackson_with_line_and_column() -> None:
    with pytest.raises(JsonDescriptionError) as info:
        parse_json("not a definition")
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "INVALID_JSON_DESCRIPTION"
    assert diagnostic.location == '[Source: (String)"not a definition"; line: 1, column: 4]'
    assert diagnostic.message.startswith(
        "Unrecognized token 'not': was expecting (JSON String, Number"
    )
    assert diagnostic.message.endswith("\n at " + diagnostic.location)


def test_it_points_at_the_line_of_a_missing_colon() -> None:
    [(code, location, message)] = _found('{\n  "StartAt" "A"\n}')
    assert code == "INVALID_JSON_DESCRIPTION"
    assert location.endswith("line: 2, column: 14]")
    assert message.startswith("Unexpected character ('\"' (code 34)): was expecting a colon")


def test_it_reports_an_unclosed_object_with_its_start_marker() -> None:
    [(_, location, message)] = _found('{"StartAt": "A"')
    assert "expected close marker for Object (start marker at" in message
    assert "line: 1, column: 1])" in message and location.endswith("column: 16]")


def test_it_quotes_at_most_500_characters_of_the_source() -> None:
    text = "x" * 600
    [(_, location, _)] = _found(text)
    assert '"[truncated 100 chars]' in location


def test_it_rejects_a_definition_that_is_not_an_object() -> None:
    assert _found("[1, 2]") == [
        ("SCHEMA_VALIDATION_FAILED", "", "Definition must be a valid JSON object")
    ]


def test_it_lists_missing_top_level_fields_in_aws_order() -> None:
    assert _found({}) == [
        ("SCHEMA_VALIDATION_FAILED", "/", "These fields are required: [States, StartAt]")
    ]


def test_it_reports_a_missing_next_target_and_the_missing_end_state() -> None:
    assert _found(_machine({"A": {"Type": "Pass", "Next": "Nope"}})) == [
        ("MISSING_TRANSITION_TARGET", "/States/A/Next", "Missing 'Next' target: Nope"),
        ("MISSING_END_STATE", "", "Workflow has no terminal state"),
    ]


def test_it_reports_a_missing_start_at_target_at_start_at() -> None:
    found = _found(_machine({"A": PASS_END}, start="Nope"))
    assert found[0] == ("MISSING_TRANSITION_TARGET", "/StartAt", "Missing 'Next' target: Nope")
    assert found[1] == ("MISSING_TRANSITION_TARGET", "/States/A", 'State "A" is not reachable.')


def test_it_reports_unreachable_states() -> None:
    found = _found(_machine({"A": PASS_END, "B": PASS_END}))
    assert found == [("MISSING_TRANSITION_TARGET", "/States/B", 'State "B" is not reachable.')]


def test_it_follows_choice_default_and_catch_edges() -> None:
    states = {
        "A": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "B"}],
            "Default": "C",
        },
        "B": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "End": True,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "D"}],
        },
        "C": PASS_END,
        "D": {"Type": "Fail"},
    }
    assert validate(_machine(states)) == []


def test_a_branch_may_not_transition_out_of_its_scope() -> None:
    branch = {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Done"}}}
    states = {
        "A": {"Type": "Parallel", "Branches": [branch], "Next": "Done"},
        "Done": {"Type": "Succeed"},
    }
    assert _found(_machine(states)) == [
        (
            "MISSING_TRANSITION_TARGET",
            "/States/A/Branches[0]/States/X/Next",
            "Missing 'Next' target: Done",
        ),
    ]


def test_it_reports_unreachable_states_inside_a_map_processor() -> None:
    processor = {"StartAt": "W", "States": {"W": PASS_END, "Ghost": PASS_END}}
    found = _found(_machine({"A": {"Type": "Map", "ItemProcessor": processor, "End": True}}))
    assert found == [
        (
            "MISSING_TRANSITION_TARGET",
            "/States/A/ItemProcessor/States/Ghost",
            'State "Ghost" is not reachable.',
        )
    ]


def test_state_names_must_be_unique_across_nested_scopes() -> None:
    processor = {"StartAt": "A", "States": {"A": PASS_END}}
    found = _found(_machine({"A": {"Type": "Map", "ItemProcessor": processor, "End": True}}))
    assert [code for code, _, _ in found] == ["DUPLICATE_STATE_NAME"]


def test_state_names_are_limited_to_80_characters() -> None:
    name = "S" * 81
    [(code, location, _)] = _found(_machine({name: PASS_END}, start=name))
    assert (code, location) == ("INVALID_STATE_NAME", f"/States/{name}")


def test_it_refuses_fields_a_state_type_does_not_have() -> None:
    found = _found(_machine({"A": {"Type": "Pass", "TimeoutSeconds": 5, "End": True}}))
    assert found == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A", "Field 'TimeoutSeconds' is not supported")
    ]


def test_it_requires_the_resource_of_a_task() -> None:
    found = _found(_machine({"A": {"Type": "Task", "End": True}}))
    assert found == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A", "These fields are required: [Resource]")
    ]


def test_it_rejects_a_jsonata_field_in_a_jsonpath_state() -> None:
    found = _found(_machine({"A": {"Type": "Pass", "Output": {"a": 1}, "End": True}}))
    assert found == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
            "The QueryLanguage is set to 'JSONPath', but field "
            "'Output' is only supported for the 'JSONata' QueryLanguage",
        )
    ]


def test_it_rejects_a_jsonpath_field_in_a_jsonata_machine() -> None:
    found = _found(
        _machine({"A": {"Type": "Pass", "InputPath": "$.a", "End": True}}, QueryLanguage="JSONata")
    )
    assert found[0][2] == (
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported "
        "for the 'JSONPath' QueryLanguage"
    )


def test_a_state_may_not_downgrade_a_jsonata_machine_to_jsonpath() -> None:
    states = {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}
    assert _found(_machine(states, QueryLanguage="JSONata")) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        ),
    ]


def test_it_reports_a_jsonata_expression_that_does_not_parse() -> None:
    states = {"A": {"Type": "Pass", "Output": "{% 1 + %}", "End": True}}
    [(code, location, _)] = _found(_machine(states, QueryLanguage="JSONata"))
    assert (code, location) == ("INVALID_JSONATA_EXPRESSION", "/States/A/Output")


def test_it_rejects_an_invalid_path() -> None:
    found = _found(_machine({"A": {"Type": "Pass", "InputPath": "a.b", "End": True}}))
    assert found == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/InputPath",
            "The value for the field 'InputPath' must be a valid JSONPath",
        )
    ]


def test_it_rejects_a_payload_value_that_is_neither_path_nor_intrinsic() -> None:
    states = {
        "A": {"Type": "Pass", "Parameters": {"nested": {"x.$": "States.Nope(1)"}}, "End": True}
    }
    assert _found(_machine(states)) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Parameters",
            "The value for the field 'x.$' must be a valid JSONPath or a valid "
            "intrinsic function call",
        )
    ]


def test_it_accepts_context_variables_and_intrinsics_in_payloads() -> None:
    parameters = {
        "a.$": "$$.Execution.Id",
        "b.$": "$myVar.x",
        "c.$": "States.Format('{} \\'q\\'', $.a)",
    }
    assert validate(_machine({"A": {"Type": "Pass", "Parameters": parameters, "End": True}})) == []


def test_it_checks_the_value_type_of_a_choice_operator() -> None:
    rule = {"Variable": "$.x", "NumericEquals": "1", "Next": "B"}
    states = {"A": {"Type": "Choice", "Choices": [rule], "Default": "B"}, "B": PASS_END}
    assert _found(_machine(states)) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Choices[0]/NumericEquals",
            "Expected value of type [NUMBER]",
        ),
    ]


def test_a_choice_rule_needs_exactly_one_operator() -> None:
    rule = {"Variable": "$.x", "IsNull": True, "IsPresent": True, "Next": "B"}
    states = {"A": {"Type": "Choice", "Choices": [rule]}, "B": PASS_END}
    assert [location for _, location, _ in _found(_machine(states))] == ["/States/A/Choices[0]"]


def test_nested_choice_rules_may_not_carry_next() -> None:
    rule = {"Not": {"Variable": "$.x", "IsNull": True, "Next": "B"}, "Next": "B"}
    states = {"A": {"Type": "Choice", "Choices": [rule]}, "B": PASS_END}
    assert _found(_machine(states)) == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A/Choices[0]/Not", "Field 'Next' is not supported")
    ]


def test_wait_timestamp_must_be_rfc3339() -> None:
    states = {"A": {"Type": "Wait", "Timestamp": "2016-12-05 21:29:29Z", "End": True}}
    assert _found(_machine(states)) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Timestamp",
            "String does not match RFC3339 timestamp",
        )
    ]


def test_credentials_need_a_role_arn() -> None:
    states = {
        "A": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Credentials": {},
            "End": True,
        }
    }
    assert _found(_machine(states)) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Credentials",
            "The field 'RoleArn' is required but was missing",
        )
    ]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::dynamodb:query",
        "arn:aws:states:::sqs:sendMessage.sync",
        "arn:aws:states:::nosuchservice:doIt",
        "not-an-arn",
    ],
)
def test_it_rejects_resources_aws_does_not_recognise(resource: str) -> None:
    states = {"A": {"Type": "Task", "Resource": resource, "End": True}}
    [(_, location, message)] = _found(_machine(states))
    assert location == "/States/A/Resource"
    assert message == (
        f"The resource provided {resource} is not recognized. The value is not a valid resource "
        "ARN, or the resource is not available in this region."
    )


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::dynamodb:getItem",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::aws-sdk:dynamodb:query",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:lambda:us-east-1:123456789012:function:f:live",
        "arn:aws:states:us-east-1:123456789012:activity:work",
    ],
)
def test_it_accepts_resources_aws_recognises(resource: str) -> None:
    assert validate(_machine({"A": {"Type": "Task", "Resource": resource, "End": True}})) == []


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (
            "arn:aws:states:us-east-1:123456789012:activity:work",
            "Express state machine does not support Activity ARN",
        ),
        (
            "arn:aws:states:::states:startExecution.sync",
            "Express state machine does not support '.sync' service integration",
        ),
        (
            "arn:aws:states:::sns:publish.waitForTaskToken",
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
    ],
)
def test_express_machines_refuse_activities_and_waiting_integrations(
    resource: str, message: str
) -> None:
    definition = _machine({"A": {"Type": "Task", "Resource": resource, "End": True}})
    assert validate(definition, "STANDARD") == []
    assert _found(definition, "EXPRESS") == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A/Resource", message)
    ]


def test_map_max_concurrency_may_not_be_negative() -> None:
    processor = {"StartAt": "P", "States": {"P": PASS_END}}
    states = {"A": {"Type": "Map", "MaxConcurrency": -1, "ItemProcessor": processor, "End": True}}
    assert _found(_machine(states)) == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A/MaxConcurrency", "Minimum value is 0")
    ]


def test_a_processor_may_not_declare_a_query_language() -> None:
    processor = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": PASS_END}}
    states = {"A": {"Type": "Map", "ItemProcessor": processor, "End": True}}
    assert _found(_machine(states)) == [
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/ItemProcessor",
            "Field 'QueryLanguage' is not supported",
        )
    ]


def test_validate_result_truncates_at_max_results() -> None:
    states = {"A": {"Type": "Pass", "InputPath": "$.a", "OutputPath": "$.b", "End": True}}
    diagnostics, truncated = validate_result(
        _machine(states, QueryLanguage="JSONata"), max_results=1
    )
    assert len(diagnostics) == 1 and truncated
    assert validate_result(_machine(states, QueryLanguage="JSONata"), max_results=0)[1] is False


def test_aws_message_renders_the_first_error_like_create_state_machine() -> None:
    diagnostics = validate(_machine({"A": {"Type": "Task", "End": True}}))
    assert DefinitionError(diagnostics).aws_message() == (
        "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "These fields are required: [Resource] at /States/A'"
    )


def test_validate_state_checks_one_state_without_its_transitions() -> None:
    assert (
        validate_state(
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Elsewhere"}
        )
        == []
    )
    assert [d.message for d in validate_state({"Type": "Task"})] == [
        "These fields are required: [Resource]"
    ]


def test_jsonata_may_not_read_the_context_with_double_dollar() -> None:
    states = {"A": {"Type": "Pass", "Output": "{% $$ %}", "End": True}}
    assert _found(_machine(states, QueryLanguage="JSONata")) == [
        (
            "UNSUPPORTED_JSONATA_EXPRESSION",
            "/States/A/Output",
            "Reference to '$$' is not supported.",
        ),
    ]


def test_error_output_is_only_readable_in_a_catcher() -> None:
    catcher = {"ErrorEquals": ["States.ALL"], "Next": "B", "Output": "{% $states.errorOutput %}"}
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Catch": [catcher],
        "Next": "B",
    }
    states = {"A": task, "B": {"Type": "Pass", "Output": "{% $states.errorOutput %}", "End": True}}
    assert _found(_machine(states, QueryLanguage="JSONata")) == [
        (
            "UNSUPPORTED_JSONATA_EXPRESSION",
            "/States/B/Output",
            "Field '$states.errorOutput' does not exist.",
        ),
    ]


def test_dollar_signs_inside_jsonata_strings_are_text() -> None:
    states = {
        "A": {"Type": "Pass", "Output": "{% '$$ costs' & \"$states.errorOutput\" %}", "End": True}
    }
    assert validate(_machine(states, QueryLanguage="JSONata")) == []


def test_states_all_must_be_alone_in_the_last_catcher() -> None:
    catchers = [
        {"ErrorEquals": ["States.ALL"], "Next": "B"},
        {"ErrorEquals": ["States.Timeout"], "Next": "B"},
    ]
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": catchers}
    states = {"A": {**task, "Next": "B"}, "B": PASS_END}
    assert [location for _, location, _ in _found(_machine(states))] == [
        "/States/A/Catch[0]/ErrorEquals"
    ]
