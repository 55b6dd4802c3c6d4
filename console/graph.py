"""Draw a state machine: the engine's model -> DOT -> SVG (graphviz ``dot``).

Node ids are derived from each state's path (``s-`` + encoded path components),
so an execution page can colour a state by setting a CSS class on its node.
Every user-supplied string is escaped for graphviz's HTML-like labels, and
graphviz escapes again for SVG.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings

import engine
from console.models import RenderedGraph
from engine.errors import DefinitionError

RENDERER_VERSION = "3"
# Above this many states, Map and Parallel states are drawn collapsed until expanded.
COLLAPSE_ABOVE = 80
START_ID = "start"
END_ID = "end"
_UNSAFE_ID_CHAR = re.compile(r"[^A-Za-z0-9]")
_CONTROL_CHARS = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f]")
_LABEL_LIMIT = 60

# Choice operators, shortened for edge labels.
_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
    "Matches": "matches",
}


class GraphError(Exception):
    """The definition cannot be drawn; the message says why, for the user."""


@dataclass(frozen=True)
class Graph:
    svg: str = ""
    error: str = ""


def node_id(path: tuple[str, ...]) -> str:
    """Return the stable node id of the state at ``path`` (names from the top level down)."""
    return "s-" + "-".join(_encode_component(part) for part in path)


def state_node_ids(machine: Any) -> dict[str, str]:
    """Map every state's name to its node id (AWS state names are unique machine-wide)."""
    ids: dict[str, str] = {}
    _collect_ids(machine, (), ids)
    return ids


def state_sources(machine: Any) -> dict[str, Any]:
    """Map every state's name to its definition (the JSON the user wrote)."""
    return {state.name: state.source for state in _walk(machine)}


def openable(machine: Any, asked: str) -> frozenset[str]:
    """The containers a reader asked to open (``?expand=id,id`` or ``all``) that exist."""
    wanted = set(asked.split(",")[:500])
    if "all" in wanted:
        return frozenset({"all"})
    return frozenset(wanted & set(state_node_ids(machine).values()))


def _collect_ids(machine: Any, parent: tuple[str, ...], ids: dict[str, str]) -> None:
    for state in machine.states.values():
        path = parent + (state.name,)
        ids.setdefault(state.name, node_id(path))
        for index, branch in enumerate(state.branches):
            _collect_ids(branch, path + (str(index),), ids)
        if state.processor is not None:
            _collect_ids(state.processor, path, ids)


def render(definition: str, machine_type: str = "STANDARD", *, persist: bool = True,
           expanded: frozenset[str] | None = None) -> Graph:
    """Return the SVG of ``definition``, drawing it at most once per distinct definition.

    A definition of more than COLLAPSE_ABOVE states is drawn with its Map and Parallel
    states collapsed, except the containers (node ids) in ``expanded``; ``{"all"}`` expands
    every one.
    """
    shown = ",".join(sorted(expanded or ()))
    digest = hashlib.sha256(f"{RENDERER_VERSION}\0{machine_type}\0{shown}\0{definition}".encode()).hexdigest()
    if not persist:
        return _render_preview(digest, definition, machine_type)
    stored = RenderedGraph.objects.filter(digest=digest).first()
    if stored is None:
        graph = _draw(definition, machine_type, expanded or frozenset())
        RenderedGraph.objects.get_or_create(
            digest=digest, defaults={"svg": graph.svg, "error": graph.error}
        )
        return graph
    return Graph(svg=stored.svg, error=stored.error)


@lru_cache(maxsize=32)
def _render_preview(digest: str, definition: str, machine_type: str) -> Graph:
    return _draw(definition, machine_type)


def preview(definition: str, machine_type: str, unless: str = "") -> tuple[str, Graph | None]:
    """The editor's preview: (digest of the drawing's DOT, its SVG), or (digest, None) when
    the digest is ``unless``, the drawing the editor shows already. Most edits (a Comment,
    a Parameters value) leave the drawing as it was, and graphviz, the slow part, is skipped.
    """
    try:
        # Collapsed containers in a large definition, as its pages draw it: a smaller drawing
        # is quicker to swap in while the user types.
        dot = build_dot(engine.load(definition, machine_type), frozenset())
    except DefinitionError as error:
        return "", Graph(error=f"The definition is not valid, so it cannot be drawn: {error}")
    except GraphError as error:
        return "", Graph(error=str(error))
    digest = hashlib.sha256(f"{RENDERER_VERSION}\0{dot}".encode()).hexdigest()
    if digest == unless:
        return digest, None
    return digest, _svg_of_dot(dot)


@lru_cache(maxsize=16)
def _svg_of_dot(dot: str) -> Graph:
    try:
        return Graph(svg=svg_from_dot(dot))
    except GraphError as error:
        return Graph(error=str(error))


def _draw(definition: str, machine_type: str, expanded: frozenset[str] = frozenset({"all"})) -> Graph:
    try:
        machine = engine.load(definition, machine_type)
    except DefinitionError as error:
        return Graph(error=f"The definition is not valid, so it cannot be drawn: {error}")
    try:
        return Graph(svg=svg_from_dot(build_dot(machine, expanded)))
    except GraphError as error:
        return Graph(error=str(error))


def build_dot(machine: Any, expanded: frozenset[str] = frozenset({"all"})) -> str:
    """Return the DOT source for a loaded state machine (large ones with containers collapsed)."""
    count = count_states(machine)
    limit = settings.STEPYARD_GRAPH_MAX_STATES
    if count > limit:
        raise GraphError(
            f"This state machine has {count} states; the graph is drawn for at most {limit}."
        )
    collapse = count > COLLAPSE_ABOVE and "all" not in expanded
    builder = _DotBuilder(expanded if collapse else None)
    builder.scope(machine, (), END_ID)
    builder.edges.append(f'"{START_ID}" -> "{node_id((machine.start_at,))}";')
    return "\n".join(_HEADER + builder.nodes + builder.edges + ["}"])


_HEADER = [
    "digraph G {",
    'graph [rankdir=TB, fontname="Helvetica", fontsize=10, nodesep=0.35, ranksep=0.45, '
    'bgcolor="transparent", id="graph-drawing"];',
    'node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", '
    'fillcolor="#ffffff", color="#5f6b7a", margin="0.15,0.06"];',
    'edge [fontname="Helvetica", fontsize=9, color="#5f6b7a", arrowsize=0.7];',
    f'"{START_ID}" [id="{START_ID}", class="terminal start", label="Start", shape=ellipse, '
    'fillcolor="#e8edf2"];',
    f'"{END_ID}" [id="{END_ID}", class="terminal end", label="End", shape=ellipse, '
    'fillcolor="#e8edf2"];',
]


def count_states(machine: Any) -> int:
    return sum(1 for _ in _walk(machine))


def svg_from_dot(dot: str) -> str:
    """Run graphviz on ``dot``; raise GraphError with a clear message when it cannot."""
    binary = shutil.which("dot")
    if binary is None:
        raise GraphError("Graphviz is not installed (the 'dot' program is missing); run 'make run'.")
    try:
        done = subprocess.run(
            [binary, "-Tsvg"],
            input=dot.encode(),
            capture_output=True,
            timeout=settings.STEPYARD_GRAPH_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphError(
            f"Drawing this graph took longer than {settings.STEPYARD_GRAPH_TIMEOUT_S} s; "
            "it is too large to draw."
        ) from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace")[:500]
        raise GraphError("Graphviz could not draw this graph: " + detail)
    svg = done.stdout.decode()
    # Drop the XML prolog and doctype so the SVG can be inlined in HTML; graphviz
    # writes "-" as "&#45;", which is harmless in XML and clearer as it is.
    return svg[svg.index("<svg") :].replace("&#45;", "-")


def _walk(machine: Any) -> Iterator[Any]:
    for state in machine.states.values():
        yield state
        for branch in state.branches:
            yield from _walk(branch)
        if state.processor is not None:
            yield from _walk(state.processor)


class _DotBuilder:
    """Collects node statements (inside their clusters) and edges (kept at top level,
    because an edge written inside a cluster would pull its far end into it)."""

    def __init__(self, expanded: frozenset[str] | None = None) -> None:
        self.nodes: list[str] = []
        self.edges: list[str] = []
        # None: draw every container open; else only the containers whose ids are in it.
        self.expanded = expanded

    def scope(self, machine: Any, parent: tuple[str, ...], scope_end: str) -> None:
        for state in machine.states.values():
            self.state(state, parent + (state.name,), parent, scope_end)

    def state(self, state: Any, path: tuple[str, ...], parent: tuple[str, ...], scope_end: str) -> None:
        ident = node_id(path)
        label = (
            f"<<b>{_html(state.name)}</b><br/>"
            f'<font point-size="9" color="#5f6b7a">{_html(state.type)}</font>>'
        )
        node = f'"{ident}" [id="{ident}", class="state type-{state.type.lower()}", label={label}];'
        is_container = bool(state.branches) or state.processor is not None
        if is_container and self.expanded is not None and ident not in self.expanded:
            self.nodes.append(_collapsed_node(state, ident))
            exit_id = ident
        elif is_container:
            self.container(state, path, node)
            exit_id = _join_id(path)
        else:
            self.nodes.append(node)
            exit_id = ident
        self.edges += _transitions(state, exit_id, parent, scope_end)

    def container(self, state: Any, path: tuple[str, ...], node: str) -> None:
        """Draw a Parallel or Map state as a cluster holding its branches or item processor."""
        ident, join = node_id(path), _join_id(path)
        self.nodes += [
            f'subgraph "cluster_{ident}" {{',
            f'id="cluster-{ident}"; class="container"; label=""; style="rounded,dashed"; '
            'color="#9aa5b1";',
            node,
        ]
        if state.processor is not None:
            subscopes = [(state.processor, path, "Item processor")]
        else:
            subscopes = [(b, path + (str(i),), f"Branch {i + 1}") for i, b in enumerate(state.branches)]
        for sub, sub_path, title in subscopes:
            self.nodes += [
                f'subgraph "cluster_{node_id(sub_path)}_scope" {{',
                f'id="scope-{node_id(sub_path)}"; class="scope"; label=<{_html(title)}>; '
                'fontsize=9; fontcolor="#5f6b7a"; style="rounded"; color="#c5ccd3";',
            ]
            self.scope(sub, sub_path, join)
            self.nodes.append("}")
            self.edges.append(f'"{ident}" -> "{node_id(sub_path + (sub.start_at,))}";')
        self.nodes += [
            f'"{join}" [id="{join}", class="join", label="", shape=circle, width=0.18, '
            'fixedsize=true, fillcolor="#9aa5b1"];',
            "}",
        ]


def _collapsed_node(state: Any, ident: str) -> str:
    """A Map or Parallel drawn as one node that says how much it holds (expand on demand)."""
    inner = sum(1 for _ in _walk(state.processor)) if state.processor is not None else sum(
        count_states(branch) for branch in state.branches)
    holds = f"{inner} states inside" if state.processor is not None else (
        f"{len(state.branches)} branches, {inner} states")
    label = (
        f"<<b>{_html(state.name)}</b><br/>"
        f'<font point-size="9" color="#5f6b7a">{_html(state.type)} · {holds} ⊕</font>>'
    )
    return (f'"{ident}" [id="{ident}", class="state type-{state.type.lower()} collapsed", label={label}, '
            'peripheries=2];')


def _transitions(state: Any, exit_id: str, parent: tuple[str, ...], scope_end: str) -> list[str]:
    def target(name: str) -> str:
        return node_id(parent + (name,))

    lines = []
    if state.next:
        lines.append(f'"{exit_id}" -> "{target(state.next)}";')
    for rule in state.choices:
        label = _html(describe_rule(rule.source))
        lines.append(f'"{exit_id}" -> "{target(rule.next)}" [label=<{label}>];')
    if state.default:
        lines.append(f'"{exit_id}" -> "{target(state.default)}" [label=<<i>Default</i>>, style=bold];')
    for catcher in state.catchers:
        errors = _html(", ".join(catcher.error_equals))
        lines.append(
            f'"{exit_id}" -> "{target(catcher.next)}" [label=<Catch: {errors}>, '
            'style=dashed, color="#c2410c", fontcolor="#c2410c", class="catch"];'
        )
    if state.end or state.type in ("Succeed", "Fail"):
        lines.append(f'"{exit_id}" -> "{scope_end}";')
    return lines


def describe_rule(rule: Any) -> str:
    """Summarise a Choice rule for an edge label (JSONata Condition or JSONPath comparison)."""
    return _shorten(_describe(rule))


def _describe(rule: Any) -> str:
    if not isinstance(rule, dict):
        return str(rule)
    if "Condition" in rule:
        return str(rule["Condition"]).removeprefix("{%").removesuffix("%}").strip()
    for combinator in ("And", "Or"):
        if combinator in rule and isinstance(rule[combinator], list):
            joined = f" {combinator.lower()} ".join(_describe(r) for r in rule[combinator])
            return f"({joined})"
    if "Not" in rule:
        return f"not {_describe(rule['Not'])}"
    return _describe_comparison(rule)


def _describe_comparison(rule: dict) -> str:
    variable = rule.get("Variable", "")
    for key, value in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        if key.startswith("Is"):
            return f"{variable} {'is' if value else 'is not'} {key[2:].lower()}"
        return f"{variable} {_operator(key)} {_value(key, value)}".strip()
    return str(variable)


def _operator(key: str) -> str:
    base = key.removesuffix("Path")
    for suffix, symbol in _OPERATORS.items():
        if base.endswith(suffix):
            return symbol
    return key


def _value(key: str, value: Any) -> str:
    if key.endswith("Path") or isinstance(value, bool):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _shorten(text: str) -> str:
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def _html(text: str) -> str:
    """Escape text for a graphviz HTML-like label (graphviz escapes again for SVG)."""
    text = _CONTROL_CHARS.sub("", str(text))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "<br/>")
    )


def _join_id(path: tuple[str, ...]) -> str:
    # "--" never occurs inside a node id, so this cannot collide with a state's id.
    return node_id(path) + "--join"


def _encode_component(part: str) -> str:
    return _UNSAFE_ID_CHAR.sub(lambda m: f"_{ord(m.group()):x}_", part)
