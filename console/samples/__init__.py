"""Sample projects: one click creates what a sample needs (queues, topics, functions,
event sources, a state machine), offline, and starts it (console/samples/projects.py
lists them; console/samples/kit.py holds the building blocks)."""

from __future__ import annotations

from console.samples.kit import Link, Sample
from console.samples.projects import SAMPLES

__all__ = ["SAMPLES", "Link", "Sample", "all_samples", "get_sample"]


def all_samples() -> list[Sample]:
    return SAMPLES


def get_sample(slug: str) -> Sample | None:
    return next((s for s in all_samples() if s.slug == slug), None)
