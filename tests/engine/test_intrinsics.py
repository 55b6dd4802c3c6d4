"""Intrinsic functions: parsing, every function's result, and AWS's failures."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from engine.errors import STATES_INTRINSIC_FAILURE, StatesError
from engine.intrinsics import IntrinsicSyntaxError, compile_intrinsic, is_intrinsic

EXECUTION_ARN = "arn:aws:states:us-east-1:111111111111:execution:my-machine:my-execution"
CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"


class Ctx:
    """A tiny evaluation context: input, context object and variables."""

    def __init__(self, data: Any = None, context: Any = None, variables: Any = None):
        self.data = data
        self.context = context or {}
        self.variables = variables or {}


def compile_path(text: str):
    """A minimal dotted-path compiler standing in for engine.paths."""
    if text.startswith("$$"):
        root, rest = (lambda ctx: ctx.context), text[2:]
    elif text.startswith("$."):
        root, rest = (lambda ctx: ctx.data), text[1:]
    elif text == "$":
        return lambda ctx: ctx.data
    else:
        name, _, tail = text[1:].partition(".")
        root, rest = (lambda ctx: ctx.variables[name]), ("." + tail if tail else "")
    keys = [key for key in rest.split(".") if key]

    def get(ctx: Ctx) -> Any:
        value = root(ctx)
        for key in keys:
            value = value[key]
        return value

    return get


def run(text: str, data: Any = None, **kwargs: Any) -> Any:
    context = kwargs.pop("context", None)
    variables = kwargs.pop("variables", None)
    return compile_intrinsic(text, compile_path, **kwargs)(Ctx(data, context, variables))


def failure(text: str, data: Any = None) -> str:
    with pytest.raises(StatesError) as caught:
        run(text, data)
    assert caught.value.name == STATES_INTRINSIC_FAILURE
    return caught.value.cause


# ------------------------------------------------------------------- parsing


def test_it_recognises_intrinsic_calls():
    assert is_intrinsic("States.Format('x')")
    assert not is_intrinsic("$.a")
    assert not is_intrinsic(" States.UUID()")
    assert not is_intrinsic(42)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("States.Nope($.a)", "Unknown intrinsic function States.Nope"),
        ("States.MathAdd($.a)", "States.MathAdd takes 2 argument(s) but was given 1"),
        ("States.UUID(1)", "States.UUID takes 0 argument(s) but was given 1"),
        ("States.Format()", "States.Format takes at least 1 argument(s)"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 argument(s)"),
        ("States.Array(1 2)", "Expected ',' or ')'"),
        ("States.Array('abc)", "Unterminated string literal"),
        ("States.Array(foo)", "Expected an argument"),
        ("States.Array(1) extra", "Unexpected text after"),
        ("States.Array", "Expected '(' after States.Array"),
        ("$.a", "Not an intrinsic function call"),
    ],
)
def test_it_rejects_malformed_calls(text, reason):
    with pytest.raises(IntrinsicSyntaxError, match=None) as caught:
        compile_intrinsic(text, compile_path)
    assert reason in str(caught.value)


def test_it_rejects_escapes_aws_does_not_allow():
    # AWS rejects this exact definition with SCHEMA_VALIDATION_FAILED.
    text = "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')"
    with pytest.raises(IntrinsicSyntaxError, match="Illegal escape"):
        compile_intrinsic(text, compile_path)


def test_it_unescapes_quotes_braces_and_backslashes():
    assert run("States.Array('it\\'s', '\\{\\}', 'a\\\\b')") == ["it's", "{}", "a\\b"]


def test_it_parses_literals_of_every_type():
    assert run("States.Array('s', 1, -2, 1.5, 2e3, true, false, null)") == [
        "s", 1, -2, 1.5, 2000.0, True, False, None,
    ]


def test_it_allows_spaces_around_arguments():
    assert run("States.Array( 1 ,  $.a , States.Array( ) )", {"a": "x"}) == [1, "x", []]


def test_it_hands_paths_with_brackets_and_commas_to_the_path_compiler():
    seen = []

    def recording(text):
        seen.append(text)
        return lambda ctx: text

    compile_intrinsic("States.Array($.a[0], $.b['x,y'], $$.Execution.Id, $var.f)", recording)
    assert seen == ["$.a[0]", "$.b['x,y']", "$$.Execution.Id", "$var.f"]


def test_it_reports_bad_paths_as_syntax_errors():
    def strict(text):
        raise ValueError("bad path")

    with pytest.raises(IntrinsicSyntaxError, match="Invalid path argument"):
        compile_intrinsic("States.Array($.a b)", strict)


def test_it_allows_ten_nested_calls_but_not_eleven():
    assert json.dumps(run("States.Array(" * 10 + ")" * 10)) == "[" * 10 + "]" * 10
    with pytest.raises(IntrinsicSyntaxError, match="More than 10 nested"):
        compile_intrinsic("States.Array(" * 11 + ")" * 11, compile_path)


def test_it_reads_the_context_object_and_variables():
    context = {"Execution": {"Id": "arn:x"}}
    variables = {"v": {"k": 1}}
    result = run("States.Array($$.Execution.Id, $v.k)", context=context, variables=variables)
    assert result == ["arn:x", 1]


def test_it_parses_once_and_evaluates_many_times():
    add = compile_intrinsic("States.MathAdd($.i, 1)", compile_path)
    assert [add(Ctx({"i": i})) for i in range(3)] == [1, 2, 3]


# ---------------------------------------------------------------- States.Format


def test_format_fills_placeholders_in_order():
    assert run("States.Format('{} and {}', $.a, $.b)", {"a": "x", "b": 2}) == "x and 2"


@pytest.mark.parametrize(
    "value, text",
    [
        (None, "null"),
        (True, "true"),
        (1, "1"),
        (1.1, "1.1"),
        (1e20, "1.0E20"),
        ("", ""),
        ([1, "a", None], "[1, a, null]"),
        ({"Id": "x", "Name": {"n": [1]}}, "{Id=x, Name={n=[1]}}"),
    ],
)
def test_format_renders_values_like_aws(value, text):
    assert run("States.Format('<{}>', $.v)", {"v": value}) == f"<{text}>"


def test_format_keeps_escaped_braces_literal():
    assert run("States.Format('\\{}{}\\{\\}', $.a)", {"a": "x"}) == "{}x{}"


def test_format_accepts_a_template_from_a_path_or_variable():
    variables = {"t": "It's {}!"}
    assert run("States.Format($t, $.a)", {"a": "Pikachu"}, variables=variables) == "It's Pikachu!"


def test_format_fails_when_placeholders_and_arguments_differ():
    cause = failure("States.Format('{} {}', $.a)", {"a": 1})
    assert cause == (
        "The number of arguments (1) does not match the number of placeholders (2) "
        "in the States.Format template"
    )


def test_format_fails_when_the_template_is_not_a_string():
    cause = failure("States.Format($.t)", {"t": 1})
    assert cause.startswith("The first argument of States.Format must be a string")


# ------------------------------------------------------------------ JSON ones


@pytest.mark.parametrize(
    "text, value",
    [
        ("", None), (" ", None), ("null", None), ("-0", 0), ("1.1", 1.1), ('"Hi"', "Hi"),
        ('{"a": [1]}', {"a": [1]}),
    ],
)
def test_string_to_json_parses_like_aws(text, value):
    assert run("States.StringToJson($.s)", {"s": text}) == value


def test_string_to_json_fails_on_invalid_json():
    cause = failure("States.StringToJson($.s)", {"s": "{nope"})
    assert cause == "The input of States.StringToJson is not valid JSON: {nope"


def test_json_to_string_writes_compact_json():
    data = {"v": {"Arg1": 1, "Arg2": [], "s": "é", "f": 1.5}}
    assert run("States.JsonToString($.v)", data) == '{"Arg1":1,"Arg2":[],"s":"é","f":1.5}'
    assert run("States.JsonToString($.v)", {"v": "HelloWorld"}) == '"HelloWorld"'


def test_json_merge_is_shallow_and_right_wins():
    data = {"a": {"a": {"a1": 1}, "b": 2, "d": 3}, "b": {"a": {"a3": 1}, "c": 3, "d": 4}}
    merged = run("States.JsonMerge($.a, $.b, false)", data)
    assert merged == {"a": {"a3": 1}, "b": 2, "d": 4, "c": 3}


def test_json_merge_refuses_deep_mode_and_non_objects():
    assert "only supports shallow merging" in failure("States.JsonMerge($.a, $.a, true)", {"a": {}})
    assert failure("States.JsonMerge($.a, $.b, false)", {"a": {}, "b": [1]}) == (
        "The second argument of States.JsonMerge must be an object, but was array: [1]"
    )


# --------------------------------------------------------------------- arrays


def test_array_builds_from_any_values():
    assert run("States.Array()") == []
    assert run("States.Array($.a, $.b)", {"a": {"x": []}, "b": None}) == [{"x": []}, None]


@pytest.mark.parametrize(
    "items, size, chunks",
    [([], 2, []), ([0], 4, [[0]]), ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]), ([0, 1], 1, [[0], [1]])],
)
def test_array_partition_chunks(items, size, chunks):
    assert run("States.ArrayPartition($.a, $.n)", {"a": items, "n": size}) == chunks


def test_array_partition_needs_a_positive_size():
    assert "must be greater than 0" in failure("States.ArrayPartition($.a, 0)", {"a": [1]})


@pytest.mark.parametrize(
    "items, value, found",
    [
        ([], None, False),
        ([[1, 2, 3], 2], [1, 2, 3], True),
        ([{"1": 2}], {"1": 2}, True),
        ([True, False], True, True),
        ([1], True, False),
        ([True], 1, False),
        ([1.0], 1, True),
    ],
)
def test_array_contains_uses_json_equality(items, value, found):
    assert run("States.ArrayContains($.a, $.v)", {"a": items, "v": value}) is found


@pytest.mark.parametrize(
    "start, end, step, result",
    [(0, 9, 3, [0, 3, 6, 9]), (0, 10, 3, [0, 3, 6, 9]), (1, 9, 9, [1]), (5, 1, -2, [5, 3, 1])],
)
def test_array_range_includes_the_end(start, end, step, result):
    assert run("States.ArrayRange($.s, $.e, $.t)", {"s": start, "e": end, "t": step}) == result


def test_array_range_limits_to_1000_items_and_rejects_step_zero():
    assert len(run("States.ArrayRange(1, 1000, 1)")) == 1000
    too_many = failure("States.ArrayRange(0, 1000, 1)")
    assert too_many == "States.ArrayRange cannot produce more than 1000 items"
    assert failure("States.ArrayRange(0, 10, 0)") == "The step of States.ArrayRange must not be 0"
    assert "must be an integer" in failure("States.ArrayRange(0, 1.5, 1)")


def test_array_get_item_and_its_bounds():
    assert run("States.ArrayGetItem($.a, 5)", {"a": list(range(1, 10))}) == 6
    assert failure("States.ArrayGetItem($.a, 3)", {"a": [1]}) == (
        "The index 3 is out of bounds for States.ArrayGetItem on an array of length 1"
    )


def test_array_length_and_unique():
    data = {"a": [None, None, True, 1, 1, 1.0, "x", "x", [], [], {"a": 1}, {"a": 1}, {"a": 2}]}
    assert run("States.ArrayLength($.a)", data) == 13
    assert run("States.ArrayUnique($.a)", data) == [None, True, 1, "x", [], {"a": 1}, {"a": 2}]


def test_array_functions_reject_non_arrays():
    assert failure("States.ArrayLength($.a)", {"a": "abc"}) == (
        'The first argument of States.ArrayLength must be an array, but was string: "abc"'
    )


# ------------------------------------------------------ encoding and hashing


def test_base64_round_trip():
    assert run("States.Base64Encode($.s)", {"s": "Data to encode"}) == "RGF0YSB0byBlbmNvZGU="
    assert run("States.Base64Decode($.s)", {"s": "RGF0YSB0byBlbmNvZGU="}) == "Data to encode"
    assert run("States.Base64Encode('')") == "" and run("States.Base64Decode('')") == ""


def test_base64_limits_and_bad_input():
    assert "at most 10000 characters" in failure("States.Base64Encode($.s)", {"s": "x" * 10_001})
    cause = failure("States.Base64Decode('***')")
    assert cause == "The input of States.Base64Decode is not valid base64: ***"


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"])
def test_hash_supports_aws_algorithms(algorithm):
    expected = hashlib.new(algorithm.replace("-", "").lower(), b"input data").hexdigest()
    assert run("States.Hash($.d, $.a)", {"d": "input data", "a": algorithm}) == expected


def test_hash_matches_aws_digest_and_rejects_unknown_algorithms():
    assert run("States.Hash('input data', 'MD5')") == "812f45842bc6d66ee14572ce20db8e86"
    cause = failure("States.Hash('x', 'SHA-2')")
    assert cause.startswith("The hashing algorithm SHA-2 is not supported")


# ----------------------------------------------------------------------- math


@pytest.mark.parametrize(
    "a, b, total",
    [
        (-9, 3, -6), (1.49, 1.5, 3), (-1.5, -1.51, -3), (0.5, 0, 1), (2.5, 0, 3),
        (-2.5, 0, -2), (-0.5, 0.5, 1),
    ],
)
def test_math_add_rounds_each_argument_half_up(a, b, total):
    assert run("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == total


def test_math_add_fails_on_non_numbers():
    assert failure("States.MathAdd($.a, 1)", {"a": "1"}) == (
        'The first argument of States.MathAdd must be a number, but was string: "1"'
    )
    cause = failure("States.MathAdd(1, $.a)", {"a": True})
    assert cause.startswith("The second argument of States.MathAdd")


def test_math_random_uses_the_injected_source_and_stays_in_range():
    values = {run("States.MathRandom(1, 4)", random_source=random.Random(7)) for _ in range(50)}
    assert values <= {1, 2, 3}
    assert run("States.MathRandom(12.5, 44.51)", random_source=random.Random(1)) in range(13, 45)


def test_math_random_with_a_seed_is_deterministic():
    first = run("States.MathRandom(0, 999, 3)")
    assert all(run("States.MathRandom(0, 999, 3)") == first for _ in range(5))


def test_math_random_needs_start_below_end():
    cause = failure("States.MathRandom(5, 5)")
    assert cause == "The start (5) of States.MathRandom must be less than its end (5)"


# -------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    "text, delimiters, parts",
    [
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
        ("a,,,b,", ",", ["a", "b"]),
        ("", ",", []),
    ],
)
def test_string_split_tokenises_on_any_delimiter(text, delimiters, parts):
    assert run("States.StringSplit($.s, $.d)", {"s": text, "d": delimiters}) == parts


def test_uuid_comes_from_the_injected_source():
    fixed = uuid.UUID("12345678-1234-4234-8234-123456789012")
    assert run("States.UUID()", uuid_source=lambda: fixed) == str(fixed)
    assert uuid.UUID(run("States.UUID()")).version == 4


def test_nested_calls_compose():
    text = (
        "States.ArrayGetItem(States.StringSplit($.n, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($.n, '-')), -1))"
    )
    assert run(text, {"n": "my-state-machine"}) == "machine"


# ---------------------------------------------------------------- conformance


def _harness():
    spec = importlib.util.spec_from_file_location("conformance_run", CONFORMANCE / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _single_pass_cases():
    folder = CONFORMANCE / "cases" / "sfn" / "intrinsic_functions"
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        for case in json.loads(path.read_text())["cases"]:
            states = case["definition"]["States"]
            state = next(iter(states.values()))
            extra = set(state) - {"Type", "Parameters", "End", "Comment"}
            if len(states) == 1 and state["Type"] == "Pass" and "Parameters" in state and not extra:
                yield pytest.param(case, id=case["id"])


@pytest.mark.parametrize("case", list(_single_pass_cases()))
def test_conformance_single_pass_intrinsic(case):
    harness = _harness()
    data = json.loads(case["input"])
    arn = "arn:aws:states:us-east-1:111111111111:stateMachine:my-machine"
    context = {
        "Execution": {"Input": data, "Name": "my-execution", "Id": EXECUTION_ARN},
        "StateMachine": {"Id": arn, "Name": "my-machine"},
    }
    parameters = next(iter(case["definition"]["States"].values()))["Parameters"]
    output = {
        key[:-2]: compile_intrinsic(text, compile_path)(Ctx(data, context))
        for key, text in parameters.items()
    }
    role = "arn:aws:iam::111111111111:role/conformance"
    env = harness.Env("111111111111", "us-east-1", "aws", role)
    bare = harness.Bare(case.get("placeholders"), case.get("path_placeholders"))
    actual = harness.normalise_value(output, env)
    assert harness.compare(case["expected"]["output"], actual, bare, "output") is None


def test_array_unique_keeps_the_first_of_equal_values_in_one_pass():
    data = {"a": [{"k": 1, "j": [2]}, {"j": [2.0], "k": 1}, 1, 1.0, True, 0, False, *range(20_000)]}
    assert run("States.ArrayUnique($.a)", data)[:5] == [{"k": 1, "j": [2]}, 1, True, 0, False]
    assert len(run("States.ArrayUnique($.a)", data)) == 20_000 + 3
