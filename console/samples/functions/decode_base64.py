"""Text processing, step 1: decode the message's base64 text."""

import base64


def handler(event, context):
    return {"text": base64.b64decode(event["input"]).decode("utf-8")}
