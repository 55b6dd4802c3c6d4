"""In Chromium: a 150-state graph zooms, pans, fits and has a minimap; a clicked deep state
opens in the step panel beside the graph and in the address; Map nodes count their items."""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.test_rough_edges_e2e import ROLE

pytestmark = pytest.mark.e2e


def long_chain(count: int) -> dict:
    states = {f"Step {i}": {"Type": "Pass", "Next": f"Step {i + 1}"} for i in range(count - 1)}
    states[f"Step {count - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Step 0", "States": states}


def _open(page, server: str, sfn, name: str, definition: dict, run: str, **start) -> None:
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn, name=run, **start)
    page.goto(server + "/executions/")
    page.click(f"#execution-table a:text('{run}')")
    page.wait_for_selector("#execution-status:text('SUCCEEDED')", timeout=20_000)
    page.wait_for_selector("#graph.zoomable")  # the page's script has run


def _transform(page) -> str:
    return page.get_attribute("#graph svg .svg-pan-zoom_viewport", "transform") or ""


def _changes(page, before: str) -> None:
    """Wait until the graph's pan/zoom transform differs from ``before`` (svg-pan-zoom draws
    at the next animation frame)."""
    page.wait_for_function(
        "(before) => document.querySelector('#graph svg .svg-pan-zoom_viewport').getAttribute('transform') !== before",
        arg=before, timeout=5000)


def _inside(inner: dict, outer: dict) -> bool:
    return (inner["x"] >= outer["x"] - 1 and inner["y"] >= outer["y"] - 1
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1)


def _comes_inside(page, selector: str, timeout_s: float = 5.0) -> bool:
    """Whether the node is drawn inside the graph's box within ``timeout_s`` (svg-pan-zoom
    applies a fit at a later animation frame)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if _inside(page.locator(selector).bounding_box(), page.locator("#graph").bounding_box()):
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)


def test_a_long_graph_zooms_pans_fits_and_deep_links_a_state(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    _open(page, stepyard_server, sfn, "E2eLongGraph", long_chain(150), "long-graph")
    box = page.locator("#graph").bounding_box()
    assert box["height"] < 900  # the graph has its own box, not a 10,000 px page
    page.wait_for_selector(".minimap", state="visible")  # drawn once the graph script has run

    before = _transform(page)
    page.click("button[aria-label='Zoom in']")
    _changes(page, before)
    page.click("button[aria-label='Fit the whole graph']")
    assert _comes_inside(page, "#s-Step_20_149")

    page.click("button[aria-label='Actual size']")
    page.click("#steps td:text-is('Step 140')")
    node = page.locator("#s-Step_20_140").bounding_box()
    assert _inside(node, page.locator("#graph").bounding_box())
    panel = page.locator("#step-details").bounding_box()
    assert 0 <= panel["y"] < 900 and panel["x"] > box["x"] + box["width"] - 1  # beside the graph, on screen
    assert "Step 140" in page.inner_text("#step-details")
    assert "state=Step+140" in page.url

    page.goto(page.url)
    page.wait_for_selector("#step-details .step-name:text('Step 140')")
    assert "selected" in page.get_attribute("#s-Step_20_140", "class")
    assert _inside(page.locator("#s-Step_20_140").bounding_box(), page.locator("#graph").bounding_box())

    before = _transform(page)
    minimap = page.locator(".minimap")
    minimap.click(position={"x": minimap.bounding_box()["width"] / 2, "y": 3})
    _changes(page, before)
    shoot("long-graph")
    assert page.console_errors == []


def test_a_map_node_counts_its_items_by_status(page, stepyard_server, sfn_client, shoot):
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "Square", "States": {"Square": {"Type": "Pass", "End": True}}}}}}
    _open(page, stepyard_server, sfn_client(stepyard_server), "E2eMapCounts", definition, "map-counts",
          input=json.dumps({"items": [1, 2, 3, 4, 5]}))
    assert page.text_content("#s-Each text.map-counts").strip() == "✓5"
    page.click("#s-Each")
    assert "Items: 5" in page.inner_text("#step-details")
    assert "5 succeeded" in page.inner_text("#step-details")
    shoot("map-counts")
    assert page.console_errors == []


def test_a_machine_page_graph_zooms_too(page, stepyard_server, sfn_client):
    sfn_client(stepyard_server).create_state_machine(
        name="E2eZoomMachine", definition=json.dumps(long_chain(40)), roleArn=ROLE)
    page.goto(stepyard_server + "/state-machines/E2eZoomMachine/")
    before = _transform(page)
    page.click("button[aria-label='Zoom out']")
    _changes(page, before)
    assert page.console_errors == []


def nested(blocks: int) -> dict:
    """Blocks of a Map holding two states and a Parallel of two branches: over 80 states."""
    states: dict = {}
    for b in range(blocks):
        after = f"Map {b + 1}" if b + 1 < blocks else "Done"
        states[f"Map {b}"] = {"Type": "Map", "ItemsPath": "$.items", "ResultPath": None, "Next": f"Par {b}",
                              "ItemProcessor": {"StartAt": f"In {b}", "States": {
                                  f"In {b}": {"Type": "Pass", "Next": f"Out {b}"},
                                  f"Out {b}": {"Type": "Pass", "End": True}}}}
        states[f"Par {b}"] = {"Type": "Parallel", "ResultPath": None, "Next": after, "Branches": [
            {"StartAt": f"Left {b}", "States": {f"Left {b}": {"Type": "Pass", "End": True}}},
            {"StartAt": f"Right {b}", "States": {f"Right {b}": {"Type": "Pass", "End": True}}}]}
    states["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Map 0", "States": states}


def test_a_large_definition_draws_containers_collapsed_and_opens_them(page, stepyard_server, sfn_client, shoot):
    sfn = sfn_client(stepyard_server)
    _open(page, stepyard_server, sfn, "E2eCollapsed", nested(20), "collapsed", input=json.dumps({"items": [1, 2]}))
    assert page.locator("#graph .node.collapsed").count() == 40
    assert page.locator("#s-Map_20_3-In_20_3").count() == 0
    assert "status-succeeded" in page.get_attribute("#s-Map_20_3", "class")

    page.click("#s-Map_20_3")
    page.click("#expand-button")
    page.wait_for_selector("#s-Map_20_3-In_20_3.status-succeeded")
    assert page.locator("#graph .node.collapsed").count() == 39
    assert "expand=s-Map_20_3" in page.url
    assert page.text_content("#s-Map_20_3 text.map-counts").strip() == "✓2"
    page.goto(page.url)
    page.wait_for_selector("#s-Map_20_3-In_20_3")
    shoot("collapsed-graph")

    page.goto(stepyard_server + "/state-machines/E2eCollapsed/")
    page.focus("#s-Par_20_5")  # keyboard: it need not be in view
    page.keyboard.press("Enter")
    page.wait_for_selector("#s-Par_20_5-0-Left_20_5")
    assert page.console_errors == []
