"""Reading an FDL document: YAML (or JSON) text into plain data plus the line and column of
every node, so diagnostics can point at ``/steps/2/inputMappings/0/source`` *and* at the
line a user sees in the editor (Serverless Workflow: "Flow Definition Language overview").

Two spellings are recognised: the Serverless Workflow flow (``version: v1``, ``type: flow``,
``steps: [...]``) and the newer CloudFlow state machine (``Type: StateMachine``,
``StartAt``, ``States: [...]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine import json_types
from engine.errors import DefinitionError, Diagnostic

FLOW = "flow"
CLOUDFLOW = "cloudflow"
YAML_SYNTAX = "FDL_YAML_SYNTAX"
SCHEMA = "FDL_SCHEMA"

# A YAML mapping whose top level names the FDL markers (cheap test before parsing).
_YAML_MARKER = re.compile(r"^(version|type|Type|SpecVersion|steps|States)\s*:", re.MULTILINE)
_JSON_MARKER = re.compile(r'"Type"\s*:\s*"StateMachine"|"version"\s*:')


@dataclass(frozen=True)
class FdlDocument:
    """A parsed FDL definition: its data, which spelling it uses, and where each node is."""

    data: Any
    kind: str
    text: str = ""
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)

    def where(self, pointer: str) -> str:
        """``line L, column C`` of the node at ``pointer`` (or of its nearest parent)."""
        probe = pointer
        while probe:
            if probe in self.marks:
                line, column = self.marks[probe]
                return f"line {line}, column {column}"
            probe = probe.rsplit("/", 1)[0]
        return "line 1, column 1"


def kind_of(data: Any) -> str | None:
    """FLOW, CLOUDFLOW, or None when ``data`` is not an FDL document."""
    if not isinstance(data, dict):
        return None
    if data.get("Type") == "StateMachine":
        return CLOUDFLOW
    if data.get("type") == FLOW or ("version" in data and "steps" in data):
        return FLOW
    return None


def is_fdl(definition: Any) -> bool:
    """True when ``definition`` is an FDL flow or a CloudFlow state machine, not ASL."""
    if isinstance(definition, dict):
        return kind_of(definition) is not None
    if isinstance(definition, bytes):
        definition = definition.decode("utf-8", errors="replace")
    if not isinstance(definition, str):
        return False
    stripped = definition.lstrip()
    if stripped.startswith("{"):
        if not _JSON_MARKER.search(definition):
            return False
        try:
            return kind_of(json_types.loads(definition)) is not None
        except ValueError:
            return False
    # Anything else that reads as a YAML mapping with FDL's top-level keys is FDL, even
    # when its YAML is broken: the user then gets the YAML error with its line.
    return bool(_YAML_MARKER.search(definition))


def parse_fdl(definition: Any) -> FdlDocument:
    """Parse FDL text (YAML or JSON) or an already parsed dict; DefinitionError if unreadable."""
    if isinstance(definition, dict):
        return FdlDocument(definition, kind_of(definition) or FLOW)
    text = definition.decode("utf-8") if isinstance(definition, bytes) else str(definition)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        _check_size(root)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError([_yaml_diagnostic(exc)]) from exc
    except RecursionError:
        raise DefinitionError([Diagnostic(YAML_SYNTAX, "", _TOO_BIG)]) from None
    marks: dict[str, tuple[int, int]] = {}
    if root is not None:
        _collect_marks(root, "", marks)
    kind = kind_of(data)
    if kind is None:
        message = ("An FDL flow needs 'version: v1', 'type: flow' and 'steps', or a "
                   "CloudFlow 'Type: StateMachine' (line 1, column 1)")
        raise DefinitionError([Diagnostic(SCHEMA, "/", message)])
    return FdlDocument(data, kind, text, marks)


# Aliases (*name) repeat a node without repeating its text: a few lines can stand for
# billions of nodes ("billion laughs"). Count nodes as they expand, and stop early.
MAX_NODES = 100_000
_TOO_BIG = (f"The YAML is too large once its aliases are expanded (more than {MAX_NODES} "
            f"nodes) or nested more than {json_types.MAX_DEPTH} levels deep")


def _check_size(root: yaml.Node | None) -> None:
    count, stack = 0, [(root, 1)] if root is not None else []
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > json_types.MAX_DEPTH:
            raise DefinitionError([Diagnostic(YAML_SYNTAX, "", _TOO_BIG)])
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _yaml_diagnostic(exc: yaml.YAMLError) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return Diagnostic(YAML_SYNTAX, "", f"The YAML cannot be read: {problem}")
    return Diagnostic(YAML_SYNTAX, "",
                      f"The YAML cannot be read: {problem} "
                      f"(line {mark.line + 1}, column {mark.column + 1})")


def _collect_marks(node: yaml.Node, pointer: str, marks: dict[str, tuple[int, int]]) -> None:
    marks[pointer or "/"] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{pointer}/{_escape(str(key.value))}"
            _collect_marks(value, child, marks)
            # A key's own position is better for "missing field" style findings.
            marks.setdefault(child + "#key", (key.start_mark.line + 1, key.start_mark.column + 1))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_marks(item, f"{pointer}/{index}", marks)


def _escape(key: str) -> str:
    """JSON Pointer escaping (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
