"""A function's tags (TagResource, UntagResource, ListTags) and resource policy
(AddPermission, RemovePermission, GetPolicy): accepted and kept, as Lambda keeps them.

Stepyard grants every caller everything, so a policy changes no behaviour; it is stored
so that deploy scripts which add permissions and read them back work unchanged.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.db import transaction

from console.functions.code import function_arn
from console.models import Function
from console.services import ServiceError
from console.services.functions import InvalidParameterValue, ResourceConflict, ResourceNotFound

MAX_TAGS = 50


class PreconditionFailed(ServiceError):
    code = "PreconditionFailedException"
    status = 412


def check_revision(function: Function, revision_id: str | None) -> None:
    """PreconditionFailed when the caller's RevisionId is not the function's latest."""
    if revision_id is not None and revision_id != function.revision_id:
        raise PreconditionFailed("The Revision Id provided does not match the latest Revision Id. "
                                 "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")


# --------------------------------------------------------------------------- tags


def tags_of(function: Function) -> dict[str, str]:
    return json.loads(function.tags or "{}")


def tag_function(function: Function, tags: dict[str, Any]) -> None:
    for key, value in tags.items():
        if not isinstance(value, str) or not key or key.lower().startswith("aws:"):
            raise InvalidParameterValue(f"Invalid tag: {key!r} (keys may not start with 'aws:'; values are strings)")
    with transaction.atomic():
        function = Function.objects.select_for_update().get(pk=function.pk)
        merged = {**tags_of(function), **tags}
        if len(merged) > MAX_TAGS:
            raise InvalidParameterValue(f"Number of tags exceeds resource tag limit of {MAX_TAGS}.")
        Function.objects.filter(pk=function.pk).update(tags=json.dumps(merged))


def untag_function(function: Function, keys: list[str]) -> None:
    with transaction.atomic():
        function = Function.objects.select_for_update().get(pk=function.pk)
        kept = {k: v for k, v in tags_of(function).items() if k not in keys}
        Function.objects.filter(pk=function.pk).update(tags=json.dumps(kept))


# --------------------------------------------------------------------------- policy


def statements(function: Function) -> list[dict[str, Any]]:
    return json.loads(function.policy or "[]")


def add_permission(function: Function, *, statement_id: str, action: str, principal: str,
                   source_arn: str | None = None, source_account: str | None = None) -> dict[str, Any]:
    """Add one statement to the function's policy; the statement as Lambda writes it."""
    statement: dict[str, Any] = {
        "Sid": statement_id, "Effect": "Allow", "Principal": _principal(principal), "Action": action,
        "Resource": function_arn(function.name)}
    condition = {}
    if source_arn:
        condition["ArnLike"] = {"AWS:SourceArn": source_arn}
    if source_account:
        condition["StringEquals"] = {"AWS:SourceAccount": source_account}
    if condition:
        statement["Condition"] = condition
    with transaction.atomic():
        function = Function.objects.select_for_update().get(pk=function.pk)
        existing = statements(function)
        if any(s["Sid"] == statement_id for s in existing):
            raise ResourceConflict(f"The statement id ({statement_id}) provided already exists. Please provide a "
                                   "new statement id, or remove the existing statement.")
        Function.objects.filter(pk=function.pk).update(policy=json.dumps([*existing, statement]),
                                                        revision_id=str(uuid.uuid4()))
    return statement


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if principal.endswith(".amazonaws.com"):
        return {"Service": principal}
    if principal.isdigit():
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    return {"AWS": principal}


def remove_permission(function: Function, statement_id: str) -> None:
    with transaction.atomic():
        function = Function.objects.select_for_update().get(pk=function.pk)
        existing = statements(function)
        kept = [s for s in existing if s["Sid"] != statement_id]
        if len(kept) == len(existing):
            raise ResourceNotFound(f"Statement {statement_id} is not found in resource policy.")
        Function.objects.filter(pk=function.pk).update(policy=json.dumps(kept), revision_id=str(uuid.uuid4()))


def policy_document(function: Function) -> str:
    """GetPolicy's Policy text; ResourceNotFound when the function has no statement."""
    found = statements(function)
    if not found:
        raise ResourceNotFound("The resource you requested does not exist.")
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": found})
