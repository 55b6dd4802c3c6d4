"""The Lambda service's errors (shared by the function services and the Lambda API)."""

from __future__ import annotations

from console.services import ServiceError


class LambdaError(ServiceError):
    code = "ServiceException"
    status = 500


class ResourceNotFound(LambdaError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceConflict(LambdaError):
    code = "ResourceConflictException"
    status = 409


class InvalidParameterValue(LambdaError):
    code = "InvalidParameterValueException"
    status = 400


class InvalidRequestContent(LambdaError):
    code = "InvalidRequestContentException"
    status = 400


class RequestTooLarge(LambdaError):
    code = "RequestTooLargeException"
    status = 413


class RequestEntityTooLarge(LambdaError):
    code = "RequestEntityTooLargeException"
    status = 413
