"""Text processing, step 2: count characters, words and lines."""


def handler(event, context):
    text = event["text"]
    statistics = {"characters": len(text), "words": len(text.split()), "lines": len(text.splitlines()) or 1}
    return {"text": text, "statistics": statistics}
