"""The only code that changes Stepyard's state; views, APIs and commands call it."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused request, named as AWS names it (``code``) with AWS's HTTP status."""

    code = "ValidationException"
    status = 400

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ValidationError(ServiceError):
    code = "ValidationException"


class InvalidName(ServiceError):
    code = "InvalidName"


class InvalidArn(ServiceError):
    code = "InvalidArn"


class InvalidDefinition(ServiceError):
    code = "InvalidDefinition"

    def __init__(self, message: str, diagnostics: list | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class StateMachineAlreadyExists(ServiceError):
    code = "StateMachineAlreadyExists"


class StateMachineDoesNotExist(ServiceError):
    code = "StateMachineDoesNotExist"


class StateMachineTypeNotSupported(ServiceError):
    code = "StateMachineTypeNotSupported"


class InvalidToken(ServiceError):
    code = "InvalidToken"


class InvalidExecutionInput(ServiceError):
    code = "InvalidExecutionInput"


class InvalidOutput(ServiceError):
    code = "InvalidOutput"


class ExecutionAlreadyExists(ServiceError):
    code = "ExecutionAlreadyExists"


class ExecutionDoesNotExist(ServiceError):
    code = "ExecutionDoesNotExist"


class ExecutionNotRedrivable(ServiceError):
    code = "ExecutionNotRedrivable"


class TaskDoesNotExist(ServiceError):
    code = "TaskDoesNotExist"


class TaskTimedOut(ServiceError):
    code = "TaskTimedOut"
