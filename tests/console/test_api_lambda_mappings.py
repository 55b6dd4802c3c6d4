"""Lambda's event source mappings through boto3 against a live server: they are the
console's event sources (both ways) and their pollers feed the function."""

from __future__ import annotations

import io
import json
import re
import time
import urllib.parse
import urllib.request
import zipfile
from http.cookiejar import CookieJar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/lambda-test"
# Records each batch's bodies on the Seen queue, and reports the body "bad" as failed.
RECORDER = """import json, os
import boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="Seen")["QueueUrl"]
    bodies = [r["body"] for r in event["Records"]]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(bodies))
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                  if r["body"] == "bad"]}
"""


def client(url: str, name: str):
    return boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def lam(stepyard_server):
    return client(stepyard_server, "lambda")


@pytest.fixture(scope="module")
def sqs(stepyard_server):
    return client(stepyard_server, "sqs")


def zipped(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", text)
    return buffer.getvalue()


def make_function(lam, name: str, code: str = "def handler(event, context):\n    return {}\n") -> str:
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                               Code={"ZipFile": zipped(code)}, Timeout=30)["FunctionArn"]


def make_queue(sqs, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def error_code(call, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_mapping_is_created_read_listed_updated_and_deleted(lam, sqs):
    make_function(lam, "MapTarget")
    _, arn = make_queue(sqs, "MapSource")
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="MapTarget", BatchSize=5,
                                              Enabled=False, FunctionResponseTypes=["ReportBatchItemFailures"])
    uuid = created["UUID"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (created["EventSourceArn"], created["BatchSize"], created["State"]) == (arn, 5, "Disabled")
    assert created["FunctionArn"].endswith(":function:MapTarget")
    assert created["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert lam.get_event_source_mapping(UUID=uuid)["UUID"] == uuid
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName="MapTarget")["EventSourceMappings"]] == [
        uuid]
    assert [m["UUID"] for m in lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]] == [uuid]
    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=50, MaximumBatchingWindowInSeconds=2,
                                              Enabled=True, FunctionResponseTypes=[])
    assert (updated["BatchSize"], updated["MaximumBatchingWindowInSeconds"], updated["State"]) == (50, 2, "Enabled")
    assert updated["FunctionResponseTypes"] == []
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    assert error_code(lam.get_event_source_mapping, UUID=uuid) == ("ResourceNotFoundException", 404)


def test_mapping_errors_are_lambdas(lam, sqs):
    make_function(lam, "MapErrors")
    _, arn = make_queue(sqs, "MapErrorsQueue")
    missing_queue = arn.replace("MapErrorsQueue", "NoSuchQueue")
    assert error_code(lam.create_event_source_mapping, EventSourceArn=missing_queue,
                      FunctionName="MapErrors")[0] == "InvalidParameterValueException"
    assert error_code(lam.create_event_source_mapping, EventSourceArn=arn,
                      FunctionName="NoSuchFunction")[0] == "ResourceNotFoundException"
    assert error_code(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName="MapErrors",
                      BatchSize=100)[0] == "InvalidParameterValueException"
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="MapErrors")["UUID"]
    assert error_code(lam.create_event_source_mapping, EventSourceArn=arn,
                      FunctionName="MapErrors") == ("ResourceConflictException", 409)
    assert error_code(lam.update_event_source_mapping, UUID="00000000-0000-0000-0000-000000000000",
                      BatchSize=2)[0] == "ResourceNotFoundException"
    lam.delete_event_source_mapping(UUID=uuid)


def test_a_mapping_feeds_the_function_and_keeps_reported_failures(lam, sqs):
    seen_url, _ = make_queue(sqs, "Seen")
    dlq_url, dlq_arn = make_queue(sqs, "OrdersDlq")
    # Long enough for a loaded machine's first batch (a new worker imports boto3), so that
    # only the reported message comes back, once, and moves to the dead-letter queue.
    url, arn = make_queue(sqs, "Orders", VisibilityTimeout="5",
                          RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}))
    make_function(lam, "OrderWorker", RECORDER)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="OrderWorker", BatchSize=10,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    for body in ("one", "bad", "two"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    seen: list[str] = []
    moved: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (len(seen) >= 3 and moved):
        for message in sqs.receive_message(QueueUrl=seen_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
            seen += json.loads(message["Body"])
            sqs.delete_message(QueueUrl=seen_url, ReceiptHandle=message["ReceiptHandle"])
        moved += [m["Body"] for m in sqs.receive_message(QueueUrl=dlq_url).get("Messages", [])]
    assert {"one", "two", "bad"} <= set(seen)
    assert moved == ["bad"]


def console_page(url: str, opener) -> str:
    return opener.open(f"{url}/event-sources/").read().decode()


def test_mappings_and_console_event_sources_are_the_same_list(lam, sqs, stepyard_server):
    make_function(lam, "Shared")
    _, arn = make_queue(sqs, "SharedQueue")
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="Shared", Enabled=False)["UUID"]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = console_page(stepyard_server, opener)
    assert f'data-uuid="{uuid}"' in page
    # Made in the console: it is a mapping too.
    _, other_arn = make_queue(sqs, "ConsoleQueue")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "queue": "ConsoleQueue",
                                   "target": "function:Shared", "batch_size": "3"}).encode()
    opener.open(urllib.request.Request(f"{stepyard_server}/event-sources/", data=body,
                                       headers={"Referer": f"{stepyard_server}/event-sources/"}))
    mappings = lam.list_event_source_mappings(EventSourceArn=other_arn)["EventSourceMappings"]
    assert [(m["BatchSize"], m["FunctionArn"].rsplit(":", 1)[-1]) for m in mappings] == [(3, "Shared")]
    lam.delete_event_source_mapping(UUID=uuid)
    assert f'data-uuid="{uuid}"' not in console_page(stepyard_server, opener)


def test_a_batching_window_gathers_messages_sent_apart_into_one_batch(lam, sqs):
    seen_url, _ = make_queue(sqs, "SeenBatches")
    url, arn = make_queue(sqs, "Gathered")
    make_function(lam, "Gatherer", RECORDER.replace('QueueName="Seen"', 'QueueName="SeenBatches"'))
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="Gatherer", BatchSize=10,
                                    MaximumBatchingWindowInSeconds=3)
    sqs.send_message(QueueUrl=url, MessageBody="first")
    time.sleep(1)
    sqs.send_message(QueueUrl=url, MessageBody="second")
    batches: list[list[str]] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sum(map(len, batches)) < 2:
        for message in sqs.receive_message(QueueUrl=seen_url, WaitTimeSeconds=1).get("Messages", []):
            batches.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=seen_url, ReceiptHandle=message["ReceiptHandle"])
    assert batches == [["first", "second"]]
