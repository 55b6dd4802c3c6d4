"""A Distributed Map's children are executions of their own, as on AWS: boto3 against a live
server lists them by Map Run, describes them, reads their own histories, stops one, and sees
the ARNs in AWS's form; the parent's machine lists only the parent."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import finished
from tests.console.test_map_runs import sfn

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def machine(client, processor: dict, *, label: str | None = None, tolerated: int = 0, concurrency: int = 0,
            batch: int | None = None, execution_type: str = "STANDARD") -> tuple[str, str]:
    state = {"Type": "Map", "End": True, "MaxConcurrency": concurrency, "ToleratedFailureCount": tolerated,
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                               **processor}}
    if label:
        state["Label"] = label
    if batch:
        state["ItemBatcher"] = {"MaxItemsPerBatch": batch}
    name = f"children-{time.monotonic_ns()}"
    arn = client.create_state_machine(name=name, definition=json.dumps({"StartAt": "M", "States": {"M": state}}),
                                      roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    return name, arn


THREE_FAILS = {"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "F"}], "Default": "P"},
    "P": {"Type": "Pass", "Parameters": {"item.$": "$", "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name"},
          "End": True},
    "F": {"Type": "Fail", "Error": "Three", "Cause": "three is out"}}}
WAITS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}


def map_run_of(client, execution: str) -> str:
    deadline = time.monotonic() + 10
    while not (runs := client.list_map_runs(executionArn=execution)["mapRuns"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return runs[0]["mapRunArn"]


def children(client, map_run: str) -> list[dict]:
    return client.list_executions(mapRunArn=map_run)["executions"]


def test_children_are_listed_by_map_run_with_their_own_arns_and_histories(stepyard_server):
    client = sfn(stepyard_server)
    name, machine_arn = machine(client, THREE_FAILS, label="Orders", tolerated=1)
    execution = client.start_execution(stateMachineArn=machine_arn, input="[1, 2, 3, 4]")["executionArn"]
    assert finished(client, execution)["status"] == "SUCCEEDED"
    map_run = map_run_of(client, execution)
    assert re.fullmatch(rf"arn:aws:states:us-east-1:\d{{12}}:mapRun:{name}/Orders:{UUID}", map_run)

    listed = children(client, map_run)
    assert len(listed) == 4
    labelled = machine_arn + "/Orders"
    for child in listed:
        assert re.fullmatch(rf"arn:aws:states:us-east-1:\d{{12}}:execution:{name}/Orders:{UUID}", child["executionArn"])
        assert child["mapRunArn"] == map_run and child["itemCount"] == 1
        assert child["stateMachineArn"] == labelled and "stopDate" in child
    assert sorted(c["status"] for c in listed) == ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    # The machine's own list holds only the parent.
    assert [e["executionArn"] for e in client.list_executions(stateMachineArn=machine_arn)["executions"]] == [execution]

    by_input = {json.loads(client.describe_execution(executionArn=c["executionArn"])["input"]): c for c in listed}
    ok = client.describe_execution(executionArn=by_input[2]["executionArn"])
    assert ok["mapRunArn"] == map_run and ok["status"] == "SUCCEEDED"
    # Inside a child, $$.Execution is the child's own.
    assert json.loads(ok["output"]) == {"item": 2, "id": ok["executionArn"], "name": ok["name"]}
    history = client.get_execution_history(executionArn=ok["executionArn"])["events"]
    assert [e["type"] for e in history] == ["ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited",
                                            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in history] == [1, 2, 3, 4, 5, 6]
    assert history[0]["executionStartedEventDetails"]["input"] == "2"

    failed = client.describe_execution(executionArn=by_input[3]["executionArn"])
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Three", "three is out")
    last = client.get_execution_history(executionArn=failed["executionArn"], reverseOrder=True)["events"][0]
    assert last["type"] == "ExecutionFailed" and last["executionFailedEventDetails"]["error"] == "Three"

    described = client.describe_state_machine_for_execution(executionArn=ok["executionArn"])
    assert described["mapRunArn"] == map_run and described["label"] == "Orders"
    assert described["stateMachineArn"] == labelled
    assert json.loads(described["definition"])["StartAt"] == "C"
    assert client.validate_state_machine_definition(definition=described["definition"])["result"] == "OK"
    # The parent's history has no child state events.
    parent_types = {e["type"] for e in client.get_execution_history(executionArn=execution)["events"]}
    assert "PassStateEntered" not in parent_types and "MapRunSucceeded" in parent_types


def test_an_unlabelled_map_run_gets_a_uuid_label_and_batches_count_their_items(stepyard_server):
    client = sfn(stepyard_server)
    name, machine_arn = machine(client, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, batch=3)
    execution = client.start_execution(stateMachineArn=machine_arn, input=json.dumps(list(range(7))))["executionArn"]
    assert finished(client, execution)["status"] == "SUCCEEDED"
    map_run = map_run_of(client, execution)
    assert re.fullmatch(rf"arn:aws:states:us-east-1:\d{{12}}:mapRun:{name}/{UUID}:{UUID}", map_run)
    assert sorted(c["itemCount"] for c in children(client, map_run)) == [1, 3, 3]


def test_stopping_a_child_aborts_it_and_fails_its_item(stepyard_server):
    client = sfn(stepyard_server)
    _, machine_arn = machine(client, WAITS, concurrency=2)
    execution = client.start_execution(stateMachineArn=machine_arn, input="[1, 2]")["executionArn"]
    map_run = map_run_of(client, execution)
    deadline = time.monotonic() + 10
    while len(running := children(client, map_run)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [c["status"] for c in running] == ["RUNNING", "RUNNING"]
    client.stop_execution(executionArn=running[0]["executionArn"], error="Operator", cause="not needed")
    stopped = client.describe_execution(executionArn=running[0]["executionArn"])
    assert stopped["status"] == "ABORTED"
    # No failure is tolerated: the run fails, and the other child is aborted with it.
    parent = finished(client, execution)
    assert (parent["status"], parent["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert {c["status"] for c in children(client, map_run)} == {"ABORTED"}
    history = client.get_execution_history(executionArn=running[0]["executionArn"])["events"]
    assert [e["type"] for e in history][-2:] == ["WaitStateAborted", "ExecutionAborted"]
    assert history[-1]["executionAbortedEventDetails"] == {"error": "Operator", "cause": "not needed"}
    counts = client.describe_map_run(mapRunArn=map_run)["itemCounts"]
    assert counts["aborted"] == 2 and counts["running"] == 0
    with pytest.raises(ClientError) as refused:
        client.redrive_execution(executionArn=running[0]["executionArn"])
    assert refused.value.response["Error"]["Code"] == "ExecutionNotRedrivable"
    # Its page offers no Redrive of its own (the parent's redrive redrives it) but links back.
    with urllib.request.urlopen(f"{stepyard_server}/map-runs/{map_run}") as response:
        link = re.findall(r'<tr data-status="aborted"><td><a href="(/executions/\d+/)">', response.read().decode())[0]
    with urllib.request.urlopen(stepyard_server + link) as response:
        page = response.read().decode()
    assert 'id="map-run-parent"' in page and 'id="redrive-form"' not in page


def test_lowering_the_tolerance_below_the_failures_so_far_fails_the_run(stepyard_server):
    client = sfn(stepyard_server)
    processor = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "F"}], "Default": "W"},
        "W": {"Type": "Wait", "Seconds": 30, "End": True},
        "F": {"Type": "Fail", "Error": "One"}}}
    _, machine_arn = machine(client, processor, tolerated=5)
    execution = client.start_execution(stateMachineArn=machine_arn, input="[1, 2]")["executionArn"]
    map_run = map_run_of(client, execution)
    deadline = time.monotonic() + 10
    while client.describe_map_run(mapRunArn=map_run)["itemCounts"]["failed"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    client.update_map_run(mapRunArn=map_run, toleratedFailureCount=0)
    parent = finished(client, execution)
    assert (parent["status"], parent["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert client.describe_map_run(mapRunArn=map_run)["status"] == "FAILED"


def test_express_children_are_counted_but_not_listed(stepyard_server):
    client = sfn(stepyard_server)
    _, machine_arn = machine(client, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                             execution_type="EXPRESS")
    execution = client.start_execution(stateMachineArn=machine_arn, input="[1, 2, 3]")["executionArn"]
    assert finished(client, execution)["status"] == "SUCCEEDED"
    map_run = map_run_of(client, execution)
    assert children(client, map_run) == []
    assert client.describe_map_run(mapRunArn=map_run)["itemCounts"]["succeeded"] == 3


def test_listing_by_an_unknown_map_run_is_resource_not_found(stepyard_server):
    client = sfn(stepyard_server)
    with pytest.raises(ClientError) as missing:
        client.list_executions(mapRunArn=f"arn:aws:states:us-east-1:000000000000:mapRun:nope/L:{'0' * 8}")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"


def test_result_writer_entries_name_the_listed_children(stepyard_server):
    s3 = boto3.client("s3", endpoint_url=stepyard_server, region_name="us-east-1", aws_access_key_id="t",
                      aws_secret_access_key="t")
    bucket = f"children-{time.monotonic_ns()}"
    s3.create_bucket(Bucket=bucket)
    client = sfn(stepyard_server)
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Label": "Rows",
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": bucket, "Prefix": "out"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    arn = client.create_state_machine(name=bucket, definition=json.dumps(definition),
                                      roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    execution = client.start_execution(stateMachineArn=arn, input='["a", "b", "c"]')["executionArn"]
    output = json.loads(finished(client, execution)["output"])
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=output["ResultWriterDetails"]["Key"])["Body"].read())
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    entries = json.loads(s3.get_object(Bucket=bucket, Key=succeeded["Key"])["Body"].read())
    listed = {c["executionArn"]: c for c in children(client, manifest["MapRunArn"])}
    assert {e["ExecutionArn"] for e in entries} == set(listed)
    assert {e["StateMachineArn"] for e in entries} == {arn + "/Rows"}
    assert all(e["Name"] == e["ExecutionArn"].rsplit(":", 1)[-1] for e in entries)


def test_redriving_the_parent_redrives_the_map_run_and_its_unsuccessful_children(stepyard_server):
    """The Map Run keeps its ARN (MapRunRedriven); a failed child is redriven under its own ARN,
    continuing from the state it failed in; what succeeded is not run again."""
    client = sfn(stepyard_server)
    processor = {"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"item.$": "$"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.item", "NumericEquals": 2, "Next": "Flaky"}],
                  "Default": "Done"},
        "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                  "Parameters": {"TableName.$": "States.Format('redrive-{}', $.item)", "Key": {"id": {"S": "x"}}},
                  "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    dynamodb = boto3.client("dynamodb", endpoint_url=stepyard_server, region_name="us-east-1",
                            aws_access_key_id="t", aws_secret_access_key="t")
    _, machine_arn = machine(client, processor, label="Redo")
    execution = client.start_execution(stateMachineArn=machine_arn, input="[1, 2, 3]")["executionArn"]
    first = finished(client, execution)
    assert (first["status"], first["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    map_run = map_run_of(client, execution)
    by_status = {c["status"]: c["executionArn"] for c in children(client, map_run)}
    failed = by_status["FAILED"]
    before = client.get_execution_history(executionArn=failed)["events"]

    # The table the failed child needs now exists: redriving the parent finishes the run.
    dynamodb.create_table(TableName="redrive-2", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    client.redrive_execution(executionArn=execution)
    assert finished(client, execution)["status"] == "SUCCEEDED"
    assert [r["mapRunArn"] for r in client.list_map_runs(executionArn=execution)["mapRuns"]] == [map_run]
    described = client.describe_map_run(mapRunArn=map_run)
    assert described["status"] == "SUCCEEDED" and described["redriveCount"] == 1 and "redriveDate" in described
    assert described["itemCounts"]["succeeded"] == 3 and described["itemCounts"]["failed"] == 0
    parent_types = [e["type"] for e in client.get_execution_history(executionArn=execution)["events"]]
    assert parent_types.count("MapRunStarted") == 1 and parent_types.count("MapRunRedriven") == 1

    listed = children(client, map_run)
    assert len(listed) == 3 and {c["status"] for c in listed} == {"SUCCEEDED"}
    child = client.describe_execution(executionArn=failed)
    assert child["status"] == "SUCCEEDED" and child["redriveCount"] == 1
    history = client.get_execution_history(executionArn=failed)["events"]
    assert history[:len(before)] == before  # the first attempt's history is kept
    again = [e["type"] for e in history[len(before):]]
    # It continues in the state that failed (no Count or Check again).
    assert again[:2] == ["ExecutionRedriven", "TaskStateEntered"] and again[-1] == "ExecutionSucceeded"
    assert [e["id"] for e in history] == list(range(1, len(history) + 1))


def test_the_map_run_page_pages_through_its_children(stepyard_server):
    client = sfn(stepyard_server)
    _, machine_arn = machine(client, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    execution = client.start_execution(stateMachineArn=machine_arn, input=json.dumps(list(range(105))))["executionArn"]
    assert finished(client, execution)["status"] == "SUCCEEDED"
    page_url = f"{stepyard_server}/map-runs/{map_run_of(client, execution)}"

    def rows(query: str) -> tuple[list[str], str]:
        with urllib.request.urlopen(page_url + query) as response:
            html = response.read().decode()
        return re.findall(r'<tr data-status="(\w+)"><td><a href="/executions/\d+/">', html), html

    first, html = rows("")
    assert len(first) == 100 and "Page 1 of 2 (105 child executions)" in html
    second, _ = rows("?page=2")
    assert second == ["succeeded"] * 5
    none_failed, html = rows("?status=failed")
    assert none_failed == [] and "No child executions failed." in html


def test_a_childs_own_distributed_map_is_its_map_run(stepyard_server):
    client = sfn(stepyard_server)
    config = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
    inner = {"Type": "Map", "End": True, "Label": "Inner", "ItemsPath": "$.parts",
             "ItemProcessor": {"ProcessorConfig": config, "StartAt": "P",
                               "States": {"P": {"Type": "Pass", "End": True}}}}
    _, machine_arn = machine(client, {"StartAt": "Inner", "States": {"Inner": inner}}, label="Outer")
    items = [{"parts": [1, 2]}, {"parts": [3, 4, 5]}]
    execution = client.start_execution(stateMachineArn=machine_arn, input=json.dumps(items))["executionArn"]
    assert finished(client, execution)["status"] == "SUCCEEDED"
    outer = map_run_of(client, execution)
    assert [r["mapRunArn"] for r in client.list_map_runs(executionArn=execution)["mapRuns"]] == [outer]
    sizes = []
    for child in children(client, outer):
        [inner_run] = client.list_map_runs(executionArn=child["executionArn"])["mapRuns"]
        assert inner_run["executionArn"] == child["executionArn"] and "/Inner:" in inner_run["mapRunArn"]
        described = client.describe_map_run(mapRunArn=inner_run["mapRunArn"])
        assert described["executionArn"] == child["executionArn"] and described["status"] == "SUCCEEDED"
        grandchildren = children(client, inner_run["mapRunArn"])
        assert {g["status"] for g in grandchildren} == {"SUCCEEDED"}
        sizes.append(len(grandchildren))
        types = [e["type"] for e in client.get_execution_history(executionArn=child["executionArn"])["events"]]
        assert "MapRunStarted" in types and "PassStateEntered" not in types
        with urllib.request.urlopen(f"{stepyard_server}/map-runs/{inner_run['mapRunArn']}") as response:
            page = response.read().decode()
        assert f"execution {child['name']}</a>" in page
    assert sorted(sizes) == [2, 3]


@pytest.mark.django_db
def test_a_map_run_stored_before_the_index_is_still_found():
    """Databases from before Map Runs were indexed hold ARNs that named their execution."""
    from console.models import Execution, MapRun
    from console.services import map_runs
    from tests.console.test_functions_integrations import run

    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                 "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    execution = run({"M": {"Type": "Map", "End": True, "ItemProcessor": processor}}, "M", "[1, 2]")
    state = json.loads(execution.engine_state)
    [record] = state["map_runs"].values()
    old = execution.arn.replace(":execution:", ":mapRun:") + "/M:7"
    state["map_runs"] = {old: record}
    Execution.objects.filter(pk=execution.pk).update(engine_state=json.dumps(state))
    MapRun.objects.all().delete()
    found = map_runs.get_map_run(old)
    assert found.execution.pk == execution.pk and found.record["status"] == "SUCCEEDED"
