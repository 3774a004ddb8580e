"""A Distributed Map's data sets: what its `ItemReader` reads from S3, how `ItemBatcher` groups items, and
what `ResultWriter` returns. Pure functions over JSON values; the S3 call itself is a mock (see
docs/simulator.md, "Map ItemReader data").

AWS behaviour reproduced here, recorded in the LocalStack parity tests (`../shared/conformance/aws-recorded`,
cases jsonpath-scenarios-016 … -032, jsonata-scenarios-004/-005, jsonpath-assign-021, -scenarios-058):

- CSV: every value is a string; a row with more fields than headers keeps the first ones, a row with fewer
  gets ``""`` for the rest; the trailing newline does not make a row; ``CSVHeaderLocation: FIRST_ROW``
  takes the headers from the first row (an empty header is the key ``""``); duplicate headers fail with
  ``States.ItemReaderFailed`` "CSV headers cannot contain duplicates.";
- JSON: the object must hold an array ("Attempting to map over non-iterable node." otherwise); a Map's
  ``ItemsPath`` does not apply to what the reader read (recorded: ``$[0]`` and a path that matches nothing
  both give the items as read);
- ``MaxItems`` 0 means every item; a negative one fails ("field MaxItems must be positive"); AWS stops at
  100,000,000 items; ``MaxItemsPath`` accepts a string holding an integer;
- ``s3:listObjectsV2`` gives one item per object: ``{Etag, LastModified, Key, Size, StorageClass}``;
- ``ResultWriter`` makes the Map's result ``{MapRunArn, ResultWriterDetails: {Bucket, Key:
  <Prefix>/<map run id>/manifest.json}}``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Mapping

ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
#: "The Distributed Map state stops reading items beyond 100,000,000" (developer guide, ItemReader)
MAX_ITEMS_LIMIT = 100_000_000
#: iterations AWS runs at once: an inline Map ("up to 40 concurrent iterations"), a Distributed Map's child
#: executions (10,000) (developer guide, "Map workflow state")
MAX_INLINE_CONCURRENCY = 40
MAX_CHILD_EXECUTIONS = 10_000
#: AWS's limit of one batch's input (ItemBatcher MaxInputBytesPerBatch, 256 KiB)
MAX_BATCH_BYTES = 262_144

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


class ReaderFailure(Exception):
    """The reader (or writer) failed: ``error`` is ``States.ItemReaderFailed`` / ``States.ResultWriterFailed``."""

    def __init__(self, cause: str, error: str = ITEM_READER_FAILED) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause


def resource_kind(resource: Any) -> str | None:
    """``getObject``, ``listObjectsV2`` (any partition), or None."""
    if not isinstance(resource, str):
        return None
    for kind in ("getObject", "listObjectsV2"):
        if resource.startswith("arn:") and resource.endswith(f":states:::s3:{kind}"):
            return kind
    return None


def max_items(value: Any) -> int | None:
    """A ``MaxItems`` value (already evaluated): None (no limit) or the limit; raises ReaderFailure."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
        raise ReaderFailure(f"field MaxItems must be an integer, but was {json.dumps(value)}")
    n = int(value)
    if n < 0:
        raise ReaderFailure("field MaxItems must be positive")
    return None if n == 0 else min(n, MAX_ITEMS_LIMIT)


def body_text(response: Any) -> str:
    """The object's content in a mocked GetObject response: ``{"Body": "<text>"}`` (as the S3 API and the
    ``aws-sdk:s3:getObject`` task return it); a Body that is already JSON data is taken as its JSON text."""
    if isinstance(response, Mapping) and "Body" in response:
        body = response["Body"]
    else:
        raise ReaderFailure("the mocked s3:getObject response has no 'Body' (give {\"Body\": \"<object content>\"})")
    if isinstance(body, str):
        return body
    return json.dumps(body)


def read_items(kind: str, config: Mapping[str, Any], response: Any, limit: int | None) -> list[Any]:
    """The items the reader yields from the mocked S3 response, at most `limit` of them."""
    if kind == "listObjectsV2":
        items = _list_objects(response)
    else:
        input_type = config.get("InputType", "JSON")
        text = body_text(response)
        if input_type == "CSV":
            items = _csv(text, config, limit)
        elif input_type == "JSON":
            items = _json(text, config)
        elif input_type == "JSONL":
            items = _jsonl(text, limit)
        elif input_type == "MANIFEST":
            items = _manifest(text)
        else:
            raise ReaderFailure(f"InputType {input_type!r} is not simulated (CSV, JSON, JSONL and MANIFEST are)")
    return items if limit is None else items[:limit]


def _list_objects(response: Any) -> list[Any]:
    if not isinstance(response, Mapping) or not isinstance(response.get("Contents", []), list):
        raise ReaderFailure("the mocked s3:listObjectsV2 response must be an object with a 'Contents' array")
    out = []
    for obj in response.get("Contents", []):
        if not isinstance(obj, Mapping):
            raise ReaderFailure("each entry of the mocked s3:listObjectsV2 'Contents' must be an object")
        out.append({"Etag": obj.get("ETag", obj.get("Etag")), "LastModified": obj.get("LastModified"),
                    "Key": obj.get("Key"), "Size": obj.get("Size"), "StorageClass": obj.get("StorageClass",
                                                                                          "STANDARD")})
    return out


def csv_headers(config: Mapping[str, Any]) -> list[str] | None:
    """The declared headers (``CSVHeaderLocation: GIVEN``), checked as AWS checks them; None for FIRST_ROW."""
    if config.get("CSVHeaderLocation", "FIRST_ROW") != "GIVEN":
        return None
    headers = config.get("CSVHeaders")
    if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers) or not headers:
        raise ReaderFailure("CSVHeaders must be a non-empty array of strings when CSVHeaderLocation is GIVEN")
    if len(set(headers)) != len(headers):
        raise ReaderFailure("CSV headers cannot contain duplicates.")
    return headers


def _csv(text: str, config: Mapping[str, Any], limit: int | None) -> list[Any]:
    headers = csv_headers(config)
    delimiter = _DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[Any] = []
    for row in rows:
        if not row:
            continue  # an empty line is no row
        if headers is None:
            if len(set(row)) != len(row):
                raise ReaderFailure("CSV headers cannot contain duplicates.")
            headers = row
            continue
        out.append({h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)})
        if limit is not None and len(out) >= limit:
            break
    return out


def _json(text: str, config: Mapping[str, Any]) -> list[Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReaderFailure(f"The JSON file could not be parsed: {exc}") from None
    pointer = config.get("ItemsPointer")
    if isinstance(pointer, str) and pointer:
        from ..load.pointer import resolve_pointer

        try:
            data = resolve_pointer(data, pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            raise ReaderFailure(f"ItemsPointer {pointer} does not point to a value in the JSON file") from None
    if not isinstance(data, list):
        raise ReaderFailure("Attempting to map over non-iterable node.")
    return data


def _jsonl(text: str, limit: int | None) -> list[Any]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as exc:
            raise ReaderFailure(f"The JSONL file could not be parsed at line {n}: {exc}") from None
        if limit is not None and len(out) >= limit:
            break
    return out


def _manifest(text: str) -> list[Any]:
    """An S3 inventory ``manifest.json``: one item per listed inventory file, as the mock gives them."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReaderFailure(f"The manifest file could not be parsed: {exc}") from None
    files = data.get("files") if isinstance(data, Mapping) else None
    if not isinstance(files, list):
        raise ReaderFailure("The manifest file has no 'files' array")
    return list(files)


def batches(items: list[Any], max_items: int | None, max_bytes: int | None, batch_input: Any,
            size_of) -> list[dict[str, Any]]:
    """Group items as ItemBatcher does: a batch closes when it holds `max_items` items or adding one more
    would pass `max_bytes` (the JSON size of the batch's items); each batch is ``{"Items": [...]}`` plus
    ``"BatchInput"`` when one is given."""
    groups: list[list[Any]] = []
    current: list[Any] = []
    size = 0
    for item in items:
        isize = size_of(item) + 1 if max_bytes else 0
        if current and ((max_items and len(current) >= max_items) or (max_bytes and size + isize > max_bytes)):
            groups.append(current)
            current, size = [], 0
        current.append(item)
        size += isize
    if current:
        groups.append(current)
    out = []
    for group in groups:
        entry: dict[str, Any] = {"Items": group}
        if batch_input is not None:
            entry["BatchInput"] = batch_input
        out.append(entry)
    return out


def writer_result(map_run_arn: str, run_id: str, arguments: Any) -> dict[str, Any]:
    """What a Map with a ResultWriter returns (recorded: jsonpath-scenarios-058)."""
    if not isinstance(arguments, Mapping) or not isinstance(arguments.get("Bucket"), str):
        raise ReaderFailure("ResultWriter needs a 'Bucket' string", RESULT_WRITER_FAILED)
    prefix = arguments.get("Prefix")
    key = f"{prefix}/{run_id}/manifest.json" if prefix else f"{run_id}/manifest.json"
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": arguments["Bucket"], "Key": key}}
