"""AWS wire formats (SigV4 signatures, SNS XML, SQS results) shared by the APIs
(console/api), the integrations (console/integrations) and the upstream gateway: it sits
below them, above the services it calls."""
