"""FDL flows run on the engine: the issue's MNS callback sample, the mapping rules (defaults
included), each step type, retry and catch with FnF names, and the 32 KiB limit."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest

import engine
from engine.context import VirtualClock, default_context
from engine.driver import run_execution
from engine.errors import StatesError
from engine.execution import ArmTimer, CallIntegration, ExecutionState, Start, TaskSucceeded, TimerFired
from engine.fdl import compile_fdl, fdl_to_asl, is_fdl
from engine.interpreter import advance

SAMPLE = """\
version: v1
type: flow
steps:
  - type: task
    name: mns-topic-task
    resourceArn: acs:mns:::/topics/fnf-demo/messages
    pattern: waitForCallback
    inputMappings:
      - target: messageBody
        source: $input.messageBody
      - target: taskToken
        source: $context.task.token
    outputMappings:
      - target: status
        source: $local.status
    serviceParams:
      MessageBody: $
"""
TOPIC = "acs:mns:::/topics/fnf-demo/messages"
FN = "acs:fc:cn-hangzhou:123456789012:services/demo/functions/echo"


def flow(steps: str, head: str = "") -> str:
    return f"version: v1\ntype: flow\n{head}steps:\n{steps}"


def run(text: str, input: object = None, **integrations: object):
    mapping = {key.replace("__", ":"): fn for key, fn in integrations.items()}
    return run_execution(compile_fdl(text), input if input is not None else {},
                         integrations=mapping)


def echo(params):
    return params


# --------------------------------------------------------------------------- the sample


def test_the_sample_flow_publishes_its_token_and_succeeds_with_the_callback_output():
    published = []

    def topic(params):
        published.append(params)
        return {"status": "success"}  # the subscriber reports success on the token

    result = run_execution(compile_fdl(SAMPLE), {"messageBody": "hello world"},
                           integrations={TOPIC + ".waitForTaskToken": topic})

    assert result.status == "SUCCEEDED"
    assert result.output == {"status": "success"}
    message = published[0]["MessageBody"]
    assert message["messageBody"] == "hello world"
    assert len(message["taskToken"]) == 64
    types = [e["type"] for e in result.history()]
    assert types == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                     "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]


def test_the_sample_waits_for_its_token_until_the_callback_answers():
    machine = engine.load(SAMPLE)
    clock = VirtualClock()
    step = advance(machine, None, Start({"messageBody": "hi"}, default_context(clock.now())),
                   clock)
    call = next(e for e in step.effects if isinstance(e, CallIntegration))
    assert call.wait_for_token and call.resource == TOPIC + ".waitForTaskToken"
    assert call.parameters["MessageBody"]["taskToken"] == call.token
    assert step.state.status == "RUNNING"
    # the host persists the waiting execution as JSON and resumes it later
    stored = ExecutionState.from_json(json.loads(json.dumps(step.state.to_json())))

    done = advance(machine, stored, TaskSucceeded(call.task_id, {"status": "success"}),
                   clock)
    assert done.state.status == "SUCCEEDED"
    assert done.state.output == {"status": "success"}


def test_the_sample_reads_as_fdl_and_its_asl_view_keeps_the_resource():
    assert is_fdl(SAMPLE)
    assert not is_fdl('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    asl = fdl_to_asl(SAMPLE)
    assert asl["StartAt"] == "mns-topic-task"
    task = asl["States"]["mns-topic-task"]
    assert task["Resource"] == TOPIC + ".waitForTaskToken"
    assert task["Parameters"] == {"MessageBody.$": "$"} and task["End"] is True


def test_the_older_pattern_names_choose_how_a_task_waits():
    for pattern, suffix in (("requestResponse", ""), ("sync", ".sync"),
                            ("waitForCallback", ".waitForTaskToken")):
        text = flow(f"  - type: task\n    name: t\n    resourceArn: {FN}\n"
                    f"    pattern: {pattern}\n")
        machine = compile_fdl(text)
        assert machine.states["t"].resource == FN + suffix


# --------------------------------------------------------------------------- mappings


def test_without_mappings_a_step_sees_the_flow_input_and_the_flow_outputs_its_local():
    text = flow(f"  - type: task\n    name: first\n    resourceArn: {FN}\n"
                f"  - type: task\n    name: second\n    resourceArn: {FN}b\n")
    seen = []

    def first(params):
        seen.append(params)
        return {"a": 1, "shared": "first"}

    def second(params):
        seen.append(params)
        return {"b": 2, "shared": "second"}

    result = run(text, {"x": 0, "a": 0}, **{FN.replace(":", "__"): first,
                                            (FN + "b").replace(":", "__"): second})
    assert seen[0] == {"x": 0, "a": 0}
    # the second step's input: the flow input merged with the local (the local wins)
    assert seen[1] == {"x": 0, "a": 1, "shared": "first"}
    # the flow output is its local: the outputs merged, later steps overwrite
    assert result.output == {"a": 1, "b": 2, "shared": "second"}


def test_mappings_read_input_local_context_and_constants():
    text = flow(
        "  - type: pass\n    name: setup\n    outputMappings:\n"
        "      - target: greeting\n        source: hello\n"
        "      - target: count\n        source: 3\n"
        "  - type: pass\n    name: combine\n    inputMappings:\n"
        "      - target: who\n        source: $input.user.name\n"
        "      - target: greeting\n        source: $local.greeting\n"
        "      - target: step\n        source: $context.step.name\n"
        "      - target: execution\n        source: $context.execution.name\n"
        "    outputMappings:\n"
        "      - target: message\n        source: $input\n"
        "      - target: who\n        source: $local.who\n",
        head="outputMappings:\n  - target: final\n    source: $local.message\n"
             "  - target: original\n    source: $input.user\n",
    )
    result = run(text, {"user": {"name": "ada"}})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {
        "final": {"who": "ada", "greeting": "hello", "step": "combine",
                  "execution": "execution"},
        "original": {"name": "ada"},
    }


def test_flow_input_mappings_shape_what_the_first_step_sees():
    text = flow("  - type: pass\n    name: only\n",
                head="inputMappings:\n  - target: id\n    source: $input.order.id\n")
    assert run(text, {"order": {"id": 7}, "noise": True}).output == {"id": 7}


def test_a_missing_mapping_source_fails_the_step():
    text = flow("  - type: pass\n    name: p\n    inputMappings:\n"
                "      - target: a\n        source: $input.nope\n")
    result = run(text, {})
    assert result.status == "FAILED"
    assert "$input.nope" in result.cause


def test_a_step_output_that_is_not_an_object_fails_the_flow():
    text = flow(f"  - type: task\n    name: t\n    resourceArn: {FN}\n")
    result = run(text, {}, **{FN.replace(":", "__"): lambda p: "plain text"})
    assert result.status == "FAILED"
    assert "must be a JSON object" in result.cause


# --------------------------------------------------------------------------- step types


def test_task_service_params_read_the_step_input():
    text = flow(f"  - type: task\n    name: t\n    resourceArn: {FN}\n"
                "    serviceParams:\n      Name: $.who\n      Fixed: 1\n"
                "      Nested:\n        All: $\n")
    calls = []
    run(text, {"who": "bo"}, **{FN.replace(":", "__"): lambda p: calls.append(p) or {}})
    assert calls == [{"Name": "bo", "Fixed": 1, "Nested": {"All": {"who": "bo"}}}]


def test_task_timeout_fails_with_a_timeout_the_flow_can_catch_as_fnf_timeout():
    text = flow(f"  - type: task\n    name: slow\n    resourceArn: {FN}\n"
                "    pattern: waitForCallback\n    timeoutSeconds: 5\n"
                "    errorMappings:\n      - target: why\n        source: $local.error\n"
                "    catch:\n      - errors: [FnF.Timeout]\n        goto: handled\n"
                "  - type: fail\n    name: never\n    error: Unreachable\n"
                "  - type: pass\n    name: handled\n")
    machine = compile_fdl(text)
    clock = VirtualClock()
    step = advance(machine, None, Start({}, default_context(clock.now())), clock)
    timer = next(e for e in step.effects if isinstance(e, ArmTimer))
    assert timer.due_at == clock.now() + 5
    done = advance(machine, step.state, TimerFired(timer.timer_id), clock)
    assert done.state.status == "SUCCEEDED"
    assert done.state.output == {"why": "FnF.Timeout"}


def test_pass_passes_its_input_on():
    assert run(flow("  - type: pass\n    name: p\n"), {"k": "v"}).output == {"k": "v"}


def test_choice_goes_to_the_first_matching_goto_and_skips_the_rest():
    text = flow(
        "  - type: choice\n    name: route\n    choices:\n"
        "      - condition: $.size > 10 && $.kind == \"big\"\n        goto: large\n"
        "      - condition: $.size <= 10\n        goto: small\n"
        "    default:\n      goto: other\n"
        "  - type: pass\n    name: small\n    outputMappings:\n"
        "      - target: route\n        source: small\n    end: true\n"
        "  - type: pass\n    name: large\n    outputMappings:\n"
        "      - target: route\n        source: large\n    end: true\n"
        "  - type: pass\n    name: other\n    outputMappings:\n"
        "      - target: route\n        source: other\n")
    assert run(text, {"size": 50, "kind": "big"}).output == {"route": "large"}
    assert run(text, {"size": 5}).output == {"route": "small"}
    assert run(text, {"size": 50, "kind": "small"}).output == {"route": "other"}


def test_choice_nested_steps_run_then_the_flow_continues_after_the_choice():
    text = flow(
        "  - type: choice\n    name: decide\n    choices:\n"
        "      - condition: $.vip == true\n        steps:\n"
        "          - type: pass\n            name: discount\n            outputMappings:\n"
        "              - target: discount\n                source: 20\n"
        "    default:\n      steps:\n"
        "        - type: pass\n          name: full-price\n          outputMappings:\n"
        "            - target: discount\n              source: 0\n"
        "  - type: pass\n    name: after\n    inputMappings:\n"
        "      - target: discount\n        source: $local.discount\n"
        "    outputMappings:\n      - target: charged\n        source: $input.discount\n")
    assert run(text, {"vip": True}).output == {"discount": 20, "charged": 20}
    assert run(text, {"vip": False}).output == {"discount": 0, "charged": 0}


def test_choice_without_a_match_or_default_fails():
    text = flow("  - type: choice\n    name: c\n    choices:\n"
                "      - condition: $.a == 1\n        goto: p\n"
                "  - type: pass\n    name: p\n")
    result = run(text, {"a": 2})
    assert result.status == "FAILED" and result.error == "States.NoChoiceMatched"


def test_parallel_local_is_the_branch_locals_and_its_default_output_is_empty():
    text = flow(
        "  - type: parallel\n    name: both\n    branches:\n"
        "      - steps:\n          - type: pass\n            name: one\n"
        "            outputMappings:\n              - target: result\n                source: pass1\n"
        "      - steps:\n          - type: pass\n            name: two\n"
        "            outputMappings:\n              - target: result\n                source: pass2\n"
        "    outputMappings:\n      - target: result\n        source: $local[*].result\n"
        "  - type: parallel\n    name: silent\n    branches:\n"
        "      - steps:\n          - type: pass\n            name: three\n")
    result = run(text, {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"result": ["pass1", "pass2"]}


def test_foreach_runs_each_item_with_item_and_index_and_respects_max_concurrency():
    text = flow(
        "  - type: foreach\n    name: each\n    maxConcurrency: 2\n"
        "    iterationMapping:\n      collection: $.names\n      item: name\n      index: i\n"
        f"    steps:\n      - type: task\n        name: upper\n        resourceArn: {FN}\n"
        "    outputMappings:\n      - target: names\n        source: $local[*].upper\n")
    calls = []

    def upper(params):
        calls.append(params)
        return {"upper": params["name"].upper(), "at": params["i"]}

    result = run(text, {"names": ["a", "b", "c"]}, **{FN.replace(":", "__"): upper})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"names": ["A", "B", "C"]}
    assert calls[0] == {"names": ["a", "b", "c"], "name": "a", "i": 0}
    assert compile_fdl(text).states["each"].max_concurrency.get(None) == 2
    started = [e for e in result.history() if e["type"] == "MapIterationStarted"]
    assert len(started) == 3


def test_foreach_keeps_no_more_iterations_running_than_max_concurrency():
    text = flow(
        "  - type: foreach\n    name: each\n    maxConcurrency: 1\n"
        "    iterationMapping:\n      collection: $.items\n      item: item\n"
        "    steps:\n      - type: wait\n        name: nap\n        duration: 1\n")
    result = run(text, {"items": [1, 2, 3]})
    order = [e["type"] for e in result.history()
             if e["type"] in ("MapIterationStarted", "MapIterationSucceeded")]
    assert order == ["MapIterationStarted", "MapIterationSucceeded"] * 3


def test_wait_pauses_for_its_duration():
    text = flow("  - type: wait\n    name: nap\n    duration: 30\n"
                "  - type: pass\n    name: after\n")
    result = run(text, {"k": 1})
    times = [e["timestamp"] for e in result.history()]
    assert (times[-1] - times[0]).total_seconds() == 30
    assert result.output == {"k": 1}


def test_succeed_ends_the_flow_early():
    text = flow("  - type: pass\n    name: p\n    outputMappings:\n"
                "      - target: done\n        source: true\n"
                "  - type: succeed\n    name: stop\n"
                "  - type: fail\n    name: never\n")
    result = run(text, {})
    assert result.status == "SUCCEEDED" and result.output == {"done": True}


def test_fail_ends_the_flow_with_its_error_and_cause():
    result = run(flow("  - type: fail\n    name: f\n    error: Broken\n    cause: because\n"))
    assert (result.status, result.error, result.cause) == ("FAILED", "Broken", "because")


def test_end_stops_the_sequence():
    text = flow("  - type: pass\n    name: a\n    end: true\n"
                "  - type: fail\n    name: never\n")
    assert run(text, {"x": 1}).status == "SUCCEEDED"


# --------------------------------------------------------------------------- retry / catch


def test_retry_with_fnf_all_uses_interval_multiplier_and_max_interval():
    text = flow(f"  - type: task\n    name: flaky\n    resourceArn: {FN}\n"
                "    retry:\n      - errors: [FnF.ALL]\n        intervalSeconds: 2\n"
                "        multiplier: 3\n        maxAttempts: 3\n        maxIntervalSeconds: 10\n")
    attempts = []

    def flaky(params):
        attempts.append(params)
        if len(attempts) < 4:
            raise StatesError("Oops", "not yet")
        return {"ok": True}

    result = run(text, {}, **{FN.replace(":", "__"): flaky})
    assert result.status == "SUCCEEDED" and result.output == {"ok": True}
    times = [e["timestamp"] for e in result.history() if e["type"] == "TaskScheduled"]
    gaps = [(b - a).total_seconds() for a, b in pairwise(times)]
    assert gaps == [2, 6, 10]


def test_retry_gives_up_after_max_attempts():
    text = flow(f"  - type: task\n    name: t\n    resourceArn: {FN}\n"
                "    retry:\n      - errors: [Oops]\n        maxAttempts: 1\n")

    def fail(params):
        raise StatesError("Oops", "again")

    result = run(text, {}, **{FN.replace(":", "__"): fail})
    assert result.status == "FAILED" and result.error == "Oops"
    assert sum(e["type"] == "TaskScheduled" for e in result.history()) == 2


def test_catch_goes_to_its_target_with_the_error_mappings():
    text = flow(f"  - type: task\n    name: t\n    resourceArn: {FN}\n"
                "    errorMappings:\n      - target: code\n        source: $local.error\n"
                "      - target: message\n        source: $local.cause\n"
                "    catch:\n      - errors: [Other]\n        goto: never\n"
                "      - errors: [FnF.TaskFailed, Oops]\n        goto: recover\n"
                "  - type: fail\n    name: never\n"
                "  - type: pass\n    name: recover\n")

    def fail(params):
        raise StatesError("Oops", "it broke")

    result = run(text, {"n": 1}, **{FN.replace(":", "__"): fail})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"code": "Oops", "message": "it broke", "n": 1}


# --------------------------------------------------------------------------- 32 KiB


def test_a_step_over_32_kib_fails_the_flow_and_fnf_all_does_not_catch_it():
    text = flow(f"  - type: task\n    name: big\n    resourceArn: {FN}\n"
                "    catch:\n      - errors: [FnF.ALL]\n        goto: big\n")
    result = run(text, {}, **{FN.replace(":", "__"): lambda p: {"blob": "x" * 33_000}})
    assert result.status == "FAILED"
    assert result.error == "States.DataLimitExceeded"
    assert "32 KiB" in result.cause


def test_a_step_just_under_32_kib_runs():
    text = flow(f"  - type: task\n    name: big\n    resourceArn: {FN}\n")
    result = run(text, {}, **{FN.replace(":", "__"): lambda p: {"blob": "x" * 10_000}})
    assert result.status == "SUCCEEDED"


# --------------------------------------------------------------------------- loading


def test_engine_load_and_run_accept_fdl_json_too():
    text = json.dumps({"version": "v1", "type": "flow",
                       "steps": [{"type": "pass", "name": "p"}]})
    assert is_fdl(text)
    machine = engine.load(text)
    assert run_execution(machine, {"a": 1}).output == {"a": 1}


def test_engine_load_rejects_an_invalid_flow_with_located_errors():
    with pytest.raises(engine.DefinitionError) as caught:
        engine.load(flow("  - type: pass\n    name: p\n    catch: []\n"
                         "  - type: task\n    name: t\n"))
    message = caught.value.aws_message()
    assert "Unknown field 'catch'" not in message  # warnings do not block, errors do
    assert "The field 'resourceArn' is required" in message
    assert "at /steps/1 " in message or "at /steps/1'" in message


def test_a_choice_can_loop_back_to_the_first_step_which_then_sees_the_local():
    text = flow(f"  - type: task\n    name: inc\n    resourceArn: {FN}\n"
                "  - type: choice\n    name: again\n    choices:\n"
                "      - condition: $.n < 3\n        goto: inc\n"
                "    default:\n      goto: done\n"
                "  - type: pass\n    name: done\n")
    calls = []

    def inc(params):
        calls.append(params)
        return {"n": params["n"] + 1}

    result = run(text, {"n": 0}, **{FN.replace(":", "__"): inc})
    assert result.status == "SUCCEEDED" and result.output == {"n": 3}
    assert calls == [{"n": 0}, {"n": 1}, {"n": 2}]
