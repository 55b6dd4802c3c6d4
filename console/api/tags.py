"""Tag actions (TagResource, UntagResource, ListTagsForResource) over the tag service."""

from __future__ import annotations

from typing import Any

from console.services import tags as tag_service


def tag_resource(params: dict) -> dict[str, Any]:
    tag_service.tag_resource(params["resourceArn"], params["tags"])
    return {}


def untag_resource(params: dict) -> dict[str, Any]:
    tag_service.untag_resource(params["resourceArn"], params["tagKeys"])
    return {}


def list_tags_for_resource(params: dict) -> dict[str, Any]:
    return {"tags": tag_service.list_tags(params["resourceArn"])}


ACTIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
