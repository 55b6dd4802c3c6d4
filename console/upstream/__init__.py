"""The AWS services Stepyard does not host itself (DynamoDB, S3, EventBridge, ...).

They answer on the console's host and port: by default moto serves them in this very
process (in memory), and ``STEPYARD_UPSTREAM_URL`` / ``STEPYARD_UPSTREAM_<SERVICE>`` send
them to a real endpoint instead (DynamoDB Local, MinIO, LocalStack, a moto server, AWS).
``gateway`` is the HTTP entry point, ``clients`` gives the integrations boto3 clients
that reach the same place.
"""
