"""Express machines refuse FDL tasks that wait (waitForCallback, sync), as they refuse
ASL's .waitForTaskToken and .sync."""

from __future__ import annotations

import engine

FLOW = """version: v1
type: flow
steps:
  - type: pass
    name: prepare
  - type: task
    name: ask
    resourceArn: acs:mns:::/topics/fnf-demo/messages
    pattern: waitForCallback
    serviceParams:
      MessageBody: $
"""


def test_an_express_machine_refuses_a_task_that_waits_for_a_callback():
    errors = [d for d in engine.validate(FLOW, "EXPRESS") if d.severity == "ERROR"]
    assert [(d.code, d.location) for d in errors] == [("SCHEMA_VALIDATION_FAILED", "/steps/1")]
    assert "Express state machine does not support '.waitForTaskToken'" in errors[0].message
    assert "line 6" in errors[0].message


def test_a_standard_machine_accepts_it():
    assert not [d for d in engine.validate(FLOW, "STANDARD") if d.severity == "ERROR"]


def test_an_express_machine_accepts_a_request_response_task():
    plain = FLOW.replace("    pattern: waitForCallback\n", "")
    assert not [d for d in engine.validate(plain, "EXPRESS") if d.severity == "ERROR"]
