"""JSONata's regular expressions on the ``regex`` module: bounded in time, off the GIL.

jsonata-python compiles regex literals with the standard library's ``re`` by default,
which backtracks exponentially on patterns such as ``/^(a+)+$/`` while holding the
interpreter lock: one ``$match`` would freeze every thread of the server. The ``regex``
module avoids most such blow-ups, gives up after a timeout (``TimeoutError``, which
engine.jsonata reports as States.QueryEvaluationError) and, with ``concurrent=True``,
lets other threads run while it matches. Installed by ``ConsoleConfig.ready``.
"""

from __future__ import annotations

import re
from typing import Any

import regex
from jsonata.regex_engine import RegexFlags

from engine.jsonata_bounds import LIMITS

_GROUP_REFERENCE = re.compile(r"\\g<(\d+)>")


class BoundedPattern:
    """A compiled pattern whose matching methods carry the JSONata timeout."""

    def __init__(self, compiled: Any):
        self.compiled = compiled

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self.compiled.search(string, pos, endpos, concurrent=True, timeout=LIMITS.timeout_s)

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self.compiled.match(string, pos, endpos, concurrent=True, timeout=LIMITS.timeout_s)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Any:
        return self.compiled.finditer(string, pos, endpos, concurrent=True, timeout=LIMITS.timeout_s)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        if isinstance(repl, str):
            self._check_template(repl)
        return self.compiled.sub(repl, string, count=count, concurrent=True, timeout=LIMITS.timeout_s)

    def _check_template(self, repl: str) -> None:
        # jsonata-python reads the standard library's wording of this error to retry "$12"
        # as group 1 followed by "2"; ``regex`` words it differently.
        for reference in _GROUP_REFERENCE.finditer(repl):
            if int(reference.group(1)) > self.compiled.groups:
                raise re.error(f"invalid group reference {reference.group(1)} at position {reference.start() + 1}")

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return self.compiled.split(string, maxsplit=maxsplit, concurrent=True, timeout=LIMITS.timeout_s)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


def bounded_regex_engine(pattern: str, flags: RegexFlags) -> BoundedPattern:
    options = regex.VERSION0
    if flags.case_insensitive:
        options |= regex.IGNORECASE
    if flags.multiline:
        options |= regex.MULTILINE
    try:
        return BoundedPattern(regex.compile(pattern, options))
    except regex.error as exc:
        raise re.error(str(exc)) from exc  # what engine.jsonata reports as a syntax error
