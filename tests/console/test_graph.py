"""The graph renderer: DOT structure, node ids, limits and caching."""

from __future__ import annotations

import json
import time

import pytest

import engine
from console import graph
from console.models import RenderedGraph

pytestmark = pytest.mark.django_db


def chain(n: int) -> str:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n - 1)}
    states[f"S{n - 1}"] = {"Type": "Succeed"}
    return json.dumps({"StartAt": "S0", "States": states})


NESTED = json.dumps({
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": True}}},
            ],
            "Catch": [{"ErrorEquals": ["States.Timeout", "Custom"], "Next": "Oops"}],
            "Next": "Pick",
        },
        "Pick": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 3, "Next": "M"},
                {"Not": {"Variable": "$.s", "StringEquals": "x"}, "Next": "Oops"},
            ],
            "Default": "Done",
        },
        "M": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "End": True,
        },
        "Oops": {"Type": "Fail", "Error": "E"},
        "Done": {"Type": "Succeed"},
    },
})


def test_node_ids_are_derived_from_the_state_path():
    assert graph.node_id(("Check Inventory",)) == "s-Check_20_Inventory"
    assert graph.node_id(("P", "0", "A")) == "s-P-0-A"
    assert graph.node_id(("a-b",)) != graph.node_id(("a", "b"))


def test_the_dot_has_start_end_states_choice_labels_default_and_catch_edges():
    dot = graph.build_dot(engine.load(NESTED))
    assert '"start" -> "s-P"' in dot
    assert '"s-Done" -> "end"' in dot and '"s-Oops" -> "end"' in dot
    assert "$.n &gt; 3" in dot
    assert "not $.s == &quot;x&quot;" in dot
    assert "<i>Default</i>" in dot
    assert 'Catch: States.Timeout, Custom' in dot and "style=dashed" in dot


def test_parallel_branches_and_map_processors_are_nested_clusters():
    dot = graph.build_dot(engine.load(NESTED))
    assert 'subgraph "cluster_s-P"' in dot and 'subgraph "cluster_s-M"' in dot
    assert '"s-P" -> "s-P-0-A"' in dot and '"s-P" -> "s-P-1-B"' in dot
    assert '"s-P-0-A" -> "s-P--join"' in dot
    assert '"s-P--join" -> "s-Pick"' in dot
    assert '"s-M" -> "s-M-Item"' in dot


def test_the_svg_carries_stable_ids_and_type_classes():
    svg = graph.render(NESTED).svg
    assert '<g id="s-P-0-A" class="node state type-pass">' in svg
    assert '<g id="s-P" class="node state type-parallel">' in svg


def test_a_definition_is_drawn_once_and_then_read_from_the_cache(monkeypatch):
    first = graph.render(NESTED)
    assert RenderedGraph.objects.count() == 1
    monkeypatch.setattr(graph, "svg_from_dot", lambda dot: pytest.fail("drew twice"))
    assert graph.render(NESTED).svg == first.svg


def test_a_250_state_definition_renders():
    started = time.monotonic()
    result = graph.render(chain(250))
    assert result.error == ""
    assert result.svg.count('class="node state') == 250
    print(f"250 states drawn in {time.monotonic() - started:.2f} s")


def test_an_oversized_definition_gets_a_clear_message_not_a_hang(settings):
    settings.STEPYARD_GRAPH_MAX_STATES = 300
    result = graph.render(chain(301))
    assert result.svg == ""
    assert "301 states" in result.error and "at most 300" in result.error


def test_an_invalid_definition_gets_a_message_instead_of_a_graph():
    result = graph.render('{"StartAt": "X", "States": {}}')
    assert result.svg == "" and "not valid" in result.error


def test_a_missing_graphviz_is_reported(monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    result = graph.render(chain(7), persist=False)
    assert "Graphviz is not installed" in result.error
