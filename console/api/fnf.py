"""Serverless Workflow's callback API (FnF, API version 2019-03-15): ReportTaskSucceeded and
ReportTaskFailed, for the tokens of ``pattern: waitForCallback`` steps.

FnF is an Alibaba Cloud RPC-style API: ``Action=<Name>`` and the parameters arrive as query
or form parameters (Stepyard also takes a JSON object body), and the answer is JSON:
``{"EventId": <history event id>, "RequestId": ...}``; errors are
``{"Code", "Message", "RequestId", "HostId"}`` with FnF's codes (MissingRequiredParams,
InvalidArgument, TaskAlreadyCompleted, ActionNotSupported, ...). The token is the same
task token SendTaskSuccess answers, so a token answered here leaves the callback inbox like
any other. Request signatures are not checked (a local tool).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from console.models import HistoryEvent, TaskToken
from console.services import InvalidOutput, InvalidToken, ServiceError, TaskTimedOut, callbacks
from engine import json_types

API_VERSION = "2019-03-15"
HOST_ID = "fnf.stepyard.local"
MAX_BODY_BYTES = 1_048_576


class FnfError(Exception):
    """An FnF error answer: its code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def report_task_succeeded(params: dict[str, str]) -> int:
    token, output = _required(params, "TaskToken"), _required(params, "Output")
    return _reported(token, lambda: callbacks.send_task_success(token, output), "TaskSucceeded")


def report_task_failed(params: dict[str, str]) -> int:
    token, error = _required(params, "TaskToken"), _required(params, "Error")
    cause = params.get("Cause")
    return _reported(token, lambda: callbacks.send_task_failure(token, error, cause), "TaskFailed")


ACTIONS: dict[str, Callable[[dict[str, str]], int]] = {
    "ReportTaskSucceeded": report_task_succeeded,
    "ReportTaskFailed": report_task_failed,
}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def fnf_api(request: HttpRequest) -> JsonResponse:
    """Answer one FnF call (``/fnf/?Action=ReportTaskSucceeded&TaskToken=...&Output=...``)."""
    request_id = request.GET.get("RequestId") or str(uuid.uuid4()).upper()
    try:
        params = _params(request)
        event_id = _action(params)(params)
    except FnfError as error:
        return _error(error, request_id)
    return JsonResponse({"EventId": event_id, "RequestId": request_id})


def _params(request: HttpRequest) -> dict[str, str]:
    if len(request.body) > MAX_BODY_BYTES:
        raise FnfError("EntityTooLarge", f"The payload size exceeds maximum allowed size ({MAX_BODY_BYTES} bytes).")
    params = {key: request.GET[key] for key in request.GET}
    if request.content_type == "application/json" and request.body:
        params.update(_json_body(request.body))
    elif request.method == "POST":
        params.update({key: request.POST[key] for key in request.POST})
    return params


def _json_body(body: bytes) -> dict[str, str]:
    try:
        parsed = json_types.loads(body)
    except ValueError:
        raise FnfError("InvalidArgument", "Parameter error: the body is not JSON.") from None
    if not isinstance(parsed, dict):
        raise FnfError("InvalidArgument", "Parameter error: the body must be a JSON object.")
    # Output may be sent as JSON rather than as JSON text; FnF's Output is text.
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in parsed.items()}


def _action(params: dict[str, str]) -> Callable[[dict[str, str]], int]:
    name = _required(params, "Action")
    version = params.get("Version")
    if version and version != API_VERSION:
        raise FnfError("APIVersionNotSupported",
                       f"The requested API version '{version}' is not supported yet. Please check.")
    if name not in ACTIONS:
        raise FnfError("ActionNotSupported", f"The requested API operation '{name}' is incorrect. Please check.")
    return ACTIONS[name]


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise FnfError("MissingRequiredParams", f"The HTTP query '{name}' must be specified.")
    return value


def _reported(token: str, answer: Callable[[], None], event_type: str) -> int:
    """Answer the token through the callbacks service; the id of the event it recorded."""
    task = TaskToken.objects.filter(token=token).only("execution_id").first()
    before = _last_event_id(task.execution_id) if task is not None else 0
    try:
        answer()
    except TaskTimedOut:
        raise FnfError("TaskAlreadyCompleted", f"Task {token} has already completed.") from None
    except InvalidToken:
        raise FnfError("InvalidArgument", "Parameter error: the TaskToken names no task.") from None
    except InvalidOutput as error:
        raise FnfError("InvalidArgument", f"Parameter error: Output must be JSON ({error.message}).") from None
    except ServiceError as error:
        raise FnfError("InvalidArgument", f"Parameter error: {error.message}") from None
    assert task is not None
    event = HistoryEvent.objects.filter(execution_id=task.execution_id, event_id__gt=before,
                                        type=event_type).order_by("event_id").first()
    return event.event_id if event is not None else before + 1


def _last_event_id(execution_id: int) -> int:
    return HistoryEvent.objects.filter(execution_id=execution_id).aggregate(last=Max("event_id"))["last"] or 0


def _error(error: FnfError, request_id: str) -> JsonResponse:
    body = {"Code": error.code, "Message": error.message, "RequestId": request_id, "HostId": HOST_ID}
    return JsonResponse(body, status=error.status)
