"""The clock, token source and randomness the engine is given, and time scaling."""

from __future__ import annotations

import os
import random
import secrets
import time

from django.core.exceptions import ImproperlyConfigured


def time_scale() -> float:
    """STEPYARD_TIME_SCALE: 1 is real time, 0.01 makes Waits and retries 100 times shorter."""
    raw = os.environ.get("STEPYARD_TIME_SCALE", "1")
    try:
        scale = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"STEPYARD_TIME_SCALE must be a number, got {raw!r}") from None
    if scale < 0:
        raise ImproperlyConfigured("STEPYARD_TIME_SCALE must not be negative")
    return scale


class SystemClock:
    """Real time; task tokens drawn from the OS's cryptographic random source."""

    _random = random.SystemRandom()

    def now(self) -> float:
        return time.time()

    def token(self) -> str:
        # 96 random bytes: unguessable, and as long as the tokens AWS hands out are.
        return secrets.token_urlsafe(96)

    def random(self) -> float:
        return self._random.random()


def scaled_due(due_at: float, now: float, scale: float) -> float:
    """Shrink (or stretch) the delay until ``due_at`` by ``scale``; never earlier than now."""
    return now + max(0.0, due_at - now) * scale
