"""Task, ItemReader and ResultWriter resources Step Functions recognises (States Language:
"Task State" / "Resource"; the service integrations of the Step Functions developer guide).

AWS refuses at create time any `arn:aws:states:::<service>:<action>` that is not one of its
optimized integrations (e.g. ``dynamodb:query``, which only exists as ``aws-sdk:dynamodb:query``)
and any integration pattern suffix the integration does not offer. Express state machines
refuse activities, ``.sync`` and ``.waitForTaskToken``.
"""

from __future__ import annotations

import re

_RR = ""  # request-response: the bare action
_SYNC = ".sync"
_WAIT = ".waitForTaskToken"

# service -> action -> integration patterns AWS offers for it.
_STANDARD = frozenset({_RR, _WAIT})
_RUN_JOB = frozenset({_RR, _SYNC, _WAIT})
_SYNC_ONLY = frozenset({_RR, _SYNC})
_PLAIN = frozenset({_RR})

OPTIMIZED: dict[str, dict[str, frozenset[str]]] = {
    "lambda": {"invoke": _STANDARD},
    "sqs": {"sendMessage": _STANDARD},
    "sns": {"publish": _STANDARD},
    "events": {"putEvents": _STANDARD},
    "apigateway": {"invoke": _STANDARD},
    "states": {"startExecution": frozenset({_RR, _SYNC, ".sync:2", _WAIT})},
    "dynamodb": {"getItem": _PLAIN, "putItem": _PLAIN, "updateItem": _PLAIN, "deleteItem": _PLAIN},
    "http": {"invoke": _PLAIN},
    "ecs": {"runTask": _RUN_JOB},
    "batch": {"submitJob": _RUN_JOB},
    "glue": {"startJobRun": _RUN_JOB},
    "databrew": {"startJobRun": _SYNC_ONLY},
    "codebuild": {
        "startBuild": _RUN_JOB,
        "stopBuild": _PLAIN,
        "batchDeleteBuilds": _PLAIN,
        "batchGetReports": _PLAIN,
        "startBuildBatch": _RUN_JOB,
        "stopBuildBatch": _PLAIN,
        "retryBuild": _RUN_JOB,
        "retryBuildBatch": _RUN_JOB,
        "batchGetBuildBatches": _PLAIN,
        "deleteBuildBatch": _PLAIN,
    },
    "athena": {
        "startQueryExecution": _RUN_JOB,
        "stopQueryExecution": _PLAIN,
        "getQueryExecution": _PLAIN,
        "getQueryResults": _PLAIN,
    },
    "eks": {
        "runJob": _RUN_JOB,
        "call": _PLAIN,
        "createCluster": _SYNC_ONLY,
        "deleteCluster": _SYNC_ONLY,
        "createNodegroup": _SYNC_ONLY,
        "deleteNodegroup": _SYNC_ONLY,
        "createFargateProfile": _SYNC_ONLY,
        "deleteFargateProfile": _SYNC_ONLY,
    },
    "elasticmapreduce": {
        "createCluster": _SYNC_ONLY,
        "terminateCluster": _SYNC_ONLY,
        "addStep": _SYNC_ONLY,
        "cancelStep": _PLAIN,
        "setClusterTerminationProtection": _PLAIN,
        "modifyInstanceFleetByName": _PLAIN,
        "modifyInstanceGroupByName": _PLAIN,
    },
    "emr-containers": {
        "startJobRun": _SYNC_ONLY,
        "createVirtualCluster": _PLAIN,
        "deleteVirtualCluster": _SYNC_ONLY,
    },
    "emr-serverless": {
        "createApplication": _SYNC_ONLY,
        "startApplication": _SYNC_ONLY,
        "stopApplication": _SYNC_ONLY,
        "deleteApplication": _SYNC_ONLY,
        "startJobRun": _SYNC_ONLY,
        "cancelJobRun": _SYNC_ONLY,
    },
    "sagemaker": {
        "createTrainingJob": _SYNC_ONLY,
        "createTransformJob": _SYNC_ONLY,
        "createProcessingJob": _SYNC_ONLY,
        "createHyperParameterTuningJob": _SYNC_ONLY,
        "createLabelingJob": _SYNC_ONLY,
        "createModel": _PLAIN,
        "createEndpointConfig": _PLAIN,
        "createEndpoint": _PLAIN,
        "updateEndpoint": _PLAIN,
    },
    "mediaconvert": {"createJob": _SYNC_ONLY},
    "bedrock": {
        "invokeModel": _PLAIN,
        "createModelCustomizationJob": _SYNC_ONLY,
    },
}

# Map ItemReader / ResultWriter read and write S3 only.
ITEM_READER_ACTIONS = frozenset({"s3:getObject", "s3:listObjectsV2"})
RESULT_WRITER_ACTIONS = frozenset({"s3:putObject"})

_PARTITION = r"arn:aws[a-z-]*"
# Region and account are not checked: AWS accepted "your-region"/"your-account-id" (recorded).
_LAMBDA = re.compile(
    _PARTITION + r":lambda:[^:]+:[^:]+:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$"
)
_ACTIVITY = re.compile(_PARTITION + r":states:[^:]+:[^:]+:activity:[^:\s]{1,80}$")
_INTEGRATION = re.compile(_PARTITION + r":states:::(?P<body>.+)$")
_AWS_SDK = re.compile(
    r"aws-sdk:(?P<service>[a-z0-9-]+):(?P<action>[a-z][A-Za-z0-9]*)(?P<suffix>\.waitForTaskToken)?$"
)
_SUFFIX = re.compile(r"^(?P<action>[^.]+)(?P<suffix>\..+)?$")


def not_recognized(resource: str) -> str:
    """AWS's message for a resource it does not know."""
    return (
        f"The resource provided {resource} is not recognized. The value is not a valid resource "
        "ARN, or the resource is not available in this region."
    )


def is_activity(resource: str) -> bool:
    return bool(_ACTIVITY.match(resource))


def integration_suffix(resource: str) -> str:
    """The integration pattern of a service-integration ARN ('' for request-response)."""
    m = _INTEGRATION.match(resource)
    if not m or "." not in m.group("body"):
        return _RR
    body = m.group("body")
    return body[body.index(".") :]


def is_task_resource(resource: str) -> bool:
    """Whether a Task's Resource names something Step Functions can call."""
    if _LAMBDA.match(resource) or _ACTIVITY.match(resource):
        return True
    m = _INTEGRATION.match(resource)
    if not m:
        return False
    body = m.group("body")
    if body.startswith("aws-sdk:"):
        return bool(_AWS_SDK.match(body))
    return _is_optimized(body)


def _is_optimized(body: str) -> bool:
    service, _, rest = body.partition(":")
    actions = OPTIMIZED.get(service)
    parts = _SUFFIX.match(rest)
    if actions is None or parts is None:
        return False
    patterns = actions.get(parts.group("action"))
    return patterns is not None and (parts.group("suffix") or _RR) in patterns


def is_s3_resource(resource: str, actions: frozenset[str]) -> bool:
    """Whether an ItemReader/ResultWriter Resource is one of the S3 actions it allows."""
    m = _INTEGRATION.match(resource)
    return m is not None and m.group("body") in actions


def express_refusal(resource: str) -> str | None:
    """Why an Express state machine may not call this resource, in AWS's words."""
    if is_activity(resource):
        return "Express state machine does not support Activity ARN"
    suffix = integration_suffix(resource)
    if suffix.startswith(_SYNC):
        return "Express state machine does not support '.sync' service integration"
    if suffix == _WAIT:
        # AWS's message ends with a space here (recorded), unlike the '.sync' one.
        return "Express state machine does not support '.waitForTaskToken' service integration "
    return None
