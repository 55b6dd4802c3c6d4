"""Error types shared by the whole interpreter (States Language, "Errors")."""

from __future__ import annotations

from dataclasses import dataclass

STATES_ALL = "States.ALL"
STATES_TIMEOUT = "States.Timeout"
STATES_HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
STATES_TASK_FAILED = "States.TaskFailed"
STATES_PERMISSIONS = "States.Permissions"
STATES_RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
STATES_PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
STATES_BRANCH_FAILED = "States.BranchFailed"
STATES_NO_CHOICE_MATCHED = "States.NoChoiceMatched"
STATES_INTRINSIC_FAILURE = "States.IntrinsicFailure"
STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
STATES_ITEM_READER_FAILED = "States.ItemReaderFailed"
STATES_RESULT_WRITER_FAILED = "States.ResultWriterFailed"
STATES_QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
STATES_DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
STATES_RUNTIME = "States.Runtime"


@dataclass(frozen=True)
class Diagnostic:
    """One finding of the validator, shaped like ValidateStateMachineDefinition's."""

    code: str
    location: str
    message: str
    severity: str = "ERROR"

    def as_dict(self) -> dict[str, str]:
        """The ValidateStateMachineDefinition shape; AWS omits an absent location."""
        shaped = {"code": self.code, "message": self.message, "severity": self.severity}
        if self.location:
            shaped["location"] = self.location
        return shaped


class DefinitionError(ValueError):
    """A definition AWS would reject (InvalidDefinition); carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.aws_message())

    def aws_message(self) -> str:
        """Render the errors the way CreateStateMachine words them (joined by ", ")."""
        errors = [d for d in self.diagnostics if d.severity == "ERROR"] or self.diagnostics
        # AWS prints a finding without a location as "at null".
        parts = [f"{d.code}: {d.message} at {d.location or 'null'}" for d in errors]
        return f"Invalid State Machine Definition: '{', '.join(parts)}'"


class StatesError(Exception):
    """A runtime failure that Retry and Catch can match (error name + cause).

    ``also`` names further errors a retrier or catcher may name to match it: a missed
    heartbeat is reported as States.Timeout (AWS records it so), which covers both task
    timeouts, yet ``ErrorEquals: ["States.HeartbeatTimeout"]`` matches it alone.
    """

    def __init__(self, name: str, cause: str | None = None, also: tuple[str, ...] = ()):
        self.name = name
        self.cause = cause
        self.also = also
        super().__init__(f"{name}: {cause}" if cause else name)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.also)
