"""Answer a mocked state's calls for one execution, counting each state's attempts."""

from __future__ import annotations

import json
from typing import Any

from console.mocking.responses import answer_for, answered_attempts
from engine.errors import STATES_RUNTIME
from engine.execution import TaskFailed, TaskSucceeded


class MockedCalls:
    """The mocked states of an execution running a test case, and how often each was called."""

    def __init__(self, states: dict[str, Any], attempts: dict[str, int]):
        self.states = states
        self.attempts = attempts

    @classmethod
    def of(cls, execution: Any) -> MockedCalls | None:
        """The mocked calls of a stored execution; None when it runs no test case."""
        if not execution.mock:
            return None
        return cls(json.loads(execution.mock), json.loads(execution.mock_attempts or "{}"))

    def answer(self, state_name: str, task_id: str) -> TaskSucceeded | TaskFailed | None:
        """The task's outcome if its state is mocked (counting the attempt), else None."""
        response = self.states.get(state_name)
        if response is None:
            return None
        attempt = self.attempts.get(state_name, 0)
        self.attempts[state_name] = attempt + 1
        answer = answer_for(response, attempt)
        if answer is None:
            return TaskFailed(task_id, STATES_RUNTIME,
                              f"The test case's mocked response for state '{state_name}' has no answer for "
                              f"attempt {attempt} (it answers attempts {answered_attempts(response)}).")
        if answer.throws:
            return TaskFailed(task_id, answer.error, answer.cause)
        return TaskSucceeded(task_id, answer.returns)

    def attempts_json(self) -> str:
        return json.dumps(self.attempts, sort_keys=True)
