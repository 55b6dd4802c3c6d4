"""Functions (the local stand-in for Lambda), their recent invocations, and the parent
tasks waiting on a child execution (``states:startExecution.sync``)."""

from __future__ import annotations

from django.db import models

from console.models.executions import Execution


class Function(models.Model):
    """A function; its code is a file in the functions directory, text typed in the console,
    or a zip package uploaded through the Lambda API (kept unpacked, content-addressed)."""

    DIRECTORY = "directory"
    CONSOLE = "console"
    PACKAGE = "package"
    SOURCES = [(DIRECTORY, "Functions directory"), (CONSOLE, "Console"), (PACKAGE, "Zip package")]

    name = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=16, choices=SOURCES, default=CONSOLE)
    # The handler module's text for console functions; empty for directory functions.
    code = models.TextField(blank=True, default="")
    handler = models.CharField(max_length=128, default="handler")
    # Lambda's runtime identifier: python3.9-python3.13 or nodejs16.x-nodejs22.x.
    runtime = models.CharField(max_length=32, default="python3.12")
    description = models.CharField(max_length=256, blank=True, default="")
    timeout = models.PositiveIntegerField(default=3)
    memory_size = models.PositiveIntegerField(default=128)
    # {"NAME": "value"} the handler sees in os.environ.
    environment = models.TextField(default="{}")
    # A package function's zip: the hex SHA-256 naming its folder in the packages directory.
    package = models.CharField(max_length=64, blank=True, default="")
    # What Lambda reports of the code (base64 SHA-256 of the zip and its size in bytes).
    code_sha256 = models.CharField(max_length=64, blank=True, default="")
    code_size = models.PositiveBigIntegerField(default=0)
    role = models.CharField(max_length=256, blank=True, default="")
    # Lambda's RevisionId: changes with every change of the code or the configuration.
    revision_id = models.CharField(max_length=36, blank=True, default="")
    # {"key": "value"} (TagResource) and the resource policy's statements (AddPermission).
    tags = models.TextField(default="{}")
    policy = models.TextField(default="[]")
    created = models.FloatField()
    modified = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Invocation(models.Model):
    """One run of a function: what it got, what it answered, and what it printed."""

    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    RUNNING = "Running"

    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="invocations")
    request_id = models.CharField(max_length=36, unique=True)
    invocation_type = models.CharField(max_length=16, default="RequestResponse")
    # Who asked: "console", "api", or the ARN of the execution whose task invoked it.
    caller = models.CharField(max_length=512, blank=True, default="")
    status = models.CharField(max_length=16, default=RUNNING)
    event = models.TextField()
    result = models.TextField(null=True, blank=True)
    # Lambda's error payload ({"errorMessage", "errorType", ...}) as JSON text.
    error = models.TextField(null=True, blank=True)
    logs = models.TextField(blank=True, default="")
    started = models.FloatField()
    duration_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started", "-pk"]
        indexes = [models.Index(fields=["function", "-started"])]


class ChildExecutionWait(models.Model):
    """A ``startExecution.sync`` task waiting for its child execution to end.

    Stored, not held in memory, so the parent learns the outcome even if the server
    restarted while the child ran.
    """

    parent = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="+")
    task_id = models.CharField(max_length=64)
    child_arn = models.CharField(max_length=512, db_index=True)
    # .sync:2 gives the child's input and output as JSON, .sync as JSON text.
    output_as_json = models.BooleanField(default=False)
    created = models.FloatField()


class FunctionVersion(models.Model):
    """A published version (PublishVersion): the function's code and configuration, frozen."""

    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    # The Function fields as published (JSON); the code is always a package then.
    snapshot = models.TextField()
    description = models.CharField(max_length=256, blank=True, default="")
    revision_id = models.CharField(max_length=36)
    created = models.FloatField()

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["function", "version"], name="function_version_unique")]


class FunctionAlias(models.Model):
    """A name for a version of a function (CreateAlias), such as ``live`` -> ``3``."""

    function = models.ForeignKey(Function, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=128)
    version = models.CharField(max_length=16)
    description = models.CharField(max_length=256, blank=True, default="")
    revision_id = models.CharField(max_length=36)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["function", "name"], name="function_alias_unique")]
