"""The execution input's JSON Schema (`templates/<name>.input.schema.json`, `--input-schema FILE`) in
`sfnc validate`, `sfnc test` and `sfnc graph --shapes`."""

from __future__ import annotations

import json

ORDER = {
    "QueryLanguage": "JSONata",
    "StartAt": "Route",
    "States": {
        "Route": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.mode = 'FULL' %}", "Next": "Charge"}], "Default": "Charge"},
        "Charge": {"Type": "Pass", "Output": {"order": "{% $states.input.order_id %}"}, "End": True},
    },
}
SCHEMA = {
    "type": "object",
    "properties": {"orderId": {"type": "string"}, "mode": {"enum": ["full", "incremental"]},
                   "amount": {"type": "number"}},
    "required": ["orderId"],
    "additionalProperties": False,
}


def _project(project, schema=SCHEMA):
    project.write("templates/order.json", ORDER)
    if schema is not None:
        project.write("templates/order.input.schema.json", schema)
    project.write("envs/dev.yaml", "values: {}\n")
    return project


def test_template_schema_feeds_the_data_rules(project, sfnc):
    _project(project)
    res = sfnc("validate", "-f", "json", cwd=project.root)
    assert res.exit_code == 1, res.output
    found = {(d["rule"], d["pointer"]) for d in json.loads(res.stdout)["diagnostics"]}
    assert ("SFN803", "/States/Route/Choices/0/Condition") in found      # 'FULL' is not in the schema's enum
    assert ("SFN801", "/States/Charge/Output/order") in found            # order_id: the schema says orderId
    # the schema file is not a template: nothing renders or validates it as a state machine
    assert not any("input.schema" in d["file"] for d in json.loads(res.stdout)["diagnostics"])
    assert sfnc("render", "--env", "dev", cwd=project.root).exit_code == 0
    assert not (project.root / "definitions/dev/order.input.schema.json").exists()


def test_without_a_schema_the_input_is_any(project, sfnc):
    _project(project, schema=None)
    res = sfnc("validate", cwd=project.root)
    assert res.exit_code == 0, res.output


def test_path_mode_takes_input_schema_option(project, sfnc):
    project.write("sm.json", ORDER)
    project.write("schemas/order.json", SCHEMA)
    assert sfnc("validate", "sm.json", cwd=project.root).exit_code == 0
    res = sfnc("validate", "sm.json", "--input-schema", "schemas/order.json", cwd=project.root)
    assert res.exit_code == 1 and "SFN803" in res.stdout and "SFN801" in res.stdout


def test_directory_validation_skips_input_schemas(project, sfnc):
    project.write("flows/order.json", {**ORDER, "States": {"Charge": ORDER["States"]["Charge"]}, "StartAt": "Charge"})
    project.write("flows/order.input.schema.json", SCHEMA)
    res = sfnc("validate", "flows", cwd=project.root)
    assert res.exit_code == 0, res.output
    assert "checked 1 definition" in res.output


def test_a_schema_that_is_not_valid_is_a_located_input_error(project, sfnc):
    _project(project, schema={"type": "object", "properties": {"mode": {"type": "strnig"}}})
    res = sfnc("validate", cwd=project.root)
    assert res.exit_code == 2
    # a config that does not load (SFN011, in every report format), located at the offending value ("type":
    # "strnig", line 5 of the file as written)
    assert ("templates/order.input.schema.json:5:15: error SFN011 config-invalid: not a valid JSON Schema"
            in res.stdout)
    assert "Traceback" not in res.output
    res = sfnc("validate", "-f", "json", cwd=project.root)
    [d] = json.loads(res.stdout)["diagnostics"]
    assert (d["rule"], d["file"], d["line"], d["column"]) == ("SFN011", "templates/order.input.schema.json", 5, 15)


def test_a_schema_that_is_not_json_is_a_located_input_error(project, sfnc):
    project.write("sm.json", ORDER)
    project.write("bad.json", '{"type": "object",\n "properties": {,}}')
    res = sfnc("validate", "sm.json", "--input-schema", "bad.json", cwd=project.root)
    assert res.exit_code == 2 and "bad.json:2:17: error SFN011 config-invalid: invalid JSON" in res.stdout
    assert "Traceback" not in res.output


def test_input_schema_option_is_for_paths_only(project, sfnc):
    _project(project)
    project.write("s.json", SCHEMA)
    res = sfnc("validate", "--input-schema", "s.json", cwd=project.root)
    assert res.exit_code == 2 and "--input-schema is for PATHs" in res.stderr


def test_scenario_input_is_checked_against_the_schema(project, sfnc):
    _project(project)
    project.write("tests/scenarios/order/good.yaml", "input: {orderId: o-1, mode: full}\n")
    project.write("tests/scenarios/order/bad.yaml", "description: wrong input\ninput:\n  orderId: 42\n  mode: FULL\n")
    res = sfnc("test", "--env", "dev", cwd=project.root)
    assert res.exit_code == 2, res.output
    assert "ok   tests/scenarios/order/good.yaml" in res.stdout
    # not run: a failed scenario whose error is its first violation (as a mock that does not match its Task)
    assert ("FAIL tests/scenarios/order/bad.yaml\n  not run: tests/scenarios/order/bad.yaml:4:9: input.mode does not "
            "match templates/order.input.schema.json: 'FULL' is not one of ['full', 'incremental'] (and 1 more, "
            "below)") in res.stdout
    assert "1 passed, 1 failed" in res.stdout
    # each violation is located in the scenario file, at the offending value
    assert "tests/scenarios/order/bad.yaml:3:12" in res.stderr and "input.orderId does not match" in res.stderr
    assert "tests/scenarios/order/bad.yaml:4:9" in res.stderr and "input.mode does not match" in res.stderr
    assert "templates/order.input.schema.json" in res.stderr


def test_graph_shapes_of_a_template_uses_its_schema(project, sfnc):
    _project(project)
    res = sfnc("graph", "order", "--shapes", cwd=project.root)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("# shapes of order: execution input {amount?: number, mode?: 'full'|'incremental', "
                               "orderId: string}") and "(templates/order.input.schema.json)" in lines[0]
    assert "Route (Choice)" in lines and "Charge (Pass)" in lines
    charge = lines.index("Charge (Pass)")
    assert lines[charge + 1].startswith("  input:  {amount?: number")
    assert lines[charge + 2] == "  output: {order: any}"


def test_graph_shapes_of_a_file_shows_results_and_variables(project, sfnc):
    project.write("sm.json", {
        "QueryLanguage": "JSONata", "StartAt": "Get",
        "States": {
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Arguments": {"TableName": "t", "Key": {"pk": {"S": "a"}}},
                    "Assign": {"owner": "{% $states.result.Item.owner.S %}"}, "Next": "Use"},
            "Use": {"Type": "Pass", "Output": "{% $states.input.Item %}", "End": True}}})
    res = sfnc("graph", "sm.json", "--shapes", "--depth", "1", cwd=project.root)
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Get (Task arn:aws:states:::dynamodb:getItem)" in out
    assert "  result: {ConsumedCapacity?: ConsumedCapacity, Item?: map<string, AttributeValue>, SdkHttpMetadata: " in out
    assert "  output: (the result)" in out and "  $owner := string" in out
    assert "  variables: $owner: string" in out
    assert "(no input schema)" in out
    schema_res = sfnc("graph", "sm.json", "--shapes", "--input-schema", "missing.json", cwd=project.root)
    assert schema_res.exit_code == 2 and "missing.json" in schema_res.stderr


def test_graph_input_schema_needs_shapes(project, sfnc):
    project.write("sm.json", ORDER)
    project.write("s.json", SCHEMA)
    res = sfnc("graph", "sm.json", "--input-schema", "s.json", cwd=project.root)
    assert res.exit_code == 2 and "--input-schema goes with --shapes" in res.stderr


def test_the_result_cache_keys_on_the_schema_content(project, sfnc, monkeypatch):
    """A cached result is not reused when the input schema changed (the template, PATH and text did not)."""
    monkeypatch.delenv("SFNC_NO_CACHE", raising=False)     # this test is about the cache (conftest turns it off)
    monkeypatch.delenv("SFNC_CACHE_DIR", raising=False)
    _project(project)
    first = json.loads(sfnc("validate", "-f", "json", cwd=project.root).stdout)["diagnostics"]
    assert {d["rule"] for d in first} == {"SFN801", "SFN803"}
    assert (project.root / ".sfnc_cache").is_dir()
    project.write("templates/order.input.schema.json", {**SCHEMA, "properties": {
        **SCHEMA["properties"], "order_id": {"type": "string"}, "mode": {"enum": ["FULL", "DELTA"]}}})
    res = sfnc("validate", "-f", "json", cwd=project.root)
    assert res.exit_code == 0 and json.loads(res.stdout)["diagnostics"] == []
    # PATH mode: the --input-schema file's content, not its name
    project.write("sm.json", ORDER)
    project.write("s.json", SCHEMA)
    assert sfnc("validate", "sm.json", "--input-schema", "s.json", cwd=project.root).exit_code == 1
    project.write("s.json", {"type": "object"})
    assert sfnc("validate", "sm.json", "--input-schema", "s.json", cwd=project.root).exit_code == 0
