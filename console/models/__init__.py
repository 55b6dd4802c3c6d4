"""Stepyard's stored state, one module per domain. Writes go through console.services only."""

from console.models.api import (
    Activity,
    ActivityTask,
    ExecutionSource,
    StateMachineAlias,
    StateMachineVersion,
    Tag,
)
from console.models.executions import Execution, HistoryEvent, MapRun, PendingCall, TaskToken, Timer
from console.models.functions import ChildExecutionWait, Function, FunctionAlias, FunctionVersion, Invocation
from console.models.machines import RenderedGraph, StateMachine, StateMachineRevision
from console.models.queues import Deduplication, Queue, QueueMessage
from console.models.sources import EventSource
from console.models.testcases import TestCase
from console.models.topics import Delivery, Subscription, Topic, TopicDeduplication

__all__ = [
    "Activity",
    "ActivityTask",
    "ExecutionSource",
    "StateMachineAlias",
    "StateMachineVersion",
    "Tag",
    "ChildExecutionWait",
    "Deduplication",
    "Delivery",
    "EventSource",
    "Function",
    "MapRun",
    "FunctionAlias",
    "FunctionVersion",
    "Invocation",
    "Execution",
    "HistoryEvent",
    "PendingCall",
    "Queue",
    "QueueMessage",
    "RenderedGraph",
    "StateMachine",
    "StateMachineRevision",
    "Subscription",
    "TaskToken",
    "TestCase",
    "Timer",
    "Topic",
    "TopicDeduplication",
]
