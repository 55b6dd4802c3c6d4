"""Tags of state machines and activities (TagResource, UntagResource, ListTagsForResource)."""

from __future__ import annotations

import re

from django.db import transaction

from console.models import Activity, StateMachine, Tag
from console.services import InvalidArn, ServiceError, ValidationError

MAX_TAGS = 50
# AWS: letters, digits, spaces and _ . : / = + - @ ; keys may not start with "aws:".
_TAG_TEXT = re.compile(r"^[\w\s.:/=+\-@]*$")
_TAGGABLE = re.compile(r"^arn:aws:states:[^:]+:\d{12}:(stateMachine|activity):[^:]+$")


class ResourceNotFound(ServiceError):
    code = "ResourceNotFound"


class TooManyTags(ServiceError):
    code = "TooManyTags"


def check_tags(tags: list[dict[str, str]]) -> dict[str, str]:
    """Return ``tags`` as a dict, refusing what AWS refuses."""
    result: dict[str, str] = {}
    for tag in tags:
        key, value = tag.get("key"), tag.get("value", "")
        if key is None:
            raise ValidationError("1 validation error detected: Value at 'tags.member.key' "
                                  "failed to satisfy constraint: Member must not be null")
        if key.lower().startswith("aws:"):
            raise ValidationError(f"Tag keys may not start with 'aws:': '{key}'")
        if not _TAG_TEXT.match(key) or not _TAG_TEXT.match(value):
            raise ValidationError(f"Invalid characters in tag: '{key}'")
        result[key] = value
    return result


def check_resource(arn: str) -> None:
    """InvalidArn unless ``arn`` names a state machine or an activity; ResourceNotFound if absent."""
    match = _TAGGABLE.match(arn)
    if match is None:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    model = StateMachine if match.group(1) == "stateMachine" else Activity
    if not model.objects.filter(arn=arn).exists():
        raise ResourceNotFound(f"Resource not found: '{arn}'")


def tag_resource(arn: str, tags: list[dict[str, str]]) -> None:
    check_resource(arn)
    wanted = check_tags(tags)
    with transaction.atomic():
        existing = dict(Tag.objects.filter(resource_arn=arn).values_list("key", "value"))
        if len({**existing, **wanted}) > MAX_TAGS:
            raise TooManyTags(f"Too many tags: a resource can have at most {MAX_TAGS} tags "
                              f"('{arn}').")
        for key, value in wanted.items():
            Tag.objects.update_or_create(resource_arn=arn, key=key, defaults={"value": value})


def untag_resource(arn: str, keys: list[str]) -> None:
    check_resource(arn)
    Tag.objects.filter(resource_arn=arn, key__in=keys).delete()


def list_tags(arn: str) -> list[dict[str, str]]:
    check_resource(arn)
    return [{"key": k, "value": v}
            for k, v in Tag.objects.filter(resource_arn=arn).values_list("key", "value")]


def set_initial_tags(arn: str, tags: list[dict[str, str]] | None) -> None:
    """Tags given at creation replace whatever a deleted namesake left behind."""
    wanted = check_tags(tags or [])
    if len(wanted) > MAX_TAGS:
        raise TooManyTags(f"Too many tags: a resource can have at most {MAX_TAGS} tags.")
    Tag.objects.filter(resource_arn=arn).delete()
    Tag.objects.bulk_create(Tag(resource_arn=arn, key=k, value=v) for k, v in wanted.items())


def forget(arn: str) -> None:
    """Drop the tags of a deleted resource."""
    Tag.objects.filter(resource_arn=arn).delete()
