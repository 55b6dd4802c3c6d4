"""Functions deployed through the Lambda API, in Chromium: the page shows the package's
handler file, edits it, and lists invocations made elsewhere as they happen."""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest
from botocore.config import Config

from tests.conftest import server_env, start_server

ROLE = "arn:aws:iam::000000000000:role/e2e"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(server_env(tmp_path_factory.mktemp("lambda-e2e")))
    try:
        yield running.url
    finally:
        running.stop()


def lambda_client(url: str):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t",
                        aws_secret_access_key="t", config=Config(retries={"max_attempts": 1}))


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.e2e
def test_an_api_invocation_appears_on_the_open_function_page(page, server):
    lam = lambda_client(server)
    lam.create_function(FunctionName="Watched", Runtime="python3.12", Role=ROLE, Handler="app.run",
                        Code={"ZipFile": zipped({"app.py": "def run(event, context):\n"
                                                           "    print('seen', event['n'])\n    return event\n"})})
    page.goto(server + "/functions/Watched/")
    assert "app.py" in page.inner_text("h2")
    assert "python3.12" in page.inner_text("#function-runtime")
    assert page.locator("#invocation-table").count() == 0
    page.wait_for_timeout(500)  # the page's websocket is open
    lam.invoke(FunctionName="Watched", Payload=b'{"n": 7}')
    page.wait_for_selector("#invocation-table .badge.status-succeeded", timeout=10_000)
    row = page.inner_text("#invocation-table")
    assert "Succeeded" in row and " ms" in row and "api" in row
    page.click("#invocation-table summary")
    assert "seen 7" in page.inner_text("#invocation-table .invocation-logs")


@pytest.mark.e2e
def test_a_user_edits_the_handler_file_of_a_package(page, server):
    lam = lambda_client(server)
    lam.create_function(FunctionName="Edited", Runtime="python3.12", Role=ROLE, Handler="index.handler",
                        Code={"ZipFile": zipped({"index.py": "def handler(event, context):\n    return 'before'\n",
                                                 "data.txt": "kept"})})
    page.goto(server + "/functions/Edited/edit")
    page.fill("#id_code", "def handler(event, context):\n    return 'after'\n")
    page.click("#save-button")
    page.wait_for_selector("#function-code")
    assert "'after'" in page.inner_text("#function-code")
    answer = lam.invoke(FunctionName="Edited")
    assert answer["Payload"].read() == b'"after"'


@pytest.mark.e2e
def test_choosing_nodejs_on_create_swaps_the_starting_code(page, server):
    page.goto(server + "/functions/new")
    assert "def handler" in page.input_value("#id_code")
    page.select_option("#id_runtime", "nodejs20.x")
    assert "exports.handler" in page.input_value("#id_code")
    page.fill("#id_name", "NodeMade")
    page.fill("#id_handler", "index.handler")
    page.click("#save-button")
    page.wait_for_selector("#function-runtime")
    assert page.inner_text("#function-runtime") == "nodejs20.x"
    assert "index.js" in page.inner_text("h2")
