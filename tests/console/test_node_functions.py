"""Node.js functions: module forms, handler styles, context, logs, error shapes and limits."""

from __future__ import annotations

import io
import json
import os
import shutil
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from console.functions.nodejs import SDK_MODULES
from console.functions.pool import POOL
from console.services import functions

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (make installs it)"),
]


needs_sdks = pytest.mark.skipif(not (Path(SDK_MODULES) / "aws-sdk").is_dir(),
                                reason="the Node.js SDKs are not installed (make does it)")


@pytest.fixture(autouse=True)
def stop_workers():
    yield
    POOL.shutdown()


def node_function(name: str, code: str, *, handler: str = "index.handler", runtime: str = "nodejs20.x",
                  **settings) -> None:
    functions.create_function(name, code=textwrap.dedent(code), handler=handler, runtime=runtime, **settings)


def package(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()


def node_package(name: str, files: dict[str, str], handler: str, **settings) -> None:
    functions.create_function(name, zip_file=package(files), handler=handler, runtime="nodejs20.x", **settings)


def invoke(name: str, event: object = None):
    return functions.invoke(name, json.dumps(event if event is not None else {}))


def test_it_runs_a_commonjs_handler_and_keeps_module_state_while_warm():
    node_function("Counter", """
        let count = 0;
        exports.handler = async (event) => ({ count: ++count, doubled: event.n * 2 });
    """)
    answers = [json.loads(invoke("Counter", {"n": n}).payload) for n in (1, 2, 3)]
    assert answers == [{"count": 1, "doubled": 2}, {"count": 2, "doubled": 4}, {"count": 3, "doubled": 6}]


def test_an_es_module_handler_in_a_sub_folder_runs():
    node_package("Esm", {
        "src/app.mjs": """
            import { helper } from './lib.mjs';
            export const handler = async (event) => helper(event.word);
        """,
        "src/lib.mjs": "export const helper = (word) => word.toUpperCase();\n",
    }, handler="src/app.handler")
    assert invoke("Esm", {"word": "tea"}).payload == '"TEA"'


def test_a_js_file_under_a_module_package_json_is_loaded_as_an_es_module():
    node_package("TypeModule", {
        "package.json": '{"type": "module"}',
        "index.js": "export const handler = async () => typeof require;\n",
    }, handler="index.handler")
    assert invoke("TypeModule").payload == '"undefined"'


def test_a_cjs_file_and_nested_handler_paths_are_found():
    node_package("Cjs", {"lib/main.cjs": "module.exports = { api: { go: async () => 'went' } };\n"},
                 handler="lib/main.api.go")
    assert invoke("Cjs").payload == '"went"'


def test_a_callback_handler_answers_after_its_pending_work_finishes():
    node_function("Callback", """
        exports.handler = (event, context, callback) => {
          let late = 'not yet';
          setTimeout(() => { late = 'done'; console.log('timer', late); }, 50);
          callback(null, { value: event.value });
        };
    """)
    result = invoke("Callback", {"value": 7})
    assert json.loads(result.payload) == {"value": 7}
    assert "INFO\ttimer done" in result.logs


def test_callback_waits_for_empty_event_loop_false_answers_at_once():
    node_function("NoWait", """
        exports.handler = (event, context, callback) => {
          context.callbackWaitsForEmptyEventLoop = false;
          setTimeout(() => console.log('later'), 2000);
          callback(null, 'now');
        };
    """, timeout=5)
    started = time.monotonic()
    assert invoke("NoWait").payload == '"now"'
    assert time.monotonic() - started < 1.5


def test_the_legacy_context_succeed_and_fail_complete_the_invocation():
    node_function("Legacy", """
        exports.handler = (event, context) => {
          if (event.ok) context.succeed({ fine: true });
          else context.fail(new Error('legacy failure'));
        };
    """)
    assert json.loads(invoke("Legacy", {"ok": True}).payload) == {"fine": True}
    error = invoke("Legacy", {"ok": False}).error
    assert (error["errorType"], error["errorMessage"]) == ("Error", "legacy failure")


def test_the_context_is_lambdas():
    node_function("Ctx", """
        exports.handler = async (event, context) => ({
          requestId: context.awsRequestId, name: context.functionName, version: context.functionVersion,
          arn: context.invokedFunctionArn, memory: context.memoryLimitInMB, group: context.logGroupName,
          stream: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
          waits: context.callbackWaitsForEmptyEventLoop,
          env: ['AWS_ENDPOINT_URL', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_EXECUTION_ENV', 'GREETING']
            .map((name) => process.env[name]),
        });
    """, runtime="nodejs18.x", timeout=5, environment={"GREETING": "hi"})
    result = invoke("Ctx")
    answer = json.loads(result.payload)
    assert answer["requestId"] == result.request_id
    assert answer["name"] == "Ctx" and answer["version"] == "$LATEST"
    assert answer["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:Ctx"
    assert answer["memory"] == "128"
    assert answer["group"] == "/aws/lambda/Ctx" and answer["stream"]
    assert 4000 < answer["remaining"] <= 5000
    assert answer["waits"] is True
    assert answer["env"][0].startswith("http://127.0.0.1:")
    assert answer["env"][1:] == ["Ctx", "AWS_Lambda_nodejs18.x", "hi"]


def test_console_output_is_captured_in_lambdas_log_format():
    node_function("Chatty", """
        console.log('Loading function');
        exports.handler = async (event) => {
          console.log('got', { a: 1 });
          console.error('bad thing');
          console.warn('careful');
          process.stdout.write('raw line\\n');
          return null;
        };
    """)
    result = invoke("Chatty")
    lines = result.logs.splitlines()
    rid = result.request_id
    assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[1].endswith(f"\t{rid}\tINFO\tLoading function")
    assert lines[2].endswith(f"\t{rid}\tINFO\tgot {{ a: 1 }}")
    assert lines[3].endswith(f"\t{rid}\tERROR\tbad thing")
    assert lines[4].endswith(f"\t{rid}\tWARN\tcareful")
    assert lines[5] == "raw line"
    assert lines[6] == f"END RequestId: {rid}"
    assert lines[7].startswith(f"REPORT RequestId: {rid}\tDuration: ")
    assert lines[1][:4].isdigit() and lines[1].split("\t")[0].endswith("Z")
    assert result.payload == "null"


def test_a_thrown_error_has_lambdas_shape_and_the_worker_stays_warm():
    node_function("Thrower", """
        let calls = 0;
        class StockError extends Error { constructor(m) { super(m); this.name = 'StockError'; } }
        exports.handler = async (event) => {
          calls += 1;
          if (event.fail) throw new StockError('no stock for ' + event.item);
          return calls;
        };
    """)
    result = invoke("Thrower", {"fail": True, "item": "tea"})
    assert result.function_error == "Unhandled"
    assert list(result.error) == ["errorType", "errorMessage", "trace"]
    assert result.error["errorType"] == "StockError"
    assert result.error["errorMessage"] == "no stock for tea"
    assert result.error["trace"][0] == "StockError: no stock for tea"
    assert "index.js" in result.error["trace"][1]
    assert "ERROR\tInvoke Error \t" in result.logs and '"errorType":"StockError"' in result.logs
    assert invoke("Thrower").payload == "2"


def test_a_string_given_to_the_callback_is_an_error_of_type_string():
    node_function("Stringly", "exports.handler = (event, context, callback) => callback('went wrong');\n")
    assert invoke("Stringly").error == {"errorType": "string", "errorMessage": "went wrong", "trace": []}


def test_an_unhandled_rejection_fails_the_invocation_like_lambda():
    node_function("Reject", """
        exports.handler = (event, context, callback) => {
          Promise.reject(new Error('lost'));
          setTimeout(() => callback(null, 'never'), 100);
        };
    """)
    error = invoke("Reject").error
    assert error["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert error["errorMessage"] == "Error: lost"
    assert invoke("Reject").error["errorType"] == "Runtime.UnhandledPromiseRejection"


def test_a_missing_file_is_an_import_module_error():
    node_package("Missing", {"index.js": "exports.handler = async () => 1;\n"}, handler="nowhere.handler")
    error = invoke("Missing").error
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"].startswith("Error: Cannot find module 'nowhere'")


def test_a_missing_dependency_is_an_import_module_error():
    node_function("NoDep", "const x = require('left-pad-never-installed');\nexports.handler = async () => 1;\n")
    error = invoke("NoDep").error
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert "Cannot find module 'left-pad-never-installed'" in error["errorMessage"]


def test_a_missing_export_or_one_that_is_not_a_function_is_handler_not_found():
    node_function("NoExport", "exports.other = async () => 1;\nexports.value = 3;\n")
    error = invoke("NoExport").error
    assert error["errorType"] == "Runtime.HandlerNotFound"
    assert error["errorMessage"] == "index.handler is undefined or not exported"
    functions.update_function(functions.get_function("NoExport"), handler="index.value")
    error = invoke("NoExport").error
    assert (error["errorType"], error["errorMessage"]) == ("Runtime.HandlerNotFound", "index.value is not a function")


def test_a_syntax_error_is_a_user_code_syntax_error():
    node_function("Syntax", "exports.handler = async () => {\n  return 1;\n")
    error = invoke("Syntax").error
    assert error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert error["errorMessage"].startswith("SyntaxError: ")


def test_an_error_thrown_at_load_time_is_reported_as_itself():
    node_function("LoadThrow", "throw new TypeError('bad config');\n")
    error = invoke("LoadThrow").error
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "bad config")


def test_a_busy_loop_is_killed_at_its_timeout():
    node_function("Spin", """
        exports.handler = async () => {
          console.log('pid', process.pid);
          while (true) {}
        };
    """, timeout=1)
    started = time.monotonic()
    result = invoke("Spin")
    assert 1.0 <= time.monotonic() - started < 3.0
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert result.error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    pid = int(result.logs.split("\tpid ")[1].split()[0])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_handler_that_exits_the_process_is_a_runtime_exit_error():
    node_function("Quit", "exports.handler = async () => process.exit(3);\n")
    error = invoke("Quit").error
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: exit status 3")


@pytest.mark.parametrize("allocation", [
    "const hog = []; while (true) hog.push(new Array(100000).fill(Math.random()));",
    "const hog = Buffer.alloc(event.mb * 1024 * 1024, 1);",
], ids=["heap", "buffer"])
def test_memory_past_the_limit_is_out_of_memory_and_the_next_invocation_runs(allocation):
    node_function("Hog", f"""
        exports.handler = async (event) => {{
          if (event.mb) {{ {allocation} return 'kept'; }}
          return 'small';
        }};
    """, timeout=20)
    assert invoke("Hog").payload == '"small"'
    result = invoke("Hog", {"mb": 600})
    assert result.error["errorType"] == "Runtime.OutOfMemory"
    assert invoke("Hog").payload == '"small"'


def test_an_answer_that_cannot_be_json_is_a_marshal_error():
    node_function("Cycle", "exports.handler = async () => { const a = {}; a.self = a; return a; };\n")
    assert invoke("Cycle").error["errorType"] == "Runtime.MarshalError"


@needs_sdks
def test_the_bundled_sdks_resolve_without_bundling_and_v2_points_at_stepyard():
    node_function("Sdks", """
        const AWS = require('aws-sdk');
        const { SFNClient } = require('@aws-sdk/client-sfn');
        require('@aws-sdk/client-sqs'); require('@aws-sdk/client-sns');
        require('@aws-sdk/client-lambda'); require('@aws-sdk/client-dynamodb'); require('@aws-sdk/lib-dynamodb');
        exports.handler = async () => ({
          v2: new AWS.StepFunctions().endpoint.href, v3: typeof SFNClient,
          region: AWS.config.region,
        });
    """, timeout=10, memory_size=256)
    answer = json.loads(invoke("Sdks").payload)
    assert answer["v2"].startswith("http://127.0.0.1:")
    assert answer["v3"] == "function" and answer["region"] == "us-east-1"


@needs_sdks
def test_an_es_module_imports_the_bundled_sdks_and_v2_points_at_stepyard_there_too():
    node_package("EsmSdk", {"index.mjs": """
        import { SQSClient } from '@aws-sdk/client-sqs';
        import AWS from 'aws-sdk';
        import SNS from 'aws-sdk/clients/sns.js';
        export const handler = async () => [typeof SQSClient, new AWS.SQS().endpoint.href, new SNS().endpoint.href];
    """}, handler="index.handler", timeout=10, memory_size=256)
    kind, sqs, sns = json.loads(invoke("EsmSdk").payload)
    assert kind == "function"
    assert sqs.startswith("http://127.0.0.1:") and sns == sqs
