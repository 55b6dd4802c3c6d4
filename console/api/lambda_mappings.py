"""Lambda's event source mapping actions, over the console's own event sources.

A mapping is an EventSource from a queue to a function (console.services.sources), so
mappings made here show on the Event sources page and the page's show here; the
mapping's UUID is the source's. Only SQS queues (Stepyard's own) can be mapped.
"""

from __future__ import annotations

from console.api import lambda_shapes as shapes
from console.api.lambda_api import Request, Response, listed, reply
from console.models import EventSource, Queue
from console.services import ServiceError, sources
from console.services import functions as function_service
from console.services import queues as queue_service
from console.services.function_errors import LambdaError

REPORT_FAILURES = "ReportBatchItemFailures"


def _not_found() -> function_service.ResourceNotFound:
    return function_service.ResourceNotFound("The resource you requested does not exist.")


def _source(uuid: str) -> EventSource:
    source = EventSource.objects.select_related("queue").filter(
        uuid=uuid, target_type=EventSource.FUNCTION).first()
    if source is None:
        raise _not_found()
    return source


def _queue(arn: str) -> Queue:
    if not arn.startswith("arn:aws:sqs:"):
        raise function_service.InvalidParameterValue(
            f"Stepyard maps SQS queues only; {arn} is not a queue ARN.")
    queue = queue_service.get_queue_by_arn(arn)
    if queue is None:
        raise function_service.InvalidParameterValue(
            "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
            "SQS Error Message: The specified queue does not exist for this wsdl version.")
    return queue


def _report_failures(params: dict) -> bool | None:
    types = params.get("FunctionResponseTypes")
    if types is None:
        return None
    if not isinstance(types, list) or any(t != REPORT_FAILURES for t in types):
        raise shapes.ValidationException(
            f"1 validation error detected: Value '{types}' at 'functionResponseTypes' failed to satisfy "
            f"constraint: Member must satisfy constraint: [Member must satisfy enum value set: [{REPORT_FAILURES}]]")
    return bool(types)


def _batching(params: dict, queue: Queue) -> dict[str, int]:
    found: dict[str, int] = {}
    limit = 10 if queue.name.endswith(".fifo") else sources.MAX_BATCH_SIZE
    batch_size = shapes.number(params, "BatchSize", 1, limit)
    window = shapes.number(params, "MaximumBatchingWindowInSeconds", 0, sources.MAX_BATCHING_WINDOW_S)
    if batch_size is not None:
        found["batch_size"] = batch_size
    if window is not None:
        found["maximum_batching_window"] = window
    return found


def _refused(error: ServiceError) -> function_service.InvalidParameterValue:
    return function_service.InvalidParameterValue(error.message)


def create_mapping(request: Request) -> Response:
    params = request.json()
    queue = _queue(shapes.text(params, "EventSourceArn", required=True) or "")
    function = function_service.get_function(shapes.text(params, "FunctionName", required=True) or "")
    existing = EventSource.objects.filter(queue=queue, target_type=EventSource.FUNCTION,
                                          target=function.name).first()
    if existing is not None:
        raise function_service.ResourceConflict(
            f'An event source mapping with SQS arn (" {queue_service.queue_arn(queue)} ") and function '
            f'(" {function.name} ") already exists. Please update or delete the existing mapping with UUID '
            f"{existing.uuid}")
    enabled = shapes.flag(params, "Enabled")
    try:
        source = sources.create_source(
            queue, EventSource.FUNCTION, function.name, enabled=True if enabled is None else enabled,
            report_batch_item_failures=bool(_report_failures(params)), **_batching(params, queue))
    except LambdaError:
        raise
    except ServiceError as error:
        raise _refused(error) from None
    return reply(202, shapes.mapping(source))


def get_mapping(request: Request, uuid: str) -> Response:
    return reply(200, shapes.mapping(_source(uuid)))


def list_mappings(request: Request) -> Response:
    rows = EventSource.objects.select_related("queue").filter(target_type=EventSource.FUNCTION).order_by("pk")
    arn = request.param("EventSourceArn")
    if arn:
        rows = rows.filter(queue=_queue(arn))
    name = request.param("FunctionName")
    if name:
        rows = rows.filter(target=function_service.parse_identifier(name)[0])
    return listed(request, "EventSourceMappings", list(rows), shapes.mapping, default=100)


def update_mapping(request: Request, uuid: str) -> Response:
    params = request.json()
    source = _source(uuid)
    name = shapes.text(params, "FunctionName")
    target = function_service.get_function(name).name if name else None
    try:
        source = sources.update_source(
            source, enabled=shapes.flag(params, "Enabled"), target=target,
            report_batch_item_failures=_report_failures(params), **_batching(params, source.queue))
    except LambdaError:
        raise
    except ServiceError as error:
        raise _refused(error) from None
    return reply(202, shapes.mapping(source))


def delete_mapping(request: Request, uuid: str) -> Response:
    source = _source(uuid)
    shaped = shapes.mapping(source, state="Deleting")
    sources.delete_source(source)
    return reply(202, shaped)
