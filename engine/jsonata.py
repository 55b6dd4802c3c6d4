"""JSONata templates for ``QueryLanguage: "JSONata"`` ("Transforming data with JSONata").

A JSONata state's Arguments, Output, Assign, Condition, Items, Seconds, ...
hold any JSON value whose strings may be ``"{% expression %}"``. Such a value
is compiled once into a ``Template``; evaluating it binds ``$states`` and the
workflow variables and never parses again.

Public API (stable; used by engine.definition / interpreter / validation):

``is_jsonata(value) -> bool``
    True for a str that starts with ``{%`` and ends with ``%}`` exactly. AWS
    does not trim the outside: ``" {% 1 %} "`` is a plain string constant.

``JsonataSyntaxError(ValueError)``
    Raised by ``compile_template`` for an expression that does not parse (or
    is empty); ``str(error)`` reads ``S0202: Expected "]", got ","`` etc.

``compile_template(value, field="", *, random_source=None, uuid_source=None) -> Template``
    ``field`` names where the value sits (``"Output"``, ``"Arguments"``,
    ``"Assign"``, ``"Items"``, ``"Choices[0]/Condition"``...); inner positions
    extend it with ``/key`` for object keys and ``[i]`` for array items, as
    AWS's causes do (``Output/result``). ``random_source`` needs ``random()``
    (default ``random.Random()``), ``uuid_source`` is a zero-argument callable
    (default ``uuid.uuid4``).

``Template.evaluate(states, variables, *, now_millis=None) -> value``
    ``states`` is the ``$states`` object (input, result, errorOutput, context:
    whatever the caller puts in); every ``variables`` entry is bound as
    ``$name``. Returns plain JSON: lists, dicts, str, bool, None, int for
    integral numbers (``3.0`` -> ``3``, as AWS prints them). A constant
    template returns a fresh copy of its value without touching JSONata.
    ``now_millis`` (epoch ms) is what ``$now()``/``$millis()`` return; when
    omitted they read JSONata's own clock.
    Raises ``StatesError("States.QueryEvaluationError", cause)`` with AWS's
    wording (the caller prefixes "An error occurred while executing the state
    'X' (entered at the event id #N). "):

    * an expression that evaluates to nothing -- anywhere, including inside an
      object or array template -- fails, it is never dropped:
      ``The JSONata expression '$doesNotExist' specified for the field
      'Output/result' returned nothing (undefined).``
    * an evaluation error: ``The JSONata expression '1 + "a"' specified for the
      field 'Output' threw an error during evaluation. T2002: The right side
      of the "+" operator must evaluate to a number`` (AWS's extra functions
      end ``...during evaluation: <message>`` instead, having no code);
    * a non-JSON result (a function): ``... returned an unsupported result type.``

``Template.is_constant``, ``Template.expression`` (the expression text when
the whole value is one ``{% %}`` string, else None) and
``Template.unexpected_type(value, expected)`` -> the StatesError AWS raises
when a field's result has the wrong type (``Expected 'array', but was
'boolean' for value: true``).

Bounds: every evaluation runs under engine.jsonata_bounds (time, depth, size);
exceeding them fails with ``States.QueryEvaluationError`` like any other
evaluation error.

Thread safety: jsonata-python keeps evaluation state on the expression
object (``environment``, ``input``) and in a thread-local "current instance",
so each thread evaluates its own shallow copy of a compiled expression (the
parsed tree is shared); nothing is serialised, so one slow expression never
holds up another thread's.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from jsonata import JException, Jsonata
from jsonata.regex_engine import default_regex_engine

from engine import jsonata_support as support
from engine.errors import STATES_QUERY_EVALUATION_ERROR, StatesError
from engine.intrinsics_functions import to_json
from engine.jsonata_bounds import LIMITS, Bounds, SizeExceeded

Node = Callable[[dict], Any]


class JsonataSyntaxError(ValueError):
    """A ``{% %}`` expression that JSONata cannot parse."""


def is_jsonata(value: Any) -> bool:
    """Tell whether a value is a JSONata expression string (``{% ... %}``)."""
    return isinstance(value, str) and len(value) >= 4 and value[:2] == "{%" and value[-2:] == "%}"


def _contains_jsonata(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_jsonata(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_jsonata(item) for item in value)
    return is_jsonata(value)


def json_type(value: Any) -> str:
    """The JSON type name AWS uses in its messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def query_error(cause: str) -> StatesError:
    return StatesError(STATES_QUERY_EVALUATION_ERROR, cause)


class _Compiler:
    """Walks a JSON value, compiling each ``{% %}`` string into a node."""

    def __init__(self, frame: Jsonata.Frame):
        self.frame = frame

    def node(self, value: Any, field: str) -> Node:
        if isinstance(value, dict):
            return self.object_node(value, field)
        if isinstance(value, list):
            return self.array_node(value, field)
        if is_jsonata(value):
            return self.expression_node(value[2:-2].strip(), field)
        return _constant_node(value)

    def object_node(self, value: dict, field: str) -> Node:
        prefix = f"{field}/" if field else ""
        items = [(key, self.node(item, prefix + key)) for key, item in value.items()]
        return lambda bindings: {key: node(bindings) for key, node in items}

    def array_node(self, value: list, field: str) -> Node:
        nodes = [self.node(item, f"{field}[{index}]") for index, item in enumerate(value)]
        return lambda bindings: [node(bindings) for node in nodes]

    def expression_node(self, text: str, field: str) -> Node:
        expression = _Expression(_parse(text), Jsonata.Frame(self.frame))
        prefix = f"The JSONata expression '{text}' specified for the field '{field}'"
        return lambda bindings: _run(expression.instance(), bindings, prefix)


class _Expression:
    """One parsed expression, with a copy per thread to evaluate (see Thread safety)."""

    def __init__(self, parsed: Jsonata, frame: Jsonata.Frame):
        self.parsed = parsed
        self.frame = frame
        self.local = threading.local()

    def instance(self) -> Jsonata:
        instance = getattr(self.local, "instance", None)
        if instance is None:
            instance = self.local.instance = copy.copy(self.parsed)
        # Evaluating leaves ``environment`` pointing at the last inner frame; start afresh.
        instance.environment = self.frame
        return instance


def copy_json(value: Any) -> Any:
    """Copy a JSON value (much cheaper than copy.deepcopy for plain JSON)."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def _constant_node(value: Any) -> Node:
    # Constants are copied so a caller that edits a result cannot change the template.
    if isinstance(value, (dict, list)):
        return lambda bindings: copy_json(value)
    return lambda bindings: value


def _parse(text: str) -> Jsonata:
    if not text:
        raise JsonataSyntaxError("The JSONata expression is empty")
    try:
        compiled = Jsonata(text, LIMITS.regex_engine or default_regex_engine)
    except JException as exc:
        raise JsonataSyntaxError(support.describe_jsonata_error(exc)) from exc
    except re.error as exc:  # a regex literal Python cannot compile (e.g. JavaScript's (?<name>))
        raise JsonataSyntaxError(f"The regular expression is not valid: {exc}") from exc
    # Keep JSONata's null marker in results so null and undefined differ.
    compiled.set_output_convert_nulls(False)
    return compiled


def _run(compiled: Jsonata, bindings: dict, prefix: str) -> Any:
    # jsonata-python reads "the current instance" for $now() and for calling
    # lambdas passed to $map & co; make it the expression being evaluated.
    Jsonata.CURRENT.jsonata = compiled
    try:
        result = compiled.evaluate(None, {**bindings, **Bounds().hooks()})
    except JException as exc:
        message = support.describe_jsonata_error(exc)
        raise query_error(f"{prefix} threw an error during evaluation. {message}") from exc
    except (support.FunctionFailure, SizeExceeded) as exc:
        raise query_error(f"{prefix} threw an error during evaluation: {exc}") from exc
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError, TimeoutError) as exc:
        # jsonata-python lets a few Python errors escape where jsonata-js
        # raises a coded error; AWS still reports a failed evaluation.
        raise query_error(f"{prefix} threw an error during evaluation: {exc}") from exc
    if result is None:
        raise query_error(f"{prefix} returned nothing (undefined).")
    try:
        return support.to_plain(result)
    except RecursionError as exc:
        raise query_error(f"{prefix} returned a value nested too deeply.") from exc
    except support.UnsupportedResult as exc:
        raise query_error(f"{prefix} returned an unsupported result type.") from exc


class Template:
    """A compiled JSON value whose ``{% %}`` strings are JSONata expressions."""

    def __init__(self, value: Any, field: str, random_source: Any, uuid_source: Any):
        self.value = value
        self.field = field
        self.is_constant = not _contains_jsonata(value)
        self.expression = value[2:-2].strip() if is_jsonata(value) else None
        self._clock = support.Clock()
        self._root: Node | None = None
        if not self.is_constant:
            frame = support.aws_frame(random_source, uuid_source, self._clock)
            self._root = _Compiler(frame).node(value, field)

    def evaluate(
        self,
        states: Mapping[str, Any],
        variables: Mapping[str, Any],
        *,
        now_millis: int | None = None,
    ) -> Any:
        """Evaluate with ``$states`` and every variable bound; see the module docstring."""
        if self._root is None:
            return copy_json(self.value)
        bindings = {name: support.to_jsonata(value) for name, value in variables.items()}
        bindings["states"] = states
        self._clock.millis = now_millis
        return self._root(bindings)

    def unexpected_type(self, value: Any, expected: str) -> StatesError:
        """The error AWS raises when this field's result is not of the ``expected`` type."""
        rendered = to_json(value)
        return query_error(
            f"The JSONata expression '{self.expression}' specified for the field "
            f"'{self.field}' returned an unexpected result type. Expected '{expected}', "
            f"but was '{json_type(value)}' for value: {rendered}"
        )


def compile_template(
    value: Any,
    field: str = "",
    *,
    random_source: Any = None,
    uuid_source: Callable[[], Any] | None = None,
) -> Template:
    """Compile every ``{% %}`` string of a JSON value once; see the module docstring."""
    return Template(value, field, random_source or random.Random(), uuid_source or uuid.uuid4)


__all__ = [
    "JsonataSyntaxError",
    "Template",
    "compile_template",
    "is_jsonata",
    "json_type",
]
