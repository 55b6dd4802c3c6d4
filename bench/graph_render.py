"""Time the graph renderer on a 250-state definition with choices, catches and nesting.

    .venv/bin/python bench/graph_render.py [--states 250]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


def definition(states: int) -> dict:
    """A chain of blocks: Choice -> two Tasks with Catch -> Parallel of two Pass (5 states each)."""
    body: dict = {}
    blocks = states // 5
    for b in range(blocks):
        nxt = f"Choice{b + 1}" if b + 1 < blocks else "Done"
        body[f"Choice{b}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.kind", "StringEquals": f"k{b}", "Next": f"TaskA{b}"}],
            "Default": f"TaskB{b}",
        }
        for side in "AB":
            body[f"Task{side}{b}"] = {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "Next": f"Par{b}",
            }
        body[f"Par{b}"] = {
            "Type": "Parallel",
            "Branches": [{"StartAt": f"In{b}", "States": {f"In{b}": {"Type": "Pass", "End": True}}}],
            "Next": nxt,
        }
        body[f"In{b}"] = None
    body = {k: v for k, v in body.items() if v is not None}
    body["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Choice0", "States": body}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--states", type=int, default=250)
    args = parser.parse_args()
    import django

    django.setup()
    import engine
    from console import graph

    text = json.dumps(definition(args.states))
    machine = engine.load(text)
    count = graph.count_states(machine)
    started = time.perf_counter()
    svg = graph.svg_from_dot(graph.build_dot(machine))
    elapsed = time.perf_counter() - started
    print(f"graph: {count} states drawn in {elapsed:.2f} s ({len(svg) // 1024} KiB of SVG)")


if __name__ == "__main__":
    main()
