"""Distributed Map over S3 against the embedded moto: ItemReader (JSON, JSONL, CSV, listObjectsV2,
manifest, MaxItems), ResultWriter (manifest and result files) and tolerated failures."""

from __future__ import annotations

import gzip
import json
import re
import uuid

import pytest

from console.models import HistoryEvent
from console.upstream.clients import client
from tests.console.test_functions_integrations import run

pytestmark = pytest.mark.django_db
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def bucket(**objects: bytes | str) -> str:
    name = f"items-{uuid.uuid4().hex[:8]}"
    s3 = client("s3")
    s3.create_bucket(Bucket=name)
    for key, body in objects.items():
        s3.put_object(Bucket=name, Key=key.replace("__", "/").replace("_", "."), Body=body)
    return name


def map_state(reader: dict, processor: dict = PASS, **fields) -> dict:
    return {"M": {"Type": "Map", "End": True, "ItemReader": reader,
                  "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                    **processor}, **fields}}


def get_object(name: str, key: str, **config) -> dict:
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
            "Parameters": {"Bucket": name, "Key": key}}


def event_types(execution) -> list[str]:
    return list(HistoryEvent.objects.filter(execution=execution).order_by("event_id").values_list("type", flat=True))


def test_a_json_array_is_read_item_by_item():
    name = bucket(items_json=json.dumps([{"n": 1}, {"n": 2}, {"n": 3}]))
    execution = run(map_state(get_object(name, "items.json", InputType="JSON")), "M")
    assert execution.status == "SUCCEEDED"
    assert json.loads(execution.output) == [{"n": 1}, {"n": 2}, {"n": 3}]
    types = event_types(execution)
    assert types[types.index("MapStateStarted"):types.index("MapStateExited")] == [
        "MapStateStarted", "MapRunStarted", "MapRunSucceeded", "MapStateSucceeded"]


def test_csv_with_a_first_row_header_keeps_values_as_text_and_fills_short_rows():
    name = bucket(rows_csv="id,name,qty\n1,apple,3\n\n2,\"pear, green\"\n")
    execution = run(map_state(get_object(name, "rows.csv", InputType="CSV", CSVHeaderLocation="FIRST_ROW")), "M")
    assert json.loads(execution.output) == [{"id": "1", "name": "apple", "qty": "3"},
                                            {"id": "2", "name": "pear, green", "qty": ""}]


def test_csv_with_given_headers_drops_extra_fields_and_max_items_stops_early():
    name = bucket(rows_csv="a,b\nc,d\ne,f\n")
    reader = get_object(name, "rows.csv", InputType="CSV", CSVHeaderLocation="GIVEN", CSVHeaders=["H1"], MaxItems=2)
    assert json.loads(run(map_state(reader), "M").output) == [{"H1": "a"}, {"H1": "c"}]


def test_max_items_path_zero_means_all_and_a_negative_one_fails_the_map_run():
    name = bucket(rows_csv="h\n1\n2\n3\n")
    reader = {**get_object(name, "rows.csv", InputType="CSV"), "ReaderConfig": {
        "InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItemsPath": "$.max"}}
    assert len(json.loads(run(map_state(reader), "M", json.dumps({"max": 0})).output)) == 3
    failed = run(map_state(reader), "M", json.dumps({"max": -1}))
    assert (failed.error, failed.cause) == ("States.ItemReaderFailed", "field MaxItems must be positive")
    assert event_types(failed)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_csv_problems_fail_with_item_reader_failed():
    name = bucket(rows_csv="a,b\n1,2\n", bad_csv='h\n"unterminated\n')
    duplicate = get_object(name, "rows.csv", InputType="CSV", CSVHeaderLocation="GIVEN", CSVHeaders=["H", "H"])
    execution = run(map_state(duplicate), "M")
    assert (execution.error, execution.cause) == ("States.ItemReaderFailed", "CSV headers cannot contain duplicates.")
    malformed = run(map_state(get_object(name, "bad.csv", InputType="CSV")), "M")
    assert malformed.error == "States.ItemReaderFailed" and "malformed" in malformed.cause


def test_jsonl_and_a_json_object_that_is_not_a_list():
    name = bucket(lines_jsonl='{"a": 1}\n\n[2]\n"three"\n', object_json='{"a": 1}')
    assert json.loads(run(map_state(get_object(name, "lines.jsonl", InputType="JSONL")), "M").output) == [
        {"a": 1}, [2], "three"]
    execution = run(map_state(get_object(name, "object.json", InputType="JSON")), "M")
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause == "Attempting to map over non-iterable node."


def test_a_missing_key_or_bucket_fails_the_map_run_naming_the_s3_error():
    name = bucket()
    missing_key = run(map_state(get_object(name, "nope.json", InputType="JSON")), "M")
    assert missing_key.error == "States.ItemReaderFailed" and missing_key.cause.startswith("S3.NoSuchKeyException")
    missing_bucket = run(map_state(get_object("no-such-bucket-dm", "k", InputType="JSON")), "M")
    assert missing_bucket.cause.startswith("S3.NoSuchBucketException")


def test_an_object_over_the_size_limit_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setenv("STEPYARD_ITEM_READER_MAX_BYTES", "1000")
    name = bucket(big_json=json.dumps(list(range(1000))))
    execution = run(map_state(get_object(name, "big.json", InputType="JSON")), "M")
    assert execution.error == "States.ItemReaderFailed" and "STEPYARD_ITEM_READER_MAX_BYTES" in execution.cause


def test_list_objects_v2_gives_one_item_per_object():
    name = bucket(**{"in__a_txt": "1", "in__b_txt": "22", "other_txt": "x"})
    reader = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": name, "Prefix": "in/"}}
    items = json.loads(run(map_state(reader), "M").output)
    assert [(item["Key"], item["Size"]) for item in items] == [("in/a.txt", 1), ("in/b.txt", 2)]
    assert set(items[0]) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
    assert isinstance(items[0]["LastModified"], int)


def test_a_manifest_reads_the_inventory_files_it_lists():
    inventory = gzip.compress(b'"src","a.csv"\n"src","b.csv"\n')
    manifest = {"sourceBucket": "src", "fileFormat": "CSV", "fileSchema": "Bucket, Key",
                "files": [{"key": "inv/data.csv.gz"}]}
    name = bucket(**{"inv__data_csv_gz": inventory, "inv__manifest_json": json.dumps(manifest)})
    items = json.loads(run(map_state(get_object(name, "inv/manifest.json", InputType="MANIFEST")), "M").output)
    assert items == [{"Bucket": "src", "Key": "a.csv"}, {"Bucket": "src", "Key": "b.csv"}]


def test_result_writer_writes_the_manifest_and_a_file_per_status_within_the_tolerance():
    name = bucket(rows_json=json.dumps([{"ok": True}, {"ok": False}, {"ok": True}]))
    processor = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "No",
              "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Ok"}]},
        "Ok": {"Type": "Pass", "Result": "done", "End": True},
        "No": {"Type": "Fail", "Error": "Rejected", "Cause": "not ok"}}}
    states = map_state(get_object(name, "rows.json", InputType="JSON"), processor, ToleratedFailureCount=1,
                       ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                     "Parameters": {"Bucket": name, "Prefix": "out"}})
    execution = run(states, "M")
    output = json.loads(execution.output)
    assert execution.status == "SUCCEEDED" and ":mapRun:" in output["MapRunArn"]
    assert output["ResultWriterDetails"]["Bucket"] == name
    key = output["ResultWriterDetails"]["Key"]
    assert key.startswith("out/") and key.endswith("/manifest.json")
    s3 = client("s3")
    manifest = json.loads(s3.get_object(Bucket=name, Key=key)["Body"].read())
    assert manifest["MapRunArn"] == output["MapRunArn"] and manifest["ResultFiles"]["PENDING"] == []
    files = manifest["ResultFiles"]
    succeeded = json.loads(s3.get_object(Bucket=name, Key=files["SUCCEEDED"][0]["Key"])["Body"].read())
    failed = json.loads(s3.get_object(Bucket=name, Key=files["FAILED"][0]["Key"])["Body"].read())
    assert [(entry["Status"], entry["Output"]) for entry in succeeded] == [("SUCCEEDED", '"done"')] * 2
    assert [(entry["Error"], entry["Cause"], entry["Input"]) for entry in failed] == [
        ("Rejected", "not ok", '{"ok":false}')]


def test_a_result_writer_bucket_that_does_not_exist_fails_with_result_writer_failed():
    name = bucket(rows_json="[1]")
    states = map_state(get_object(name, "rows.json", InputType="JSON"),
                       ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                     "Parameters": {"Bucket": "no-such-results-bucket", "Prefix": "p"}})
    execution = run(states, "M")
    assert execution.error == "States.ResultWriterFailed" and "NoSuchBucket" in execution.cause


def test_the_execution_page_links_its_map_run_whose_page_counts_items_by_status(client):
    name = bucket(rows_json=json.dumps(["<a>", "b", "c"]))
    execution = run(map_state(get_object(name, "rows.json", InputType="JSON")), "M")
    page = client.get(f"/executions/{execution.pk}/").content.decode()
    link = page.split('id="map-runs"')[1].split('href="')[1].split('"')[0]
    assert "3/3 items succeeded" in page
    run_page = client.get(link).content.decode()
    assert 'id="map-run-status">SUCCEEDED' in run_page
    assert '<tr data-status="succeeded"><td>succeeded</td><td>3</td><td>3</td></tr>' in run_page
    child_links = re.findall(r'<tr data-status="succeeded"><td><a href="(/executions/\d+/)">', run_page)
    assert len(child_links) == 3
    child_pages = [client.get(link).content.decode() for link in child_links]
    assert all('id="map-run-parent"' in p and f'href="/executions/{execution.pk}/"' in p for p in child_pages)
    # A child's input is the user's data: escaped on its page.
    assert any("&lt;a&gt;" in p for p in child_pages) and not any('"<a>"' in p for p in child_pages)
    # The executions list holds the parent, not its children; the filter narrows the children.
    listed = client.get("/executions/").content.decode()
    assert f"/executions/{execution.pk}/" in listed and not any(link in listed for link in child_links)
    assert "/executions/" not in client.get(link + "?status=failed").content.decode().split('id="map-run-children"')[1]
    assert client.get("/map-runs/arn:aws:states:us-east-1:000000000000:mapRun:x:y/M:1").status_code == 404


def test_jsonata_arguments_and_max_items_and_items_path_left_to_the_reader():
    name = bucket(rows_json=json.dumps([["a"], ["b"], ["c"]]))
    jsonata = {"QueryLanguage": "JSONata", "StartAt": "M", "States": map_state(
        {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% 1 + 1 %}"},
         "Arguments": {"Bucket": "{% $states.input.b %}", "Key": "rows.json"}})}
    machine_json = json.dumps(jsonata)
    from console.services import executions, machines
    from tests.console.test_functions_integrations import drain

    machine = machines.create_machine(name=f"J{uuid.uuid4().hex[:8]}", definition=machine_json)
    execution = executions.start_execution(machine, input=json.dumps({"b": name}))
    drain()
    execution.refresh_from_db()
    assert json.loads(execution.output) == [["a"], ["b"]]
    # ItemsPath selects nothing from what an ItemReader read (as recorded on AWS).
    with_path = run(map_state(get_object(name, "rows.json", InputType="JSON"), ItemsPath="$[0]"), "M")
    assert json.loads(with_path.output) == [["a"], ["b"], ["c"]]


def test_a_map_run_past_its_tolerance_still_writes_its_results_then_fails():
    name = bucket(rows_json=json.dumps([1, 2, 3, 4]))
    processor = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope"}}}
    states = map_state(get_object(name, "rows.json", InputType="JSON"), processor, MaxConcurrency=1,
                       ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                     "Parameters": {"Bucket": name, "Prefix": "failed-run"}})
    execution = run(states, "M")
    assert execution.error == "States.ExceedToleratedFailureThreshold"
    s3 = client("s3")
    [manifest_key] = [o["Key"] for o in s3.list_objects_v2(Bucket=name, Prefix="failed-run/")["Contents"]
                      if o["Key"].endswith("manifest.json")]
    files = json.loads(s3.get_object(Bucket=name, Key=manifest_key)["Body"].read())["ResultFiles"]
    assert files["SUCCEEDED"] == [] and len(files["FAILED"]) == 1 and len(files["PENDING"]) == 1
    pending = json.loads(s3.get_object(Bucket=name, Key=files["PENDING"][0]["Key"])["Body"].read())
    assert [entry["Input"] for entry in pending] == ["2", "3", "4"]
    assert event_types(execution)[-4:] == ["MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed"]


def test_with_an_item_batcher_the_map_run_counts_items_and_child_executions_apart():
    from console.api.map_runs import describe_map_run
    from console.services import map_runs

    name = bucket(rows_json=json.dumps(list(range(10))))
    execution = run(map_state(get_object(name, "rows.json", InputType="JSON"), ItemBatcher={"MaxItemsPerBatch": 3}),
                    "M")
    [map_run] = map_runs.map_runs_of(execution)
    described = describe_map_run({"mapRunArn": map_run.arn})
    assert (described["itemCounts"]["total"], described["itemCounts"]["succeeded"]) == (10, 10)
    assert (described["executionCounts"]["total"], described["executionCounts"]["succeeded"]) == (4, 4)
    assert described["status"] == "SUCCEEDED" and described["stopDate"] >= described["startDate"]
