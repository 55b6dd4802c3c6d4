"""The Lambda API through boto3's ``lambda`` client against a live server: functions from
zip packages, Invoke and its limits, bad packages and handlers, tags, policies."""

from __future__ import annotations

import base64
import io
import json
import re
import time
import urllib.error
import urllib.request
import zipfile

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import zipped

ROLE = "arn:aws:iam::123456789012:role/lambda-test"
IDENTITY = "def handler(event, context):\n    return event\n"


@pytest.fixture(scope="module")
def lam(stepyard_server):
    return boto3.client("lambda", endpoint_url=stepyard_server, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, read_timeout=120))


@pytest.fixture
def deploy(lam):
    created: list[str] = []

    def make(name: str, files: dict[str, str] | None = None, handler: str = "index.handler", **extra):
        answer = lam.create_function(FunctionName=name, Runtime=extra.pop("Runtime", "python3.12"), Role=ROLE,
                                     Handler=handler, Code={"ZipFile": zipped(files or {"index.py": IDENTITY})},
                                     **extra)
        created.append(name)
        return answer

    yield make
    for name in created:
        try:
            lam.delete_function(FunctionName=name)
        except ClientError:
            pass  # the test deleted it itself


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response
    return error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]


def invoke(lam, name: str, payload: object = None, **extra) -> tuple[dict, object]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(payload if payload is not None else {}), **extra)
    body = answer["Payload"].read()
    return answer, json.loads(body) if body else None


# --------------------------------------------------------------------------- functions


def test_it_creates_a_function_from_a_zip_that_is_active_at_once(deploy):
    created = deploy("Created", Description="made by boto3", Timeout=7, MemorySize=256,
                     Environment={"Variables": {"COLOUR": "blue"}})
    assert created["State"] == "Active" and created["LastUpdateStatus"] == "Successful"
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:Created"
    assert (created["Runtime"], created["Handler"], created["Timeout"], created["MemorySize"]) == (
        "python3.12", "index.handler", 7, 256)
    assert created["Environment"] == {"Variables": {"COLOUR": "blue"}}
    assert created["CodeSize"] > 0 and created["PackageType"] == "Zip" and created["Role"] == ROLE


def test_it_runs_the_handler_of_the_zip(lam, deploy):
    deploy("Adder", {"index.py": "import os\n\ndef handler(event, context):\n"
                                 "    return {'sum': event['a'] + 1, 'name': context.function_name}\n"})
    answer, payload = invoke(lam, "Adder", {"a": 41})
    assert answer["StatusCode"] == 200 and answer["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in answer
    assert payload == {"sum": 42, "name": "Adder"}


def test_it_runs_a_handler_in_a_subfolder_that_imports_its_neighbours(lam, deploy):
    deploy("Nested", {"pkg/app.py": "from pkg import helper\n\ndef main(event, context):\n"
                                    "    return helper.double(event['n'])\n",
                      "pkg/__init__.py": "", "pkg/helper.py": "def double(n):\n    return n * 2\n"},
           handler="pkg/app.main")
    assert invoke(lam, "Nested", {"n": 21})[1] == 42


def test_get_function_gives_the_configuration_and_a_downloadable_package(lam, deploy):
    files = {"index.py": IDENTITY, "data/words.txt": "a b c"}
    deploy("Download", files, Tags={"team": "api"})
    got = lam.get_function(FunctionName="Download")
    assert got["Configuration"]["FunctionName"] == "Download"
    assert got["Tags"] == {"team": "api"}
    with urllib.request.urlopen(got["Code"]["Location"]) as response:
        package = zipfile.ZipFile(io.BytesIO(response.read()))
    assert {n: package.read(n).decode() for n in package.namelist()} == files
    configuration = lam.get_function_configuration(FunctionName="Download")
    assert configuration["CodeSha256"] == got["Configuration"]["CodeSha256"]


def test_it_finds_a_function_by_arn_and_partial_arn(lam, deploy):
    arn = deploy("ByArn")["FunctionArn"]
    assert lam.get_function_configuration(FunctionName=arn)["FunctionName"] == "ByArn"
    assert lam.get_function_configuration(FunctionName="000000000000:function:ByArn")["FunctionName"] == "ByArn"
    assert invoke(lam, arn, {"x": 1})[1] == {"x": 1}


def test_list_functions_pages_with_markers(lam, deploy):
    for index in range(5):
        deploy(f"Paged{index}")
    names, marker, pages = [], None, 0
    while True:
        page = lam.list_functions(MaxItems=2, **({"Marker": marker} if marker else {}))
        names += [f["FunctionName"] for f in page["Functions"]]
        pages += 1
        marker = page.get("NextMarker")
        if not marker:
            break
    assert [n for n in names if n.startswith("Paged")] == [f"Paged{i}" for i in range(5)]
    assert pages >= 3 and len(names) == len(set(names))


def test_update_function_configuration_changes_what_the_handler_sees(lam, deploy):
    deploy("Settings", {"index.py": "import os\n\ndef handler(event, context):\n    return os.environ.get('MODE')\n",
                        "other.py": "def run(event, context):\n    return 'other'\n"})
    updated = lam.update_function_configuration(FunctionName="Settings", Environment={"Variables": {"MODE": "fast"}},
                                                Timeout=10, MemorySize=512, Description="changed")
    assert (updated["Timeout"], updated["MemorySize"], updated["Description"]) == (10, 512, "changed")
    assert invoke(lam, "Settings")[1] == "fast"
    lam.update_function_configuration(FunctionName="Settings", Handler="other.run", Runtime="python3.11")
    assert invoke(lam, "Settings")[1] == "other"
    assert lam.get_function_configuration(FunctionName="Settings")["Runtime"] == "python3.11"


def test_update_function_code_replaces_the_package(lam, deploy):
    first = deploy("Recode")
    changed = lam.update_function_code(
        FunctionName="Recode", ZipFile=zipped({"index.py": "def handler(event, context):\n    return 'v2'\n"}))
    assert changed["CodeSha256"] != first["CodeSha256"] and changed["RevisionId"] != first["RevisionId"]
    assert invoke(lam, "Recode")[1] == "v2"


def test_a_stale_revision_id_is_refused(lam, deploy):
    revision = deploy("Revised")["RevisionId"]
    lam.update_function_configuration(FunctionName="Revised", Timeout=5, RevisionId=revision)
    code, _, status = error_of(lam.update_function_configuration, FunctionName="Revised", Timeout=6,
                               RevisionId=revision)
    assert (code, status) == ("PreconditionFailedException", 412)


def test_delete_function_removes_it(lam, deploy):
    deploy("Doomed")
    lam.delete_function(FunctionName="Doomed")
    code, message, status = error_of(lam.get_function, FunctionName="Doomed")
    assert (code, status) == ("ResourceNotFoundException", 404) and "Doomed" in message
    assert error_of(lam.delete_function, FunctionName="Doomed")[0] == "ResourceNotFoundException"


def test_a_second_function_of_the_same_name_is_a_conflict(deploy):
    deploy("Twice")
    with pytest.raises(ClientError) as caught:
        deploy("Twice")
    assert caught.value.response["Error"]["Code"] == "ResourceConflictException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_a_published_version_keeps_its_code_while_latest_changes(lam, deploy):
    first = deploy("Versioned", {"index.py": "def handler(event, context):\n    return 'one'\n"})
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="Versioned")["Versions"]] == ["$LATEST"]
    published = lam.publish_version(FunctionName="Versioned", Description="first")
    assert published["Version"] == "1" and published["FunctionArn"].endswith(":function:Versioned:1")
    assert published["CodeSha256"] == first["CodeSha256"]
    # Nothing changed: publishing again answers the same version.
    assert lam.publish_version(FunctionName="Versioned")["Version"] == "1"
    lam.update_function_code(FunctionName="Versioned", Publish=True,
                             ZipFile=zipped({"index.py": "def handler(event, context):\n    return 'two'\n"}))
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="Versioned")["Versions"]] == [
        "$LATEST", "1", "2"]
    answer, payload = invoke(lam, "Versioned", Qualifier="1")
    assert (answer["ExecutedVersion"], payload) == ("1", "one")
    assert invoke(lam, "Versioned:2")[1] == "two"
    assert invoke(lam, "Versioned")[0]["ExecutedVersion"] == "$LATEST"
    assert lam.get_function_configuration(FunctionName="Versioned", Qualifier="1")["Version"] == "1"
    with urllib.request.urlopen(lam.get_function(FunctionName="Versioned:1")["Code"]["Location"]) as response:
        assert b"'one'" in zipfile.ZipFile(io.BytesIO(response.read())).read("index.py")
    assert error_of(lam.get_function, FunctionName="Versioned", Qualifier="7")[0] == "ResourceNotFoundException"
    every = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [f["Version"] for f in every if f["FunctionName"] == "Versioned"] == ["$LATEST", "1", "2"]
    lam.delete_function(FunctionName="Versioned", Qualifier="1")
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="Versioned")["Versions"]] == [
        "$LATEST", "2"]


def test_an_alias_names_a_version_and_moves(lam, deploy):
    deploy("Aliased", {"index.py": "def handler(event, context):\n    return 'one'\n"})
    lam.publish_version(FunctionName="Aliased")
    lam.update_function_code(FunctionName="Aliased",
                             ZipFile=zipped({"index.py": "def handler(event, context):\n    return 'two'\n"}))
    lam.publish_version(FunctionName="Aliased")
    alias = lam.create_alias(FunctionName="Aliased", Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(":function:Aliased:live")
    assert invoke(lam, "Aliased", Qualifier="live")[1] == "one"
    lam.update_alias(FunctionName="Aliased", Name="live", FunctionVersion="2")
    answer, payload = invoke(lam, "Aliased:live")
    assert (answer["ExecutedVersion"], payload) == ("2", "two")
    assert [a["Name"] for a in lam.list_aliases(FunctionName="Aliased")["Aliases"]] == ["live"]
    assert lam.get_alias(FunctionName="Aliased", Name="live")["FunctionVersion"] == "2"
    assert error_of(lam.create_alias, FunctionName="Aliased", Name="live",
                    FunctionVersion="1")[0] == "ResourceConflictException"
    assert error_of(lam.create_alias, FunctionName="Aliased", Name="next",
                    FunctionVersion="9")[0] == "ResourceNotFoundException"
    assert error_of(lam.delete_function, FunctionName="Aliased", Qualifier="2")[0] == "ResourceConflictException"
    lam.delete_alias(FunctionName="Aliased", Name="live")
    assert error_of(lam.get_alias, FunctionName="Aliased", Name="live")[0] == "ResourceNotFoundException"


# --------------------------------------------------------------------------- invoke


def test_an_event_invocation_is_accepted_and_runs_later(lam, deploy, stepyard_server):
    deploy("Later", {"index.py": "def handler(event, context):\n    print('ran', event['n'])\n"})
    answer = lam.invoke(FunctionName="Later", InvocationType="Event", Payload=b'{"n": 5}')
    assert answer["StatusCode"] == 202 and answer["Payload"].read() == b""
    page = ""
    for _ in range(100):
        with urllib.request.urlopen(f"{stepyard_server}/functions/Later/") as response:
            page = response.read().decode()
        if "Succeeded" in page:
            break
        time.sleep(0.1)
    assert "Succeeded" in page and "Event" in page


def test_a_dry_run_checks_without_running(lam, deploy):
    deploy("Dry", {"index.py": "def handler(event, context):\n    raise SystemExit(9)\n"})
    answer = lam.invoke(FunctionName="Dry", InvocationType="DryRun")
    assert answer["StatusCode"] == 204
    assert error_of(lam.invoke, FunctionName="NotThere", InvocationType="DryRun")[0] == "ResourceNotFoundException"


def test_a_handler_exception_is_an_unhandled_function_error(lam, deploy):
    deploy("Raiser", {"index.py": "def handler(event, context):\n    raise ValueError('bad input')\n"})
    answer, payload = invoke(lam, "Raiser")
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError" and payload["errorMessage"] == "bad input"


def test_log_type_tail_returns_the_last_4_kb_of_logs(lam, deploy):
    deploy("Chatty", {"index.py": "def handler(event, context):\n    for i in range(2000):\n"
                                  "        print('line', i)\n    print('the end')\n"})
    answer, _ = invoke(lam, "Chatty", LogType="Tail")
    tail = base64.b64decode(answer["LogResult"])
    assert len(tail) == 4096
    assert b"the end" in tail and b"REPORT RequestId" in tail and b"line 5\n" not in tail
    assert "LogResult" not in invoke(lam, "Chatty")[0]


def test_a_payload_over_6_mb_is_refused_with_413(lam, deploy):
    deploy("Big")
    payload = json.dumps({"data": "x" * (6 * 1024 * 1024)})
    code, message, status = error_of(lam.invoke, FunctionName="Big", Payload=payload)
    assert (code, status) == ("RequestTooLargeException", 413) and "6291456" in message


def test_an_event_payload_over_256_kb_is_refused(lam, deploy):
    deploy("BigEvent")
    payload = json.dumps({"data": "x" * (300 * 1024)})
    code, _, status = error_of(lam.invoke, FunctionName="BigEvent", InvocationType="Event", Payload=payload)
    assert (code, status) == ("RequestTooLargeException", 413)


def test_a_response_over_6_mb_is_a_function_error(lam, deploy):
    deploy("Huge", {"index.py": "def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n"},
           MemorySize=1024)
    answer, payload = invoke(lam, "Huge")
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Function.ResponseSizeTooLarge"


def test_a_payload_that_is_not_json_is_refused(lam, deploy):
    deploy("Strict")
    code, _, status = error_of(lam.invoke, FunctionName="Strict", Payload=b"{not json")
    assert (code, status) == ("InvalidRequestContentException", 400)


def test_an_endless_loop_times_out(lam, deploy):
    deploy("Spin", {"index.py": "def handler(event, context):\n    while True:\n        pass\n"}, Timeout=1)
    answer, payload = invoke(lam, "Spin")
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    assert invoke(lam, "Spin")[0]["FunctionError"] == "Unhandled"


@pytest.mark.parametrize("exit_call", ["sys.exit(3)", "os._exit(4)"])
def test_a_handler_that_exits_the_process_is_a_runtime_exit_error(lam, deploy, exit_call):
    name = "Exit" + exit_call[:2]
    deploy(name, {"index.py": f"import os, sys\n\ndef handler(event, context):\n    {exit_call}\n"})
    answer, payload = invoke(lam, name)
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status" in payload["errorMessage"]
    # The next invocation gets a fresh worker.
    assert invoke(lam, name)[0]["FunctionError"] == "Unhandled"


# --------------------------------------------------------------------------- bad input


def test_a_zip_that_is_not_a_zip_is_refused(lam):
    code, message, status = error_of(lam.create_function, FunctionName="NotZip", Runtime="python3.12", Role=ROLE,
                                     Handler="index.handler", Code={"ZipFile": b"this is not a zip file"})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("Could not unzip uploaded file")


@pytest.mark.parametrize("member", ["../escape.py", "/etc/escape.py", "a/../../escape.py"])
def test_a_zip_whose_entries_leave_the_package_is_refused(lam, member):
    code, message, _ = error_of(lam.create_function, FunctionName="Escape", Runtime="python3.12", Role=ROLE,
                                Handler="index.handler", Code={"ZipFile": zipped({member: "x = 1\n"})})
    assert code == "InvalidParameterValueException" and "outside the package" in message


def test_a_symbolic_link_out_of_the_package_is_refused(lam):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", IDENTITY)
        link = zipfile.ZipInfo("passwd")
        link.create_system = 3
        link.external_attr = (0o120777) << 16
        archive.writestr(link, "../../../../etc/passwd")
    code, message, _ = error_of(lam.create_function, FunctionName="Linky", Runtime="python3.12", Role=ROLE,
                                Handler="index.handler", Code={"ZipFile": buffer.getvalue()})
    assert code == "InvalidParameterValueException" and "outside the package" in message


def test_a_60_mb_upload_gets_an_answer(lam):
    code, message, status = error_of(lam.create_function, FunctionName="Huge60", Runtime="python3.12", Role=ROLE,
                                     Handler="index.handler", Code={"ZipFile": b"\0" * (60 * 1024 * 1024)})
    assert status == 413 and code == "RequestEntityTooLargeException"
    assert "CreateFunction" in message


def test_an_unserved_runtime_is_refused_by_name(lam):
    code, message, _ = error_of(lam.create_function, FunctionName="Old", Runtime="python2.7", Role=ROLE,
                                Handler="index.handler", Code={"ZipFile": zipped({"index.py": IDENTITY})})
    assert code == "InvalidParameterValueException" and "python2.7" in message


def test_code_in_s3_or_an_image_is_refused(lam):
    code, message, _ = error_of(lam.create_function, FunctionName="InS3", Runtime="python3.12", Role=ROLE,
                                Handler="index.handler", Code={"S3Bucket": "bucket", "S3Key": "fn.zip"})
    assert code == "InvalidParameterValueException" and "S3" in message
    code, _, _ = error_of(lam.create_function, FunctionName="Image", Role=ROLE, PackageType="Image",
                          Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:latest"})
    assert code == "InvalidParameterValueException"


def test_a_missing_handler_file_is_reported_when_invoked(lam, deploy):
    deploy("NoFile", {"other.py": IDENTITY}, handler="index.handler")
    answer, payload = invoke(lam, "NoFile")
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'index'" in payload["errorMessage"]


def test_a_handler_that_is_not_a_function_is_reported_when_invoked(lam, deploy):
    deploy("NotCallable", {"index.py": "handler = 42\n"})
    answer, payload = invoke(lam, "NotCallable")
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.HandlerNotFound"


def test_bad_settings_get_lambda_errors(lam, deploy):
    deploy("Checked")
    assert error_of(lam.update_function_configuration, FunctionName="Checked",
                    Handler="../outside.handler")[0] == "InvalidParameterValueException"
    assert error_of(lam.update_function_configuration, FunctionName="Checked",
                    Runtime="ruby3.2")[0] == "InvalidParameterValueException"
    bad_role = error_of(lam.create_function, FunctionName="BadRole", Runtime="python3.12", Role="not-a-role",
                        Handler="index.handler", Code={"ZipFile": zipped({"index.py": IDENTITY})})
    assert bad_role[0] == "ValidationException"
    assert error_of(lam.create_function, FunctionName="bad name!", Runtime="python3.12", Role=ROLE,
                    Handler="index.handler", Code={"ZipFile": zipped({"index.py": IDENTITY})})[2] == 400


def test_an_unknown_operation_path_is_a_404(stepyard_server):
    request = urllib.request.Request(f"{stepyard_server}/2099-01-01/nothing", method="GET")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 404
    assert caught.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"


# --------------------------------------------------------------------------- tags and policy


def test_tags_are_added_listed_and_removed(lam, deploy):
    arn = deploy("Tagged")["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"team": "core", "env": "dev"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "core", "env": "dev"}
    lam.untag_resource(Resource=arn, TagKeys=["env"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "core"}
    missing = arn.replace("Tagged", "Untagged")
    assert error_of(lam.list_tags, Resource=missing)[0] == "ResourceNotFoundException"


def test_permissions_are_stored_and_read_back(lam, deploy):
    deploy("Guarded")
    statement = json.loads(lam.add_permission(
        FunctionName="Guarded", StatementId="sfn", Action="lambda:InvokeFunction", Principal="states.amazonaws.com",
        SourceArn="arn:aws:states:us-east-1:000000000000:stateMachine:M")["Statement"])
    assert statement["Principal"] == {"Service": "states.amazonaws.com"} and statement["Sid"] == "sfn"
    policy = json.loads(lam.get_policy(FunctionName="Guarded")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sfn"]
    code, _, status = error_of(lam.add_permission, FunctionName="Guarded", StatementId="sfn",
                               Action="lambda:InvokeFunction", Principal="states.amazonaws.com")
    assert (code, status) == ("ResourceConflictException", 409)
    lam.remove_permission(FunctionName="Guarded", StatementId="sfn")
    assert error_of(lam.get_policy, FunctionName="Guarded")[0] == "ResourceNotFoundException"
    assert error_of(lam.remove_permission, FunctionName="Guarded", StatementId="sfn")[0] == "ResourceNotFoundException"


def test_account_settings_count_the_functions(lam, deploy):
    deploy("Counted")
    usage = lam.get_account_settings()["AccountUsage"]
    assert usage["FunctionCount"] >= 1 and usage["TotalCodeSize"] > 0


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"FunctionName": 5, "Code": "x", "Timeout": "9",'
                                  b' "Environment": [], "Tags": 3, "BatchSize": true, "StatementId": {},'
                                  b' "Enabled": "yes", "FunctionResponseTypes": "x", "ZipFile": 7}'])
def test_malformed_calls_to_every_operation_get_a_4xx(stepyard_server, deploy, body):
    import http.client
    from urllib.parse import urlsplit

    from console.api import lambda_routes

    deploy("Target")
    connection = http.client.HTTPConnection(urlsplit(stepyard_server).netloc, timeout=30)
    samples = {"name": "Target", "uuid": "not-a-uuid", "alias": "live", "statement_id": "s",
               "resource": "arn:aws:lambda:us-east-1:000000000000:function:Target"}
    for route in lambda_routes.ROUTES:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: samples[m.group(1)], route.pattern.pattern)
        path = path.replace("/?", "")
        connection.request(route.method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        assert response.status < 500, (route.operation, body, response.status)


def test_a_body_that_is_not_json_by_its_content_type_is_an_unsupported_media_type(stepyard_server):
    request = urllib.request.Request(f"{stepyard_server}/2015-03-31/functions", data=b"<CreateFunction/>",
                                     method="POST", headers={"Content-Type": "text/xml"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 415
    assert caught.value.headers["x-amzn-ErrorType"] == "UnsupportedMediaTypeException"
