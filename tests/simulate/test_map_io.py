"""A Distributed Map's data sets (simulate/map_io.py): ItemReader (S3 getObject CSV/JSON/JSONL/manifest,
listObjectsV2, MaxItems), ItemBatcher, ResultWriter, with the object given by the Map state's mock. The AWS
behaviour encoded here was recorded (aws-recorded jsonpath-scenarios-016 ... -032, -058; tests/simulate/
test_sim_recorded.py replays those cases themselves)."""

from __future__ import annotations

import json

import pytest

from sfn_compiler.simulate import MockMissing, load_mock_config, parse_scenario, run_execution, scenario_warnings
from sfn_compiler.simulate import map_io

DIST = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}


def reader_map(config, *, jsonata=False, extra=None, resource="arn:aws:states:::s3:getObject"):
    reader = {"Resource": resource, "ReaderConfig": config}
    reader["Arguments" if jsonata else "Parameters"] = {"Bucket": "b", "Key": "k"}
    m = {"Type": "Map", "ItemReader": reader, "End": True,
         "ItemProcessor": {"ProcessorConfig": DIST, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    m.update(extra or {})
    d = {"StartAt": "M", "States": {"M": m}}
    if jsonata:
        d["QueryLanguage"] = "JSONata"
    return d


def body(text):
    return {"M": {"return": {"Body": text}}}


CSV = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"


def test_csv_with_given_headers_as_aws_reads_it():
    r = run_execution(reader_map({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1", "H2", "H3"]}),
                      {}, body(CSV))
    assert r.output == [{"H1": "Value1", "H2": "Value2", "H3": "Value3"}, {"H1": "Value4", "H2": "Value5", "H3": "Value6"},
                        {"H1": "", "H2": "", "H3": ""}, {"H1": "true", "H2": "1", "H3": "'HelloWorld'"},
                        {"H1": "Null", "H2": "None", "H3": ""}, {"H1": "   ", "H2": "", "H3": ""}]


def test_csv_first_row_headers_extra_fields_and_max_items():
    r = run_execution(reader_map({"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 2}), {},
                      body("H1,\nValue4,Value5,Value6\n,,,\ntrue,1,x\n"))
    assert r.output == [{"H1": "Value4", "": "Value5"}, {"H1": "", "": ""}]
    r = run_execution(reader_map({"InputType": "CSV", "CSVDelimiter": "SEMICOLON"}), {}, body("a;b\n1;2\n"))
    assert r.output == [{"a": "1", "b": "2"}]


@pytest.mark.parametrize("config,cause", [
    ({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1", "H1"]}, "CSV headers cannot contain duplicates."),
    ({"InputType": "CSV", "MaxItems": -1}, "field MaxItems must be positive"),
    ({"InputType": "JSON"}, "Attempting to map over non-iterable node."),
])
def test_reader_failures(config, cause):
    r = run_execution(reader_map(config), {}, body('{"Hello": "world"}'))
    assert (r.status, r.error, r.cause) == ("FAILED", "States.ItemReaderFailed", cause)


def test_json_jsonl_items_path_ignored_and_max_items_path():
    d = reader_map({"InputType": "JSON", "MaxItemsPath": "$.n"}, extra={"ItemsPath": "$.nothing"})
    assert run_execution(d, {"n": "2"}, body(json.dumps([1, 2, 3]))).output == [1, 2]  # recorded: "2" is taken
    d = reader_map({"InputType": "JSON", "MaxItemsPath": "$.n"})
    r = run_execution(d, {"n": 1.5}, body("[1]"))
    assert r.error == "States.Runtime" and r.cause.endswith(
        'The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.n')
    assert run_execution(reader_map({"InputType": "JSONL"}), {}, body('{"a": 1}\n\n{"a": 2}\n')).output == \
        [{"a": 1}, {"a": 2}]
    assert run_execution(reader_map({"InputType": "JSON", "ItemsPointer": "/data/items"}), {},
                         body('{"data": {"items": [7]}}')).output == [7]


def test_jsonata_reader_max_items_expression():
    d = reader_map({"InputType": "JSON", "MaxItems": "{% $states.input.limit %}"}, jsonata=True)
    assert run_execution(d, {"limit": 1}, body("[1, 2]")).output == [1]


def test_list_objects_v2():
    d = reader_map({}, resource="arn:aws:states:::s3:listObjectsV2")
    listing = {"Contents": [{"Key": "a.txt", "Size": 12, "ETag": '"e1"', "LastModified": "2025-01-01T00:00:00Z",
                             "StorageClass": "STANDARD"}]}
    assert run_execution(d, {}, {"M": {"return": listing}}).output == [
        {"Etag": '"e1"', "LastModified": "2025-01-01T00:00:00Z", "Key": "a.txt", "Size": 12, "StorageClass": "STANDARD"}]


def test_missing_object_says_what_to_mock_and_mock_config_file_works():
    with pytest.raises(MockMissing, match=r"mock 'M' with \{\"Body\""):
        run_execution(reader_map({"InputType": "JSON"}), {}, {})
    cfg = {"StateMachines": {"m": {"TestCases": {"T": {"M": "Obj"}}}},
           "MockedResponses": {"Obj": {"0": {"Return": {"Body": "[1, 2]"}}}}}
    assert run_execution(reader_map({"InputType": "JSON"}), {}, load_mock_config(cfg, "m", "T")).output == [1, 2]


def test_batches_result_writer_and_tolerance():
    d = reader_map({"InputType": "JSON"}, extra={
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": "r1"}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"}},
        "Label": "Jobs"})
    r = run_execution(d, {}, body("[1, 2, 3]"), name="sm")
    run_id = r.output["ResultWriterDetails"]["Key"].split("/")[1]
    assert r.output == {"MapRunArn": f"arn:aws:states:us-east-1:123456789012:mapRun:sm/Jobs:{run_id}",
                        "ResultWriterDetails": {"Bucket": "out", "Key": f"p/{run_id}/manifest.json"}}
    assert r.trace[0].details["iterations"]["batches"] == 2
    assert map_io.batches([1, 2, 3], None, 6, None, lambda x: 1) == [{"Items": [1, 2, 3]}]
    assert map_io.batches([1, 2, 3], None, 4, None, lambda x: 1) == [{"Items": [1, 2]}, {"Items": [3]}]
    fail = {"Type": "Map", "ToleratedFailureCount": 0, "ToleratedFailurePercentage": 10, "End": True,
            "ItemProcessor": {"ProcessorConfig": DIST, "StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}}
    r = run_execution({"StartAt": "M", "States": {"M": fail}}, [1, 2], {})
    assert (r.error, r.cause) == ("States.ExceedToleratedFailureThreshold",
                                  "The specified tolerated failure threshold was exceeded")


def test_child_execution_context():
    d = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "Label": "L", "End": True,
         "ItemProcessor": {"ProcessorConfig": DIST, "StartAt": "P", "States": {"P": {
             "Type": "Pass", "End": True,
             "Output": "{% [$states.context.Execution.Input, $states.context.StateMachine.Name] %}"}}}}}}
    assert run_execution(d, ["a"], {}, name="sm").output == [["a", "sm/L"]]


def test_a_mock_for_the_reader_is_not_flagged():
    scenario = parse_scenario({"mocks": {"M": {"return": {"Body": "[]"}}}})
    assert scenario_warnings(scenario, reader_map({"InputType": "JSON"})) == []
