"""JSONata templates: compile once, evaluate with $states and variables, AWS's errors."""

from __future__ import annotations

import importlib.util
import json
import random
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from engine.errors import STATES_QUERY_EVALUATION_ERROR, StatesError
from engine.jsonata import JsonataSyntaxError, compile_template, is_jsonata

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"


def evaluate(value: Any, data: Any = None, variables: Any = None, field: str = "Output", **kw):
    states = {"input": data, "context": kw.pop("context", {})}
    return compile_template(value, field, **kw).evaluate(states, variables or {})


def cause_of(value: Any, data: Any = None, variables: Any = None, field: str = "Output") -> str:
    with pytest.raises(StatesError) as caught:
        evaluate(value, data, variables, field)
    assert caught.value.name == STATES_QUERY_EVALUATION_ERROR
    return caught.value.cause


# ------------------------------------------------------------- recognition


@pytest.mark.parametrize(
    "value, expected",
    [
        ("{% $states.input %}", True),
        ("{%1%}", True),
        (" {% states.input %} ", False),
        ("{% unterminated", False),
        ("$states.input", False),
        ("States.Format('Format:{}', 101)", False),
        (42, False),
        (None, False),
    ],
)
def test_it_recognises_expressions_only_when_delimited_exactly(value, expected):
    assert is_jsonata(value) is expected


def test_it_rejects_bad_syntax_at_compile_time():
    with pytest.raises(JsonataSyntaxError, match='S0203: Expected "\\)" before end of expression'):
        compile_template("{% ( %}")
    with pytest.raises(JsonataSyntaxError, match="empty"):
        compile_template({"a": ["{%  %}"]})


# ---------------------------------------------------------------- templates


def test_constant_templates_skip_jsonata_and_return_fresh_copies():
    value = {"a": [1, {"b": " {% states.input %} "}], "c": "$states.input"}
    template = compile_template(value, "Output")
    assert template.is_constant and template.expression is None
    first = template.evaluate({}, {})
    assert first == value and first is not value
    first["a"].append(2)
    assert template.evaluate({}, {}) == value


def test_it_evaluates_expressions_inside_objects_and_arrays():
    value = {"foo": "foobar", "bar": "{% $states.input %}", "list": [0, "{% 1 + 1 %}", {"x": 1}]}
    result = evaluate(value, {"input_data": "test"})
    assert result == {"foo": "foobar", "bar": {"input_data": "test"}, "list": [0, 2, {"x": 1}]}
    assert not compile_template(value).is_constant


def test_it_binds_states_context_and_every_variable():
    context = {"State": {"Name": "State0"}}
    value = {
        "ctx": "{% $states.context.State.Name %}",
        "var": "{% $var_input_value %}",
        "sum": "{% $sum($states.input.input_values) + $var_constant_1 %}",
    }
    variables = {"var_input_value": "string literal", "var_constant_1": 1}
    result = evaluate(value, {"input_values": [1, 2, 3]}, variables, context=context)
    assert result == {"ctx": "State0", "var": "string literal", "sum": 7}


def test_it_keeps_json_null_apart_from_undefined():
    value = {"a": "{% $x %}", "b": "{% null %}", "c": "{% $states.input.n %}"}
    assert evaluate(value, {"n": None}, {"x": None}) == {"a": None, "b": None, "c": None}


def test_it_returns_plain_json_with_integral_numbers_as_int():
    result = evaluate("{% [4/2, 1/2, $states.input.f, $states.input.items.n] %}", {
        "f": 3.0, "items": [{"n": 1}, {"n": 2}],
    })
    assert result == [2, 0.5, 3, 1, 2]
    assert [type(item) for item in result] == [int, float, int, int, int]


def test_expression_results_with_undefined_parts_follow_jsonata():
    assert evaluate('{% {"a": $nothing, "b": 1} %}') == {"b": 1}
    assert evaluate("{% [$nothing, 1] %}") == [1]


def test_it_compiles_once_and_evaluates_many_times():
    template = compile_template("{% $states.input.i + 1 %}", "Output")
    assert [template.evaluate({"input": {"i": i}}, {}) for i in range(3)] == [1, 2, 3]


def test_regular_expressions_follow_aws():
    assert evaluate("{% $contains('hello$world', /^hello\\$/) %}") is True
    assert evaluate('{% $contains("hello$world", /^hello\\ /) %}') is False


def test_string_comparison_with_a_quote():
    assert evaluate("{% $states.input = '\"' %}", '"') is True


def test_higher_order_functions_and_variables_inside_expressions():
    value = "{% $map($states.input, function($v) { $v = 1 ? 'pass' : 'failed' }) %}"
    assert evaluate(value, [0, 1, 1]) == ["failed", "pass", "pass"]
    assert evaluate("{% ($x := 2; $x * 3) %}") == 6


# ------------------------------------------------------------------- errors


def test_undefined_fails_and_names_the_field_path():
    assert cause_of({"result": "{% $doesNotExist %}"}) == (
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' "
        "returned nothing (undefined)."
    )
    assert cause_of({"a": [1, "{% $nope %}"]}, field="Assign") == (
        "The JSONata expression '$nope' specified for the field 'Assign/a[1]' "
        "returned nothing (undefined)."
    )
    assert "for the field 'Arguments' returned nothing" in cause_of("{% $x %}", field="Arguments")


def test_evaluation_errors_carry_the_jsonata_code_and_message():
    assert cause_of("{% 1 + 'a' %}") == (
        "The JSONata expression '1 + 'a'' specified for the field 'Output' threw an error "
        'during evaluation. T2002: The right side of the "+" operator must evaluate to a number'
    )
    assert cause_of("{% $abs('a') %}").endswith(
        'T0410: Argument 1 of function "abs" does not match function signature'
    )
    assert cause_of("{% $sum(['a']) %}").endswith(
        'T0412: Argument 1 of function "sum" must be an array of "numbers"'
    )


def test_undefined_functions_and_eval_are_not_callable():
    for text in ("{% $noSuchFunction(1) %}", "{% $eval('1 + 1') %}"):
        cause = cause_of(text)
        assert cause.endswith("during evaluation. T1006: Attempted to invoke a non-function")


def test_a_function_result_is_an_unsupported_type():
    assert cause_of("{% $fn := function($x){$x} %}", field="Items") == (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
        "returned an unsupported result type."
    )


@pytest.mark.parametrize(
    "expression, value, kind, rendered",
    [
        ("true", True, "boolean", "true"),
        ("null", None, "null", "null"),
        ("'string'", "string", "string", '"string"'),
        ("$ItemsVar", {"foo": "bar"}, "object", '{"foo":"bar"}'),
        ("$ItemsVar", 1, "number", "1"),
    ],
)
def test_unexpected_type_matches_aws_wording(expression, value, kind, rendered):
    template = compile_template("{% " + expression + " %}", "Items")
    error = template.unexpected_type(value, "array")
    assert error.name == STATES_QUERY_EVALUATION_ERROR
    assert error.cause == (
        f"The JSONata expression '{expression}' specified for the field 'Items' returned an "
        f"unexpected result type. Expected 'array', but was '{kind}' for value: {rendered}"
    )


# ------------------------------------------------------ AWS's extra functions


@pytest.mark.parametrize(
    "items, size, chunks",
    [([0], 1, [[0]]), ([0, 1, 2], 2, [[0, 1], [2]]), ([0, 1, 2, 3], 5, [[0, 1, 2, 3]])],
)
def test_partition(items, size, chunks):
    text = "{% $partition($states.input.a, $states.input.n) %}"
    assert evaluate(text, {"a": items, "n": size}) == chunks


def test_partition_rejects_a_zero_size_naming_the_function():
    assert cause_of("{% $partition([1], 0) %}").endswith(
        "threw an error during evaluation: "
        "The chunk size of $partition must be greater than 0, but was 0"
    )


def test_range_includes_the_end_and_steps():
    assert evaluate("{% $range(0, 10, 3) %}") == [0, 3, 6, 9]
    assert evaluate("{% $range(1, 9, 2) %}") == [1, 3, 5, 7, 9]
    assert "cannot produce more than 1000 items" in cause_of("{% $range(0, 1000, 1) %}")


def test_hash_supports_the_aws_algorithms():
    assert evaluate("{% $hash('input data', 'MD5') %}") == "812f45842bc6d66ee14572ce20db8e86"
    sha1 = evaluate("{% $hash('input data', 'SHA-1') %}")
    assert sha1 == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    cause = cause_of("{% $hash('x', 'SHA-2') %}")
    assert "The hashing algorithm SHA-2 is not supported by $hash" in cause


def test_random_uses_the_injected_source_and_a_seed_is_deterministic():
    assert evaluate("{% $random() %}", random_source=random.Random(1)) == random.Random(1).random()
    seeded = [evaluate("{% $random(3) %}") for _ in range(3)]
    assert len(set(seeded)) == 1 and 0 <= seeded[0] < 1


def test_uuid_uses_the_injected_source():
    fixed = uuid.UUID("12345678-1234-4234-8234-123456789012")
    assert evaluate("{% $uuid() %}", uuid_source=lambda: fixed) == str(fixed)
    assert uuid.UUID(evaluate("{% $uuid() %}")).version == 4


@pytest.mark.parametrize(
    "text, value",
    [("1.1", 1.1), ("-0", 0), ('"HelloWorld"', "HelloWorld"), ("null", None),
     ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []})],
)
def test_parse_reads_json_text(text, value):
    assert evaluate("{% $parse($states.input) %}", text) == value


def test_parse_fails_on_invalid_json():
    cause = cause_of("{% $parse('{nope') %}")
    assert cause.endswith("The input of $parse is not valid JSON: {nope")


def test_now_and_millis_use_the_injected_instant():
    template = compile_template({"now": "{% $now() %}", "ms": "{% $millis() %}"}, "Output")
    result = template.evaluate({}, {}, now_millis=1_700_000_000_000)
    assert result == {"now": "2023-11-14T22:13:20.000Z", "ms": 1_700_000_000_000}


# --------------------------------------------------------------- concurrency


def test_shared_templates_evaluate_correctly_from_many_threads():
    template = compile_template({"v": "{% $states.input.i * 2 %}", "w": "{% $k %}"}, "Output")
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(offset, offset + 200):
            result = template.evaluate({"input": {"i": i}}, {"k": i})
            if result != {"v": i * 2, "w": i}:
                failures.append(f"{i}: {result}")

    threads = [threading.Thread(target=work, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# --------------------------------------------------------------- conformance


def _harness():
    spec = importlib.util.spec_from_file_location("conformance_run", CONFORMANCE / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _single_pass_output_cases():
    folder = CONFORMANCE / "cases" / "sfn"
    for path in sorted(folder.rglob("*.json")) if folder.exists() else []:
        for case in json.loads(path.read_text())["cases"]:
            states = case["definition"].get("States", {})
            state = next(iter(states.values()), {})
            language = state.get("QueryLanguage", case["definition"].get("QueryLanguage"))
            extra = set(state) - {"Type", "Output", "End", "Comment", "QueryLanguage"}
            if len(states) == 1 and state.get("Type") == "Pass" and "Output" in state \
                    and language == "JSONata" and not extra and case["expected"].get("status"):
                yield pytest.param(case, id=case["id"])


@pytest.mark.parametrize("case", list(_single_pass_output_cases()))
def test_conformance_single_pass_output(case):
    harness = _harness()
    state = next(iter(case["definition"]["States"].values()))
    data = json.loads(case["input"])
    template = compile_template(state["Output"], "Output")
    expected = case["expected"]
    if expected["status"] != "SUCCEEDED":
        with pytest.raises(StatesError) as caught:
            template.evaluate({"input": data}, {})
        assert caught.value.name == expected["error"]
        # AWS prefixes "An error occurred while executing the state ..."; the core adds it.
        assert expected["cause"].endswith(" " + caught.value.cause)
        return
    result = template.evaluate({"input": data}, {})
    bare = harness.Bare(case.get("placeholders"), case.get("path_placeholders"))
    assert harness.compare(expected["output"], result, bare, "output") is None
