"""Activity actions: CreateActivity, DeleteActivity, DescribeActivity, ListActivities and
GetActivityTask (a long poll of up to 60 s; ``{}`` when no task arrives in time)."""

from __future__ import annotations

from typing import Any

from console.api.protocol import page
from console.models import Activity
from console.services import activities


def create_activity(params: dict) -> dict[str, Any]:
    activity = activities.create_activity(params["name"], params.get("tags"))
    return {"activityArn": activity.arn, "creationDate": activity.created.timestamp()}


def delete_activity(params: dict) -> dict[str, Any]:
    activities.delete_activity(params["activityArn"])
    return {}


def describe_activity(params: dict) -> dict[str, Any]:
    activity = activities.get_activity(params["activityArn"])
    return {"activityArn": activity.arn, "name": activity.name,
            "creationDate": activity.created.timestamp()}


def list_activities(params: dict) -> dict[str, Any]:
    chunk, token = page(Activity.objects.order_by("created", "pk"), params)
    result: dict[str, Any] = {"activities": [
        {"activityArn": a.arn, "name": a.name, "creationDate": a.created.timestamp()}
        for a in chunk
    ]}
    if token:
        result["nextToken"] = token
    return result


def get_activity_task(params: dict) -> dict[str, Any]:
    task = activities.get_activity_task(params["activityArn"], params.get("workerName"))
    if task is None:
        return {}
    return {"taskToken": task.token, "input": task.input}


ACTIONS = {
    "CreateActivity": create_activity,
    "DeleteActivity": delete_activity,
    "DescribeActivity": describe_activity,
    "ListActivities": list_activities,
    "GetActivityTask": get_activity_task,
}
