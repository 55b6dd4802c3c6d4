"""Functions: where code comes from, invocation results, errors, logs, limits and isolation."""

from __future__ import annotations

import json
import os
import textwrap
import time

import pytest

from console.models import Function, Invocation
from console.services import functions

pytestmark = pytest.mark.django_db



def write(directory, relative: str, code: str) -> None:
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))


def test_it_picks_up_a_file_from_the_functions_directory_and_runs_it(function_dir):
    write(function_dir, "Greet.py", """
        def handler(event, context):
            print("greeting", event["who"])
            return {"hello": event["who"]}
    """)
    assert [f.name for f in functions.list_functions()] == ["Greet"]
    result = functions.invoke("Greet", '{"who": "Ada"}')
    assert result.status_code == 200
    assert json.loads(result.payload) == {"hello": "Ada"}
    assert "greeting Ada" in result.logs
    assert f"REPORT RequestId: {result.request_id}" in result.logs


def test_a_folder_function_imports_its_own_modules_and_honours_its_handler_setting(function_dir):
    write(function_dir, "Shop/handler.py", "def handler(event, context):\n    return 'default'\n")
    write(function_dir, "Shop/prices.py", "TABLE = {'tea': 3}\n")
    write(function_dir, "Shop/app.py", """
        import prices
        def main(event, context):
            return prices.TABLE[event["item"]]
    """)
    assert functions.invoke("Shop", '{"item": "tea"}').payload == '"default"'
    functions.update_function(functions.get_function("Shop"), handler="app.main")
    assert functions.invoke("Shop", '{"item": "tea"}').payload == "3"


def test_a_console_function_runs_its_stored_code_and_an_edit_takes_effect(function_dir):
    function = functions.create_function("Adder", code="def handler(event, context):\n    return event['a'] + 1\n")
    assert functions.invoke("Adder", '{"a": 1}').payload == "2"
    functions.update_function(function, code="def handler(event, context):\n    return event['a'] + 100\n")
    assert functions.invoke("Adder", '{"a": 1}').payload == "101"


def test_a_warm_worker_keeps_module_state_between_invocations(function_dir):
    write(function_dir, "Counter.py", """
        COUNT = 0
        def handler(event, context):
            global COUNT
            COUNT += 1
            return COUNT
    """)
    assert [functions.invoke("Counter", "{}").payload for _ in range(3)] == ["1", "2", "3"]


def test_a_handler_exception_answers_with_lambdas_error_shape(function_dir):
    write(function_dir, "Broken.py", """
        class CustomError(Exception):
            pass

        def handler(event, context):
            raise CustomError("no stock for " + event["item"])
    """)
    result = functions.invoke("Broken", '{"item": "tea"}')
    assert result.function_error == "Unhandled"
    assert list(result.error) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert result.error["errorType"] == "CustomError"
    assert result.error["errorMessage"] == "no stock for tea"
    assert result.error["requestId"] == result.request_id
    assert 'in handler\n    raise CustomError("no stock for " + event["item"])\n' in result.error["stackTrace"][-1]
    assert "[ERROR] CustomError: no stock for tea" in result.logs
    invocation = Invocation.objects.get(request_id=result.request_id)
    assert invocation.status == Invocation.FAILED
    assert json.loads(invocation.error)["errorType"] == "CustomError"


def test_an_import_error_is_reported_like_lambda(function_dir):
    write(function_dir, "Typo.py", "import no_such_module\n")
    result = functions.invoke("Typo", "{}")
    assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert "Unable to import module 'Typo': No module named 'no_such_module'" in result.error["errorMessage"]


def test_the_handler_gets_lambdas_context_and_an_environment_pointing_back_at_stepyard(function_dir):
    write(function_dir, "Ctx.py", """
        import os
        def handler(event, context):
            return {
                "name": context.function_name,
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "request": context.aws_request_id,
                "remaining": context.get_remaining_time_in_millis(),
                "group": context.log_group_name,
                "env": {k: os.environ.get(k) for k in (
                    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION",
                    "AWS_LAMBDA_FUNCTION_NAME", "GREETING", "DJANGO_SETTINGS_MODULE")},
            }
    """)
    functions.update_function(functions.get_function("Ctx"), environment={"GREETING": "hi"}, timeout=5)
    result = functions.invoke("Ctx", "{}")
    answer = json.loads(result.payload)
    assert answer["name"] == "Ctx"
    assert answer["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:Ctx"
    assert answer["memory"] == "128"
    assert answer["request"] == result.request_id
    assert 4000 < answer["remaining"] <= 5000
    assert answer["group"] == "/aws/lambda/Ctx"
    assert answer["env"]["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert answer["env"]["AWS_ACCESS_KEY_ID"] and answer["env"]["AWS_DEFAULT_REGION"] == "us-east-1"
    assert answer["env"]["AWS_LAMBDA_FUNCTION_NAME"] == "Ctx"
    assert answer["env"]["GREETING"] == "hi"
    assert answer["env"]["DJANGO_SETTINGS_MODULE"] is None


def test_a_busy_loop_is_killed_at_its_timeout(function_dir):
    write(function_dir, "Spin.py", """
        import os
        def handler(event, context):
            print("pid", os.getpid(), flush=True)
            while True:
                pass
    """)
    functions.update_function(functions.get_function("Spin"), timeout=1)
    started = time.monotonic()
    result = functions.invoke("Spin", "{}")
    assert 1.0 <= time.monotonic() - started < 3.0
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert result.error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    pid = int(result.logs.split("pid ")[1].split()[0])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_memory_past_the_limit_fails_the_invocation_and_nothing_else(function_dir):
    write(function_dir, "Hog.py", """
        def handler(event, context):
            return len(bytearray(event["mb"] * 1024 * 1024))
    """)
    assert functions.invoke("Hog", '{"mb": 16}').payload == str(16 * 1024 * 1024)
    result = functions.invoke("Hog", '{"mb": 400}')
    assert result.error["errorType"] == "Runtime.OutOfMemory"
    assert functions.invoke("Hog", '{"mb": 16}').payload == str(16 * 1024 * 1024)


def test_a_worker_that_exits_fails_its_invocation(function_dir):
    write(function_dir, "Quit.py", "import os\ndef handler(event, context):\n    os._exit(3)\n")
    result = functions.invoke("Quit", "{}")
    assert result.error["errorType"] == "Runtime.ExitError"
    assert result.error["errorMessage"].endswith("Runtime exited with error: exit status 3")


def test_an_event_that_is_not_json_is_refused(function_dir):
    functions.create_function("Any")
    with pytest.raises(functions.InvalidRequestContent):
        functions.invoke("Any", "{broken")
    assert functions.invoke("Any", "").status_code == 200


def test_names_partial_arns_and_arns_find_the_function_but_other_versions_do_not(function_dir):
    functions.create_function("Named")
    for identifier in ("Named", "Named:$LATEST", "000000000000:function:Named",
                       "arn:aws:lambda:us-east-1:000000000000:function:Named"):
        assert functions.get_function(identifier).name == "Named"
    with pytest.raises(functions.ResourceNotFound, match=r"function:Named:prod$"):
        functions.get_function("Named:prod")
    with pytest.raises(functions.ResourceNotFound, match=r"function:Missing:\$LATEST$"):
        functions.get_function("Missing")


def test_a_function_whose_file_is_deleted_disappears(function_dir):
    write(function_dir, "Gone.py", "def handler(event, context):\n    return 1\n")
    assert functions.get_function("Gone").source == Function.DIRECTORY
    (function_dir / "Gone.py").unlink()
    with pytest.raises(functions.ResourceNotFound):
        functions.invoke("Gone", "{}")
    assert not Function.objects.filter(name="Gone").exists()


def test_settings_are_checked_like_lambda_checks_them(function_dir):
    with pytest.raises(functions.InvalidParameterValue):
        functions.create_function("bad name")
    function = functions.create_function("Limits")
    with pytest.raises(functions.InvalidParameterValue):
        functions.update_function(function, timeout=901)
    with pytest.raises(functions.InvalidParameterValue):
        functions.update_function(function, memory_size=64)
    with pytest.raises(functions.InvalidParameterValue):
        functions.update_function(function, handler="not a handler")
    with pytest.raises(functions.ResourceConflict):
        functions.create_function("Limits")


def test_only_the_most_recent_invocations_are_kept(function_dir, monkeypatch):
    monkeypatch.setattr(functions, "RECENT_INVOCATIONS", 3)
    function = functions.create_function("Often", code="def handler(event, context):\n    return event\n")
    for n in range(13):
        functions.invoke("Often", json.dumps({"n": n}))
    kept = [json.loads(i.event)["n"] for i in functions.recent_invocations(function)]
    # Pruned on every PRUNE_EVERY-th invocation: 3 kept then, and the ones since.
    assert 3 <= len(kept) < 3 + functions.PRUNE_EVERY
    assert kept == list(range(12, 12 - len(kept), -1))
