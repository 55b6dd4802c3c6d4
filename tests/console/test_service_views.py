"""The Services page says where each service is served, and that embedded ones are in memory."""

from __future__ import annotations

import re

import pytest

from console.upstream.clients import client as aws_client

pytestmark = pytest.mark.django_db


def _row(page: str, service: str) -> str:
    return re.search(rf'<tr data-service="{service}">(.*?)</tr>', page, re.S).group(1)


def test_it_shows_embedded_services_with_what_they_hold(client, monkeypatch):
    monkeypatch.delenv("STEPYARD_UPSTREAM_URL", raising=False)
    aws_client("s3").create_bucket(Bucket="page-x-bucket")
    buckets = len(aws_client("s3").list_buckets()["Buckets"])
    page = client.get("/services/").content.decode()
    assert "in memory" in page
    assert "embedded (moto, in memory)" in _row(page, "dynamodb")
    assert f"{buckets} buckets: " in _row(page, "s3")


def test_it_shows_the_upstream_a_service_is_forwarded_to(client, monkeypatch):
    monkeypatch.setenv("STEPYARD_UPSTREAM_DYNAMODB", "http://127.0.0.1:8001")
    monkeypatch.setenv("STEPYARD_UPSTREAM_URL", "http://localstack:4566/?a=<x>")
    page = client.get("/services/").content.decode()
    assert "forwarded to <code>http://127.0.0.1:8001</code>" in _row(page, "dynamodb")
    assert "http://localstack:4566/?a=&lt;x&gt;" in _row(page, "kms")  # escaped
    assert "embedded" not in _row(page, "s3")
