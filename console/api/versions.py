"""Version and alias actions over the version service."""

from __future__ import annotations

from typing import Any

from console.api.protocol import page
from console.services import InvalidArn
from console.services import versions as version_service


def _machine_target(arn: str) -> version_service.Target:
    target = version_service.resolve(arn)
    if target.version is not None or target.alias is not None:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    return target


def publish_state_machine_version(params: dict) -> dict[str, Any]:
    machine = _machine_target(params["stateMachineArn"]).machine
    version = version_service.publish_version(
        machine, revision_id=params.get("revisionId"), description=params.get("description"))
    return {"creationDate": version.created.timestamp(), "stateMachineVersionArn": version.arn}


def list_state_machine_versions(params: dict) -> dict[str, Any]:
    machine = _machine_target(params["stateMachineArn"]).machine
    chunk, token = page(version_service.list_versions(machine), params)
    result: dict[str, Any] = {"stateMachineVersions": [
        {"stateMachineVersionArn": v.arn, "creationDate": v.created.timestamp()} for v in chunk
    ]}
    if token:
        result["nextToken"] = token
    return result


def delete_state_machine_version(params: dict) -> dict[str, Any]:
    version_service.delete_version(params["stateMachineVersionArn"])
    return {}


def _alias(arn: str):
    _, qualifier = version_service.split_arn(arn)
    if qualifier is None or qualifier.isdigit():
        raise InvalidArn(f"Invalid Arn: '{arn}'")
    return version_service.get_alias(arn)


def create_state_machine_alias(params: dict) -> dict[str, Any]:
    alias = version_service.create_alias(params["name"], params["routingConfiguration"],
                                         params.get("description"))
    return {"stateMachineAliasArn": alias.arn, "creationDate": alias.created.timestamp()}


def describe_state_machine_alias(params: dict) -> dict[str, Any]:
    alias = _alias(params["stateMachineAliasArn"])
    result = {
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": version_service.routing(alias),
        "creationDate": alias.created.timestamp(),
        "updateDate": alias.updated.timestamp(),
    }
    if alias.description:
        result["description"] = alias.description
    return result


def update_state_machine_alias(params: dict) -> dict[str, Any]:
    alias = version_service.update_alias(
        _alias(params["stateMachineAliasArn"]), routes=params.get("routingConfiguration"),
        description=params.get("description"))
    return {"updateDate": alias.updated.timestamp()}


def delete_state_machine_alias(params: dict) -> dict[str, Any]:
    version_service.delete_alias(_alias(params["stateMachineAliasArn"]))
    return {}


def list_state_machine_aliases(params: dict) -> dict[str, Any]:
    target = version_service.resolve(params["stateMachineArn"])
    if target.alias is not None:
        raise InvalidArn(f"Invalid Arn: '{params['stateMachineArn']}'")
    chunk, token = page(version_service.list_aliases(target), params)
    result: dict[str, Any] = {"stateMachineAliases": [
        {"stateMachineAliasArn": a.arn, "creationDate": a.created.timestamp()} for a in chunk
    ]}
    if token:
        result["nextToken"] = token
    return result


ACTIONS = {
    "PublishStateMachineVersion": publish_state_machine_version,
    "ListStateMachineVersions": list_state_machine_versions,
    "DeleteStateMachineVersion": delete_state_machine_version,
    "CreateStateMachineAlias": create_state_machine_alias,
    "DescribeStateMachineAlias": describe_state_machine_alias,
    "UpdateStateMachineAlias": update_state_machine_alias,
    "DeleteStateMachineAlias": delete_state_machine_alias,
    "ListStateMachineAliases": list_state_machine_aliases,
}
