"""boto3's sns client against a live Stepyard: every action, filter policies, raw delivery,
delivery to queues, functions and HTTP endpoints, and the sns:publish Task integration."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

import boto3
import pytest
from botocore.config import Config

from tests.conftest import free_port, server_env, start_server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RECORDER = '''import json, pathlib

def handler(event, context):
    message = event["Records"][0]["Sns"]["MessageId"]
    pathlib.Path({folder!r}, message + ".json").write_text(json.dumps(event))
    return {{"ok": True}}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("sns-data")
    functions = data / "functions"
    functions.mkdir()
    received = data / "received"
    received.mkdir()
    (functions / "Recorder.py").write_text(RECORDER.format(folder=str(received)))
    process = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(functions)))
    process.received = received
    yield process
    process.stop()


def client(server, name: str):
    return boto3.client(name, endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def sns(server):
    return client(server, "sns")


@pytest.fixture
def sqs(server):
    return client(server, "sqs")


def new_queue(sqs, **attributes) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:10]}", Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def new_topic(sns, **kwargs) -> str:
    return sns.create_topic(Name=f"t-{uuid.uuid4().hex[:10]}", **kwargs)["TopicArn"]


def receive_all(sqs, url: str, expect: int, timeout: float = 10) -> list[dict]:
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(messages) < expect and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  MessageAttributeNames=["All"]).get("Messages", [])
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages += got
    return messages


def test_topics_can_be_created_listed_described_changed_and_deleted(sns):
    arn = new_topic(sns, Attributes={"DisplayName": "Orders"})
    assert arn.startswith("arn:aws:sns:us-east-1:000000000000:t-")
    assert sns.create_topic(Name=arn.rsplit(":", 1)[1], Attributes={"DisplayName": "Orders"})["TopicArn"] == arn
    assert {"TopicArn": arn} in sns.list_topics()["Topics"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Renamed")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Renamed" and attributes["TopicArn"] == arn
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_topic_attributes(TopicArn=arn)


def test_creating_a_topic_again_with_other_attributes_is_refused(sns):
    arn = new_topic(sns, Attributes={"DisplayName": "A"})
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name=arn.rsplit(":", 1)[1], Attributes={"DisplayName": "B"})


def test_fifo_topics_need_the_suffix_and_a_group_id(sns):
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="no-suffix", Attributes={"FifoTopic": "true"})
    arn = sns.create_topic(Name=f"f-{uuid.uuid4().hex[:8]}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException) as raised:
        sns.publish(TopicArn=arn, Message="x")
    assert "MessageGroupId parameter is required for FIFO topics" in str(raised.value)
    published = sns.publish(TopicArn=arn, Message="x", MessageGroupId="g", MessageDeduplicationId="d")
    assert published["SequenceNumber"].isdigit()


def fifo_topic_and_queue(sns, sqs, queue_attributes: dict | None = None, **topic_attributes) -> tuple[str, str]:
    topic = sns.create_topic(Name=f"f-{uuid.uuid4().hex[:8]}.fifo",
                             Attributes={"FifoTopic": "true", **topic_attributes})["TopicArn"]
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}.fifo",
                           Attributes={"FifoQueue": "true", **(queue_attributes or {})})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    return topic, url


def test_a_fifo_topic_delivers_a_deduplication_id_once_within_five_minutes(sns, sqs):
    topic, url = fifo_topic_and_queue(sns, sqs)
    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g", MessageDeduplicationId="d1")
    again = sns.publish(TopicArn=topic, Message="one again", MessageGroupId="g", MessageDeduplicationId="d1")
    other = sns.publish(TopicArn=topic, Message="two", MessageGroupId="g", MessageDeduplicationId="d2")
    # The duplicate is accepted and answered as the first was, but delivered to nobody.
    assert (again["MessageId"], again["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"])
    assert other["MessageId"] != first["MessageId"]
    assert [m["Body"] for m in receive_all(sqs, url, expect=3, timeout=3)] == ["one", "two"]


def test_content_based_deduplication_on_a_fifo_topic_uses_the_message_body(sns, sqs):
    topic, url = fifo_topic_and_queue(sns, sqs, ContentBasedDeduplication="true")
    for body in ("same", "same", "different"):
        sns.publish(TopicArn=topic, Message=body, MessageGroupId="g")
    assert [m["Body"] for m in receive_all(sqs, url, expect=3, timeout=3)] == ["same", "different"]


def test_with_message_group_scope_the_same_deduplication_id_counts_per_group(sns, sqs):
    # The queue deduplicates per group too, or it would drop what the topic let through.
    topic, url = fifo_topic_and_queue(sns, sqs, {"DeduplicationScope": "messageGroup"},
                                      FifoThroughputScope="MessageGroup")
    for group in ("a", "b", "a"):
        sns.publish(TopicArn=topic, Message=group, MessageGroupId=group, MessageDeduplicationId="same")
    assert sorted(m["Body"] for m in receive_all(sqs, url, expect=3, timeout=3)) == ["a", "b"]


def test_subscriptions_are_listed_described_changed_and_removed(sns, sqs):
    topic = new_topic(sns)
    _, queue_arn = new_queue(sqs)
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == subscription
    by_topic = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in by_topic] == [subscription]
    assert subscription in [s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]]
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="FilterPolicy",
                                    AttributeValue='{"kind": ["a"]}')
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
    assert attributes["FilterPolicy"] == '{"kind": ["a"]}'
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    assert attributes["Endpoint"] == queue_arn and attributes["Protocol"] == "sqs"
    sns.unsubscribe(SubscriptionArn=subscription)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=subscription)


def test_bad_filter_policies_and_protocols_are_refused(sns, sqs):
    topic = new_topic(sns)
    _, queue_arn = new_queue(sqs)
    with pytest.raises(sns.exceptions.InvalidParameterException) as raised:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"FilterPolicy": "{nope"})
    assert "FilterPolicy" in str(raised.value)
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.subscribe(TopicArn=topic + "-gone", Protocol="sqs", Endpoint=queue_arn)


def test_tags_are_added_listed_and_removed(sns):
    topic = new_topic(sns, Tags=[{"Key": "team", "Value": "a"}])
    sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "env", "Value": "dev"}])
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=topic)["Tags"]}
    assert tags == {"team": "a", "env": "dev"}
    sns.untag_resource(ResourceArn=topic, TagKeys=["team"])
    assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(sns.exceptions.ResourceNotFoundException):
        sns.list_tags_for_resource(ResourceArn=topic + "-gone")


def test_a_queue_receives_the_sns_envelope(sns, sqs):
    topic = new_topic(sns)
    url, queue_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="Greeting",
                             MessageAttributes={"kind": {"DataType": "String", "StringValue": "a"}})["MessageId"]
    [message] = receive_all(sqs, url, 1)
    envelope = json.loads(message["Body"])
    assert envelope["Type"] == "Notification" and envelope["MessageId"] == message_id
    assert (envelope["TopicArn"], envelope["Subject"], envelope["Message"]) == (topic, "Greeting", "hello")
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "a"}}
    for field in ("Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"):
        assert envelope[field]


def test_raw_delivery_sends_the_message_and_its_attributes(sns, sqs):
    topic = new_topic(sns)
    url, queue_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message='{"order": 1}',
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "a"}})
    [message] = receive_all(sqs, url, 1)
    assert message["Body"] == '{"order": 1}'
    assert message["MessageAttributes"]["kind"]["StringValue"] == "a"


def test_filter_policies_decide_which_queues_get_a_message(sns, sqs):
    topic = new_topic(sns)
    paid_url, paid_arn = new_queue(sqs)
    big_url, big_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=paid_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
        "FilterPolicy": json.dumps({"order": {"status": ["paid"]}})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=big_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps({"total": [{"numeric": [">=", 100]}]})})
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"status": "paid"}}),
                MessageAttributes={"total": {"DataType": "Number", "StringValue": "150"}})
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"status": "open"}}),
                MessageAttributes={"total": {"DataType": "Number", "StringValue": "5"}})
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"status": "paid"}}))
    paid = receive_all(sqs, paid_url, 2)
    big = receive_all(sqs, big_url, 1)
    assert sorted(m["Body"] for m in paid) == [json.dumps({"order": {"status": "paid"}})] * 2
    assert [m["Body"] for m in big] == [json.dumps({"order": {"status": "paid"}})]
    assert receive_all(sqs, big_url, 1, timeout=1.5) == []


def test_message_structure_json_sends_each_protocol_its_message(sns, sqs):
    topic = new_topic(sns)
    url, queue_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": "for queues"}))
    assert [m["Body"] for m in receive_all(sqs, url, 1)] == ["for queues"]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "no default"}))


def test_publish_batch_reports_each_entry(sns, sqs):
    topic = new_topic(sns)
    url, queue_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "one", "Message": "1"}, {"Id": "two", "Message": "2"}, {"Id": "bad", "Message": ""}])
    assert sorted(e["Id"] for e in answer["Successful"]) == ["one", "two"]
    assert [(e["Id"], e["Code"]) for e in answer["Failed"]] == [("bad", "InvalidParameter")]
    assert sorted(m["Body"] for m in receive_all(sqs, url, 2)) == ["1", "2"]
    with pytest.raises(sns.exceptions.BatchEntryIdsNotDistinctException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "1"},
                                                                      {"Id": "a", "Message": "2"}])


def test_a_function_receives_the_sns_records_event(server, sns):
    topic = new_topic(sns)
    function_arn = "arn:aws:lambda:us-east-1:000000000000:function:Recorder"
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)["SubscriptionArn"]
    message_id = sns.publish(TopicArn=topic, Message="to a function", Subject="S")["MessageId"]
    path = server.received / f"{message_id}.json"
    deadline = time.monotonic() + 15
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    [record] = json.loads(path.read_text())["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventSubscriptionArn"] == subscription
    assert record["Sns"]["Message"] == "to a function" and record["Sns"]["Subject"] == "S"
    assert record["Sns"]["TopicArn"] == topic and record["Sns"]["MessageAttributes"] == {}


def test_an_http_endpoint_on_this_machine_receives_the_envelope(sns):
    received: list[tuple[dict, bytes]] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            headers = {k.lower(): v for k, v in self.headers.items()}
            received.append((headers, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            return

    http = HTTPServer(("127.0.0.1", free_port()), Endpoint)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        topic = new_topic(sns)
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{http.server_port}/hook")
        message_id = sns.publish(TopicArn=topic, Message="over http")["MessageId"]
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        http.shutdown()
    headers, body = received[0]
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert json.loads(body)["MessageId"] == message_id and json.loads(body)["Message"] == "over http"


# --------------------------------------------------------------------------- sns:publish in executions


def run_machine(server, definition: dict, input: dict, timeout: float = 20) -> dict:
    sfn = client(server, "stepfunctions")
    machine = sfn.create_state_machine(name=f"m-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::000000000000:role/x")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(input))["executionArn"]
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.1)


PUBLISH = {"StartAt": "Publish", "States": {"Publish": {
    "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
    "Parameters": {"TopicArn.$": "$.TopicArn", "Message.$": "$.Message",
                   "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "task"}}},
    "End": True}}}


def test_the_sns_publish_task_publishes_and_answers_like_aws(server, sns, sqs):
    topic = new_topic(sns)
    url, queue_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    described = run_machine(server, PUBLISH, {"TopicArn": topic, "Message": {"hello": "world"}})
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert set(output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "text/xml"
    assert output["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"] == "294"
    [message] = receive_all(sqs, url, 1)
    assert message["Body"] == '{"hello":"world"}'
    assert message["MessageAttributes"]["kind"]["StringValue"] == "task"


def test_the_sns_publish_task_fails_with_the_sdk_error_for_a_missing_topic(server, sns):
    topic = new_topic(sns)
    sns.delete_topic(TopicArn=topic)
    described = run_machine(server, PUBLISH, {"TopicArn": topic, "Message": "x"})
    assert described["status"] == "FAILED"
    assert described["error"] == "SNS.NotFoundException"
    assert described["cause"].startswith("Topic does not exist (Service: AmazonSNS; Status Code: 404; "
                                         "Error Code: NotFound; Request ID: ")


def test_the_wait_for_task_token_form_waits_for_a_subscriber_to_answer(server, sns, sqs):
    topic = new_topic(sns)
    url, queue_arn = new_queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {"TopicArn": topic, "Message": {"TaskToken.$": "$$.Task.Token"}}, "End": True}}}
    sfn = client(server, "stepfunctions")

    def answer():
        [message] = receive_all(sqs, url, 1)
        token = json.loads(json.loads(message["Body"])["Message"])["TaskToken"]
        sfn.send_task_success(taskToken=token, output='{"answered": true}')

    worker = threading.Thread(target=answer)
    worker.start()
    described = run_machine(server, definition, {})
    worker.join()
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"answered": True}


# --------------------------------------------------------------------------- FIFO rules and missing topics


MISSING_TOPIC = "arn:aws:sns:us-east-1:000000000000:never-created"
NO_DEDUPLICATION = ("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly")
NO_GROUP = "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"


def fifo_topic(sns, content_based: bool) -> str:
    return sns.create_topic(Name=f"f-{uuid.uuid4().hex[:8]}.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": str(content_based).lower()})["TopicArn"]


def test_publishing_to_a_topic_that_never_existed_is_not_found(sns):
    with pytest.raises(sns.exceptions.NotFoundException) as raised:
        sns.publish(TopicArn=MISSING_TOPIC, Message="x")
    assert raised.value.response["Error"]["Message"] == "Topic does not exist"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_fifo_topic_without_content_based_deduplication_needs_a_deduplication_id(sns):
    topic = fifo_topic(sns, content_based=False)
    with pytest.raises(sns.exceptions.InvalidParameterException) as raised:
        sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")
    assert raised.value.response["Error"]["Message"] == NO_DEDUPLICATION
    assert sns.publish(TopicArn=topic, Message="x", MessageGroupId="g", MessageDeduplicationId="d")["SequenceNumber"]


def test_a_fifo_topic_with_content_based_deduplication_needs_only_a_group(sns):
    topic = fifo_topic(sns, content_based=True)
    with pytest.raises(sns.exceptions.InvalidParameterException) as raised:
        sns.publish(TopicArn=topic, Message="x")
    assert raised.value.response["Error"]["Message"] == NO_GROUP
    first = sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
    again = sns.publish(TopicArn=topic, Message="same body", MessageGroupId="g")
    assert (again["MessageId"], again["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"])


def test_a_standard_topic_refuses_a_deduplication_id(sns):
    with pytest.raises(sns.exceptions.InvalidParameterException) as raised:
        sns.publish(TopicArn=new_topic(sns), Message="x", MessageDeduplicationId="d")
    assert "MessageDeduplicationId" in raised.value.response["Error"]["Message"]


FIFO_PUBLISH = {"StartAt": "Publish", "States": {"Publish": {
    "Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {
        "TopicArn.$": "$.TopicArn", "Message": "hello", "MessageGroupId.$": "$.Group"}, "End": True}}}


def sdk_cause(described: dict, message: str, status: int, code: str) -> bool:
    return described["cause"].startswith(f"{message} (Service: AmazonSNS; Status Code: {status}; "
                                         f"Error Code: {code}; Request ID: ") and described["cause"].endswith(
        "; Proxy: null)")


def test_the_publish_task_to_a_topic_that_never_existed_fails_with_not_found(server):
    described = run_machine(server, PUBLISH, {"TopicArn": MISSING_TOPIC, "Message": "x"})
    assert (described["status"], described["error"]) == ("FAILED", "SNS.NotFoundException")
    assert sdk_cause(described, "Topic does not exist", 404, "NotFound")


def test_the_publish_task_follows_the_fifo_rules_of_sns(server, sns):
    strict, lenient = fifo_topic(sns, content_based=False), fifo_topic(sns, content_based=True)
    no_group = run_machine(server, PUBLISH, {"TopicArn": lenient, "Message": "x"})
    assert (no_group["status"], no_group["error"]) == ("FAILED", "SNS.InvalidParameterException")
    assert sdk_cause(no_group, NO_GROUP, 400, "InvalidParameter")
    no_id = run_machine(server, FIFO_PUBLISH, {"TopicArn": strict, "Group": "g"})
    assert (no_id["status"], no_id["error"]) == ("FAILED", "SNS.InvalidParameterException")
    assert sdk_cause(no_id, NO_DEDUPLICATION, 400, "InvalidParameter")
    published = run_machine(server, FIFO_PUBLISH, {"TopicArn": lenient, "Group": "g"})
    assert published["status"] == "SUCCEEDED"
    assert json.loads(published["output"])["SequenceNumber"].isdigit()
