"""The errors of the queue service, named as SQS names them.

SQS moved from the Query protocol to JSON but kept its Query-era error codes: a JSON
error carries the modelled name in ``__type`` and the old code in the
``x-amzn-query-error`` header (``<code>;Sender``); botocore needs both to raise
``client.exceptions.<Name>`` (it maps the exception by the ``__type`` name and shows
the old code as ``Error.Code``).
"""

from __future__ import annotations

from console.services import ServiceError


class SqsError(ServiceError):
    """An SQS error; ``query_code`` is the Query-era code reported in ``x-amzn-query-error``."""

    code = "InvalidParameterValue"
    query_code = "InvalidParameterValue"

    @property
    def query_error(self) -> str:
        return f"{self.query_code};Sender"


class InvalidParameterValue(SqsError):
    code = query_code = "InvalidParameterValue"


class MissingParameter(SqsError):
    code = query_code = "MissingParameter"


class QueueDoesNotExist(SqsError):
    code = "QueueDoesNotExist"
    query_code = "AWS.SimpleQueueService.NonExistentQueue"

    def __init__(self, message: str = "The specified queue does not exist."):
        super().__init__(message)


class QueueNameExists(SqsError):
    code = "QueueNameExists"
    query_code = "QueueAlreadyExists"


class InvalidAttributeName(SqsError):
    code = query_code = "InvalidAttributeName"


class InvalidAttributeValue(SqsError):
    code = query_code = "InvalidAttributeValue"


class InvalidMessageContents(SqsError):
    code = query_code = "InvalidMessageContents"


class ReceiptHandleIsInvalid(SqsError):
    code = query_code = "ReceiptHandleIsInvalid"


class MessageNotInflight(SqsError):
    code = "MessageNotInflight"
    query_code = "AWS.SimpleQueueService.MessageNotInflight"


class EmptyBatchRequest(SqsError):
    code = "EmptyBatchRequest"
    query_code = "AWS.SimpleQueueService.EmptyBatchRequest"


class TooManyEntriesInBatchRequest(SqsError):
    code = "TooManyEntriesInBatchRequest"
    query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


class BatchEntryIdsNotDistinct(SqsError):
    code = "BatchEntryIdsNotDistinct"
    query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


class InvalidBatchEntryId(SqsError):
    code = "InvalidBatchEntryId"
    query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"


class BatchRequestTooLong(SqsError):
    code = "BatchRequestTooLong"
    query_code = "AWS.SimpleQueueService.BatchRequestTooLong"


class OverLimit(SqsError):
    code = query_code = "OverLimit"
