"""Server CPU per push of the live execution page, for a short and a long history (issue 12).

Two Standard executions of the same machine, in process on SQLite (embedded settings, fresh
data directory): a Choice loop first writes ~20 or ~20,000 events, then the execution
waits in a loop (Wait 1 s -> Choice -> Wait ...), so firing its timer adds one step (four
events) at a time, as a running execution does while a page watches it.

For each step both executions advance, then the push the websocket consumer makes is
timed in this thread's CPU time (``time.thread_time``):

- now: ``Feed.next()``, what ``consumers.ExecutionConsumer`` runs per push (the events
  after its cursor, the statuses that changed, the open tokens and timers);
- before: ``snapshot(execution, after)``, the whole history read and every status
  recomputed, which is what every push cost before (and what a (re)connect costs now).

    .venv/bin/python bench/live_push.py [--pushes 200] [--before 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from durable_loop import setup  # noqa: E402  (bench/ is on the path: one way to set up Django)

SIZES = {"20 events": 3, "20,000 events": 4998}  # loop turns: 6 + 4 * turns events before the waits


def definition(turns: int) -> dict:
    """Count to ``turns`` (four events a turn), then wait in a loop forever (Wait 1 s -> Choice -> Wait ...)."""
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Parameters": {"i": 0}, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": turns, "Next": "Inc"}],
                      "Default": "Tick"},
            "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
            "Tick": {"Type": "Wait", "Seconds": 1, "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 0, "Next": "Done"}],
                      "Default": "Tick"},  # never Done: a terminal state the validator asks for
            "Done": {"Type": "Succeed"},
        },
    }


def cpu_ms(work: Callable[[], object]) -> float:
    started = time.thread_time()
    work()
    return (time.thread_time() - started) * 1000


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered):7.3f} ms, p95 {p95:7.3f} ms ({len(ordered)} pushes)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--before", type=int, default=20, help="pushes timed the old way (whole history)")
    args = parser.parse_args()
    setup()
    from console.execution_feed import Feed, snapshot
    from console.models import Execution
    from console.services import executions, machines
    from console.workers import scheduler

    runs = {}
    for label, turns in SIZES.items():
        machine = machines.create_machine(name=f"bench-live-{turns}", definition=json.dumps(definition(turns)))
        execution = executions.start_execution(machine)
        feed = Feed(execution.pk)
        connect = cpu_ms(lambda feed=feed: feed.start(0))
        runs[label] = (execution, feed, [], [], connect)
        print(f"{label}: the execution has {execution.event_count:,} events when the page connects")

    for push in range(args.pushes):
        scheduler.fire_due_timers(time.time() + 10)  # one step (four events) for each execution
        for execution, feed, now, before, _ in runs.values():
            cursor = feed.progress.last
            now.append(cpu_ms(feed.next))
            if push < args.before:
                fresh = Execution.objects.get(pk=execution.pk)
                before.append(cpu_ms(lambda fresh=fresh, cursor=cursor: snapshot(fresh, cursor)))

    for label, (execution, feed, now, before, connect) in runs.items():
        execution.refresh_from_db()
        assert execution.status == "RUNNING" and feed.progress.last == execution.event_count
        print(f"{label} (then {execution.event_count:,} after the pushes):")
        print(f"  push now    (Feed.next): {summary(now)}")
        print(f"  push before (snapshot) : {summary(before)}")
        print(f"  connect     (Feed.start, once per page): {connect:.1f} ms")


if __name__ == "__main__":
    main()
