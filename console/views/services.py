"""The Services page: where each AWS service a workflow calls is served."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from console.upstream import config
from console.upstream.clients import client

HOSTED = [
    ("Step Functions", "states"),
    ("SQS (queues)", "sqs"),
    ("SNS (topics)", "sns"),
    ("Lambda (functions)", "lambda"),
]


@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    rows = config.placements()
    for row in rows:
        row["contents"] = _contents(row["name"]) if row["embedded"] else ""
    return render(request, "console/service_list.html", {"hosted": HOSTED, "rows": rows, "nav": "services"})


def _contents(service: str) -> str:
    """A short summary of what the embedded service holds (tables, buckets)."""
    try:
        if service == "dynamodb":
            names = client("dynamodb").list_tables().get("TableNames", [])
            return f"{len(names)} tables: " + ", ".join(names[:10]) if names else "no tables"
        if service == "s3":
            names = [bucket["Name"] for bucket in client("s3").list_buckets().get("Buckets", [])]
            return f"{len(names)} buckets: " + ", ".join(names[:10]) if names else "no buckets"
    except Exception as error:  # the page must show even when the service cannot answer
        return f"cannot list: {type(error).__name__}"
    return ""
