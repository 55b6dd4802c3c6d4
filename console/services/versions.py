"""Versions and aliases of state machines (PublishStateMachineVersion and the alias actions).

A version is an immutable copy of a revision, numbered 1, 2, ... per state machine; a
deleted version's number is never reused. An alias routes executions to one or two
versions by weight. ARNs: ``<machine ARN>:<number>`` and ``<machine ARN>:<alias name>``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from console.db import rows
from console.models import StateMachine, StateMachineAlias, StateMachineVersion
from console.services import InvalidArn, ServiceError, StateMachineDoesNotExist, ValidationError
from console.services.tags import ResourceNotFound

MAX_VERSIONS = 1000
MAX_ALIASES = 100
_ARN = re.compile(r"^(arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+)(?::([^:]+))?$")
_ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$")


class ConflictException(ServiceError):
    code = "ConflictException"


class ServiceQuotaExceeded(ServiceError):
    code = "ServiceQuotaExceededException"


@dataclass(frozen=True)
class Target:
    """What a stateMachineArn names: the machine itself, one version, or an alias."""

    machine: StateMachine
    version: StateMachineVersion | None = None
    alias: StateMachineAlias | None = None


def split_arn(arn: str) -> tuple[str, str | None]:
    """(machine ARN, qualifier or None); InvalidArn unless it is a state machine ARN."""
    match = _ARN.match(arn)
    if match is None:
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    return match.group(1), match.group(2)


def resolve(arn: str) -> Target:
    """The machine, version or alias an ARN names (StateMachineDoesNotExist / ResourceNotFound)."""
    machine_arn, qualifier = split_arn(arn)
    machine = rows.first(StateMachine, "arn = %s", [machine_arn])
    if machine is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    if qualifier is None:
        return Target(machine)
    if qualifier.isdigit():
        return Target(machine, version=get_version(arn))
    return Target(machine, alias=get_alias(arn))


def get_version(arn: str) -> StateMachineVersion:
    version = StateMachineVersion.objects.filter(arn=arn, deleted=False).first()
    if version is None:
        raise ResourceNotFound(f"State Machine Version Does Not Exist: '{arn}'")
    return version


def get_alias(arn: str) -> StateMachineAlias:
    alias = StateMachineAlias.objects.filter(arn=arn).first()
    if alias is None:
        raise ResourceNotFound(f"Alias Does Not Exist: '{arn}'")
    return alias


# --------------------------------------------------------------------------- versions


def publish_version(machine: StateMachine, *, revision_id: str | None = None,
                    description: str | None = None) -> StateMachineVersion:
    """Publish the current revision (or return the latest version if it is that revision)."""
    with transaction.atomic():
        machine = StateMachine.objects.select_for_update().get(pk=machine.pk)
        current = machine.revisions.get(number=machine.revision)
        if revision_id is not None and revision_id != current.revision_id:
            raise ConflictException(
                f"Failed to publish the State Machine version for revision {revision_id}. "
                f"The current State Machine revision is {current.revision_id}.")
        latest = machine.versions.filter(deleted=False).order_by("-number").first()
        if latest is not None and latest.revision_id == current.revision_id:
            if description is not None and description != latest.description:
                raise ConflictException(
                    "Failed to publish the State Machine version: the latest version has the "
                    "same revision and a different description.")
            return latest
        if machine.versions.filter(deleted=False).count() >= MAX_VERSIONS:
            raise ServiceQuotaExceeded(
                f"Cannot publish a new version: a state machine can have at most "
                f"{MAX_VERSIONS} versions. Delete versions you no longer need.")
        number = (machine.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return StateMachineVersion.objects.create(
            machine=machine, number=number, arn=f"{machine.arn}:{number}",
            definition=current.definition, role_arn=current.role_arn,
            revision_id=current.revision_id, description=description or "",
            created=timezone.now())


def list_versions(machine: StateMachine) -> list[StateMachineVersion]:
    return list(machine.versions.filter(deleted=False).order_by("-number"))


def delete_version(arn: str) -> None:
    """Delete a version (an unknown one too, like AWS) unless an alias routes to it."""
    _, qualifier = split_arn(arn)
    if qualifier is None or not qualifier.isdigit():
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    with transaction.atomic():
        version = StateMachineVersion.objects.filter(arn=arn, deleted=False).first()
        if version is None:
            return
        users = [a.arn for a in version.machine.aliases.all() if arn in _routed_arns(a)]
        if users:
            raise ConflictException(
                "Version to be deleted must not be referenced by an alias. Current list of "
                f"aliases referencing this version: [{', '.join(users)}]")
        StateMachineVersion.objects.filter(pk=version.pk).update(deleted=True)


# --------------------------------------------------------------------------- aliases


def routing(alias: StateMachineAlias) -> list[dict]:
    return json.loads(alias.routing)


def _routed_arns(alias: StateMachineAlias) -> set[str]:
    return {route["stateMachineVersionArn"] for route in routing(alias)}


def _check_routing(routes: list[dict]) -> StateMachine:
    """The one state machine all routes belong to; ValidationException / ResourceNotFound."""
    arns = [route["stateMachineVersionArn"] for route in routes]
    if len(set(arns)) != len(arns):
        raise ValidationError("Routing configuration must contain distinct state machine "
                              "version ARNs.")
    if sum(route["weight"] for route in routes) != 100:
        raise ValidationError("Sum of routing configuration weights must be equal to 100.")
    versions = []
    for arn in arns:
        _, qualifier = split_arn(arn)
        if qualifier is None or not qualifier.isdigit():
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        versions.append(get_version(arn))
    if len({v.machine_id for v in versions}) != 1:
        raise ValidationError("Routing configuration must contain state machine version ARNs "
                              "of the same state machine.")
    return versions[0].machine


def _clean_routes(routes: list[dict]) -> list[dict]:
    return [{"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": r["weight"]}
            for r in routes]


def create_alias(name: str, routes: list[dict], description: str | None = None) -> StateMachineAlias:
    """Create an alias; an identical existing one is returned, a different one conflicts."""
    if not _ALIAS_NAME.match(name):
        raise ValidationError(
            "1 validation error detected: Value at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$")
    machine = _check_routing(routes)
    routes = _clean_routes(routes)
    with transaction.atomic():
        machine = StateMachine.objects.select_for_update().get(pk=machine.pk)
        existing = machine.aliases.filter(name=name).first()
        if existing is not None:
            if routing(existing) == routes and existing.description == (description or ""):
                return existing
            raise ConflictException(f"Alias already exists with a different configuration: "
                                    f"'{existing.arn}'")
        if machine.aliases.count() >= MAX_ALIASES:
            raise ServiceQuotaExceeded(f"A state machine can have at most {MAX_ALIASES} "
                                       "aliases.")
        now = timezone.now()
        return StateMachineAlias.objects.create(
            machine=machine, name=name, arn=f"{machine.arn}:{name}",
            description=description or "", routing=json.dumps(routes), created=now, updated=now)


def update_alias(alias: StateMachineAlias, *, routes: list[dict] | None = None,
                 description: str | None = None) -> StateMachineAlias:
    if routes is None and description is None:
        raise ValidationError("Either the description or the routingConfiguration must be "
                              "specified.")
    if routes is not None:
        if _check_routing(routes).pk != alias.machine_id:
            raise ValidationError("Routing configuration must contain versions of the alias's "
                                  "state machine.")
        alias.routing = json.dumps(_clean_routes(routes))
    if description is not None:
        alias.description = description
    alias.updated = timezone.now()
    alias.save()
    return alias


def delete_alias(alias: StateMachineAlias) -> None:
    StateMachineAlias.objects.filter(pk=alias.pk).delete()


def list_aliases(target: Target) -> list[StateMachineAlias]:
    aliases = list(target.machine.aliases.order_by("created", "pk"))
    if target.version is not None:
        aliases = [a for a in aliases if target.version.arn in _routed_arns(a)]
    return aliases


def pick_version(alias: StateMachineAlias) -> StateMachineVersion:
    """Choose the version an execution through ``alias`` runs, by the routing weights."""
    routes = routing(alias)
    chosen = random.choices(routes, weights=[r["weight"] for r in routes])[0]
    return get_version(chosen["stateMachineVersionArn"])
