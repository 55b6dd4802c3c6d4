"""Schema of the States Language document: top-level fields, the fields of each state type,
Retry/Catch, Choice rules, Map configuration and the JSONPath/JSONata split of fields
(States Language: "Top-level fields", "State Types", "Errors", "Choice Rules", "Map State";
AWS's QueryLanguage rules).

Every finding is SCHEMA_VALIDATION_FAILED worded as AWS words it where AWS's wording is known
(recorded cases, AWS documentation); a few wordings AWS has never been observed to give are
marked "wording not recorded".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.json_types import is_number
from engine.validation_choice import check_choices
from engine.validation_map import check_map
from engine.validation_report import (
    Report,
    expected_type,
    not_supported,
    one_of_values,
    required,
)
from engine.validation_resources import (
    express_refusal,
    is_s3_resource,
    is_task_resource,
    not_recognized,
)
from engine.validation_values import (
    is_intrinsic_call,
    is_json_path,
    is_jsonata,
    is_path_or_intrinsic,
    is_reference_path,
    is_rfc3339,
    jsonata_error,
    jsonata_unsupported,
)

JSONPATH, JSONATA = "JSONPath", "JSONata"
STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
MAX_STATE_NAME = 80

_COMMON = ("Type", "Comment", "QueryLanguage")
_IO = ("InputPath", "OutputPath")
_FLOW = ("Next", "End")
_RESULT = ("ResultPath", "Parameters", "ResultSelector", "Arguments", "Output", "Assign")
_ERRORS = ("Retry", "Catch")
FIELDS: dict[str, frozenset[str]] = {
    "Pass": frozenset(
        _COMMON + _IO + _FLOW + ("ResultPath", "Parameters", "Result", "Assign", "Output")
    ),
    "Task": frozenset(
        _COMMON
        + _IO
        + _FLOW
        + _RESULT
        + _ERRORS
        + (
            "Resource",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
        )
    ),
    "Choice": frozenset(_COMMON + _IO + ("Choices", "Default", "Output", "Assign")),
    "Wait": frozenset(
        _COMMON
        + _IO
        + _FLOW
        + ("Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Output", "Assign")
    ),
    "Succeed": frozenset(_COMMON + _IO + ("Output",)),
    "Fail": frozenset(_COMMON + ("Error", "ErrorPath", "Cause", "CausePath")),
    "Parallel": frozenset(_COMMON + _IO + _FLOW + _RESULT + _ERRORS + ("Branches",)),
    "Map": frozenset(
        _COMMON
        + _IO
        + _FLOW
        + _RESULT
        + _ERRORS
        + (
            "Iterator",
            "ItemProcessor",
            "ItemsPath",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ResultWriter",
            "ItemBatcher",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
        )
    )
    - {"Arguments"},
}
# Reported in this order when a state's language forbids them (AWS: one diagnostic each).
JSONPATH_ONLY = (
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "Result",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "ErrorPath",
    "CausePath",
)
JSONATA_ONLY = ("Output", "Arguments", "Items")
_WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
_REQUIRED = {"Task": ("Resource",), "Choice": ("Choices",), "Parallel": ("Branches",)}
_RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})
# Fields that hold no JSONata of this state (names, nested scopes, or checked where parsed).
_NOT_EXPRESSIONS = frozenset(
    {
        "Comment",
        "Type",
        "Next",
        "End",
        "Default",
        "QueryLanguage",
        "Resource",
        "Choices",
        "Catch",
        "Retry",
        "Branches",
        "ItemProcessor",
        "Iterator",
    }
)
_SCOPE_FIELDS = {
    "branch": frozenset({"StartAt", "States", "Comment"}),
    "processor": frozenset({"StartAt", "States", "Comment", "ProcessorConfig"}),
}


def language_of(value: Any, inherited: str) -> str:
    """The effective QueryLanguage: inherited when absent, JSONPath only when exactly 'JSONPath'."""
    if value is None:
        return inherited
    return JSONPATH if value == JSONPATH else JSONATA


class StateChecker:
    """Checks every state of a machine, scope by scope, into a Report."""

    def __init__(self, report: Report, machine_type: str, machine_language: str):
        self.report = report
        self.machine_type = machine_type
        self.machine_language = machine_language

    def add(self, location: str, message: str) -> None:
        self.report.add(location, message)

    # -- scopes -----------------------------------------------------------------
    def scope(self, scope: Any, loc: str, kind: str) -> None:
        """A Parallel branch or Map processor: its own StartAt and States."""
        if not isinstance(scope, dict):
            self.add(loc, expected_type("OBJECT"))
            return
        missing = [f for f in ("States", "StartAt") if f not in scope]
        if missing:
            self.add(loc, required(*missing))
        for field in scope:
            if field not in _SCOPE_FIELDS[kind]:
                self.add(loc, not_supported(field))
        if kind == "processor" and "ProcessorConfig" in scope:
            self.processor_config(scope["ProcessorConfig"], f"{loc}/ProcessorConfig")
        self.states(scope, loc)

    def states(self, scope: dict, loc: str) -> None:
        if "StartAt" in scope and not isinstance(scope["StartAt"], str):
            self.add(f"{loc}/StartAt", expected_type("STRING"))
        states = scope.get("States")
        if states is None:
            return
        if not isinstance(states, dict):
            self.add(f"{loc}/States", expected_type("OBJECT"))
            return
        for name, state in states.items():
            self.state(name, state, f"{loc}/States/{name}")

    # -- one state ----------------------------------------------------------------
    def state(self, name: str, state: Any, loc: str) -> None:
        if len(name) > MAX_STATE_NAME:
            self.report.add(
                loc,
                "Invalid State name: State exceeds the 80-character limit allowed by the service",
                "INVALID_STATE_NAME",
            )
        if not isinstance(state, dict):
            self.add(loc, expected_type("OBJECT"))
            return
        kind = state.get("Type")
        if kind is None:
            self.add(loc, required("Type"))
            return
        if kind not in STATE_TYPES:
            self.add(f"{loc}/Type", one_of_values("Type", STATE_TYPES))
            return
        language = language_of(state.get("QueryLanguage"), self.machine_language)
        self.state_fields(kind, state, loc, language)
        _TYPE_CHECKS[kind](self, state, loc, language)
        self.common_fields(state, loc, language)

    def state_fields(self, kind: str, state: dict, loc: str, language: str) -> None:
        downgraded = self.machine_language == JSONATA and state.get("QueryLanguage") == JSONPATH
        if downgraded:
            self.add(
                loc,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            )
        allowed = FIELDS[kind]
        for field in state:
            if field not in allowed:
                self.add(loc, not_supported(field))
        missing = [f for f in _REQUIRED.get(kind, ()) if f not in state]
        if missing:
            self.add(loc, required(*missing))
        if not downgraded:
            self.language_fields(state, loc, language, allowed)

    def language_fields(
        self, state: dict, loc: str, language: str, allowed: frozenset[str]
    ) -> None:
        fields, other = (
            (JSONATA_ONLY, JSONATA) if language == JSONPATH else (JSONPATH_ONLY, JSONPATH)
        )
        for field in fields:
            if field in state and field in allowed:
                self.add(
                    loc,
                    f"The QueryLanguage is set to '{language}', but field '{field}' is only "
                    f"supported for the '{other}' QueryLanguage",
                )

    def common_fields(self, state: dict, loc: str, language: str) -> None:
        self.query_language(
            state.get("QueryLanguage", None), f"{loc}/QueryLanguage", "QueryLanguage" in state
        )
        self.string_field(state, "Comment", loc)
        self.transition(state, loc)
        for field in ("InputPath", "OutputPath"):
            if field in state and state[field] is not None and not is_json_path(state[field]):
                self.add(
                    f"{loc}/{field}", f"The value for the field '{field}' must be a valid JSONPath"
                )
        if "ResultPath" in state:
            self.result_path(state["ResultPath"], f"{loc}/ResultPath")
        for field in ("Parameters", "ResultSelector", "ItemSelector"):
            if field in state and language == JSONPATH:
                self.payload_template(state[field], f"{loc}/{field}")
        self.assign(state.get("Assign"), f"{loc}/Assign", language)
        self.jsonata_fields(state, loc, language)

    def query_language(self, value: Any, loc: str, present: bool) -> None:
        if not present:
            return
        if not isinstance(value, str):
            self.add(loc, expected_type("STRING"))
        elif value not in (JSONPATH, JSONATA):
            self.add(loc, "Value should be one of the following: [JSONPath, JSONata]")

    def string_field(self, obj: dict, field: str, loc: str) -> None:
        if field in obj and not isinstance(obj[field], str):
            self.add(f"{loc}/{field}", expected_type("STRING"))

    def transition(self, state: dict, loc: str) -> None:
        if "Next" not in FIELDS[state["Type"]]:
            return
        if "Next" in state and not isinstance(state["Next"], str):
            self.add(f"{loc}/Next", expected_type("STRING"))
        if "End" in state and not isinstance(state["End"], bool):
            self.add(f"{loc}/End", expected_type("BOOLEAN"))
        has_next, ends = "Next" in state, state.get("End") is True
        if has_next == ends:
            # Wording not recorded from AWS.
            self.add(loc, "Exactly one of these fields must be provided: [Next, End]")

    def result_path(self, value: Any, loc: str) -> None:
        if value is not None and not is_reference_path(value, context=False, variables=False):
            self.add(loc, "The value for the field 'ResultPath' must be a valid ReferencePath")

    def payload_template(self, template: Any, loc: str) -> None:
        """Payload templates: every "key.$" holds a path or an intrinsic call (AWS wording)."""
        if isinstance(template, list):
            for item in template:
                self.payload_template(item, loc)
            return
        if not isinstance(template, dict):
            return
        for key, value in template.items():
            if key.endswith(".$") and not is_path_or_intrinsic(value):
                self.add(
                    loc,
                    f"The value for the field '{key}' must be a valid JSONPath or a valid "
                    "intrinsic function call",
                )
            elif not key.endswith(".$"):
                self.payload_template(value, loc)

    def assign(self, assign: Any, loc: str, language: str) -> None:
        if assign is None:
            return
        if not isinstance(assign, dict):
            self.add(loc, expected_type("OBJECT"))
        elif language == JSONPATH:
            self.payload_template(assign, loc)

    def jsonata_fields(self, state: dict, loc: str, language: str) -> None:
        if language != JSONATA:
            return
        for field, value in state.items():
            if field not in _NOT_EXPRESSIONS:
                self.jsonata_values(value, f"{loc}/{field}")

    def jsonata_values(self, value: Any, loc: str, in_catcher: bool = False) -> None:
        if isinstance(value, dict):
            for item in value.values():
                self.jsonata_values(item, loc, in_catcher)
        elif isinstance(value, list):
            for item in value:
                self.jsonata_values(item, loc, in_catcher)
        elif is_jsonata(value):
            self.jsonata_expression(value, loc, in_catcher)

    def jsonata_expression(self, expression: str, loc: str, in_catcher: bool) -> None:
        error = jsonata_error(expression)
        if error is not None:
            self.report.add(loc, error, "INVALID_JSONATA_EXPRESSION")
            return
        unsupported = jsonata_unsupported(expression, in_catcher)
        if unsupported is not None:
            self.report.add(loc, unsupported, "UNSUPPORTED_JSONATA_EXPRESSION")

    # -- shared pieces ------------------------------------------------------------
    def positive_int(self, state: dict, field: str, loc: str, minimum: int, language: str) -> None:
        if field not in state:
            return
        value = state[field]
        if language == JSONATA and is_jsonata(value):
            return
        if not _is_int(value):
            self.add(f"{loc}/{field}", expected_type("INTEGER"))
        elif value < minimum:
            self.add(f"{loc}/{field}", f"Minimum value is {minimum}")

    def reference_path_field(self, state: dict, field: str, loc: str) -> None:
        if field in state and not is_reference_path(state[field]):
            self.add(
                f"{loc}/{field}", f"The value for the field '{field}' must be a valid ReferencePath"
            )

    def retriers(self, retriers: Any, loc: str) -> None:
        if not isinstance(retriers, list):
            self.add(loc, expected_type("ARRAY"))
            return
        for i, retrier in enumerate(retriers):
            self.handler(retrier, f"{loc}[{i}]", _RETRIER_FIELDS, ("ErrorEquals",))
            if isinstance(retrier, dict):
                self.retrier_numbers(retrier, f"{loc}[{i}]")
        self.states_all_last(retriers, loc)

    def states_all_last(self, handlers: list, loc: str) -> None:
        """States.ALL must stand alone, in the last retrier/catcher (States Language: "Errors")."""
        for i, handler in enumerate(handlers):
            errors = handler.get("ErrorEquals") if isinstance(handler, dict) else None
            if not isinstance(errors, list) or "States.ALL" not in errors:
                continue
            if len(errors) > 1 or i != len(handlers) - 1:
                # Wording not recorded from AWS.
                self.add(
                    f"{loc}[{i}]/ErrorEquals",
                    "States.ALL must appear alone in ErrorEquals, in the last entry",
                )

    def retrier_numbers(self, retrier: dict, loc: str) -> None:
        for field, minimum in (("IntervalSeconds", 1), ("MaxAttempts", 0), ("MaxDelaySeconds", 1)):
            self.positive_int(retrier, field, loc, minimum, JSONPATH)
        rate = retrier.get("BackoffRate", 1.0)
        if not is_number(rate):
            self.add(f"{loc}/BackoffRate", expected_type("NUMBER"))
        elif rate < 1.0:
            self.add(f"{loc}/BackoffRate", "Minimum value is 1.0")
        if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in ("FULL", "NONE"):
            self.add(f"{loc}/JitterStrategy", one_of_values("JitterStrategy", ("FULL", "NONE")))

    def catchers(self, catchers: Any, loc: str, language: str) -> None:
        if not isinstance(catchers, list):
            self.add(loc, expected_type("ARRAY"))
            return
        self.states_all_last(catchers, loc)
        for i, catcher in enumerate(catchers):
            where = f"{loc}[{i}]"
            self.handler(catcher, where, _CATCHER_FIELDS, ("ErrorEquals", "Next"))
            if isinstance(catcher, dict):
                self.string_field(catcher, "Next", where)
                if "ResultPath" in catcher:
                    self.result_path(catcher["ResultPath"], f"{where}/ResultPath")
                self.assign(catcher.get("Assign"), f"{where}/Assign", language)
                for field in ("Output", "Assign"):
                    if language == JSONATA and field in catcher:
                        self.jsonata_values(catcher[field], f"{where}/{field}", in_catcher=True)

    def handler(
        self, handler: Any, loc: str, fields: frozenset[str], needed: tuple[str, ...]
    ) -> None:
        if not isinstance(handler, dict):
            self.add(loc, expected_type("OBJECT"))
            return
        missing = [f for f in needed if f not in handler]
        if missing:
            self.add(loc, required(*missing))
        for field in handler:
            if field not in fields:
                self.add(loc, not_supported(field))
        errors = handler.get("ErrorEquals", [])
        if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
            self.add(f"{loc}/ErrorEquals", expected_type("ARRAY"))

    def processor_config(self, config: Any, loc: str) -> None:
        if not isinstance(config, dict):
            self.add(loc, expected_type("OBJECT"))
            return
        if "Mode" in config and config["Mode"] not in ("INLINE", "DISTRIBUTED"):
            self.add(f"{loc}/Mode", one_of_values("Mode", ("INLINE", "DISTRIBUTED")))
        if "ExecutionType" in config and config["ExecutionType"] not in ("STANDARD", "EXPRESS"):
            self.add(
                f"{loc}/ExecutionType", one_of_values("ExecutionType", ("STANDARD", "EXPRESS"))
            )

    def resource(self, resource: Any, loc: str) -> None:
        if not isinstance(resource, str):
            self.add(loc, expected_type("STRING"))
            return
        if not is_task_resource(resource):
            self.add(loc, not_recognized(resource))
            return
        refusal = express_refusal(resource) if self.machine_type == "EXPRESS" else None
        if refusal:
            self.add(loc, refusal)

    def s3_resource(self, config: dict, loc: str, actions: frozenset[str]) -> None:
        resource = config.get("Resource")
        if "Resource" in config and not (
            isinstance(resource, str) and is_s3_resource(resource, actions)
        ):
            self.add(f"{loc}/Resource", not_recognized(str(resource)))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- per-type checks --------------------------------------------------------------------


def _check_pass(c: StateChecker, state: dict, loc: str, language: str) -> None:
    return None


def _check_task(c: StateChecker, state: dict, loc: str, language: str) -> None:
    if "Resource" in state:
        c.resource(state["Resource"], f"{loc}/Resource")
    c.positive_int(state, "TimeoutSeconds", loc, 1, language)
    c.positive_int(state, "HeartbeatSeconds", loc, 1, language)
    for field in ("TimeoutSecondsPath", "HeartbeatSecondsPath"):
        c.reference_path_field(state, field, loc)
    if "Credentials" in state:
        _check_credentials(c, state["Credentials"], f"{loc}/Credentials")
    _check_error_handling(c, state, loc, language)


def _check_credentials(c: StateChecker, credentials: Any, loc: str) -> None:
    if not isinstance(credentials, dict):
        c.add(loc, expected_type("OBJECT"))
    elif "RoleArn" not in credentials and "RoleArn.$" not in credentials:
        c.add(loc, "The field 'RoleArn' is required but was missing")


def _check_error_handling(c: StateChecker, state: dict, loc: str, language: str) -> None:
    if "Retry" in state:
        c.retriers(state["Retry"], f"{loc}/Retry")
    if "Catch" in state:
        c.catchers(state["Catch"], f"{loc}/Catch", language)


def _check_wait(c: StateChecker, state: dict, loc: str, language: str) -> None:
    given = [f for f in _WAIT_FIELDS if f in state]
    if len(given) != 1:
        # Wording not recorded from AWS.
        c.add(loc, f"Exactly one of these fields must be provided: [{', '.join(_WAIT_FIELDS)}]")
    c.positive_int(state, "Seconds", loc, 0, language)
    timestamp = state.get("Timestamp")
    if (
        "Timestamp" in state
        and not (language == JSONATA and is_jsonata(timestamp))
        and not is_rfc3339(timestamp)
    ):
        c.add(f"{loc}/Timestamp", "String does not match RFC3339 timestamp")
    for field in ("SecondsPath", "TimestampPath"):
        c.reference_path_field(state, field, loc)


def _check_succeed(c: StateChecker, state: dict, loc: str, language: str) -> None:
    return None


def _check_fail(c: StateChecker, state: dict, loc: str, language: str) -> None:
    for field in ("Error", "Cause"):
        c.string_field(state, field, loc)
    for field in ("ErrorPath", "CausePath"):
        value = state.get(field)
        if field in state and not (is_reference_path(value) or is_intrinsic_call(value)):
            c.add(
                f"{loc}/{field}",
                f"The value for the field '{field}' must be a valid JSONPath or a valid "
                "intrinsic function call",
            )


def _check_choice(c: StateChecker, state: dict, loc: str, language: str) -> None:
    check_choices(c, state, loc, language)


def _check_parallel(c: StateChecker, state: dict, loc: str, language: str) -> None:
    branches = state.get("Branches")
    if "Branches" in state and not isinstance(branches, list):
        c.add(f"{loc}/Branches", expected_type("ARRAY"))
    elif isinstance(branches, list):
        for i, branch in enumerate(branches):
            c.scope(branch, f"{loc}/Branches[{i}]", "branch")
    _check_error_handling(c, state, loc, language)


def _check_map(c: StateChecker, state: dict, loc: str, language: str) -> None:
    check_map(c, state, loc, language)
    _check_error_handling(c, state, loc, language)


_TYPE_CHECKS: dict[str, Callable[[StateChecker, dict, str, str], None]] = {
    "Pass": _check_pass,
    "Task": _check_task,
    "Wait": _check_wait,
    "Succeed": _check_succeed,
    "Fail": _check_fail,
    "Choice": _check_choice,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
