"""The non-hosted services on Stepyard's own port: boto3 clients for DynamoDB, S3, EventBridge, Secrets
Manager, SSM, KMS and STS against a live server (embedded moto), the same calls and a state machine
forwarded to a separate moto server, and an upstream that is down or slow."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import ROOT, finished, free_port, server_env, start_server

ORDER_MACHINE = {
    "StartAt": "Put",
    "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None, "Next": "Get",
                "Parameters": {"TableName.$": "$.table", "Item": {"id": {"S.$": "$.id"}, "total": {"N": "42"}}}},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "ResultSelector": {"item.$": "$.Item"},
                "Parameters": {"TableName.$": "$.table", "Key": {"id": {"S.$": "$.id"}}}, "End": True},
    },
}


def aws(service: str, url: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}, read_timeout=20))


def run_order(url: str, table: str) -> dict:
    sfn = aws("stepfunctions", url)
    arn = sfn.create_state_machine(name=f"orders-{uuid.uuid4().hex[:6]}", definition=json.dumps(ORDER_MACHINE),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"table": table, "id": "o-1"}))
    return finished(sfn, started["executionArn"])


def create_table(ddb, name: str) -> None:
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")


@pytest.fixture(scope="module")
def moto_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def forwarding_server(tmp_path_factory, moto_server):
    server = start_server(server_env(tmp_path_factory.mktemp("forwarding"), STEPYARD_UPSTREAM_URL=moto_server))
    try:
        yield server.url
    finally:
        server.stop()


class _Slow(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        time.sleep(5)
        self.send_response(200)
        self.end_headers()

    do_GET = do_PUT = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def broken_upstreams(tmp_path_factory):
    slow = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    env = server_env(tmp_path_factory.mktemp("broken"), STEPYARD_UPSTREAM_DYNAMODB=f"http://127.0.0.1:{free_port()}",
                     STEPYARD_UPSTREAM_S3=f"http://127.0.0.1:{slow.server_address[1]}", STEPYARD_UPSTREAM_TIMEOUT_S="1")
    server = start_server(env)
    try:
        yield server.url
    finally:
        server.stop()
        slow.shutdown()


def test_each_non_hosted_service_answers_on_stepyards_port(stepyard_server):
    url = stepyard_server
    create_table(aws("dynamodb", url), "gw-orders")
    aws("dynamodb", url).put_item(TableName="gw-orders", Item={"id": {"S": "1"}})
    assert aws("dynamodb", url).get_item(TableName="gw-orders", Key={"id": {"S": "1"}})["Item"] == {"id": {"S": "1"}}
    s3 = aws("s3", url)
    s3.create_bucket(Bucket="gw-bucket")
    s3.put_object(Bucket="gw-bucket", Key="dir/a b.txt", Body=b"hello")
    assert s3.get_object(Bucket="gw-bucket", Key="dir/a b.txt")["Body"].read() == b"hello"
    assert s3.head_object(Bucket="gw-bucket", Key="dir/a b.txt")["ContentLength"] == 5
    presigned = s3.generate_presigned_url("get_object", Params={"Bucket": "gw-bucket", "Key": "dir/a b.txt"})
    assert urllib.request.urlopen(presigned).read() == b"hello"
    entries = [{"Source": "s", "DetailType": "d", "Detail": "{}"}]
    assert aws("events", url).put_events(Entries=entries)["FailedEntryCount"] == 0
    aws("secretsmanager", url).create_secret(Name="gw-secret", SecretString="v")
    assert aws("secretsmanager", url).get_secret_value(SecretId="gw-secret")["SecretString"] == "v"
    aws("ssm", url).put_parameter(Name="/gw", Value="p", Type="String")
    assert aws("ssm", url).get_parameter(Name="/gw")["Parameter"]["Value"] == "p"
    kms = aws("kms", url)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"])["Plaintext"] == b"x"
    assert aws("sts", url).get_caller_identity()["Account"] == "000000000000"


def test_service_errors_keep_their_aws_names_and_a_4xx(stepyard_server):
    with pytest.raises(ClientError) as missing:
        aws("s3", stepyard_server).get_object(Bucket="no-such-bucket-gw", Key="k")
    assert missing.value.response["Error"]["Code"] == "NoSuchBucket"
    with pytest.raises(ClientError) as invalid:
        aws("dynamodb", stepyard_server).put_item(TableName="gw-none", Item={})
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert invalid.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    request = urllib.request.Request(stepyard_server, data=b"{not json", method="POST", headers={
        "X-Amz-Target": "DynamoDB_20120810.PutItem", "Content-Type": "application/x-amz-json-1.0"})
    with pytest.raises(urllib.error.HTTPError) as malformed:
        urllib.request.urlopen(request)
    assert malformed.value.code == 400 and json.loads(malformed.value.read())["__type"] == "SerializationException"


def test_the_hosted_services_still_answer_themselves(stepyard_server):
    assert "stateMachines" in aws("stepfunctions", stepyard_server).list_state_machines()
    assert aws("sqs", stepyard_server).create_queue(QueueName="gw-q")["QueueUrl"].endswith("/gw-q")
    assert aws("sns", stepyard_server).create_topic(Name="gw-t")["TopicArn"].endswith(":gw-t")


def test_a_state_machine_reads_back_what_it_wrote_to_the_embedded_dynamodb(stepyard_server):
    create_table(aws("dynamodb", stepyard_server), "gw-sm-orders")
    execution = run_order(stepyard_server, "gw-sm-orders")
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"item": {"id": {"S": "o-1"}, "total": {"N": "42"}}}


def test_calls_and_integrations_are_forwarded_to_the_upstream(forwarding_server, moto_server):
    create_table(aws("dynamodb", forwarding_server), "fw-orders")
    assert "fw-orders" in aws("dynamodb", moto_server).list_tables()["TableNames"]  # it went to the upstream
    execution = run_order(forwarding_server, "fw-orders")
    assert execution["status"] == "SUCCEEDED"
    stored = aws("dynamodb", moto_server).get_item(TableName="fw-orders", Key={"id": {"S": "o-1"}})
    assert stored["Item"]["total"] == {"N": "42"}
    aws("s3", forwarding_server).create_bucket(Bucket="fw-bucket")
    aws("s3", forwarding_server).put_object(Bucket="fw-bucket", Key="k", Body=b"via stepyard")
    assert aws("s3", moto_server).get_object(Bucket="fw-bucket", Key="k")["Body"].read() == b"via stepyard"


def test_an_upstream_that_is_down_answers_502_and_fails_the_task_with_an_sdk_client_exception(broken_upstreams):
    with pytest.raises(ClientError) as down:
        aws("dynamodb", broken_upstreams).list_tables()
    assert down.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    started = time.monotonic()
    execution = run_order(broken_upstreams, "any")
    assert execution["status"] == "FAILED" and execution["error"] == "DynamoDB.SdkClientException"
    assert "Unable to execute HTTP request" in execution["cause"] and time.monotonic() - started < 20


def test_a_slow_upstream_is_cut_off_after_the_timeout(broken_upstreams):
    with pytest.raises(ClientError) as slow:
        aws("s3", broken_upstreams).list_buckets()
    assert slow.value.response["ResponseMetadata"]["HTTPStatusCode"] == 504
    sfn = aws("stepfunctions", broken_upstreams)
    definition = {"StartAt": "G", "States": {"G": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                                                   "Parameters": {"Bucket": "b-slow", "Key": "k"}, "End": True}}}
    arn = sfn.create_state_machine(name="slow", definition=json.dumps(definition),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    execution = finished(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert (execution["status"], execution["error"]) == ("FAILED", "S3.SdkClientException")


def order_flow(bucket: str) -> dict:
    """Write an order, read it back, announce it, then process 10,000 CSV rows from S3."""
    return {"StartAt": "PutOrder", "States": {
        "PutOrder": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
                     "Parameters": {"TableName.$": "$.table", "Item": {"id": {"S.$": "$.id"}, "total": {"N": "42"}}},
                     "Next": "GetOrder"},
        "GetOrder": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "ResultPath": "$.order",
                     "ResultSelector": {"total.$": "$.Item.total.N"},
                     "Parameters": {"TableName.$": "$.table", "Key": {"id": {"S.$": "$.id"}}}, "Next": "Announce"},
        "Announce": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "ResultPath": "$.event",
                     "Parameters": {"Entries": [{"Source": "shop", "DetailType": "OrderStored",
                                                 "Detail": {"total.$": "$.order.total"}}]}, "Next": "Rows"},
        "Rows": {"Type": "Map", "End": True, "ResultPath": "$.rows",
                 "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                                "Parameters": {"Bucket": bucket, "Key": "rows.csv"}},
                 "ItemBatcher": {"MaxItemsPerBatch": 500},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                   "StartAt": "Count", "States": {"Count": {
                                       "Type": "Pass", "Parameters": {"count.$": "States.ArrayLength($.Items)"},
                                       "End": True}}},
                 "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                                  "Parameters": {"Bucket": bucket, "Prefix": "results"}}},
    }}


@pytest.mark.parametrize("where", ["stepyard_server", "forwarding_server"])
def test_an_order_workflow_with_dynamodb_eventbridge_and_a_10000_row_distributed_map(where, request):
    url = request.getfixturevalue(where)
    suffix = uuid.uuid4().hex[:6]
    create_table(aws("dynamodb", url), f"orders-{suffix}")
    s3 = aws("s3", url)
    s3.create_bucket(Bucket=f"rows-{suffix}")
    s3.put_object(Bucket=f"rows-{suffix}", Key="rows.csv", Body="id,qty\n" + "".join(f"{i},1\n" for i in range(10_000)))
    sfn = aws("stepfunctions", url)
    arn = sfn.create_state_machine(name=f"flow-{suffix}", definition=json.dumps(order_flow(f"rows-{suffix}")),
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"table": f"orders-{suffix}", "id": "o-9"}))
    execution = finished(sfn, started["executionArn"], timeout=120)
    assert execution["status"] == "SUCCEEDED", execution.get("cause")
    output = json.loads(execution["output"])
    assert output["order"] == {"total": "42"} and output["event"]["FailedEntryCount"] == 0
    details = output["rows"]["ResultWriterDetails"]
    manifest = json.loads(s3.get_object(Bucket=details["Bucket"], Key=details["Key"])["Body"].read())
    [succeeded] = manifest["ResultFiles"]["SUCCEEDED"]
    results = json.loads(s3.get_object(Bucket=details["Bucket"], Key=succeeded["Key"])["Body"].read())
    assert len(results) == 20 and sum(json.loads(r["Output"])["count"] for r in results) == 10_000


def test_a_50_mb_object_fails_an_item_reader_and_an_sdk_get_object_clearly(stepyard_server):
    s3 = aws("s3", stepyard_server)
    s3.create_bucket(Bucket="big-objects")
    s3.put_object(Bucket="big-objects", Key="big.json", Body=b"[" + b"1," * (25 * 1024 * 1024) + b"1]")
    sfn = aws("stepfunctions", stepyard_server)
    reader = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "big-objects", "Key": "big.json"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
    get = {"StartAt": "G", "States": {"G": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                                            "Parameters": {"Bucket": "big-objects", "Key": "big.json"}, "End": True}}}
    outcomes = []
    for name, definition in (("big-reader", reader), ("big-get", get)):
        arn = sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
        outcomes.append(finished(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"], timeout=60))
    assert outcomes[0]["error"] == "States.ItemReaderFailed" and "52428803 bytes" in outcomes[0]["cause"]
    assert outcomes[1]["error"] == "States.DataLimitExceeded"
