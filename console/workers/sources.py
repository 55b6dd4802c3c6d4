"""Background work fed from outside the engine: topic deliveries and event-source pollers.

Runs wherever the scheduler runs (inside Daphne in the embedded mode, in each
``manage.py runengine`` worker in the scaled mode). One supervisor thread
- performs due topic deliveries on a thread pool; a publish in this process wakes it
  after its commit, and it looks for deliveries written by other processes (and for
  retries coming due) every ``poll_s``;
- keeps one poller thread per enabled event source. A poller long-polls its queue (a
  send in this process wakes it at once; the queue service re-reads the database every
  half second otherwise), so an idle source costs a couple of small queries a second,
  never a busy loop. Batches run on a pool, up to BATCHES_PER_SOURCE at once per source.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections

from console.models import EventSource
from console.services import sources, topic_delivery

log = logging.getLogger(__name__)
LONG_POLL_S = 5
SYNC_SOURCES_S = 1.0
BATCHES_PER_SOURCE = 4


class SourceRunner:
    def __init__(self, *, poll_s: float = 1.0, workers: int = 16):
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stepyard-source")
        self._pollers: dict[int, threading.Thread] = {}
        self._thread: threading.Thread | None = None
        self._synced_at = 0.0

    def start(self) -> None:
        topic_delivery.on_published(self._wake.set)
        sources.on_changed(self._resync)
        self._thread = threading.Thread(target=self._loop, name="stepyard-sources", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for poller in list(self._pollers.values()):
            poller.join(timeout=LONG_POLL_S + 1)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _resync(self) -> None:
        """A source was added or changed: look at the sources now, not at the next pass."""
        self._synced_at = 0.0
        self._wake.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            wait = self.poll_s
            try:
                wait = min(wait, self._deliver())
                if time.monotonic() - self._synced_at >= SYNC_SOURCES_S:
                    self._sync_pollers()
            except Exception:
                log.exception("event sources pass failed")
            finally:
                close_old_connections()
            self._wake.wait(timeout=max(0.01, wait))
            self._wake.clear()

    # ----------------------------------------------------------------- deliveries

    def _deliver(self) -> float:
        """Hand due deliveries to the pool; seconds until the next retry is due."""
        for pk in topic_delivery.claim_due(time.time()):
            try:
                self._pool.submit(_perform_delivery, pk)
            except RuntimeError:  # the interpreter is exiting; the lease runs out and another run does it
                self._stopping.set()
                break
        upcoming = topic_delivery.next_due(time.time())
        return self.poll_s if upcoming is None else upcoming

    # ----------------------------------------------------------------- event sources

    def _sync_pollers(self) -> None:
        self._synced_at = time.monotonic()
        enabled = set(EventSource.objects.filter(enabled=True).values_list("pk", flat=True))
        for pk, poller in list(self._pollers.items()):
            if not poller.is_alive():
                del self._pollers[pk]
        for pk in enabled - self._pollers.keys():
            poller = threading.Thread(target=self._poll_source, args=(pk,), name=f"stepyard-source-{pk}",
                                      daemon=True)
            self._pollers[pk] = poller
            poller.start()

    def _poll_source(self, pk: int) -> None:
        slots = threading.BoundedSemaphore(BATCHES_PER_SOURCE)
        try:
            while not self._stopping.is_set():
                source = EventSource.objects.select_related("queue").filter(pk=pk, enabled=True).first()
                if source is None:
                    return  # disabled or deleted: the supervisor starts a new poller if it comes back
                slots.acquire()
                try:
                    messages = sources.receive_batch(source, LONG_POLL_S)
                except Exception:
                    slots.release()
                    log.exception("event source %s could not receive", pk)
                    self._stopping.wait(self.poll_s)
                    continue
                if messages:
                    self._pool.submit(_process, source, messages, slots)
                else:
                    slots.release()
                close_old_connections()
        finally:
            close_old_connections()


def _perform_delivery(pk: int) -> None:
    try:
        topic_delivery.perform(pk, time.time)
    except Exception:
        log.exception("topic delivery %s failed", pk)
    finally:
        close_old_connections()


def _process(source: EventSource, messages: list, slots: threading.BoundedSemaphore) -> None:
    try:
        sources.process_batch(source, messages)
    except Exception:
        log.exception("event source %s batch failed", source.pk)
    finally:
        slots.release()
        close_old_connections()
