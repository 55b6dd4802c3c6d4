"""In Chromium: the definition editor highlights, numbers lines, folds, marks diagnostics
in its gutter at their lines, formats the document, switches to YAML for FDL, and saves
what was typed."""

from __future__ import annotations

import json

import pytest

from tests.e2e.editor import set_definition
from tests.e2e.test_graph_e2e import long_chain

pytestmark = pytest.mark.e2e

MISSING = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}, indent=2)


def _marker_lines(page) -> list[str]:
    """The line numbers printed beside the gutter's lint markers."""
    return page.evaluate("""() => {
        const numbers = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')];
        return [...document.querySelectorAll('.cm-lint-marker')].map((marker) => {
            const top = marker.getBoundingClientRect().top;
            const beside = numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 4);
            return beside ? beside.textContent : null;
        });
    }""")


def test_the_editor_highlights_numbers_folds_and_marks_diagnostics(page, stepyard_server, shoot):
    page.goto(stepyard_server + "/state-machines/new")
    set_definition(page, MISSING)
    page.wait_for_selector(".diagnostic:has-text('MISSING_TRANSITION_TARGET')")
    page.wait_for_selector(".cm-lint-marker-error")
    assert "6" in _marker_lines(page)  # the line of "Next": "Missing"
    assert page.locator(".cm-lineNumbers .cm-gutterElement:text-is('9')").count() >= 1  # numbered lines
    assert page.locator(".cm-content span[class]").count() > 5  # highlighted tokens

    page.locator(".cm-foldGutter .cm-gutterElement span").nth(2).click()  # fold "A": {...}
    page.wait_for_selector(".cm-foldPlaceholder")
    assert page.locator(".cm-line:has-text('Missing')").count() == 0
    shoot("editor-diagnostics")
    assert page.console_errors == []


def test_format_document_and_saving_what_was_typed(page, stepyard_server):
    page.goto(stepyard_server + "/state-machines/new")
    compact = {"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "End": True}}}
    set_definition(page, json.dumps(compact))
    page.click("#format-button")
    assert page.input_value("#id_definition") == json.dumps(compact, indent=2)

    page.click(".cm-line:has-text('\"End\"')")
    page.keyboard.press("End")
    page.keyboard.type(', "Comment": "typed <b>here</b>"')
    page.wait_for_selector(".diagnostics .ok")
    page.fill("#id_name", "E2eTyped")
    page.click("button[type=submit]")
    page.wait_for_url("**/state-machines/E2eTyped/")
    assert '"Comment": "typed <b>here</b>"' in page.inner_text("#definition")
    assert page.console_errors == []


def test_the_editor_switches_to_yaml_for_a_flow(page, stepyard_server):
    page.goto(stepyard_server + "/state-machines/new")
    page.select_option("#language", "FDL")
    page.wait_for_selector(".cm-line:has-text('version: v1')")
    page.wait_for_selector("#graph #s-hello")
    assert page.locator(".cm-content span[class]").count() > 3
    assert page.console_errors == []


def test_typing_in_a_150_state_definition_keeps_every_key(page, stepyard_server, shoot):
    page.goto(stepyard_server + "/state-machines/new")
    set_definition(page, long_chain(150))
    page.wait_for_selector("#graph #s-Step_20_149", timeout=30_000)
    page.keyboard.press("Control+Home")  # the editor draws only the lines in view
    page.click(".cm-line:has-text('\"StartAt\"')")
    page.keyboard.press("Home")
    page.keyboard.type('"Comment": "quick typing", ', delay=5)
    assert '"Comment": "quick typing"' in page.input_value("#id_definition")
    page.wait_for_selector(".diagnostics .ok")
    shoot("editor-150-states")
    assert page.console_errors == []


def _scale(page) -> float:
    transform = page.get_attribute("#graph svg .svg-pan-zoom_viewport", "transform")
    return float(transform.removeprefix("matrix(").split(",")[0])


def test_the_preview_keeps_its_zoom_when_it_redraws(page, stepyard_server):
    page.goto(stepyard_server + "/state-machines/new")
    set_definition(page, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    page.wait_for_selector("#graph.zoomable #s-A")
    page.click("button[aria-label='Zoom out']")
    page.click("button[aria-label='Zoom out']")
    page.wait_for_timeout(100)  # svg-pan-zoom draws at the next frame
    zoomed = _scale(page)
    set_definition(page, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                     "B": {"Type": "Succeed"}}})
    page.wait_for_selector("#graph.zoomable #s-B")
    page.wait_for_timeout(100)
    assert abs(_scale(page) - zoomed) < 0.01
    assert page.console_errors == []
