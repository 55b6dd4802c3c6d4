"""State machines: create, update (a new revision each time) and delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import engine
from console.models import StateMachine, StateMachineRevision, StateMachineVersion
from console.runtime import publish
from console.services import (
    InvalidArn,
    InvalidDefinition,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    ValidationError,
    tags,
    versions,
)
from console.services.names import check_name
from engine import json_types
from engine.errors import DefinitionError

MAX_DEFINITION_LENGTH = 1_048_576
TYPES = (StateMachine.STANDARD, StateMachine.EXPRESS)


@dataclass(frozen=True)
class Validation:
    """What the validator said of a definition, ready for the console and the API."""

    diagnostics: list[dict]

    @property
    def ok(self) -> bool:
        return not any(d["severity"] == "ERROR" for d in self.diagnostics)


def machine_arn(name: str) -> str:
    return f"arn:aws:states:{settings.STEPYARD_REGION}:{settings.STEPYARD_ACCOUNT}:stateMachine:{name}"


def validate_definition(definition: str, machine_type: str = StateMachine.STANDARD) -> Validation:
    """Run the engine's validator; never raises for a bad definition."""
    diagnostics = engine.validate(definition, machine_type)
    return Validation([d.as_dict() for d in diagnostics])


def check_definition(definition: str, machine_type: str) -> None:
    """Raise InvalidDefinition (AWS's wording) unless the definition is valid."""
    _check_length("definition", definition, MAX_DEFINITION_LENGTH)
    diagnostics = engine.validate(definition, machine_type)
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if errors:
        error = DefinitionError(errors)
        raise InvalidDefinition(error.aws_message(), [d.as_dict() for d in diagnostics])


def check_type(machine_type: str) -> None:
    if machine_type not in TYPES:
        raise ValidationError(
            "1 validation error detected: Value at 'type' failed to satisfy constraint: "
            "Member must satisfy enum value set: [STANDARD, EXPRESS]"
        )


def get_machine(name: str) -> StateMachine:
    try:
        return StateMachine.objects.get(name=name)
    except StateMachine.DoesNotExist:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{machine_arn(name)}'") from None


def get_machine_by_arn(arn: str) -> StateMachine:
    if not arn.startswith("arn:aws:states:") or ":stateMachine:" not in arn:
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    try:
        return StateMachine.objects.get(arn=arn)
    except StateMachine.DoesNotExist:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'") from None


def create_machine(
    *,
    name: str,
    definition: str,
    machine_type: str = StateMachine.STANDARD,
    role_arn: str = "",
    description: str = "",
) -> StateMachine:
    """Create a state machine, or return the existing one if it is identical (as AWS does)."""
    check_name(name)
    check_type(machine_type)
    check_definition(definition, machine_type)
    role_arn = role_arn or settings.STEPYARD_DEFAULT_ROLE_ARN
    with transaction.atomic():
        existing = StateMachine.objects.filter(name=name).first()
        if existing:
            return _same_or_conflict(existing, definition, machine_type, role_arn)
        now = timezone.now()
        machine = StateMachine.objects.create(
            name=name,
            arn=machine_arn(name),
            type=machine_type,
            definition=definition,
            role_arn=role_arn,
            description=description,
            created=now,
            updated=now,
        )
        _add_revision(machine)
        _notify_lists()
    return machine


def update_machine(
    machine: StateMachine, *, definition: str | None = None, role_arn: str | None = None
) -> StateMachine:
    """Save a new definition and/or role as a new revision; earlier ones stay readable."""
    if definition is None and not role_arn:
        raise ValidationError("Either the definition or the roleArn must be specified.")
    if definition is not None:
        check_definition(definition, machine.type)
    with transaction.atomic():
        machine = StateMachine.objects.select_for_update().get(pk=machine.pk)
        changed = _apply_update(machine, definition, role_arn)
        if changed:
            machine.revision += 1
            machine.updated = timezone.now()
            machine.save()
            _add_revision(machine)
            _notify_lists()
    return machine


def delete_machine(machine: StateMachine) -> None:
    """Delete a state machine and its revisions and tags (its executions stay, as on AWS)."""
    with transaction.atomic():
        StateMachine.objects.filter(pk=machine.pk).delete()
        tags.forget(machine.arn)
        _notify_lists()


def _notify_lists() -> None:
    """After the commit, tell open state machine lists to refresh (console or API change)."""
    transaction.on_commit(lambda: publish.publish(publish.MACHINES_GROUP, {"type": "list.changed"}))


def parsed_definition(text: str) -> object | None:
    """Return the definition as JSON, or None when it is not JSON."""
    try:
        return json_types.loads(text)
    except ValueError:
        return None


def _apply_update(machine: StateMachine, definition: str | None, role_arn: str | None) -> bool:
    changed = False
    if definition is not None and definition != machine.definition:
        machine.definition = definition
        changed = True
    if role_arn and role_arn != machine.role_arn:
        machine.role_arn = role_arn
        changed = True
    return changed


def _same_or_conflict(
    existing: StateMachine, definition: str, machine_type: str, role_arn: str
) -> StateMachine:
    same = (existing.definition, existing.type, existing.role_arn) == (
        definition,
        machine_type,
        role_arn,
    )
    if not same:
        raise StateMachineAlreadyExists(f"State Machine Already Exists: '{existing.arn}'")
    return existing


def _add_revision(machine: StateMachine) -> StateMachineRevision:
    return StateMachineRevision.objects.create(
        machine=machine,
        number=machine.revision,
        revision_id=str(uuid.uuid4()),
        definition=machine.definition,
        role_arn=machine.role_arn,
        created=machine.updated,
    )


def _check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}"
        )


def create_state_machine(*, name: str, definition: str, machine_type: str, role_arn: str | None,
                         initial_tags: list | None, publish: bool,
                         version_description: str | None) -> tuple[StateMachine, StateMachineVersion | None]:
    """CreateStateMachine: the machine (idempotent by name), its initial tags when it is new,
    and its first version when ``publish``, in one transaction."""
    with transaction.atomic():
        is_new = not StateMachine.objects.filter(name=name).exists()
        machine = create_machine(name=name, definition=definition, machine_type=machine_type, role_arn=role_arn)
        if is_new:
            tags.set_initial_tags(machine.arn, initial_tags)
        version = versions.publish_version(machine, description=version_description) if publish else None
    return machine, version


def update_state_machine(machine: StateMachine, *, definition: str | None, role_arn: str | None, publish: bool,
                         version_description: str | None) -> tuple[StateMachine, str, StateMachineVersion | None]:
    """UpdateStateMachine: the new revision (when anything changed) and a version when
    ``publish``, in one transaction; returns the machine, its revision id and the version."""
    with transaction.atomic():
        if definition is not None or role_arn is not None:
            machine = update_machine(machine, definition=definition, role_arn=role_arn)
        revision_id = machine.revisions.get(number=machine.revision).revision_id
        version = versions.publish_version(machine, description=version_description) if publish else None
    return machine, revision_id, version
