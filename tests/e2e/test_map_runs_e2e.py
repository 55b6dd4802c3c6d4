"""A user follows a running Distributed Map over S3 from its execution to its Map Run page, whose
counts and child executions update by themselves until the run has succeeded, opens a child
execution and comes back to the parent; the Services page says where S3 is served."""

from __future__ import annotations

import json

import boto3
import pytest

pytestmark = pytest.mark.e2e


def test_a_user_watches_a_map_run_count_its_items(page, stepyard_server, sfn_client):
    s3 = boto3.client("s3", endpoint_url=stepyard_server, region_name="us-east-1", aws_access_key_id="t",
                      aws_secret_access_key="t")
    s3.create_bucket(Bucket="e2e-rows")
    s3.put_object(Bucket="e2e-rows", Key="rows.csv", Body="id\n1\n2\n3\n")
    definition = {"StartAt": "Rows", "States": {"Rows": {
        "Type": "Map", "End": True, "MaxConcurrency": 1,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
                       "Parameters": {"Bucket": "e2e-rows", "Key": "rows.csv"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}}}}}
    sfn = sfn_client(stepyard_server)
    arn = sfn.create_state_machine(name="E2eMapRun", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    page.goto(stepyard_server + "/executions/")
    page.click("text=" + execution_arn.rsplit(":", 1)[1])
    page.click("#map-runs a")
    page.wait_for_selector("#map-run-status:text('RUNNING')")
    assert page.inner_text("#map-run-counts tr[data-status='total'] td:nth-child(2)") == "3"
    page.wait_for_selector("#map-run-children tbody tr[data-status='running']")
    page.wait_for_selector("#map-run-status:text('SUCCEEDED')", timeout=20000)
    assert page.inner_text("#map-run-counts tr[data-status='succeeded'] td:nth-child(2)") == "3"
    assert page.locator("#map-run-children tbody tr[data-status='succeeded']").count() == 3
    # Each child is an execution of its own: its page has its history and links back.
    page.click("#map-run-children tbody tr:first-child a")
    page.wait_for_selector("#map-run-parent")
    assert "WaitStateEntered" in page.content()
    page.click("#map-run-parent a:nth-child(2)")
    page.wait_for_selector("#map-runs")

    page.goto(stepyard_server + "/services/")
    assert "embedded (moto, in memory)" in page.inner_text("#service-table tr[data-service='s3']")
    assert "e2e-rows" in page.inner_text("#service-table tr[data-service='s3']")
