"""The loop workload as a durable Standard execution on SQLite (issue 4's benchmark).

Runs through the services, in process, with the embedded settings (SQLite in WAL mode
in a fresh data directory): every step's events, snapshot and effects are committed.

    .venv/bin/python bench/durable_loop.py [--n 1000] [--rounds 5]

Prints transitions per second (one transition = one state entered, as the peer
harness counts them) for each round and the median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def loop_definition(n: int) -> dict:
    """The peer harness's loop: count $.i from 0 to n with a Choice and States.MathAdd."""
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Parameters": {"i": 0}, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": n, "Next": "Inc"}],
                      "Default": "Done"},
            "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Done": {"Type": "Succeed"},
        },
    }


def setup() -> None:
    os.environ.setdefault("STEPYARD_DATA_DIR", tempfile.mkdtemp(prefix="stepyard-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup()
    from console.services import executions, machines

    machine = machines.create_machine(name="bench-loop", definition=json.dumps(loop_definition(args.n)))
    transitions = 2 * args.n + 3
    rates = []
    for round_no in range(args.rounds):
        started = time.perf_counter()
        execution = executions.start_execution(machine, name=f"round-{round_no}")
        elapsed = time.perf_counter() - started
        assert execution.status == "SUCCEEDED" and json.loads(execution.output) == {"i": args.n}
        rates.append(transitions / elapsed)
        print(f"round {round_no + 1}: {transitions} transitions, {execution.event_count} events "
              f"in {elapsed * 1000:.0f} ms = {rates[-1]:,.0f} transitions/s")
    print(f"durable loop on SQLite: median {statistics.median(rates):,.0f} transitions/s")


if __name__ == "__main__":
    main()
