"""Real ``aws lambda ...`` commands (awscli from PyPI) against a live server: deploy with
``--zip-file fileb://``, invoke, configure, tag, permit, map a queue, and the errors."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI (awscli) is not installed")
ROLE = "arn:aws:iam::000000000000:role/cli"


@pytest.fixture
def aws(stepyard_server, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "cli", "AWS_SECRET_ACCESS_KEY": "cli",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_MAX_ATTEMPTS": "1"}

    def run(*args: str, ok: bool = True) -> dict | str:
        done = subprocess.run([AWS, *args, "--endpoint-url", stepyard_server, "--output", "json"], env=env,
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        if not ok:
            assert done.returncode != 0, done.stdout
            return done.stderr
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout or "{}")

    return run


def package(tmp_path: Path, name: str, files: dict[str, str]) -> str:
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return f"fileb://{path}"


def test_the_cli_deploys_invokes_and_deletes_a_function(aws, tmp_path):
    code = package(tmp_path, "hello", {"app.py": "def main(event, context):\n    print('hello', event['who'])\n"
                                                 "    return {'greeting': 'hi ' + event['who']}\n"})
    created = aws("lambda", "create-function", "--function-name", "CliHello", "--runtime", "python3.12",
                  "--handler", "app.main", "--role", ROLE, "--zip-file", code)
    assert created["State"] == "Active" and created["Handler"] == "app.main"
    answer = aws("lambda", "invoke", "--function-name", "CliHello", "--payload", '{"who": "cli"}',
                 "--log-type", "Tail", "out.json")
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert json.loads((tmp_path / "out.json").read_text()) == {"greeting": "hi cli"}
    assert "hello cli" in base64.b64decode(answer["LogResult"]).decode()
    assert "CliHello" in [f["FunctionName"] for f in aws("lambda", "list-functions")["Functions"]]
    aws("lambda", "delete-function", "--function-name", "CliHello")
    assert "ResourceNotFoundException" in aws("lambda", "get-function", "--function-name", "CliHello", ok=False)


def test_the_cli_updates_code_and_configuration(aws, tmp_path):
    aws("lambda", "create-function", "--function-name", "CliChange", "--runtime", "python3.12", "--handler",
        "index.handler", "--role", ROLE, "--zip-file",
        package(tmp_path, "v1", {"index.py": "def handler(event, context):\n    return 'v1'\n"}))
    aws("lambda", "update-function-code", "--function-name", "CliChange", "--zip-file",
        package(tmp_path, "v2", {"index.py": "import os\n\ndef handler(event, context):\n"
                                             "    return 'v2 ' + os.environ['STAGE']\n"}))
    configured = aws("lambda", "update-function-configuration", "--function-name", "CliChange", "--timeout", "9",
                     "--environment", "Variables={STAGE=test}")
    assert configured["Timeout"] == 9 and configured["Environment"] == {"Variables": {"STAGE": "test"}}
    aws("lambda", "invoke", "--function-name", "CliChange", "result.json")
    assert json.loads((tmp_path / "result.json").read_text()) == "v2 test"
    assert aws("lambda", "get-function-configuration", "--function-name", "CliChange")["Timeout"] == 9
    aws("lambda", "delete-function", "--function-name", "CliChange")


def test_the_cli_tags_permits_and_maps_a_queue(aws, tmp_path):
    arn = aws("lambda", "create-function", "--function-name", "CliMapped", "--runtime", "python3.12", "--handler",
              "index.handler", "--role", ROLE, "--zip-file",
              package(tmp_path, "m", {"index.py": "def handler(event, context):\n    return {}\n"}))["FunctionArn"]
    aws("lambda", "tag-resource", "--resource", arn, "--tags", "team=cli")
    assert aws("lambda", "list-tags", "--resource", arn)["Tags"] == {"team": "cli"}
    aws("lambda", "add-permission", "--function-name", "CliMapped", "--statement-id", "s1", "--action",
        "lambda:InvokeFunction", "--principal", "sns.amazonaws.com")
    policy = json.loads(aws("lambda", "get-policy", "--function-name", "CliMapped")["Policy"])
    assert policy["Statement"][0]["Sid"] == "s1"
    aws("lambda", "remove-permission", "--function-name", "CliMapped", "--statement-id", "s1")
    queue_url = aws("sqs", "create-queue", "--queue-name", "CliQueue")["QueueUrl"]
    queue_arn = aws("sqs", "get-queue-attributes", "--queue-url", queue_url, "--attribute-names",
                    "QueueArn")["Attributes"]["QueueArn"]
    mapping = aws("lambda", "create-event-source-mapping", "--function-name", "CliMapped", "--event-source-arn",
                  queue_arn, "--batch-size", "5", "--no-enabled")
    listed = aws("lambda", "list-event-source-mappings", "--function-name", "CliMapped")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]
    aws("lambda", "delete-event-source-mapping", "--uuid", mapping["UUID"])
    aws("lambda", "delete-function", "--function-name", "CliMapped")


def test_the_cli_reports_lambdas_errors(aws, tmp_path):
    # The CLI itself refuses files that are not zips at all; this one's member is corrupt.
    not_zip = tmp_path / "not.zip"
    package(tmp_path, "not", {"index.py": "def handler(event, context):\n    return 1\n"})
    not_zip.write_bytes(not_zip.read_bytes().replace(b"def handler", b"XXX handler"))
    error = aws("lambda", "create-function", "--function-name", "CliBad", "--runtime", "python3.12", "--handler",
                "index.handler", "--role", ROLE, "--zip-file", f"fileb://{not_zip}", ok=False)
    assert "InvalidParameterValueException" in error and "Could not unzip uploaded file" in error
    error = aws("lambda", "create-function", "--function-name", "CliOld", "--runtime", "nodejs8.10", "--handler",
                "index.handler", "--role", ROLE, "--zip-file",
                package(tmp_path, "old", {"index.js": "exports.handler = async () => 1;\n"}), ok=False)
    assert "InvalidParameterValueException" in error and "nodejs8.10" in error
    aws("lambda", "create-function", "--function-name", "CliRaise", "--runtime", "python3.12", "--handler",
        "index.handler", "--role", ROLE, "--zip-file",
        package(tmp_path, "raise", {"index.py": "def handler(event, context):\n    raise KeyError('k')\n"}))
    answer = aws("lambda", "invoke", "--function-name", "CliRaise", "err.json")
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads((tmp_path / "err.json").read_text())["errorType"] == "KeyError"
    assert "ResourceNotFoundException" in aws("lambda", "invoke", "--function-name", "CliMissing", "x.json",
                                              ok=False)
    aws("lambda", "delete-function", "--function-name", "CliRaise")
