"""SQS actions through a real boto3 sqs client against a running Stepyard."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config


@pytest.fixture
def sqs(stepyard_server):
    return boto3.client(
        "sqs",
        endpoint_url=stepyard_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=40),
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def queue_url(sqs):
    return sqs.create_queue(QueueName=unique("api"))["QueueUrl"]


def test_it_creates_a_queue_with_an_sqs_style_url_and_arn(sqs):
    name = unique("Orders")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    assert url.startswith("http://") and url.endswith(f"/000000000000/{name}")
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert found["QueueArn"] == f"arn:aws:sqs:us-east-1:000000000000:{name}"
    assert found["VisibilityTimeout"] == "45"
    assert found["ApproximateNumberOfMessages"] == "0"
    assert int(found["CreatedTimestamp"]) <= time.time()


def test_it_returns_the_same_queue_for_the_same_attributes_and_refuses_different_ones(sqs):
    name = unique("Same")
    url = sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "5"})["QueueUrl"]
    assert sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "5"})["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueNameExists):
        sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "7"})


def test_it_raises_queue_does_not_exist_with_the_query_code(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as caught:
        sqs.get_queue_url(QueueName=unique("missing"))
    error = caught.value.response["Error"]
    assert error["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl="http://localhost/000000000000/nope-nope", MessageBody="x")


def test_it_rejects_bad_names_and_attributes_with_sqs_errors(sqs):
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.create_queue(QueueName="bad name!")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.create_queue(QueueName=unique("x"), Attributes={"Colour": "blue"})
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.create_queue(QueueName=unique("x"), Attributes={"VisibilityTimeout": "99999"})


def test_it_sends_and_receives_with_sqs_digests_and_system_attributes(sqs, queue_url):
    attributes = {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "weight": {"DataType": "Number", "StringValue": "12.5"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    sent = sqs.send_message(QueueUrl=queue_url, MessageBody="hello", MessageAttributes=attributes)
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    received = sqs.receive_message(
        QueueUrl=queue_url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert len(received) == 1
    message = received[0]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "hello"
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert int(message["Attributes"]["SentTimestamp"]) <= time.time() * 1000


def test_it_returns_only_the_message_attributes_asked_for(sqs, queue_url):
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="x",
        MessageAttributes={
            "order.id": {"DataType": "String", "StringValue": "1"},
            "other": {"DataType": "String", "StringValue": "2"},
        },
    )
    message = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["order.*"])["Messages"][0]
    assert list(message["MessageAttributes"]) == ["order.id"]


def test_it_hides_a_received_message_and_redelivers_it_with_a_new_handle(sqs, queue_url):
    sqs.send_message(QueueUrl=queue_url, MessageBody="again")
    first = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=1)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
    time.sleep(1.2)
    second = sqs.receive_message(QueueUrl=queue_url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
    second = second["Messages"][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=second["ReceiptHandle"])
    time.sleep(0.1)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=0)


def test_it_changes_visibility_and_reports_messages_not_in_flight(sqs, queue_url):
    sqs.send_message(QueueUrl=queue_url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=0)["Messages"][0]
    with pytest.raises(sqs.exceptions.MessageNotInflight):
        sqs.change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=10
        )


def test_it_rejects_a_malformed_receipt_handle(sqs, queue_url):
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle="not-a-handle")


def test_it_moves_a_poison_message_to_the_dead_letter_queue(sqs):
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    source = sqs.create_queue(QueueName=unique("src"), Attributes={"RedrivePolicy": policy})["QueueUrl"]
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    moved = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Attributes"]["DeadLetterQueueSourceArn"].endswith(source.rsplit("/", 1)[1])
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    reported = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    assert json.loads(reported["Attributes"]["RedrivePolicy"]) == json.loads(policy)


def test_it_keeps_fifo_group_order_and_drops_duplicates(sqs):
    url = sqs.create_queue(
        QueueName=unique("orders") + ".fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
    sqs.send_message(QueueUrl=url, MessageBody="a2", MessageGroupId="a")
    duplicate = sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a")
    assert duplicate["MessageId"] == first["MessageId"]
    sqs.send_message(QueueUrl=url, MessageBody="b1", MessageGroupId="b", MessageDeduplicationId="d-b1")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
    assert [m["Body"] for m in got] == ["a1"]
    # a2 waits while a1 is in flight; group b is free.
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])
    assert [m["Body"] for m in got["Messages"]] == ["b1"]
    assert got["Messages"][0]["Attributes"]["MessageGroupId"] == "b"
    assert int(first["SequenceNumber"]) < int(got["Messages"][0]["Attributes"]["SequenceNumber"])


def test_it_requires_a_group_id_on_fifo_queues(sqs):
    url = sqs.create_queue(QueueName=unique("f") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert caught.value.response["Error"]["Code"] == "MissingParameter"
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert "ContentBasedDeduplication" in caught.value.response["Error"]["Message"]


def test_it_sends_deletes_and_changes_visibility_in_batches(sqs, queue_url):
    sent = sqs.send_message_batch(
        QueueUrl=queue_url,
        Entries=[{"Id": "one", "MessageBody": "1"}, {"Id": "two", "MessageBody": "2", "DelaySeconds": 901}],
    )
    assert [e["Id"] for e in sent["Successful"]] == ["one"]
    assert sent["Failed"][0]["Id"] == "two" and sent["Failed"][0]["SenderFault"] is True
    handle = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["ReceiptHandle"]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=queue_url, Entries=[{"Id": "a", "ReceiptHandle": handle, "VisibilityTimeout": 60}]
    )
    assert [e["Id"] for e in changed["Successful"]] == ["a"]
    deleted = sqs.delete_message_batch(
        QueueUrl=queue_url,
        Entries=[{"Id": "a", "ReceiptHandle": handle}, {"Id": "b", "ReceiptHandle": "garbage"}],
    )
    assert [e["Id"] for e in deleted["Successful"]] == ["a"]
    assert deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"


def test_it_refuses_malformed_batches_as_sqs_does(sqs, queue_url):
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.send_message_batch(QueueUrl=queue_url, Entries=[])
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest):
        sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": f"e{i}", "MessageBody": "x"} for i in range(11)]
        )
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
        sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}]
        )
    with pytest.raises(sqs.exceptions.InvalidBatchEntryId):
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": "bad id!", "ReceiptHandle": "x"}])


def test_it_counts_available_in_flight_and_delayed_messages(sqs, queue_url):
    sqs.send_message(QueueUrl=queue_url, MessageBody="now")
    sqs.send_message(QueueUrl=queue_url, MessageBody="later", DelaySeconds=60)
    sqs.send_message(QueueUrl=queue_url, MessageBody="taken")
    sqs.receive_message(QueueUrl=queue_url)
    found = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert found["ApproximateNumberOfMessages"] == "1"
    assert found["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert found["ApproximateNumberOfMessagesDelayed"] == "1"
    sqs.purge_queue(QueueUrl=queue_url)
    found = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert found["Attributes"] == {"ApproximateNumberOfMessages": "0"}


def test_it_sets_attributes_and_tags(sqs, queue_url):
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"DelaySeconds": "3", "MaximumMessageSize": "2048"})
    found = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["DelaySeconds", "MaximumMessageSize"])
    assert found["Attributes"] == {"DelaySeconds": "3", "MaximumMessageSize": "2048"}
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 3000)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    sqs.tag_queue(QueueUrl=queue_url, Tags={"team": "orders", "env": "dev"})
    sqs.untag_queue(QueueUrl=queue_url, TagKeys=["env"])
    assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {"team": "orders"}


def test_it_creates_queues_with_tags(sqs):
    url = sqs.create_queue(QueueName=unique("tagged"), tags={"a": "1"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"a": "1"}


def test_it_lists_queues_by_prefix_in_pages(sqs):
    prefix = unique("list")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(3)]
    assert sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"] == urls
    page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert page["QueueUrls"] == urls[:2]
    rest = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=page["NextToken"])
    assert rest["QueueUrls"] == urls[2:] and "NextToken" not in rest


def test_it_deletes_a_queue(sqs, queue_url):
    sqs.delete_queue(QueueUrl=queue_url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=queue_url)


def test_a_long_poll_returns_as_soon_as_a_message_is_sent(sqs, queue_url):
    def send_later():
        time.sleep(0.5)
        sqs.send_message(QueueUrl=queue_url, MessageBody="late")

    sender = threading.Thread(target=send_later)
    started = time.monotonic()
    sender.start()
    got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)
    took = time.monotonic() - started
    sender.join()
    assert [m["Body"] for m in got["Messages"]] == ["late"]
    assert 0.4 < took < 3


def test_a_long_poll_without_messages_waits_its_time(sqs, queue_url):
    started = time.monotonic()
    got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
    assert "Messages" not in got
    assert time.monotonic() - started >= 0.9


def test_it_validates_receive_parameters(sqs, queue_url):
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=11)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(sqs.exceptions.ClientError) as caught:
        sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=21)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_it_never_answers_a_malformed_request_with_a_500(stepyard_server):
    import urllib.error
    import urllib.request

    bodies = [b"{", b"[]", b'{"QueueUrl": 5}', b'{"QueueName": {"a": 1}}', b'{"Entries": "x", "QueueUrl": "http://h/0/q"}']
    for action in ("CreateQueue", "SendMessage", "SendMessageBatch", "ReceiveMessage", "TagQueue"):
        for body in bodies:
            request = urllib.request.Request(
                stepyard_server + "/",
                data=body,
                headers={"X-Amz-Target": f"AmazonSQS.{action}", "Content-Type": "application/x-amz-json-1.0"},
            )
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:
                assert error.code == 400, (action, body, error.read())
