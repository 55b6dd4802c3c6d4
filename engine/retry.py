"""Retry and Catch matching (States Language: "Error names", "Retrying after an error",
"Fallback states").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.errors import STATES_ALL, STATES_DATA_LIMIT_EXCEEDED, STATES_RUNTIME

# AWS: "A retry or catch on States.ALL won't catch States.Runtime errors", and the
# same holds for States.DataLimitExceeded; both end the execution unless named exactly.
_NOT_MATCHED_BY_ALL = frozenset({STATES_RUNTIME, STATES_DATA_LIMIT_EXCEEDED})


def error_matches(error_equals: Sequence[str], error: str, also: Sequence[str] = ()) -> bool:
    """Whether ErrorEquals names ``error`` (or one of the names it ``also`` answers to)."""
    if error in error_equals or any(name in error_equals for name in also):
        return True
    return STATES_ALL in error_equals and error not in _NOT_MATCHED_BY_ALL


def match_retrier(retriers: Sequence[Any], error: str, also: Sequence[str] = ()) -> int | None:
    """Index of the first retrier whose ErrorEquals matches ``error``, else None."""
    for index, retrier in enumerate(retriers):
        if error_matches(retrier.error_equals, error, also):
            return index
    return None


def match_catcher(catchers: Sequence[Any], error: str, also: Sequence[str] = ()) -> Any | None:
    for catcher in catchers:
        if error_matches(catcher.error_equals, error, also):
            return catcher
    return None


def retry_delay(retrier: Any, attempt: int, random: Callable[[], float]) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based) of ``retrier``."""
    delay = retrier.interval_seconds * (retrier.backoff_rate**attempt)
    if retrier.max_delay_seconds is not None:
        delay = min(delay, retrier.max_delay_seconds)
    if retrier.jitter_full:
        delay = random() * delay
    return float(delay)
