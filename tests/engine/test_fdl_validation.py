"""The FDL parser and validator: YAML errors with their line, and located findings."""

from __future__ import annotations

import pytest

from engine.errors import DefinitionError
from engine.fdl import compile_fdl, parse_fdl, validate_fdl


def findings(text: str) -> list[tuple[str, str]]:
    return [(d.code, d.location) for d in validate_fdl(text) if d.severity == "ERROR"]


def flow(steps: str) -> str:
    return f"version: v1\ntype: flow\nsteps:\n{steps}"


def test_the_parser_keeps_the_line_and_column_of_every_node():
    document = parse_fdl(flow("  - type: pass\n    name: p\n"))
    assert document.kind == "flow"
    assert document.where("/steps/0/name") == "line 5, column 11"


def test_a_yaml_error_reports_its_line_and_column():
    diagnostics = validate_fdl("version: v1\ntype: flow\nsteps:\n  - type: [pass\n")
    assert [d.code for d in diagnostics] == ["FDL_YAML_SYNTAX"]
    assert "line 5, column 1" in diagnostics[0].message


def test_a_valid_flow_has_no_findings():
    assert validate_fdl(flow("  - type: pass\n    name: p\n")) == []


def test_version_type_and_steps_are_required():
    assert findings("version: v2\ntype: flow\nsteps: []\n") == [
        ("FDL_SCHEMA", "/version"), ("FDL_SCHEMA", "/steps")]


def test_an_unknown_step_type_is_located_with_its_line():
    diagnostics = validate_fdl(flow("  - type: pass\n    name: a\n  - type: tusk\n    name: b\n"))
    assert [(d.code, d.location) for d in diagnostics] == [
        ("FDL_UNKNOWN_STEP_TYPE", "/steps/1/type")]
    assert "(line 6, column 11)" in diagnostics[0].message


def test_missing_and_duplicate_names():
    text = flow("  - type: pass\n  - type: pass\n    name: a\n  - type: pass\n    name: a\n")
    assert findings(text) == [("FDL_MISSING_NAME", "/steps/0/name"),
                               ("FDL_DUPLICATE_STEP_NAME", "/steps/2/name")]


def test_names_may_repeat_in_different_branches():
    text = flow("  - type: parallel\n    name: par\n    branches:\n"
                "      - steps:\n          - type: pass\n            name: x\n"
                "      - steps:\n          - type: pass\n            name: x\n")
    assert findings(text) == []


def test_a_bad_mapping_source_is_located_at_the_source():
    text = flow("  - type: pass\n    name: p\n    inputMappings:\n"
                "      - target: a\n        source: $input.ok\n"
                "      - target: b\n        source: $nope.x\n"
                "      - source: $local\n")
    assert findings(text) == [("FDL_INVALID_MAPPING", "/steps/0/inputMappings/1/source"),
                              ("FDL_INVALID_MAPPING", "/steps/0/inputMappings/2/target")]


def test_goto_targets_must_be_steps_of_the_same_sequence():
    text = flow("  - type: choice\n    name: c\n    choices:\n"
                "      - condition: $.a == 1\n        goto: nowhere\n"
                "    default:\n      goto: p\n"
                "  - type: pass\n    name: p\n")
    assert findings(text) == [("FDL_UNKNOWN_GOTO_TARGET", "/steps/0/choices/0/goto")]


def test_bad_retry_and_catch_are_located():
    text = flow("  - type: task\n    name: t\n    resourceArn: acs:fc:r:1:services/s/functions/f\n"
                "    retry:\n      - errors: []\n        intervalSeconds: 0\n"
                "        multiplier: 0.5\n        maxAttempts: -1\n"
                "    catch:\n      - errors: [FnF.ALL]\n        goto: missing\n"
                "    errorMappings:\n      - target: e\n        source: $input.x\n")
    assert findings(text) == [
        ("FDL_INVALID_RETRY", "/steps/0/retry/0/errors"),
        ("FDL_INVALID_RETRY", "/steps/0/retry/0/intervalSeconds"),
        ("FDL_INVALID_RETRY", "/steps/0/retry/0/maxAttempts"),
        ("FDL_INVALID_RETRY", "/steps/0/retry/0/multiplier"),
        ("FDL_UNKNOWN_GOTO_TARGET", "/steps/0/catch/0/goto"),
        ("FDL_INVALID_MAPPING", "/steps/0/errorMappings/0/source"),
    ]


def test_task_needs_a_resource_and_a_known_pattern():
    text = flow("  - type: task\n    name: t\n    pattern: fireAndForget\n"
                "  - type: task\n    name: u\n    resourceArn: somewhere\n")
    assert findings(text) == [("FDL_INVALID_RESOURCE", "/steps/0"),
                              ("FDL_SCHEMA", "/steps/0/pattern"),
                              ("FDL_INVALID_RESOURCE", "/steps/1/resourceArn")]


def test_an_unreadable_condition_is_located():
    text = flow("  - type: choice\n    name: c\n    choices:\n"
                "      - condition: $.a === 1\n        goto: p\n"
                "  - type: pass\n    name: p\n")
    assert findings(text) == [("FDL_INVALID_CONDITION", "/steps/0/choices/0/condition")]


def test_foreach_and_wait_fields_are_checked():
    text = flow("  - type: foreach\n    name: f\n    maxConcurrency: 101\n"
                "    iterationMapping:\n      collection: names\n"
                "    steps:\n      - type: pass\n        name: p\n"
                "  - type: wait\n    name: w\n")
    assert findings(text) == [
        ("FDL_INVALID_MAPPING", "/steps/0/iterationMapping/collection"),
        ("FDL_INVALID_MAPPING", "/steps/0/iterationMapping"),
        ("FDL_SCHEMA", "/steps/0/maxConcurrency"),
        ("FDL_SCHEMA", "/steps/1"),
    ]


def test_unknown_fields_are_warnings_that_do_not_block():
    diagnostics = validate_fdl(flow("  - type: pass\n    name: p\n    colour: red\n"))
    assert [(d.code, d.location, d.severity) for d in diagnostics] == [
        ("FDL_UNKNOWN_FIELD", "/steps/0/colour", "WARNING")]
    compile_fdl(flow("  - type: pass\n    name: p\n    colour: red\n"))


def test_compile_raises_every_error_at_once():
    with pytest.raises(DefinitionError) as caught:
        compile_fdl(flow("  - type: pass\n  - type: bogus\n    name: b\n"))
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["FDL_MISSING_NAME", "FDL_UNKNOWN_STEP_TYPE"]


def test_a_yaml_alias_bomb_or_deep_nesting_is_refused_before_it_expands():
    bomb = "version: v1\ntype: flow\nx0: &a0 [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"x{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 12)) + "steps: []\n"
    deep = "version: v1\ntype: flow\nsteps: " + "[" * 3000 + "]" * 3000
    for text in (bomb, deep):
        with pytest.raises(DefinitionError, match="too large once its aliases are expanded"):
            parse_fdl(text)
