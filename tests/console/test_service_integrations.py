"""dynamodb:*, events:putEvents and aws-sdk tasks for DynamoDB, S3, Secrets Manager, SSM, KMS and STS,
in real executions against the embedded moto: AWS's result shapes and error names."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from console.upstream.clients import client
from tests.console.test_functions_integrations import run, task

pytestmark = pytest.mark.django_db
SDK = "arn:aws:states:::aws-sdk:"
DDB = "arn:aws:states:::dynamodb:"
JAVA1_CAUSE = r"\(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: {code}; Request ID: [-\w]+; Proxy: null\)"


def table() -> str:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    client("dynamodb").create_table(
        TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    return name


def bucket() -> str:
    name = f"bucket-{uuid.uuid4().hex[:8]}"
    client("s3").create_bucket(Bucket=name)
    return name


def test_put_then_get_item_answers_with_dynamodbs_item_and_sdk_metadata():
    name = table()
    item = {"id": {"S": "o-1"}, "total": {"N": "12"}}
    states = {
        "Put": {"Type": "Task", "Resource": DDB + "putItem", "Parameters": {"TableName": name, "Item": item},
                "ResultPath": "$.put", "Next": "Get"},
        "Get": {"Type": "Task", "Resource": DDB + "getItem", "ResultPath": "$.get", "End": True,
                "Parameters": {"TableName": name, "Key": {"id": {"S": "o-1"}}}},
    }
    execution = run(states, "Put")
    output = json.loads(execution.output)
    assert execution.status == "SUCCEEDED"
    assert output["get"]["Item"] == item
    put_headers = output["put"]["SdkHttpMetadata"]["HttpHeaders"]
    assert put_headers["Content-Length"] == "2" and "x-amzn-RequestId" in put_headers
    get_headers = output["get"]["SdkHttpMetadata"]["HttpHeaders"]
    assert "x-amzn-requestid" in get_headers  # GetItem's header is lower case at DynamoDB
    assert int(get_headers["Content-Length"]) == len(json.dumps({"Item": item}, separators=(",", ":")))


def test_update_item_returns_only_what_was_asked_and_delete_removes_it():
    name = table()
    client("dynamodb").put_item(TableName=name, Item={"id": {"S": "o-2"}, "state": {"S": "new"}})
    key = {"id": {"S": "o-2"}}
    states = {
        "Update": {"Type": "Task", "Resource": DDB + "updateItem", "ResultPath": "$.update", "Next": "Delete",
                   "Parameters": {"TableName": name, "Key": key, "UpdateExpression": "SET #s = :s",
                                  "ExpressionAttributeNames": {"#s": "state"},
                                  "ExpressionAttributeValues": {":s": {"S": "paid"}}, "ReturnValues": "UPDATED_NEW"}},
        "Delete": {"Type": "Task", "Resource": DDB + "deleteItem", "ResultPath": "$.delete", "End": True,
                   "Parameters": {"TableName": name, "Key": key}},
    }
    output = json.loads(run(states, "Update").output)
    assert output["update"]["Attributes"] == {"state": {"S": "paid"}}
    assert "ConsumedCapacity" not in output["update"]  # DynamoDB reports it only when asked
    assert "Item" not in client("dynamodb").get_item(TableName=name, Key=key)


def test_a_missing_table_fails_with_the_java_sdks_resource_not_found():
    execution = run(task(DDB + "putItem", {"TableName": "no-such-table", "Item": {"id": {"S": "1"}}}), "T")
    assert (execution.status, execution.error) == ("FAILED", "DynamoDB.ResourceNotFoundException")
    expected = re.escape("Requested resource not found ") + JAVA1_CAUSE.format(code="ResourceNotFoundException")
    assert re.fullmatch(expected, execution.cause)


def test_a_null_item_fails_with_dynamodbs_validation_message():
    execution = run(task(DDB + "putItem", {"TableName": "t", "Item": None}), "T")
    assert execution.error == "DynamoDB.AmazonDynamoDBException"
    assert execution.cause.startswith("1 validation error detected: Value null at 'item' failed to satisfy "
                                      "constraint: Member must not be null (Service: AmazonDynamoDBv2;")


def test_a_failed_condition_fails_with_conditional_check_failed_and_can_be_caught():
    name = table()
    client("dynamodb").put_item(TableName=name, Item={"id": {"S": "dup"}})
    states = task(DDB + "putItem", {"TableName": name, "Item": {"id": {"S": "dup"}},
                                    "ConditionExpression": "attribute_not_exists(id)"},
                  Catch=[{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Dup"}])
    states["T"].pop("End")
    states["T"]["Next"] = "Fresh"
    states["Fresh"] = {"Type": "Pass", "Result": "fresh", "End": True}
    states["Dup"] = {"Type": "Pass", "Result": "duplicate", "End": True}
    execution = run(states, "T")
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", "duplicate")


def test_aws_sdk_dynamodb_answers_without_metadata_and_names_errors_as_the_java2_sdk():
    name = table()
    put = run(task(SDK + "dynamodb:putItem", {"TableName": name, "Item": {"id": {"S": "a"}}}), "T")
    assert json.loads(put.output) == {}
    query = run(task(SDK + "dynamodb:query", {"TableName": name, "KeyConditionExpression": "id = :id",
                                              "ExpressionAttributeValues": {":id": {"S": "a"}}}), "T")
    assert json.loads(query.output) == {"Count": 1, "Items": [{"id": {"S": "a"}}], "ScannedCount": 1}
    missing = run(task(SDK + "dynamodb:getItem", {"TableName": "nope", "Key": {"id": {"S": "a"}}}), "T")
    assert missing.error == "DynamoDb.ResourceNotFoundException"
    invalid = run(task(SDK + "dynamodb:putItem", {"TableName": name, "Item": None}), "T")
    assert invalid.error == "DynamoDb.DynamoDbException"
    assert re.search(r"\(Service: DynamoDb, Status Code: 400, Request ID: [-\w]+\)", invalid.cause)


def test_aws_sdk_s3_puts_json_as_text_gets_the_body_as_text_and_names_no_such_key():
    name = bucket()
    put = run(task(SDK + "s3:putObject", {"Bucket": name, "Key": "k.json", "Body": {"Dict": "Value"}}), "T")
    assert json.loads(put.output)["ETag"] == '"49e31cee5aec8faf3345893addb14346"'  # md5 of {"Dict":"Value"}
    got = json.loads(run(task(SDK + "s3:getObject", {"Bucket": name, "Key": "k.json"}), "T").output)
    assert got["Body"] == '{"Dict":"Value"}' and got["ContentLength"] == 16
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", got["LastModified"])
    missing = run(task(SDK + "s3:getObject", {"Bucket": name, "Key": "none"}), "T")
    assert missing.error == "S3.NoSuchKeyException"
    no_bucket = run(task(SDK + "s3:getObject", {"Bucket": "no-such-bucket-x", "Key": "k"}), "T")
    assert no_bucket.error == "S3.NoSuchBucketException"
    assert run(task(SDK + "s3:headObject", {"Bucket": name, "Key": "none"}), "T").error == "S3.NoSuchKeyException"
    assert run(task(SDK + "s3:headBucket", {"Bucket": "no-such-bucket-x"}), "T").error == "S3.NoSuchBucketException"


def test_aws_sdk_secrets_manager_ssm_kms_and_sts():
    secret = f"s-{uuid.uuid4().hex[:6]}"
    client("secretsmanager").create_secret(Name=secret, SecretString="hunter2")
    got = json.loads(run(task(SDK + "secretsmanager:getSecretValue", {"SecretId": secret}), "T").output)
    assert got["SecretString"] == "hunter2" and got["Name"] == secret
    missing = run(task(SDK + "secretsmanager:getSecretValue", {"SecretId": "nope"}), "T")
    assert missing.error == "SecretsManager.ResourceNotFoundException"
    client("ssm").put_parameter(Name=f"/{secret}", Value="v1", Type="String")
    parameter = json.loads(run(task(SDK + "ssm:getParameter", {"Name": f"/{secret}"}), "T").output)
    assert parameter["Parameter"]["Value"] == "v1"
    assert run(task(SDK + "ssm:getParameter", {"Name": "/none"}), "T").error == "Ssm.ParameterNotFoundException"
    key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    encrypted = json.loads(run(task(SDK + "kms:encrypt", {"KeyId": key, "Plaintext": "hi"}), "T").output)
    assert isinstance(encrypted["CiphertextBlob"], str)  # binary members come back in base64
    identity = json.loads(run(task(SDK + "sts:getCallerIdentity", {}), "T").output)
    assert identity["Account"] == "000000000000"


def test_an_unknown_action_fails_with_states_runtime():
    execution = run(task(SDK + "s3:frobnicate", {}), "T")
    assert execution.error == "States.Runtime" and "frobnicate" in execution.cause


def test_put_events_adds_the_execution_and_machine_arns_and_answers_the_entries():
    execution = run(task("arn:aws:states:::events:putEvents", {"Entries": [
        {"Detail": {"order": 1}, "DetailType": "OrderPlaced", "Source": "shop"}]}), "T")
    output = json.loads(execution.output)
    assert execution.status == "SUCCEEDED"
    assert output["FailedEntryCount"] == 0 and list(output["Entries"][0]) == ["EventId"]


def test_a_malformed_detail_fails_put_events_with_failed_entry_and_the_answer_as_cause():
    entries = [{"Detail": '{"Message": "ok"}', "DetailType": "d", "Source": "s"},
               {"Detail": '"jsonstring"', "DetailType": "d", "Source": "s"}]
    execution = run(task("arn:aws:states:::events:putEvents", {"Entries": entries}), "T")
    assert execution.error == "EventBridge.FailedEntry"
    cause = json.loads(execution.cause)
    assert cause["FailedEntryCount"] == 1
    assert cause["Entries"][1] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert set(cause["Entries"][0]) == {"EventId"}


@pytest.mark.parametrize(("body", "etag", "crc32"), [
    ("text data", "2b5df3712557f503a9977a8ea893b2c9", "KUmHvQ=="),  # the string's JSON text, quotes included
    (False, "68934a3e9455fa72420237eb05902327", "K81oMA=="),
    (0, "cfcd208495d565ef66e7dff9f98764da", "9NvfIQ=="),
    (["List", "Data"], "6b23860357f6e63a0272b7f1143a663a", "1F2MPA=="),
])
def test_put_object_stores_the_bodys_json_text_and_answers_as_s3_does(body, etag, crc32):
    name = bucket()
    output = json.loads(run(task(SDK + "s3:putObject", {"Bucket": name, "Key": "k", "Body": body}), "T").output)
    assert output == {"ETag": f'"{etag}"', "ChecksumCRC32": crc32, "ChecksumType": "FULL_OBJECT",
                      "ServerSideEncryption": "AES256"}
    got = json.loads(run(task(SDK + "s3:getObject", {"Bucket": name, "Key": "k"}), "T").output)
    assert set(got) == {"AcceptRanges", "ContentLength", "ContentType", "ETag", "LastModified", "Metadata",
                        "ServerSideEncryption", "Body"}


def test_put_events_wait_for_task_token_sends_the_token_and_waits_for_its_answer():
    from console.models import TaskToken
    from console.services import callbacks

    execution = run(task("arn:aws:states:::events:putEvents.waitForTaskToken", {"Entries": [
        {"Detail": {"token.$": "$$.Task.Token"}, "DetailType": "Approve", "Source": "shop"}]}), "T")
    assert execution.status == "RUNNING"
    token = TaskToken.objects.get(execution=execution)
    callbacks.send_task_success(token.token, '{"approved": true}')
    execution.refresh_from_db()
    assert (execution.status, json.loads(execution.output)) == ("SUCCEEDED", {"approved": True})


def test_parameters_of_the_wrong_type_fail_the_task_with_the_services_error_not_a_crash():
    wrong = run(task(DDB + "putItem", {"TableName": "t", "Item": "not a map"}), "T")
    assert wrong.error == "DynamoDB.AmazonDynamoDBException" and "Error Code: SerializationException" in wrong.cause
    missing_key = run(task(SDK + "s3:getObject", {"Bucket": bucket(), "Key": None}), "T")
    assert missing_key.error == "S3.S3Exception" and "missing or of the wrong type" in missing_key.cause
