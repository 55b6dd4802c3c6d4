"""Callback Pattern Example: answer the task token each queue message carries."""

import json

import boto3

stepfunctions = boto3.client("stepfunctions")


def handler(event, context):
    print("Received event:", json.dumps(event))
    for record in event["Records"]:
        token = json.loads(record["body"])["TaskToken"]
        stepfunctions.send_task_success(taskToken=token, output='"Callback task completed successfully."')
    return {"answered": len(event["Records"])}
