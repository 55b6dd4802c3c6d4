"""The fnf-demo topic's subscriber: it answers the flow's callback with ReportTaskSucceeded.

In Alibaba Cloud, MNS pushes the message to a subscriber over HTTP; here the topic invokes
this function with the SNS ``Records`` event, whose message is the task's MessageBody.
"""

import json
import os
import urllib.parse
import urllib.request


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        answer = {
            "Action": "ReportTaskSucceeded",
            "TaskToken": message["taskToken"],
            "Output": json.dumps({"status": "success"}),
        }
        url = os.environ["AWS_ENDPOINT_URL"].rstrip("/") + "/fnf/?" + urllib.parse.urlencode(answer)
        with urllib.request.urlopen(urllib.request.Request(url, method="POST")) as reply:
            print("received", message.get("messageBody"), "->", reply.read().decode())
    return {"reported": len(event["Records"])}
