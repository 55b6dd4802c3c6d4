"""Inventory tutorial: check the order's stock, then answer the Check Inventory callback."""

import json

import boto3

stepfunctions = boto3.client("stepfunctions")


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["body"])
        print("Checking inventory for:", message.get("MessageTitle"))
        stepfunctions.send_task_success(
            taskToken=message["TaskToken"],
            output=json.dumps({"inventory": "in stock", "checkedMessage": record["messageId"]}),
        )
    return {"checked": len(event["Records"])}
