"""The AWS-compatible APIs (JSON 1.0 protocol), a second front on the services."""
