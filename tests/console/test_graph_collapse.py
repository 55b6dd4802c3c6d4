"""Large definitions are drawn with Map and Parallel states collapsed until opened."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

import engine
from console import graph
from console.services import executions, machines
from tests.e2e.test_graph_e2e import nested

pytestmark = pytest.mark.django_db


def test_a_large_definition_collapses_its_containers_and_says_what_they_hold():
    machine = engine.load(json.dumps(nested(20)))
    svg = graph.svg_from_dot(graph.build_dot(machine, frozenset()))
    assert svg.count('class="node state type-map collapsed"') == 20
    assert "2 states inside" in svg and "2 branches, 2 states" in svg
    assert 'id="s-Map_20_0-In_20_0"' not in svg


def test_an_expanded_container_is_drawn_open_and_small_definitions_always_are():
    machine = engine.load(json.dumps(nested(20)))
    svg = graph.svg_from_dot(graph.build_dot(machine, frozenset({"s-Map_20_0"})))
    assert 'id="s-Map_20_0-In_20_0"' in svg and svg.count("type-map collapsed") == 19
    small = graph.svg_from_dot(graph.build_dot(engine.load(json.dumps(nested(2))), frozenset()))
    assert "collapsed" not in small


def test_the_execution_graph_endpoint_draws_what_was_opened(client):
    machine = machines.create_machine(name="Nested", definition=json.dumps(nested(20)))
    execution = executions.start_execution(machine, input='{"items": [1]}')
    closed = client.get(reverse("execution-graph", args=[execution.pk])).content.decode()
    opened = client.get(reverse("execution-graph", args=[execution.pk]), {"expand": "s-Par_20_1"}).content.decode()
    everything = client.get(reverse("execution-graph", args=[execution.pk]), {"expand": "all"}).content.decode()
    assert "s-Par_20_1-0-Left_20_1" not in closed and "s-Par_20_1-0-Left_20_1" in opened
    assert "collapsed" not in everything


def test_only_containers_that_exist_can_be_asked_open():
    machine = engine.load(json.dumps(nested(20)))
    assert graph.openable(machine, "s-Map_20_1,nonsense,s-Done") == frozenset({"s-Map_20_1", "s-Done"})
    assert graph.openable(machine, "x,all") == frozenset({"all"})
