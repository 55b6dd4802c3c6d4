"""A Distributed Map's ItemReader and ResultWriter over S3 (the embedded moto or the
S3 upstream): the runtime's side of the requests ``engine/map_io.py`` makes.

ItemReader resources: ``arn:aws:states:::s3:getObject`` (one object read as JSON, JSONL
or CSV, see ``item_files``, or an S3 Inventory ``MANIFEST`` whose CSV files list the
objects), ``arn:aws:states:::s3:listObjectsV2`` (one item per object: Etag, Key,
LastModified in epoch seconds, Size, StorageClass). ``MaxItems`` (0: all) stops early.
An object larger than STEPYARD_ITEM_READER_MAX_BYTES (16 MiB by default) is refused
before it is fetched: the items live in the execution's state. Every problem fails the
Map Run with ``States.ItemReaderFailed``, the S3 error named in the cause.

ResultWriter (``arn:aws:states:::s3:putObject``, Parameters ``Bucket`` and ``Prefix``)
writes ``<Prefix>/<map run id>/SUCCEEDED_0.json`` (and FAILED_0, PENDING_0 when there are
such iterations) and ``manifest.json`` listing them; the Map's result is then
``{"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}``. Problems fail it with
``States.ResultWriterFailed``.
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from console.integrations import CallContext, Route
from console.integrations.aws_sdk_services import sdk_error
from console.integrations.item_files import ItemsError, parse
from console.integrations.service_calls import CallFailed, Unreachable, perform
from engine import fanout
from engine.errors import STATES_ITEM_READER_FAILED, STATES_RESULT_WRITER_FAILED, StatesError

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


def max_bytes() -> int:
    return int(os.environ.get("STEPYARD_ITEM_READER_MAX_BYTES") or DEFAULT_MAX_BYTES)


def read_object_items(parameters: Any, context: CallContext) -> list[Any]:
    request, config = _request(parameters, "ReaderConfig")
    limit = int(config.get("MaxItems") or 0)
    try:
        if str(config.get("InputType", "")).upper() == "MANIFEST":
            return _manifest_items(request, limit)
        return parse(_text(request), config, limit)
    except ItemsError as error:
        raise StatesError(STATES_ITEM_READER_FAILED, str(error)) from None
    except (CallFailed, Unreachable) as error:
        raise _failed(STATES_ITEM_READER_FAILED, error) from None


def list_object_items(parameters: Any, context: CallContext) -> list[dict[str, Any]]:
    request, config = _request(parameters, "ReaderConfig")
    limit = int(config.get("MaxItems") or 0)
    items: list[dict[str, Any]] = []
    try:
        while True:
            page = perform("s3", "ListObjectsV2", request).result
            items.extend(_listed(entry) for entry in page.get("Contents", []))
            if not page.get("IsTruncated") or (limit and len(items) >= limit):
                break
            request = {**request, "ContinuationToken": page["NextContinuationToken"]}
    except (CallFailed, Unreachable) as error:
        raise _failed(STATES_ITEM_READER_FAILED, error) from None
    return items[:limit] if limit else items


def _request(parameters: Any, config_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    parameters = parameters if isinstance(parameters, dict) else {}
    request = parameters.get("Parameters") if isinstance(parameters.get("Parameters"), dict) else {}
    config = parameters.get(config_name) if isinstance(parameters.get(config_name), dict) else {}
    return dict(request), dict(config)


def _text(request: dict[str, Any]) -> str:
    body = _body(request)
    return body.decode("utf-8-sig", errors="replace")


def _body(request: dict[str, Any]) -> bytes:
    if not isinstance(request.get("Bucket"), str) or not isinstance(request.get("Key"), str):
        raise ItemsError("The ItemReader's Parameters must name a Bucket and a Key.")
    try:
        head = perform("s3", "HeadObject", request).result
    except CallFailed:  # a HEAD's error has no body: GetObject names it (NoSuchKey, NoSuchBucket)
        return perform("s3", "GetObject", request).result["Body"].read()
    size = int(head.get("ContentLength") or 0)
    if size > max_bytes():
        raise ItemsError(f"The object s3://{request['Bucket']}/{request['Key']} is {size} bytes; Stepyard reads "
                         f"at most {max_bytes()} bytes in an ItemReader (STEPYARD_ITEM_READER_MAX_BYTES).")
    return perform("s3", "GetObject", request).result["Body"].read()


def _manifest_items(request: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """An S3 Inventory manifest: its CSV files (gzip or not) list one object a row."""
    try:
        manifest = json.loads(_text(request))
        fields = [name.strip() for name in manifest["fileSchema"].split(",")]
        files = [entry["key"] for entry in manifest["files"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ItemsError("The manifest is not an S3 Inventory manifest.json (fileSchema, files).") from None
    items: list[dict[str, Any]] = []
    for key in files:
        body = _body({"Bucket": request["Bucket"], "Key": key})
        text = (gzip.decompress(body) if key.endswith(".gz") else body).decode("utf-8", errors="replace")
        config = {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": fields}
        items.extend(parse(text, config, limit - len(items) if limit else 0))
        if limit and len(items) >= limit:
            break
    return items


def _listed(entry: dict[str, Any]) -> dict[str, Any]:
    modified = entry.get("LastModified")
    return {
        "Etag": entry.get("ETag"), "Key": entry.get("Key"),
        "LastModified": int(modified.timestamp()) if isinstance(modified, datetime) else modified,
        "Size": entry.get("Size"), "StorageClass": entry.get("StorageClass", "STANDARD"),
    }


def _failed(name: str, error: CallFailed | Unreachable) -> StatesError:
    if isinstance(error, Unreachable):
        return StatesError(name, f"S3.SdkClientException: {error}")
    sdk = sdk_error("s3", error)
    return StatesError(name, f"{sdk.name}: {sdk.cause}")


# --------------------------------------------------------------------------- ResultWriter


def write_results(parameters: Any, context: CallContext) -> dict[str, Any]:
    parameters = parameters if isinstance(parameters, dict) else {}
    request, config = _request(parameters, "WriterConfig")
    bucket, prefix = request.get("Bucket"), str(request.get("Prefix") or "")
    if not isinstance(bucket, str) or not bucket:
        raise StatesError(STATES_RESULT_WRITER_FAILED, "The ResultWriter's Parameters must name a Bucket.")
    map_run_arn = str(parameters.get("MapRunArn") or "")
    folder = f"{prefix.rstrip('/')}/{uuid.uuid5(uuid.NAMESPACE_URL, map_run_arn)}".lstrip("/")
    rows = parameters.get("Results") if isinstance(parameters.get("Results"), list) else []
    try:
        manifest_key = _write(bucket, folder, map_run_arn, rows, config)
    except (CallFailed, Unreachable) as error:
        raise _failed(STATES_RESULT_WRITER_FAILED, error) from None
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


def _write(bucket: str, folder: str, map_run_arn: str, rows: list[dict[str, Any]], config: dict[str, Any]) -> str:
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    for status in files:
        entries = [_entry(row, map_run_arn, now, config) for row in rows if row.get("Status") == status]
        if entries:
            key = f"{folder}/{status}_0.json"
            body = _serialise(entries, config)
            perform("s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": body})
            files[status].append({"Key": key, "Size": len(body)})
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    key = f"{folder}/manifest.json"
    perform("s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": json.dumps(manifest).encode()})
    return key


def _entry(row: dict[str, Any], map_run_arn: str, now: str, config: dict[str, Any]) -> Any:
    transformation = str(config.get("Transformation") or "NONE").upper()
    text = _json_text
    if transformation == "FLATTEN":
        return row.get("Output") if row["Status"] == "SUCCEEDED" else {k: row.get(k) for k in ("Error", "Cause")}
    entry: dict[str, Any] = {"Input": text(row.get("Input")), "InputDetails": {"Included": True}}
    if row["Status"] == "SUCCEEDED":
        entry.update(Output=text(row.get("Output")), OutputDetails={"Included": True})
    elif row["Status"] == "FAILED":
        entry.update({key: row[key] for key in ("Error", "Cause") if row.get(key) is not None})
    if transformation == "COMPACT":
        return entry
    execution_arn = fanout.child_arn(map_run_arn, int(row.get("Index") or 0))
    return {"ExecutionArn": execution_arn, "Name": execution_arn.rsplit(":", 1)[-1], "StartDate": now,
            "StateMachineArn": fanout.labelled_machine_arn(execution_arn),
            "Status": row["Status"], "StopDate": now, **entry}


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _serialise(entries: list[Any], config: dict[str, Any]) -> bytes:
    if str(config.get("OutputType") or "JSON").upper() == "JSONL":
        return "".join(_json_text(entry) + "\n" for entry in entries).encode()
    return _json_text(entries).encode()

# What console.wiring registers: (resource pattern, integration[, inline]).
ROUTES = (
    Route(r"arn:aws:states:::s3:getObject", read_object_items),
    Route(r"arn:aws:states:::s3:listObjectsV2", list_object_items),
    Route(r"arn:aws:states:::s3:putObject", write_results),
)
