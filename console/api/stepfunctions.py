"""Step Functions actions (``X-Amz-Target: AWSStepFunctions.<Action>``) over the services."""

from __future__ import annotations

from typing import Any

from console.api import activities, executions, map_runs, tags, teststate, versions
from console.api.protocol import choice, integer, page, string
from console.models import StateMachine
from console.services import InvalidArn, ValidationError
from console.services import machines as machine_service
from console.services import tags as tag_service
from console.services import versions as version_service

TYPES = ("STANDARD", "EXPRESS")
ARN_MAX = 256
_LOGGING_OFF = {"level": "OFF", "includeExecutionData": False}


def _role_arn(params: dict, *, required: bool) -> str | None:
    role = string(params, "roleArn", required=required, max_length=ARN_MAX, min_length=1)
    if role is not None and not role.startswith("arn:aws:iam::"):
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {role}'")
    return role


def _check_publish(params: dict) -> bool:
    publish = bool(params.get("publish"))
    if params.get("versionDescription") and not publish:
        raise ValidationError("Version description can only be set when publish is true")
    return publish


def _plain_machine(arn: str) -> StateMachine:
    target = version_service.resolve(arn)
    if target.version is not None or target.alias is not None:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    return target.machine


def create_state_machine(params: dict) -> dict[str, Any]:
    name = params["name"]
    publish = _check_publish(params)
    role = _role_arn(params, required=True)
    tag_service.check_tags(params.get("tags") or [])
    machine, version = machine_service.create_state_machine(
        name=name, definition=params["definition"], machine_type=choice(params, "type", TYPES, "STANDARD"),
        role_arn=role, initial_tags=params.get("tags"), publish=publish,
        version_description=params.get("versionDescription"))
    result = {"stateMachineArn": machine.arn, "creationDate": machine.created.timestamp()}
    if version is not None:
        result["stateMachineVersionArn"] = version.arn
    return result


def describe_state_machine(params: dict) -> dict[str, Any]:
    target = version_service.resolve(params["stateMachineArn"])
    if target.alias is not None:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: "
                         f"{params['stateMachineArn']}'")
    machine = target.machine
    result = {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "status": "ACTIVE",
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "type": machine.type,
        "creationDate": machine.created.timestamp(),
        "loggingConfiguration": _LOGGING_OFF,
        "tracingConfiguration": {"enabled": False},
    }
    version = target.version
    if version is None:
        result["revisionId"] = machine.revisions.get(number=machine.revision).revision_id
        if machine.description:
            result["description"] = machine.description
        return result
    result.update(stateMachineArn=version.arn, definition=version.definition,
                  roleArn=version.role_arn, revisionId=version.revision_id,
                  creationDate=version.created.timestamp())
    if version.description:
        result["description"] = version.description
    return result


def update_state_machine(params: dict) -> dict[str, Any]:
    machine = _plain_machine(params["stateMachineArn"])
    publish = _check_publish(params)
    role = _role_arn(params, required=False)
    definition = params.get("definition")
    if definition is None and role is None and not publish and not _other_config(params):
        raise ValidationError("Either the definition, the roleArn, the loggingConfiguration, "
                              "the tracingConfiguration or the encryptionConfiguration must be "
                              "specified.")
    machine, revision_id, version = machine_service.update_state_machine(
        machine, definition=definition, role_arn=role, publish=publish,
        version_description=params.get("versionDescription"))
    result = {"updateDate": machine.updated.timestamp(), "revisionId": revision_id}
    if version is not None:
        result["stateMachineVersionArn"] = version.arn
    return result


def _other_config(params: dict) -> bool:
    keys = ("loggingConfiguration", "tracingConfiguration", "encryptionConfiguration")
    return any(params.get(key) is not None for key in keys)


def delete_state_machine(params: dict) -> dict[str, Any]:
    arn = params["stateMachineArn"]
    machine_arn, qualifier = version_service.split_arn(arn)
    if qualifier is not None:
        raise ValidationError(f"Delete versions with DeleteStateMachineVersion and aliases "
                              f"with DeleteStateMachineAlias: '{arn}'")
    machine = StateMachine.objects.filter(arn=machine_arn).first()
    # AWS answers a delete of an unknown state machine with success.
    if machine is not None:
        machine_service.delete_machine(machine)
        tag_service.forget(machine_arn)
    return {}


def list_state_machines(params: dict) -> dict[str, Any]:
    fields = ("arn", "name", "type", "created")
    chunk, token = page(StateMachine.objects.order_by("created", "pk").only(*fields), params)
    result: dict[str, Any] = {
        "stateMachines": [
            {
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.type,
                "creationDate": m.created.timestamp(),
            }
            for m in chunk
        ]
    }
    if token:
        result["nextToken"] = token
    return result


def validate_state_machine_definition(params: dict) -> dict[str, Any]:
    machine_type = choice(params, "type", TYPES, "STANDARD")
    severity = choice(params, "severity", ("ERROR", "WARNING"), "ERROR")
    limit = integer(params, "maxResults", minimum=0, maximum=100) or 100
    validation = machine_service.validate_definition(params["definition"], machine_type)
    wanted = ("ERROR",) if severity == "ERROR" else ("ERROR", "WARNING")
    diagnostics = [d for d in validation.diagnostics if d["severity"] in wanted]
    return {
        "result": "OK" if validation.ok else "FAIL",
        "diagnostics": diagnostics[:limit],
        "truncated": len(diagnostics) > limit,
    }


ACTIONS = {
    **executions.ACTIONS,
    **map_runs.ACTIONS,
    **activities.ACTIONS,
    **tags.ACTIONS,
    **versions.ACTIONS,
    "CreateStateMachine": create_state_machine,
    "DescribeStateMachine": describe_state_machine,
    "UpdateStateMachine": update_state_machine,
    "DeleteStateMachine": delete_state_machine,
    "ListStateMachines": list_state_machines,
    "ValidateStateMachineDefinition": validate_state_machine_definition,
    "TestState": teststate.test_state,
}
