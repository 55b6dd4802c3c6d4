"""Distributed Map's ItemReader and ResultWriter (States Language: "Map State",
"ItemReader", "ResultWriter").

Reading the items from S3 and writing the results there is I/O, which the engine never
does itself. It asks its host instead, with a ``CallIntegration`` effect for the
reader's or writer's resource (``arn:aws:states:::s3:getObject``, ``s3:listObjectsV2``,
``s3:putObject``) whose parameters say what to read or write; the frame waits (``wait``
is ``"items"`` or ``"results"``) until the host answers with ``TaskSucceeded`` (the items,
or where the results went) or ``TaskFailed``, as it answers a Task.
"""

from __future__ import annotations

from typing import Any

from engine.errors import STATES_ITEM_READER_FAILED, StatesError
from engine.execution import CallIntegration, Frame

Run = Any
# AWS reads at most 100,000,000 items; a larger MaxItems means all of them.
MAX_ITEMS = 100_000_000


def request_items(run: Run, frame: Frame, state: Any, scope: Any) -> None:
    """Ask the host for the items the ItemReader names."""
    reader = state.item_reader
    config = {name: value for name, value in reader.config.items() if name not in ("MaxItems", "MaxItemsPath")}
    if reader.max_items is not None:
        config["MaxItems"] = _max_items(reader.max_items.get(scope))
    parameters = reader.parameters.get(scope) if reader.parameters is not None else {}
    _ask(run, frame, "items", reader.resource, {"Parameters": parameters, "ReaderConfig": config})


def request_write(run: Run, frame: Frame, state: Any, scope: Any, results: list[dict[str, Any]]) -> None:
    """Ask the host to write the iterations' results where the ResultWriter says."""
    writer = state.result_writer
    parameters = writer.parameters.get(scope) if writer.parameters is not None else {}
    _ask(run, frame, "results", writer.resource, {
        "Parameters": parameters, "WriterConfig": dict(writer.config),
        "MapRunArn": frame.scratch.get("map_run_arn"),
        "ExecutionArn": run.ex.context.get("Execution", {}).get("Id", ""),
        "Results": results,
    })


def _ask(run: Run, frame: Frame, purpose: str, resource: str, parameters: dict[str, Any]) -> None:
    task_id = run.ex.new_id("t")
    run.ex.waits[task_id] = f"{frame.id}|{purpose}"
    frame.scratch["asking"] = task_id
    frame.wait = purpose
    run.effects.append(CallIntegration(task_id, resource, parameters))


def _max_items(value: Any) -> int:
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise StatesError(STATES_ITEM_READER_FAILED, "field MaxItems must be positive")
    return min(int(value), MAX_ITEMS)


def iteration_results(scratch: dict[str, Any]) -> list[dict[str, Any]]:
    """Each item with how its iteration ended: SUCCEEDED (output), FAILED (error), PENDING."""
    succeeded = set(scratch.get("succeeded", ()))
    started = scratch.get("next", 0)
    rows = []
    for index, item in enumerate(scratch["items"]):
        result = scratch["results"][index]
        if index in succeeded:
            rows.append({"Index": index, "Status": "SUCCEEDED", "Input": item, "Output": result})
        elif index < started and isinstance(result, dict) and "Error" in result:
            rows.append({"Index": index, "Status": "FAILED", "Input": item, **result})
        else:
            rows.append({"Index": index, "Status": "PENDING", "Input": item})
    return rows
