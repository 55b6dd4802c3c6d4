"""Time the console in Chromium on a 150-state workflow: the execution page's load until
its graph is interactive, and how long typing in the definition editor is ever blocked.

    .venv/bin/python bench/console_pages.py [--states 150] [--loads 10] [--bursts 4] [--debug]

Starts its own server (fresh data directory, random port) and drives Debian's chromium
through Playwright, as the e2e tests do. Figures go to bench/README.md.

- load: navigation start -> the "stepyard:graph-interactive" mark that execution.js sets
  once the graph pans and zooms, its states are coloured and clickable (the SVG is cached
  after the first view, so the first load is reported apart); with the Map and Parallel
  states collapsed, as a large definition is drawn at first, and with all of them open.
- typing: bursts of a field typed at ~12 keys a second with pauses for validation, then an
  edit that changes the drawing followed by arrow keys every 40 ms while the preview
  redraws; every main-thread task over 50 ms (Long Tasks API) and every key event over
  16 ms (Event Timing API: its duration, input delay + handlers + the next paint, and its
  input delay, how long the key waited for the main thread) is recorded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import server_env, start_server  # noqa: E402
from tests.e2e.conftest import CHROMIUM_FLAGS, _chromium  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/bench"

OBSERVE = """() => {
  window.benchLong = []; window.benchKeys = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) benchLong.push([e.startTime, e.duration]); })
    .observe({ type: "longtask", buffered: false });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name.startsWith("key")) benchKeys.push([e.duration, e.processingStart - e.startTime, e.startTime]);
    }
  }).observe({ type: "event", durationThreshold: 16, buffered: false });
}"""


def definition(states: int) -> dict:
    """Blocks of 6: a Choice to two Pass states, a Parallel of one branch, a Map of one state."""
    body: dict = {}
    blocks = states // 6
    for b in range(blocks):
        after = f"Route {b + 1}" if b + 1 < blocks else "Done"
        body[f"Route {b}"] = {"Type": "Choice", "Default": f"Left {b}",
                              "Choices": [{"Variable": "$.right", "BooleanEquals": True, "Next": f"Right {b}"}]}
        body[f"Left {b}"] = {"Type": "Pass", "Next": f"Both {b}"}
        body[f"Right {b}"] = {"Type": "Pass", "Next": f"Both {b}"}
        body[f"Both {b}"] = {"Type": "Parallel", "Next": f"Each {b}", "Branches": [
            {"StartAt": f"Branch {b}", "States": {f"Branch {b}": {"Type": "Pass", "End": True}}}]}
        body[f"Each {b}"] = {"Type": "Map", "ItemsPath": "$.items", "ResultPath": None, "Next": after,
                             "ItemProcessor": {"StartAt": f"Item {b}", "States": {
                                 f"Item {b}": {"Type": "Pass", "End": True}}}}
    body["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Route 0", "States": body}


def run_execution(url: str, states: int) -> None:
    import boto3

    sfn = boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench")
    arn = sfn.create_state_machine(name="Bench150", definition=json.dumps(definition(states)),
                                   roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"items": [1, 2, 3]}))["executionArn"]
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        time.sleep(0.1)


def page_loads(page, url: str, loads: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(loads + 1):
        page.goto(url)
        page.wait_for_function("performance.getEntriesByName('stepyard:graph-interactive').length > 0")
        times.append(page.evaluate("performance.getEntriesByName('stepyard:graph-interactive')[0].startTime"))
    return times[0], times[1:]


def typing(page, url: str, bursts: int) -> dict:
    page.goto(url + "/state-machines/Bench150/edit")
    page.wait_for_selector("#graph svg .node", timeout=60_000)
    page.click("#format-button")  # stored compact, as the API received it: one line per field, as a user edits
    page.wait_for_selector(".diagnostics .ok")
    page.wait_for_timeout(1000)
    page.evaluate(OBSERVE)
    keys = 0
    # Typing: bursts of a Comment in one Pass state after another (valid JSON after each),
    # ~12 keys a second, with pauses long enough for validation (the drawing does not change).
    for burst in range(bursts):
        page.keyboard.press("Control+Home")
        state = ("Left 0", "Right 0", "Branch 0", "Item 0")[burst % 4]
        page.locator(f".cm-line:has-text('\"{state}\": {{')").click()
        page.keyboard.press("End")
        page.keyboard.press("Enter")
        text = '"Comment": "typed at twelve keys a second",'
        page.keyboard.type(text, delay=80)
        keys += len(text) + 2
        time.sleep(1.5)
    # An edit that changes the drawing (a Choice rule's label), then arrow keys every 40 ms for
    # three seconds: they do not change the text, so the redraw happens while they arrive.
    page.keyboard.press("Control+Home")
    page.locator(".cm-line:has-text('\"Variable\": \"$.right\"')").first.click()
    page.keyboard.press("End")
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    for _ in range(5):
        page.keyboard.press("Backspace", delay=80)
    page.keyboard.type("left", delay=80)  # the Choice's edge label changes: the preview redraws
    for index in range(75):
        page.keyboard.press("ArrowRight" if index % 2 else "ArrowLeft", delay=40)
    keys += 2 + 5 + 4 + 75
    page.wait_for_timeout(2000)
    if "--debug" in sys.argv:
        print(page.inner_text("#diagnostics")[:300])
    marks = page.evaluate("performance.getEntriesByType('mark').concat(performance.getEntriesByType('measure'))"
                          ".map((m) => [m.name, m.startTime, m.duration])")
    return {"marks": marks, "keys": keys, "long tasks": page.evaluate("benchLong"),
            "slow key events": page.evaluate("benchKeys"),
            "redraws": page.evaluate("performance.getEntriesByName('stepyard:redraw').map((m) => m.duration)")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--states", type=int, default=150)
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--bursts", type=int, default=4)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = start_server(server_env(Path(tempfile.mkdtemp(prefix="bench-console-"))))
    try:
        run_execution(server.url, args.states)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            for label, query in (("containers collapsed (the default)", ""), ("every container open", "?expand=all")):
                first, warm = page_loads(page, server.url + "/executions/1/" + query, args.loads)
                print(f"execution page ({args.states} states, {label}): first load {first:.0f} ms; then median "
                      f"{statistics.median(warm):.0f} ms, max {max(warm):.0f} ms over {len(warm)} loads")
            result = typing(page, server.url, args.bursts)
            longest = max((d for _, d in result["long tasks"]), default=0)
            if args.debug:
                delays = sorted((round(w), round(t)) for _, w, t in result["slow key events"])
                print("long tasks", result["long tasks"], "keys (input delay, at)", delays[-12:])
                print(result["marks"])
            slowest = max((d for d, _, _ in result["slow key events"]), default=0)
            delay = max((w for _, w, _ in result["slow key events"]), default=0)
            print(f"editor typing: {result['keys']} keys; main-thread tasks over 50 ms: "
                  f"{len(result['long tasks'])} (longest {longest:.0f} ms); key events over 16 ms: "
                  f"{len(result['slow key events'])} (slowest {slowest:.0f} ms, longest input delay "
                  f"{delay:.0f} ms); preview redraws: "
                  + ", ".join(f"{r:.0f} ms" for r in result["redraws"]))
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
