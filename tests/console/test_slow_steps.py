"""Slow steps (a looping JSONata expression) are computed without SQLite's write turn, fail
their state when the expression times out, and never hold up other executions' timers."""

from __future__ import annotations

import json
import time

import pytest

from console.db.sqlite import base
from console.models import Execution
from console.runtime import stepper
from console.services import executions, machines
from console.workers import scheduler
from engine.jsonata_bounds import LIMITS

pytestmark = pytest.mark.django_db(transaction=True)
LOOP = "{% ( $f := function($n){ $f($n + 1) }; $f(0) ) %}"


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setattr(LIMITS, "timeout_s", 0.5)


def machine(name: str, states: dict, start: str) -> object:
    definition = {"QueryLanguage": "JSONata", "StartAt": start, "States": states}
    return machines.create_machine(name=name, definition=json.dumps(definition))


def status(execution: Execution, timeout: float = 10.0) -> Execution:
    deadline = time.monotonic() + timeout
    execution.refresh_from_db()
    while execution.status == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
        execution.refresh_from_db()
    return execution


def test_a_slow_step_is_computed_without_the_write_turn(monkeypatch):
    turn_held = []
    original = stepper.precompute

    def watched(slow):
        turn_held.append(base._turn.locked())
        original(slow)

    monkeypatch.setattr(stepper, "precompute", watched)
    spin = machine("Spin", {"Spin": {"Type": "Pass", "Output": LOOP, "End": True}}, "Spin")
    execution = status(executions.start_execution(spin))
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert turn_held == [False]


def test_a_slow_timer_does_not_hold_up_the_other_timers():
    spin = machine("SpinLater", {"Pause": {"Type": "Wait", "Seconds": 1, "Next": "Spin"},
                                 "Spin": {"Type": "Pass", "Output": LOOP, "End": True}}, "Pause")
    quick = machine("Quick", {"Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
                              "Done": {"Type": "Pass", "Output": "{% 1 + 1 %}", "End": True}}, "Pause")
    looping = executions.start_execution(spin)
    other = executions.start_execution(quick)
    scheduler.fire_due_timers(time.time() + 2)
    other.refresh_from_db()
    looping.refresh_from_db()
    assert other.status == "SUCCEEDED"
    assert looping.status == "RUNNING"  # its step is still being computed on another thread
    assert status(looping).error == "States.QueryEvaluationError"
