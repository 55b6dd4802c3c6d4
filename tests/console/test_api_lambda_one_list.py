"""One list of functions: those from the functions directory and the console are seen and
changed through the Lambda API, as far as their source allows."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
import urllib.request
import zipfile
from http.cookiejar import CookieJar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import server_env, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("one-list")
    functions = data / "functions"
    functions.mkdir()
    (functions / "OnDisk.py").write_text("def handler(event, context):\n    return 'disk'\n")
    running = start_server(server_env(data, STEPYARD_FUNCTIONS_DIR=str(functions)))
    try:
        yield running.url
    finally:
        running.stop()


@pytest.fixture(scope="module")
def lam(server):
    return boto3.client("lambda", endpoint_url=server, region_name="us-east-1", aws_access_key_id="t",
                        aws_secret_access_key="t", config=Config(retries={"max_attempts": 1}))


def create_in_console(url: str, name: str, code: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{url}/functions/new").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "name": name, "runtime": "python3.12",
                                   "handler": "handler", "timeout": "3", "memory_size": "128",
                                   "environment": "", "description": "", "code": code}).encode()
    opener.open(urllib.request.Request(f"{url}/functions/new", data=body,
                                       headers={"Referer": f"{url}/functions/new"}))


def payload(lam, name: str) -> object:
    return json.loads(lam.invoke(FunctionName=name)["Payload"].read())


def test_a_directory_function_is_listed_read_configured_and_invoked(lam):
    assert "OnDisk" in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    configuration = lam.get_function_configuration(FunctionName="OnDisk")
    assert configuration["Handler"] == "OnDisk.handler" and configuration["State"] == "Active"
    lam.update_function_configuration(FunctionName="OnDisk", Timeout=8)
    assert lam.get_function_configuration(FunctionName="OnDisk")["Timeout"] == 8
    assert payload(lam, "OnDisk") == "disk"


def test_a_directory_functions_code_and_existence_belong_to_its_file(lam):
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("OnDisk.py", "def handler(event, context):\n    return 'zip'\n")
    for call, kwargs in ((lam.update_function_code, {"ZipFile": zipped.getvalue()}), (lam.delete_function, {})):
        with pytest.raises(ClientError) as caught:
            call(FunctionName="OnDisk", **kwargs)
        assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert "functions directory" in caught.value.response["Error"]["Message"]


def test_a_console_function_is_changed_through_the_api_and_shows_it(lam, server):
    create_in_console(server, "Typed", "def handler(event, context):\n    return 'typed'\n")
    assert lam.get_function_configuration(FunctionName="Typed")["Handler"] == "handler.handler"
    assert payload(lam, "Typed") == "typed"
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 'deployed'\n")
    lam.update_function_code(FunctionName="Typed", ZipFile=zipped.getvalue())
    assert payload(lam, "Typed") == "deployed"
    with urllib.request.urlopen(f"{server}/functions/Typed/") as response:
        page = response.read().decode()
    assert "return &#x27;deployed&#x27;" in page and "Zip package" in page
    lam.delete_function(FunctionName="Typed")
    assert "Typed" not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
