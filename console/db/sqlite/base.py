"""SQLite, with the threads of one process taking turns to write.

SQLite has one writer at a time. A connection that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10 ... 100 ms between tries, so under
concurrent writers latency jumps by tens of milliseconds. Stepyard writes from many
threads of one process (API calls, the scheduler, integration calls), so those threads
queue on one lock instead, which hands the turn over at once: a transaction takes the
turn at BEGIN and gives it back at COMMIT or ROLLBACK, and a single write outside a
transaction takes it for that statement. Reads (WAL) never wait. Other processes still
meet SQLite's own locking.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.db import OperationalError
from django.db.backends.sqlite3 import base

TURN_TIMEOUT_S = 30.0  # as long as the busy timeout: then fail like SQLite would
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_turn = threading.Lock()


def _take_turn() -> None:
    if not _turn.acquire(timeout=TURN_TIMEOUT_S):
        raise OperationalError("database is locked (no write turn within 30 s)")


@contextmanager
def _single_write():
    _take_turn()
    try:
        yield
    finally:
        _turn.release()


class CursorWrapper(base.SQLiteCursorWrapper):
    def _outside_transaction_write(self, query: str) -> bool:
        return not self.connection.in_transaction and query.lstrip()[:7].upper().startswith(_WRITES)

    def execute(self, query, params=None):
        if self._outside_transaction_write(query):
            with _single_write():
                return super().execute(query, params)
        return super().execute(query, params)

    def executemany(self, query, param_list):
        if self._outside_transaction_write(query):
            with _single_write():
                return super().executemany(query, param_list)
        return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    holds_turn = False

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _start_transaction_under_autocommit(self):
        _take_turn()
        self.holds_turn = True
        try:
            super()._start_transaction_under_autocommit()
        except Exception:
            self._give_turn()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._give_turn()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._give_turn()

    def _close(self):
        try:
            super()._close()
        finally:
            self._give_turn()

    def _give_turn(self) -> None:
        if self.holds_turn:
            self.holds_turn = False
            _turn.release()
