"""Test cases created in the console: mocked task results for a state machine's executions."""

from __future__ import annotations

from django.db import models

from console.models.machines import StateMachine


class TestCase(models.Model):
    """A named set of mocked states (Step Functions Local's shape) and what the run should give.

    ``mocks`` is JSON: ``{state name: {"0": {"Return": ...}, "1-2": {"Throw": {...}}}}``.
    ``expected_status`` / ``expected_output`` are optional assertions for "run all".
    """

    __test__ = False  # not a pytest class, whatever its name says

    machine = models.ForeignKey(StateMachine, on_delete=models.CASCADE, related_name="test_cases")
    name = models.CharField(max_length=80)
    mocks = models.TextField(default="{}")
    input = models.TextField(default="{}")
    expected_status = models.CharField(max_length=16, blank=True, default="")
    expected_output = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["machine", "name"], name="unique_test_case_name")]

    def __str__(self) -> str:
        return self.name
