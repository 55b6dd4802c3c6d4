"""In-process wake-ups for long polls.

A long poll waits on one condition until the version of its queue changes; services
bump the version after the commit that may have made a message receivable (a send, a
visibility change, a delete that frees a FIFO group). Other processes' commits cannot
wake it, so a long poll also re-reads the database every few hundred milliseconds.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from django.db import transaction


class Wakeups:
    """A version per queue, bumped after each commit that may make a message receivable."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._versions: dict[int, int] = defaultdict(int)

    def version(self, queue_id: int) -> int:
        with self._condition:
            return self._versions[queue_id]

    def notify(self, queue_id: int) -> None:
        with self._condition:
            self._versions[queue_id] += 1
            self._condition.notify_all()

    def wait(self, queue_id: int, seen: int, timeout: float) -> None:
        """Return when the queue's version is no longer ``seen``, or after ``timeout`` seconds."""
        with self._condition:
            self._condition.wait_for(lambda: self._versions[queue_id] != seen, timeout)


wakeups = Wakeups()


def notify_after_commit(queue_id: int) -> None:
    transaction.on_commit(lambda: wakeups.notify(queue_id))
