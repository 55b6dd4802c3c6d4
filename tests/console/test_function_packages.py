"""Functions from zip packages (the Lambda API's) in the console: one list, the handler
file shown and edited in place, the code downloadable, runtimes chosen on create."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from console.functions import packages
from console.models import Function
from console.services import functions
from tests.conftest import zipped

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("function_dir")]



def members(data: bytes) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def deploy(name: str = "Packaged") -> Function:
    return functions.create_function(name, handler="src/app.main", zip_file=zipped({
        "src/app.py": "from src import words\n\ndef main(event, context):\n    return words.WORD\n",
        "src/__init__.py": "", "src/words.py": "WORD = 'zip'\n"}))


def test_a_package_function_is_listed_with_its_runtime_and_shown_with_its_handler_file(client):
    deploy()
    listing = client.get("/functions/").content.decode()
    assert "Packaged" in listing and "Zip package" in listing and "python3.12" in listing
    page = client.get("/functions/Packaged/").content.decode()
    assert "src/app.py" in page and "return words.WORD" in page and "src/app.main" in page
    assert "3 files in the package" in page and "<code>src/words.py</code>" in page


def test_editing_a_package_function_changes_its_handler_file_only(client):
    before = deploy()
    response = client.post("/functions/Packaged/edit", {
        "runtime": "python3.12", "handler": "src/app.main", "timeout": 3, "memory_size": 128, "environment": "",
        "description": "", "code": "from src import words\n\ndef main(event, context):\n"
                                   "    return words.WORD.upper()\n"})
    assert response.status_code == 302
    after = Function.objects.get(name="Packaged")
    assert after.package != before.package and after.code_sha256 != before.code_sha256
    assert functions.invoke("Packaged", "{}").payload == '"ZIP"'
    files = members(packages.zip_path(after.package).read_bytes())
    assert files["src/words.py"] == "WORD = 'zip'\n" and "upper()" in files["src/app.py"]


def test_the_code_of_any_function_downloads_as_a_zip(client, function_dir):
    functions.create_function("Typed", code="def handler(event, context):\n    return 1\n")
    response = client.get("/functions/Typed/code.zip")
    assert response["Content-Type"] == "application/zip"
    assert members(response.content) == {"handler.py": "def handler(event, context):\n    return 1\n"}
    (function_dir / "OnDisk.py").write_text("def handler(event, context):\n    return 2\n")
    assert members(client.get("/functions/OnDisk/code.zip").content) == {
        "OnDisk.py": "def handler(event, context):\n    return 2\n"}


def test_a_user_creates_a_nodejs_function_in_the_console(client):
    response = client.post("/functions/new", {
        "name": "NodeFn", "runtime": "nodejs20.x", "handler": "index.handler", "timeout": 3, "memory_size": 128,
        "environment": "", "description": "", "code": "exports.handler = async (event) => event;\n"})
    assert response.status_code == 302
    function = Function.objects.get(name="NodeFn")
    assert function.runtime == "nodejs20.x"
    page = client.get("/functions/NodeFn/").content.decode()
    assert "index.js" in page and "nodejs20.x" in page
    assert members(client.get("/functions/NodeFn/code.zip").content) == {
        "index.js": "exports.handler = async (event) => event;\n"}


def test_the_create_form_offers_every_runtime_and_both_starting_codes(client):
    page = client.get("/functions/new").content.decode()
    for runtime in ("python3.9", "python3.13", "nodejs16.x", "nodejs22.x"):
        assert f'value="{runtime}"' in page
    assert "exports.handler" in page and 'id="default-code"' in page


def test_the_live_part_of_the_page_lists_invocations_with_duration_and_logs(client):
    functions.create_function("Logged", code="def handler(event, context):\n    print('hello log')\n"
                                             "    raise ValueError('broken')\n")
    functions.invoke("Logged", json.dumps({"n": 1}), caller="console")
    rows = client.get("/functions/Logged/?partial=1").content.decode()
    assert "hello log" in rows and "ValueError" in rows and " ms" in rows and "Failed" in rows
    assert "<html" not in rows


def test_a_package_without_its_handler_file_says_so(client):
    functions.create_function("Empty", handler="index.handler", zip_file=zipped({"readme.txt": "hi"}))
    page = client.get("/functions/Empty/").content.decode()
    assert 'id="handler-file-missing"' in page
    assert functions.invoke("Empty", "{}").error["errorType"] == "Runtime.ImportModuleError"


def test_a_published_console_function_keeps_its_code_when_edited():
    from console.services import function_versions

    function = functions.create_function("Frozen", code="def handler(event, context):\n    return 'old'\n")
    function_versions.publish_version(function)
    functions.update_function(function, code="def handler(event, context):\n    return 'new'\n")
    assert functions.invoke("Frozen:1", "{}").payload == '"old"'
    assert functions.invoke("Frozen", "{}").payload == '"new"'
