"""Versions and aliases through real boto3 clients, and executions started through them."""

from __future__ import annotations

import json
import time

import pytest

ROLE = "arn:aws:iam::000000000000:role/test"


def _definition(result: str) -> str:
    return json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": result,
                                                        "End": True}}})


@pytest.fixture
def sfn(stepyard_server, sfn_client):
    return sfn_client(stepyard_server)


def _output(sfn, execution_arn: str) -> str:
    for _ in range(200):
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return json.loads(described["output"])
        time.sleep(0.05)
    raise AssertionError("execution did not end")


def test_it_publishes_versions_on_create_update_and_on_request(sfn):
    created = sfn.create_state_machine(name="VerPub", definition=_definition("one"), roleArn=ROLE,
                                       publish=True, versionDescription="first")
    machine = created["stateMachineArn"]
    assert created["stateMachineVersionArn"] == machine + ":1"
    updated = sfn.update_state_machine(stateMachineArn=machine, definition=_definition("two"),
                                       publish=True)
    assert updated["stateMachineVersionArn"] == machine + ":2"
    again = sfn.publish_state_machine_version(stateMachineArn=machine)
    assert again["stateMachineVersionArn"] == machine + ":2"  # same revision: same version
    versions = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [machine + ":2", machine + ":1"]
    first = sfn.describe_state_machine(stateMachineArn=machine + ":1")
    assert (first["definition"], first["description"]) == (_definition("one"), "first")


def test_a_version_description_needs_publish(sfn):
    with pytest.raises(sfn.exceptions.ClientError) as caught:
        sfn.create_state_machine(name="VerDesc", definition=_definition("x"), roleArn=ROLE,
                                 versionDescription="no publish")
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_publishing_a_stale_revision_conflicts(sfn):
    machine = sfn.create_state_machine(name="VerStale", definition=_definition("a"),
                                       roleArn=ROLE)["stateMachineArn"]
    old = sfn.describe_state_machine(stateMachineArn=machine)["revisionId"]
    sfn.update_state_machine(stateMachineArn=machine, definition=_definition("b"))
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=old)


def test_deleted_version_numbers_are_not_reused(sfn):
    machine = sfn.create_state_machine(name="VerDel", definition=_definition("a"), roleArn=ROLE,
                                       publish=True)["stateMachineArn"]
    sfn.delete_state_machine_version(stateMachineVersionArn=machine + ":1")
    sfn.delete_state_machine_version(stateMachineVersionArn=machine + ":1")  # idempotent
    sfn.update_state_machine(stateMachineArn=machine, definition=_definition("b"))
    assert sfn.publish_state_machine_version(stateMachineArn=machine)[
        "stateMachineVersionArn"] == machine + ":2"
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine(stateMachineArn=machine + ":1")


def test_executions_run_the_version_they_were_started_with(sfn):
    machine = sfn.create_state_machine(name="VerRun", definition=_definition("v1"), roleArn=ROLE,
                                       publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=_definition("latest"))
    by_version = sfn.start_execution(stateMachineArn=machine + ":1")["executionArn"]
    latest = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert (_output(sfn, by_version), _output(sfn, latest)) == ("v1", "latest")
    described = sfn.describe_execution(executionArn=by_version)
    assert described["stateMachineVersionArn"] == machine + ":1"
    assert "stateMachineVersionArn" not in sfn.describe_execution(executionArn=latest)
    listed = sfn.list_executions(stateMachineArn=machine + ":1")["executions"]
    assert [e["executionArn"] for e in listed] == [by_version]


def test_an_alias_routes_executions_by_weight(sfn):
    machine = sfn.create_state_machine(name="AliasRun", definition=_definition("v1"),
                                       roleArn=ROLE, publish=True)["stateMachineArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=_definition("v2"), publish=True)
    alias = sfn.create_state_machine_alias(
        name="prod", description="live",
        routingConfiguration=[{"stateMachineVersionArn": machine + ":1", "weight": 100}],
    )["stateMachineAliasArn"]
    assert alias == machine + ":prod"
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    assert _output(sfn, execution) == "v1"
    described = sfn.describe_execution(executionArn=execution)
    assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (
        alias, machine + ":1")
    sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=[
        {"stateMachineVersionArn": machine + ":1", "weight": 0},
        {"stateMachineVersionArn": machine + ":2", "weight": 100}])
    assert _output(sfn, sfn.start_execution(stateMachineArn=alias)["executionArn"]) == "v2"
    shown = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert (shown["name"], shown["description"], len(shown["routingConfiguration"])) == (
        "prod", "live", 2)
    assert [a["stateMachineAliasArn"] for a in sfn.list_state_machine_aliases(
        stateMachineArn=machine)["stateMachineAliases"]] == [alias]
    assert len(sfn.list_executions(stateMachineArn=alias)["executions"]) == 2


def test_alias_rules(sfn):
    machine = sfn.create_state_machine(name="AliasRules", definition=_definition("v1"),
                                       roleArn=ROLE, publish=True)["stateMachineArn"]
    route = [{"stateMachineVersionArn": machine + ":1", "weight": 100}]
    alias = sfn.create_state_machine_alias(name="beta", routingConfiguration=route)
    assert sfn.create_state_machine_alias(name="beta", routingConfiguration=route)[
        "stateMachineAliasArn"] == alias["stateMachineAliasArn"]
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.create_state_machine_alias(name="beta", description="other", routingConfiguration=route)
    with pytest.raises(sfn.exceptions.ConflictException):
        sfn.delete_state_machine_version(stateMachineVersionArn=machine + ":1")
    for bad in ([{"stateMachineVersionArn": machine + ":1", "weight": 50}],
                [{"stateMachineVersionArn": machine + ":1", "weight": 101}]):
        with pytest.raises(sfn.exceptions.ClientError) as caught:
            sfn.create_state_machine_alias(name="gamma", routingConfiguration=bad)
        assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.create_state_machine_alias(name="delta", routingConfiguration=[
            {"stateMachineVersionArn": machine + ":9", "weight": 100}])
    with pytest.raises(sfn.exceptions.ClientError) as caught:
        sfn.create_state_machine_alias(name="123", routingConfiguration=route)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])
    sfn.delete_state_machine_version(stateMachineVersionArn=machine + ":1")


def test_deleting_a_state_machine_removes_its_versions_and_aliases(sfn):
    machine = sfn.create_state_machine(name="VerGone", definition=_definition("v1"),
                                       roleArn=ROLE, publish=True)["stateMachineArn"]
    sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": machine + ":1", "weight": 100}])
    sfn.delete_state_machine(stateMachineArn=machine)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=machine + ":live")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=machine + ":1")
