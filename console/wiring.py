"""The one place that puts Stepyard together: integrations, after-commit hooks, engine.

Importing a module registers nothing. ``install()`` plugs the built-in integrations
into the runtime's port (and the APIs' actions into the aws-sdk integration), registers
what runs after every committed step (the child execution watcher, the live pages'
publisher) and, in the embedded mode, starts the
engine's background loops in this process. console.asgi, ``manage.py runengine`` and
the tests call it.
"""

from __future__ import annotations

import atexit
import threading

from django.conf import settings

from console import integrations
from console.api import sdk_actions
from console.functions import pool
from console.integrations import (
    activities,
    aws_sdk,
    aws_sdk_services,
    dynamodb,
    events,
    fdl,
    http,
    lambda_,
    map_s3,
    sns,
    sqs,
    states,
)
from console.runtime import express, ports, publish, stepper
from console.services import child_executions, topic_delivery
from console.workers import scheduler, sources

BUILTIN = (activities, aws_sdk, aws_sdk_services, dynamodb, events, fdl, http, lambda_, map_s3, sns, sqs, states)

_lock = threading.Lock()
_installed = False
_embedded: tuple[scheduler.Scheduler, sources.SourceRunner] | None = None


def install(*, embedded_engine: bool | None = None) -> None:
    """Wire this process (idempotent); start the embedded engine when asked (default: the
    STEPYARD_EMBEDDED_ENGINE setting)."""
    global _installed
    with _lock:
        if not _installed:
            _load_integrations()
            stepper.on_step(child_executions.WATCHER)
            stepper.on_step(publish.publish_step)
            atexit.register(pool.POOL.shutdown)
            _installed = True
    if settings.STEPYARD_EMBEDDED_ENGINE if embedded_engine is None else embedded_engine:
        start_embedded_engine()


def _load_integrations() -> None:
    for module in BUILTIN:
        for route in module.ROUTES:
            integrations.register(route.pattern, route.integration, inline=route.inline)
    ports.plug_integrations(integrations)
    aws_sdk.plug(sdk_actions.call)


def start_engine(*, workers: int = 8) -> tuple[scheduler.Scheduler, sources.SourceRunner]:
    """Start a scheduler (timers, integration calls) and the event-source runner here.

    The scheduler performs the calls of the steps this process commits right after the
    commit, so the stepper creates them leased to this process."""
    engine = scheduler.Scheduler(poll_s=settings.STEPYARD_POLL_S, workers=workers)
    stepper.on_step(engine.after_step)
    stepper.performs_calls_after_commit = True
    engine.start()
    # Topic deliveries and event-source pollers run next to the scheduler.
    runner = sources.SourceRunner(poll_s=settings.STEPYARD_POLL_S)
    runner.start()
    return engine, runner


def start_embedded_engine() -> tuple[scheduler.Scheduler, sources.SourceRunner]:
    """Start the one in-process engine of the embedded mode (idempotent).

    This process is the only worker: Express executions, calls and topic deliveries a
    previous process left behind are given up or performed again at once."""
    global _embedded
    with _lock:
        if _embedded is None:
            express.abandon_orphans()
            scheduler.release_leases()
            topic_delivery.release_leases()
            _embedded = start_engine()
    return _embedded
