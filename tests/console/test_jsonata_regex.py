"""JSONata regular expressions in the console: the ``regex`` module with a timeout, so a
backtracking pattern fails its state instead of freezing the server."""

from __future__ import annotations

import pytest

from console.jsonata_regex import bounded_regex_engine
from engine.errors import STATES_QUERY_EVALUATION_ERROR, StatesError
from engine.jsonata import JsonataSyntaxError, compile_template
from engine.jsonata_bounds import LIMITS


@pytest.fixture(autouse=True)
def bounded(monkeypatch):
    monkeypatch.setattr(LIMITS, "regex_engine", bounded_regex_engine)
    monkeypatch.setattr(LIMITS, "timeout_s", 0.3)


def evaluate(expression: str):
    return compile_template(expression, "Output").evaluate({"input": {}}, {})


def test_it_fails_a_catastrophically_backtracking_match():
    with pytest.raises(StatesError) as caught:
        evaluate('{% $contains("' + "a" * 60 + '!", /^(a|aa)+$/) %}')
    assert caught.value.name == STATES_QUERY_EVALUATION_ERROR
    assert "timed out" in caught.value.cause


@pytest.mark.parametrize("expression, expected", [
    ('{% $replace("abcb", /(b)/, "[$1]") %}', "a[b]c[b]"),
    ('{% $replace("abc", /(b)/, "$12") %}', "ab2c"),
    ('{% $split("a,b;c", /[,;]/) %}', ["a", "b", "c"]),
    ('{% $match("aXbx", /x/i, 1).index %}', 1),
])
def test_it_matches_like_the_standard_engine(expression, expected):
    assert evaluate(expression) == expected


def test_an_invalid_pattern_is_a_syntax_error():
    with pytest.raises(JsonataSyntaxError):
        compile_template("{% $replace('a', /(/, 'b') %}", "Output")
