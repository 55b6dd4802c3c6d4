"""The newer CloudFlow spelling (``Type: StateMachine``, ``TaskMode``) on the same engine."""

from __future__ import annotations

from itertools import pairwise

import engine
from engine.driver import run_execution
from engine.errors import StatesError
from engine.fdl import compile_fdl, fdl_to_asl, is_fdl, validate_fdl

CALLBACK = """\
Type: StateMachine
Name: demo
SpecVersion: v1
StartAt: Prepare
States:
  - Type: Pass
    Name: Prepare
    InputConstructor:
      body.$: $Input.messageBody
    Next: Notify
  - Type: Task
    Name: Notify
    Action: MNS:PublishMessage
    TaskMode: WaitForCustomCallback
    Parameters:
      TopicName: fnf-demo
      MessageBody.$: $Input.body
      Token.$: $Context.Current.TaskToken
    OutputConstructor:
      status.$: $Output.status
    Next: Route
  - Type: Choice
    Name: Route
    Branches:
      - Condition: $Input.status == "success"
        Next: Done
    Default: Broken
  - Type: Succeed
    Name: Done
  - Type: Fail
    Name: Broken
    Code: Bad
"""


def test_a_cloudflow_callback_machine_runs_with_its_task_token():
    published = []

    def topic(params):
        published.append(params)
        return {"status": "success"}

    assert is_fdl(CALLBACK) and validate_fdl(CALLBACK) == []
    result = run_execution(engine.load(CALLBACK), {"messageBody": "hi"},
                           integrations={"MNS:PublishMessage.waitForTaskToken": topic})
    assert result.status == "SUCCEEDED" and result.output == {"status": "success"}
    assert published[0]["MessageBody"] == "hi" and len(published[0]["Token"]) == 64


def test_the_default_branch_and_fail_code():
    result = run_execution(compile_fdl(CALLBACK), {"messageBody": "hi"},
                           integrations={"MNS:PublishMessage.waitForTaskToken":
                                         lambda p: {"status": "rejected"}})
    assert (result.status, result.error) == ("FAILED", "Bad")


def test_task_modes_choose_the_resource_suffix():
    for mode, suffix in (("RequestComplete", ""), ("WaitForSystemCallback", ".sync"),
                         ("WaitForCustomCallback", ".waitForTaskToken")):
        text = CALLBACK.replace("WaitForCustomCallback", mode)
        assert fdl_to_asl(text)["States"]["Notify"]["Resource"] == "MNS:PublishMessage" + suffix


def test_fc_tasks_use_the_resource_arn_of_their_parameters_and_retry_with_fnf_names():
    arn = "acs:fc:cn-hangzhou:1:services/s/functions/f"
    text = f"""\
Type: StateMachine
Name: retrying
SpecVersion: v1
StartAt: Call
States:
  - Type: Task
    Name: Call
    Action: FC:InvokeFunction
    Parameters:
      resourceArn: {arn}
      body.$: $Input
    Retry:
      - Errors: [FnF.ALL]
        IntervalSeconds: 3
        MaxAttempts: 2
    Catch:
      - Errors: [FnF.TaskFailed, Oops]
        Next: Recover
        OutputConstructor:
          code.$: $Context.Current.Error.Code
    End: true
  - Type: Pass
    Name: Recover
    End: true
"""
    calls = []

    def fail(params):
        calls.append(params)
        raise StatesError("Oops", "no")

    result = run_execution(compile_fdl(text), {"a": 1}, integrations={arn: fail})
    assert result.status == "SUCCEEDED" and result.output == {"code": "Oops"}
    assert len(calls) == 3 and calls[0]["body"] == {"a": 1}
    times = [e["timestamp"] for e in result.history() if e["type"] == "TaskScheduled"]
    assert [(b - a).total_seconds() for a, b in pairwise(times)] == [3, 3]


def test_map_and_parallel_collect_their_results():
    text = """\
Type: StateMachine
Name: fan
SpecVersion: v1
StartAt: Each
States:
  - Type: Map
    Name: Each
    ItemsPath: $Input.items
    MaxConcurrency: 1
    Processor:
      StartAt: Double
      States:
        - Type: Pass
          Name: Double
          OutputConstructor:
            value.$: $Input
          End: true
    Next: Both
  - Type: Parallel
    Name: Both
    Branches:
      - StartAt: A
        States:
          - Type: Pass
            Name: A
            End: true
      - StartAt: B
        States:
          - Type: Wait
            Name: B
            Seconds: 5
            End: true
    End: true
"""
    result = run_execution(compile_fdl(text), {"items": [1, 2]})
    assert result.status == "SUCCEEDED", result.cause
    expected = [{"value": 1}, {"value": 2}]
    assert result.output == [expected, expected]


def test_cloudflow_findings_are_located():
    text = """\
Type: StateMachine
Name: broken
SpecVersion: v1
StartAt: Nope
States:
  - Type: Task
    Name: T
    TaskMode: Whenever
    Next: Missing
  - Type: Pass
    Name: T
"""
    found = [(d.code, d.location) for d in validate_fdl(text)]
    assert found == [
        ("FDL_DUPLICATE_STEP_NAME", "/States/1/Name"),
        ("FDL_UNKNOWN_GOTO_TARGET", "/StartAt"),
        ("FDL_UNKNOWN_GOTO_TARGET", "/States/0/Next"),
        ("FDL_SCHEMA", "/States/0"),
        ("FDL_SCHEMA", "/States/0/TaskMode"),
        ("FDL_SCHEMA", "/States/1"),
    ]
