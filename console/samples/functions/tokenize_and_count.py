"""Text processing, step 4: split into lower-case words and count each one."""

from collections import Counter


def handler(event, context):
    counts = Counter(event["text"].lower().split())
    return {"statistics": event["statistics"], "tokens": sum(counts.values()), "wordCounts": dict(counts.most_common())}
