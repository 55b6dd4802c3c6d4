"""Process high-volume messages: start one Express execution per queue message."""

import json
import os

import boto3

stepfunctions = boto3.client("stepfunctions")


def handler(event, context):
    for record in event["Records"]:
        stepfunctions.start_execution(
            stateMachineArn=os.environ["STATE_MACHINE_ARN"],
            input=json.dumps({"input": record["body"]}),
        )
    return {"started": len(event["Records"])}
