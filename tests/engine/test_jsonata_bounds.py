"""JSONata runs bounded: loops time out, deep recursion and exploding values fail the state."""

from __future__ import annotations

import threading
import time

import pytest

from engine.errors import STATES_QUERY_EVALUATION_ERROR, StatesError
from engine.jsonata import compile_template
from engine.jsonata_bounds import LIMITS, BudgetExceeded, budget
from engine.teststate import run_test_state

LOOP = "{% ( $f := function($n){ $f($n + 1) }; $f(0) ) %}"


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setattr(LIMITS, "timeout_s", 0.3)


def cause_of(expression: str) -> str:
    with pytest.raises(StatesError) as caught:
        compile_template(expression, "Output").evaluate({"input": {}}, {})
    assert caught.value.name == STATES_QUERY_EVALUATION_ERROR
    return caught.value.cause


def test_it_times_out_an_endless_tail_call():
    assert "D1012: Evaluation timeout after 300 milliseconds" in cause_of(LOOP)


def test_it_fails_deep_recursion():
    cause = cause_of("{% ( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000) ) %}")
    assert "threw an error during evaluation" in cause


def test_it_stops_a_string_that_doubles_in_a_loop():
    cause = cause_of('{% ( $f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("x", 60) ) %}')
    assert "grew past" in cause


def test_it_refuses_a_huge_pad():
    assert "$pad cannot make a string longer" in cause_of('{% $pad("x", 1000000000) %}')


def test_the_next_evaluation_starts_with_a_fresh_clock():
    template = compile_template("{% $states.input.n + 1 %}", "Output")
    with pytest.raises(StatesError):
        compile_template(LOOP, "Output").evaluate({}, {})
    time.sleep(0.35)
    assert template.evaluate({"input": {"n": 1}}, {}) == 2


def test_a_budget_interrupts_the_step_instead_of_failing_it():
    template = compile_template(LOOP, "Output")
    with budget(0.02), pytest.raises(BudgetExceeded):
        template.evaluate({}, {})


def test_a_looping_expression_does_not_hold_up_other_threads():
    looping = compile_template(LOOP, "Output")
    quick = compile_template("{% $states.input.n * 2 %}", "Output")
    worker = threading.Thread(target=lambda: pytest.raises(StatesError, looping.evaluate, {}, {}))
    worker.start()
    try:
        started = time.monotonic()
        assert quick.evaluate({"input": {"n": 21}}, {}) == 42
        assert time.monotonic() - started < 0.25  # well inside the other thread's 0.3 s loop
    finally:
        worker.join()


def test_test_state_fails_the_looping_state():
    definition = {"QueryLanguage": "JSONata", "Type": "Pass", "Output": LOOP, "End": True}
    result = run_test_state(definition, {"input": "{}"})
    assert result["status"] == "FAILED"
    assert result["error"] == STATES_QUERY_EVALUATION_ERROR


def test_a_regex_literal_python_cannot_compile_is_a_syntax_error(monkeypatch):
    from engine.jsonata import JsonataSyntaxError

    monkeypatch.setattr(LIMITS, "regex_engine", None)  # jsonata-python's own engine (re)
    with pytest.raises(JsonataSyntaxError):
        compile_template('{% $replace("abc", /(?<x>b)/, "-") %}', "Output")
