"""The request shapes of the Step Functions API and the checks AWS makes on them.

botocore checks types and minimum lengths on the client but not maximum lengths, and
other clients check nothing, so every request is checked here before an action runs:
a member of the wrong JSON type is a SerializationException (AWS's JSON deserializer
refuses it), a value outside its length, range or enum is a ValidationException
worded like AWS's ("2 validation errors detected: Value at 'name' failed to ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.services import ServiceError, ValidationError


class SerializationError(ServiceError):
    code = "SerializationException"


@dataclass(frozen=True)
class Str:
    min: int = 0
    max: int | None = None
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Int:
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class List:
    member: Any
    min: int = 0
    max: int | None = None


@dataclass(frozen=True)
class Struct:
    members: dict[str, Any]
    required: tuple[str, ...] = field(default=())


def _arn(max_length: int = 256) -> Str:
    return Str(1, max_length)


NAME = Str(1, 80)
TOKEN = Str(1, 1024)
PAGE = Int(0, 1000)
DEFINITION = Str(1, 1_048_576)
PAYLOAD = Str(0, 262_144)
ERROR = Str(0, 256)
CAUSE = Str(0, 32_768)
INCLUDED_DATA = Str(enum=("ALL_DATA", "METADATA_ONLY"))
TAG = Struct({"key": Str(1, 128), "value": Str(0, 256)})
TAGS = List(TAG)
ENCRYPTION = Struct(
    {
        "kmsKeyId": Str(1, 2048),
        "kmsDataKeyReusePeriodSeconds": Int(60, 900),
        "type": Str(enum=("AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY")),
    },
    ("type",),
)
LOGGING = Struct(
    {
        "level": Str(enum=("ALL", "ERROR", "FATAL", "OFF")),
        "includeExecutionData": Bool(),
        "destinations": List(
            Struct({"cloudWatchLogsLogGroup": Struct({"logGroupArn": Str(1, 256)})})
        ),
    }
)
TRACING = Struct({"enabled": Bool()})
ROUTING = List(Struct({"stateMachineVersionArn": _arn(), "weight": Int(0, 100)},
                      ("stateMachineVersionArn", "weight")), 1, 2)
MACHINE_CONFIG = {
    "loggingConfiguration": LOGGING,
    "tracingConfiguration": TRACING,
    "publish": Bool(),
    "versionDescription": Str(0, 256),
    "encryptionConfiguration": ENCRYPTION,
}
STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def _s(required: tuple[str, ...] = (), **members: Any) -> Struct:
    return Struct(members, required)


ACTIONS: dict[str, Struct] = {
    "CreateStateMachine": Struct(
        {"name": NAME, "definition": DEFINITION, "roleArn": _arn(),
         "type": Str(enum=("STANDARD", "EXPRESS")), "tags": TAGS, **MACHINE_CONFIG},
        ("name", "definition", "roleArn"),
    ),
    "DescribeStateMachine": _s(("stateMachineArn",), stateMachineArn=_arn(),
                               includedData=INCLUDED_DATA),
    "UpdateStateMachine": Struct(
        {"stateMachineArn": _arn(), "definition": DEFINITION, "roleArn": _arn(),
         **MACHINE_CONFIG},
        ("stateMachineArn",),
    ),
    "DeleteStateMachine": _s(("stateMachineArn",), stateMachineArn=_arn()),
    "ListStateMachines": _s(maxResults=PAGE, nextToken=TOKEN),
    "ValidateStateMachineDefinition": _s(
        ("definition",), definition=DEFINITION, type=Str(enum=("STANDARD", "EXPRESS")),
        severity=Str(enum=("ERROR", "WARNING")), maxResults=Int(0, 100)),
    "StartExecution": _s(("stateMachineArn",), stateMachineArn=_arn(), name=NAME,
                         input=PAYLOAD, traceHeader=Str(0, 256)),
    "StartSyncExecution": _s(("stateMachineArn",), stateMachineArn=_arn(), name=NAME,
                             input=PAYLOAD, traceHeader=Str(0, 256),
                             includedData=INCLUDED_DATA),
    "DescribeExecution": _s(("executionArn",), executionArn=_arn(), includedData=INCLUDED_DATA),
    "DescribeStateMachineForExecution": _s(("executionArn",), executionArn=_arn(),
                                           includedData=INCLUDED_DATA),
    "StopExecution": _s(("executionArn",), executionArn=_arn(), error=ERROR, cause=CAUSE),
    "RedriveExecution": _s(("executionArn",), executionArn=_arn(), clientToken=Str(1, 64)),
    "ListExecutions": _s(stateMachineArn=_arn(), statusFilter=Str(enum=STATUSES),
                         maxResults=PAGE, nextToken=Str(1, 3096), mapRunArn=_arn(2000),
                         redriveFilter=Str(enum=("REDRIVEN", "NOT_REDRIVEN"))),
    "GetExecutionHistory": _s(("executionArn",), executionArn=_arn(), maxResults=PAGE,
                              reverseOrder=Bool(), nextToken=TOKEN,
                              includeExecutionData=Bool()),
    "SendTaskSuccess": _s(("taskToken", "output"), taskToken=Str(1, 2048), output=PAYLOAD),
    "SendTaskFailure": _s(("taskToken",), taskToken=Str(1, 2048), error=ERROR, cause=CAUSE),
    "SendTaskHeartbeat": _s(("taskToken",), taskToken=Str(1, 2048)),
    "TestState": _s(
        ("definition",), definition=DEFINITION, roleArn=_arn(), input=PAYLOAD,
        inspectionLevel=Str(enum=("INFO", "DEBUG", "TRACE")), revealSecrets=Bool(),
        variables=PAYLOAD, stateName=NAME, context=PAYLOAD,
        mock=_s(result=PAYLOAD, errorOutput=_s(error=ERROR, cause=CAUSE),
                fieldValidationMode=Str(enum=("STRICT", "PRESENT", "NONE"))),
        stateConfiguration=_s(retrierRetryCount=Int(0), errorCausedByState=NAME,
                              mapIterationFailureCount=Int(0), mapItemReaderData=PAYLOAD)),
    "CreateActivity": _s(("name",), name=NAME, tags=TAGS, encryptionConfiguration=ENCRYPTION),
    "DeleteActivity": _s(("activityArn",), activityArn=_arn()),
    "DescribeActivity": _s(("activityArn",), activityArn=_arn()),
    "ListActivities": _s(maxResults=PAGE, nextToken=TOKEN),
    "GetActivityTask": _s(("activityArn",), activityArn=_arn(), workerName=NAME),
    "TagResource": _s(("resourceArn", "tags"), resourceArn=_arn(), tags=TAGS),
    "UntagResource": _s(("resourceArn", "tagKeys"), resourceArn=_arn(),
                        tagKeys=List(Str(1, 128))),
    "ListTagsForResource": _s(("resourceArn",), resourceArn=_arn()),
    "PublishStateMachineVersion": _s(("stateMachineArn",), stateMachineArn=_arn(),
                                     revisionId=Str(), description=Str(0, 256)),
    "ListStateMachineVersions": _s(("stateMachineArn",), stateMachineArn=_arn(),
                                   nextToken=TOKEN, maxResults=PAGE),
    "DeleteStateMachineVersion": _s(("stateMachineVersionArn",),
                                    stateMachineVersionArn=_arn(2000)),
    "CreateStateMachineAlias": _s(("name", "routingConfiguration"), description=Str(0, 256),
                                  name=NAME, routingConfiguration=ROUTING),
    "DescribeStateMachineAlias": _s(("stateMachineAliasArn",), stateMachineAliasArn=_arn()),
    "UpdateStateMachineAlias": _s(("stateMachineAliasArn",), stateMachineAliasArn=_arn(),
                                  description=Str(0, 256), routingConfiguration=ROUTING),
    "DeleteStateMachineAlias": _s(("stateMachineAliasArn",), stateMachineAliasArn=_arn()),
    "ListStateMachineAliases": _s(("stateMachineArn",), stateMachineArn=_arn(),
                                  nextToken=TOKEN, maxResults=PAGE),
}


def check_request(action: str, params: dict[str, Any]) -> None:
    """Raise SerializationException or ValidationException as AWS would for ``params``."""
    shape = ACTIONS.get(action)
    if shape is None:
        return
    problems: list[str] = []
    _check_struct(shape, params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationError(f"{count} validation {noun} detected: " + "; ".join(problems))


def _check(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if isinstance(shape, Struct):
        _expect(value, dict, "Start of structure or map", path)
        _check_struct(shape, value, path + ".", problems)
    elif isinstance(shape, List):
        _expect(value, list, "Start of list", path)
        _check_list(shape, value, path, problems)
    elif isinstance(shape, Str):
        _expect(value, str, _json_kind(value), path)
        _check_str(shape, value, path, problems)
    elif isinstance(shape, Int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SerializationError(f"{_json_kind(value)} can not be converted to an Integer")
        _check_range(shape, value, path, problems)
    elif not isinstance(value, bool):
        raise SerializationError(f"{_json_kind(value)} can not be converted to a Boolean")


def _expect(value: Any, kind: type, found: str, path: str) -> None:
    if not isinstance(value, kind):
        if kind is str:
            raise SerializationError(f"{found} can not be converted to a String")
        raise SerializationError(f"{_json_kind(value)} found where {found.lower()} expected "
                                 f"at '{path}'")


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, dict):
        return "Start of structure or map"
    if isinstance(value, list):
        return "Start of list"
    return "STRING_VALUE"


def _check_struct(shape: Struct, value: dict, prefix: str, problems: list[str]) -> None:
    for name in shape.required:
        if value.get(name) is None:
            problems.append(f"Value at '{prefix}{name}' failed to satisfy constraint: "
                            "Member must not be null")
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _check(member, value[name], prefix + name, problems)


def _check_list(shape: List, value: list, path: str, problems: list[str]) -> None:
    if len(value) < shape.min:
        problems.append(_constraint(path, f"Member must have length greater than or equal to "
                                          f"{shape.min}"))
    if shape.max is not None and len(value) > shape.max:
        problems.append(_constraint(path, f"Member must have length less than or equal to "
                                          f"{shape.max}"))
    for index, item in enumerate(value, 1):
        if item is None:
            problems.append(_constraint(f"{path}.{index}.member", "Member must not be null"))
        else:
            _check(shape.member, item, f"{path}.{index}.member", problems)


def _check_str(shape: Str, value: str, path: str, problems: list[str]) -> None:
    if shape.enum and value not in shape.enum:
        problems.append(_constraint(path, "Member must satisfy enum value set: "
                                          f"[{', '.join(shape.enum)}]"))
    elif len(value) < shape.min:
        problems.append(_constraint(path, "Member must have length greater than or equal to "
                                          f"{shape.min}"))
    elif shape.max is not None and len(value) > shape.max:
        problems.append(_constraint(path, "Member must have length less than or equal to "
                                          f"{shape.max}"))


def _check_range(shape: Int, value: int, path: str, problems: list[str]) -> None:
    if shape.min is not None and value < shape.min:
        problems.append(_constraint(path, f"Member must have value greater than or equal to "
                                          f"{shape.min}"))
    elif shape.max is not None and value > shape.max:
        problems.append(_constraint(path, f"Member must have value less than or equal to "
                                          f"{shape.max}"))


def _constraint(path: str, text: str) -> str:
    return f"Value at '{path}' failed to satisfy constraint: {text}"
