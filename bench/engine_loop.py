#!/usr/bin/env python3
"""In-process engine benchmark: the Pass/Choice counting loop of the peer harness
(../shared/bench/asl_defs.py, 2n+3 state transitions per run), history recorded.

    .venv/bin/python bench/engine_loop.py [--n 1000] [--rounds 7]

Prints the median transitions per second and checks every output.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "..", "shared", "bench"))

import asl_defs  # noqa: E402

from engine.driver import run_execution  # noqa: E402


def measure(n: int, rounds: int) -> tuple[float, int]:
    """Median seconds per run over ``rounds`` runs (after one warm-up), and events per run."""
    definition = asl_defs.loop_definition(n)
    expected = asl_defs.loop_expected(n)
    times = []
    events = 0
    for k in range(rounds + 1):
        started = time.perf_counter()
        result = run_execution(definition, {})
        elapsed = time.perf_counter() - started
        if result.output != expected:
            raise SystemExit(f"wrong output {result.output!r}, expected {expected!r}")
        events = len(result.events)
        if k:
            times.append(elapsed)
    return statistics.median(times), events


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    transitions = asl_defs.loop_transitions(args.n)
    median, events = measure(args.n, args.rounds)
    print(f"loop n={args.n}: {transitions} transitions, {events} history events per run; "
          f"median of {args.rounds} runs")
    print(f"engine: {transitions / median:,.0f} transitions/s "
          f"({median * 1e3:.2f} ms/run, {median / transitions * 1e6:.2f} us/transition)")


if __name__ == "__main__":
    main()
