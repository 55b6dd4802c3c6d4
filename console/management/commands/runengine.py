"""Run an engine worker: fire due timers and perform integration calls, until stopped."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from console import wiring
from console.functions import public_url
from console.upstream import clients


class Command(BaseCommand):
    help = "Run a Stepyard engine worker (scaled mode: run as many as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=8, help="threads for integration calls")

    def handle(self, *args, workers: int, **options) -> None:
        wiring.install(embedded_engine=False)
        # The embedded DynamoDB, S3, ... live in the web process: reach them there.
        clients.use_server(public_url())
        stopped = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopped.set())
        scheduler, runner = wiring.start_engine(workers=workers)
        self.stdout.write(f"Stepyard engine worker running (poll {settings.STEPYARD_POLL_S} s)")
        stopped.wait()
        runner.stop()
        scheduler.stop()
