"""Text processing, step 3: keep letters, digits and white space only."""


def handler(event, context):
    cleaned = "".join(c for c in event["text"] if c.isalnum() or c.isspace())
    return {"text": cleaned, "statistics": event["statistics"]}
