"""The errors of the topic service, with SNS's Query-protocol codes and HTTP statuses.

botocore maps the ``<Code>`` of an SNS error response to the modelled exception
(``NotFound`` -> ``NotFoundException``), so the codes are SNS's, not the class names.
"""

from __future__ import annotations

from console.services import ServiceError


class SnsError(ServiceError):
    code = "InvalidParameter"
    status = 400


class InvalidParameter(SnsError):
    code = "InvalidParameter"

    def __init__(self, message: str):
        super().__init__(f"Invalid parameter: {message}")


class InvalidParameterValue(SnsError):
    code = "ParameterValueInvalid"


class NotFound(SnsError):
    code = "NotFound"
    status = 404


class ResourceNotFound(SnsError):
    code = "ResourceNotFound"
    status = 404


class TagLimitExceeded(SnsError):
    code = "TagLimitExceeded"


class EmptyBatchRequest(SnsError):
    code = "EmptyBatchRequest"


class TooManyEntriesInBatchRequest(SnsError):
    code = "TooManyEntriesInBatchRequest"


class BatchEntryIdsNotDistinct(SnsError):
    code = "BatchEntryIdsNotDistinct"


class InvalidBatchEntryId(SnsError):
    code = "InvalidBatchEntryId"


class BatchRequestTooLong(SnsError):
    code = "BatchRequestTooLong"


class InvalidAction(SnsError):
    code = "InvalidAction"


class MissingAction(SnsError):
    code = "MissingAction"
