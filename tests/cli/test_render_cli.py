"""`sfnc render` end to end on small projects: output format, errors with locations, atomicity,
--check, layering, cycles, .json.j2 templates and the source map."""

from __future__ import annotations

import json
import os

import pytest

TEMPLATE = {
    "Comment": "Lock then finish",
    "QueryLanguage": "JSONata",
    "TimeoutSeconds": "${timeouts.execution}",
    "StartAt": "Acquire Lock",
    "States": {
        "Acquire Lock": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Arguments": {"TableName": "${tables.locks}",
                          "Item": {"pk": {"S": "{% 'batch#' & $states.input.batch %}"}}},
            "Next": "Check",
        },
        "Check": {"Type": "Choice",
                  # the execution input: this state's own input is the putItem result (member-does-not-exist)
                  "Choices": [{"Condition": "{% $states.context.Execution.Input.n > ${poll.max} %}", "Next": "Done"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


@pytest.fixture
def proj(project):
    project.write("templates/lock.json", TEMPLATE)
    project.write("envs/_base.yaml", """
        values:
          timeouts:
            execution: 3600
          poll:
            max: 5
    """)
    project.write("envs/dev.yaml", """
        values:
          tables:
            locks: "ndr-${env}-locks"
    """)
    project.write("envs/prod.yaml", """
        values:
          tables:
            locks: "ndr-${env}-locks"
          poll:
            max: 10
        aws:
          account_id: "111122223333"
          region: eu-west-1
    """)
    return project


def test_render_writes_definitions_with_types_and_key_order(proj, sfnc):
    res = sfnc("render", "--env", "prod", cwd=proj.root)
    assert res.exit_code == 0, res
    assert "prod: 1 templates, 1 written, 0 unchanged" in res.stdout
    text = proj.read("definitions/prod/lock.json")
    assert text.endswith("}\n") and text.startswith('{\n  "Comment"')
    data = json.loads(text)
    assert data["TimeoutSeconds"] == 3600                      # typed whole-string value
    assert data["States"]["Acquire Lock"]["Arguments"]["TableName"] == "ndr-prod-locks"   # value referencing env
    assert data["States"]["Check"]["Choices"][0]["Condition"] == "{% $states.context.Execution.Input.n > 10 %}"  # layering: env over base
    assert list(data) == list(TEMPLATE)                          # template key order
    # an untouched JSONata expression is byte-identical
    assert data["States"]["Acquire Lock"]["Arguments"]["Item"]["pk"]["S"] == "{% 'batch#' & $states.input.batch %}"


def test_rerender_is_unchanged_and_deterministic(proj, sfnc):
    sfnc("render", "--all-envs", cwd=proj.root)
    before = proj.read("definitions/dev/lock.json")
    mtime = os.stat(proj.root / "definitions/dev/lock.json").st_mtime_ns
    res = sfnc("render", "--all-envs", cwd=proj.root)
    assert "dev: 1 templates, 0 written, 1 unchanged" in res.stdout
    assert proj.read("definitions/dev/lock.json") == before
    assert os.stat(proj.root / "definitions/dev/lock.json").st_mtime_ns == mtime


def test_check_detects_stale_output_with_diff(proj, sfnc):
    sfnc("render", "--env", "dev", cwd=proj.root)
    assert sfnc("render", "--env", "dev", "--check", cwd=proj.root).exit_code == 0
    proj.write("envs/dev.yaml", 'values:\n  tables:\n    locks: "renamed"\n')
    res = sfnc("render", "--env", "dev", "--check", cwd=proj.root)
    assert res.exit_code == 1
    assert '-        "TableName": "ndr-dev-locks",' in res.stdout
    assert '+        "TableName": "renamed",' in res.stdout
    assert "stale" in res.stderr
    # --check wrote nothing
    assert json.loads(proj.read("definitions/dev/lock.json"))["States"]["Acquire Lock"]["Arguments"]["TableName"] == "ndr-dev-locks"


def test_check_reports_orphan_definition(proj, sfnc):
    sfnc("render", "--env", "dev", cwd=proj.root)
    proj.write("definitions/dev/old.json", {"StartAt": "A", "States": {}})
    res = sfnc("render", "--env", "dev", "--check", cwd=proj.root)
    assert res.exit_code == 1 and "old.json" in res.stdout
    # rendering only some templates neither reports nor removes the others' files
    assert sfnc("render", "lock", "--env", "dev", "--check", cwd=proj.root).exit_code == 0
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert "1 removed" in res.stdout and not (proj.root / "definitions/dev/old.json").exists()


def test_all_missing_values_reported_at_once_with_locations(proj, sfnc):
    t = dict(TEMPLATE)
    t["States"] = dict(TEMPLATE["States"])
    t["States"]["Done"] = {"Type": "Succeed", "Comment": "${missing.one} and ${missing.two}"}
    proj.write("templates/lock.json", t)
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    errs = [l for l in res.stderr.splitlines() if ": error: " in l]
    assert len(errs) == 2, res.stderr
    lines = proj.read("templates/lock.json").splitlines()
    n = next(i for i, l in enumerate(lines, 1) if "missing.one" in l)
    line = lines[n - 1]
    assert f"templates/lock.json:{n}:{line.index('${missing.one}') + 1}:" in errs[0]
    assert "${missing.one}" in errs[0] and "at /States/Done/Comment" in errs[0] and "env dev" in errs[0]
    # column of the second placeholder is exact too
    assert f"templates/lock.json:{n}:{line.index('${missing.two}') + 1}:" in errs[1]
    assert "Traceback" not in res.output


def test_atomic_per_env_failing_template_leaves_outputs_untouched(proj, sfnc):
    sfnc("render", "--env", "dev", cwd=proj.root)
    before = proj.read("definitions/dev/lock.json")
    proj.write("envs/dev.yaml", 'values:\n  tables:\n    locks: "changed"\n')
    proj.write("templates/zz_broken.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "${nope}", "End": True}}})
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2 and "nothing written" in res.stderr
    assert proj.read("definitions/dev/lock.json") == before
    assert not (proj.root / "definitions/dev/zz_broken.json").exists()
    assert [p.name for p in (proj.root / "definitions/dev").iterdir()] == ["lock.json"]


def test_duplicate_keys_in_template_show_both_lines(proj, sfnc):
    (proj.root / "templates/dup.json").write_text('{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Succeed"},\n    "A": {"Type": "Fail"}\n  }\n}\n')
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert "templates/dup.json:5:5: error: duplicate key 'A': first at line 4, again at line 5" in res.stderr


def test_broken_template_json(proj, sfnc):
    (proj.root / "templates/lock.json").write_text('{\n  "StartAt": "A",\n}\n')
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    # the trailing comma is reported where it is (not at the next line's '}'), in words
    assert res.exit_code == 2 and ("templates/lock.json:2:17: error: invalid JSON: trailing comma before '}' (JSON "
                                   "allows no ',' after the last item)") in res.stderr
    # the values only that template used are not reported as unused: one clear error, no noise
    assert "warning" not in res.stderr


def test_broken_env_yaml(proj, sfnc):
    proj.write("envs/dev.yaml", "values:\n  a: [1\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2 and ("envs/dev.yaml:2:6: error: invalid YAML: a '[' list that opens here is not closed "
                                   "(expected ',' or ']')") in res.stderr


def test_tab_in_env_yaml_is_named(proj, sfnc):
    proj.write("envs/dev.yaml", "values:\n\ttables: x\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert ("envs/dev.yaml:2:1: error: invalid YAML: a tab character: YAML indents with spaces only (replace the tab "
            "with spaces)") in res.stderr
    assert "cannot start any token" not in res.stderr


def test_duplicate_yaml_keys_show_both_lines(proj, sfnc):
    proj.write("envs/dev.yaml", "values:\n  tables:\n    locks: a\n  tables:\n    locks: b\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert "envs/dev.yaml:4:3: error: duplicate key 'tables': first at line 2, again at line 4" in res.stderr


def test_unknown_env_key_is_error_with_line(proj, sfnc):
    proj.write("envs/dev.yaml", "values: {}\naws:\n  region: eu-west-1\n  regoin: eu-west-2\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert "envs/dev.yaml:4:3: error: unknown key 'regoin' in aws" in res.stderr


def test_unknown_env(proj, sfnc):
    res = sfnc("render", "--env", "prd", cwd=proj.root)
    assert res.exit_code == 2
    assert "unknown env 'prd'" in res.stderr and "did you mean 'prod'" in res.stderr
    assert "Traceback" not in res.output


def test_value_cycle_is_named(proj, sfnc):
    proj.write("envs/dev.yaml", 'values:\n  tables:\n    locks: "${a}"\n  a: "x-${b}"\n  b: "${a}"\n')
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert "cycle in values: a -> b -> a" in res.stderr or "cycle in values: b -> a -> b" in res.stderr


def test_extends_chain_and_set_override(proj, sfnc):
    proj.write("envs/staging.yaml", "extends: prod\nvalues:\n  tables:\n    locks: stg\n")
    res = sfnc("render", "--env", "staging", "--stdout", "lock", "--set", "poll.max=42", cwd=proj.root)
    assert res.exit_code == 0, res
    data = json.loads(res.stdout)
    assert data["States"]["Acquire Lock"]["Arguments"]["TableName"] == "stg"
    assert data["States"]["Check"]["Choices"][0]["Condition"] == "{% $states.context.Execution.Input.n > 42 %}"   # --set wins
    assert data["TimeoutSeconds"] == 3600     # from _base through prod


def test_lists_replace_maps_merge(proj, sfnc):
    from sfn_compiler.envconfig import deep_merge

    assert deep_merge({"a": {"x": 1, "l": [1, 2]}}, {"a": {"y": 2, "l": [3]}}) == {"a": {"x": 1, "y": 2, "l": [3]}}


def test_extends_cycle(proj, sfnc):
    proj.write("envs/a.yaml", "extends: b\n")
    proj.write("envs/b.yaml", "extends: a\n")
    res = sfnc("render", "--env", "a", cwd=proj.root)
    assert res.exit_code == 2 and "envs/b.yaml:1:10: error: `extends` cycle: a -> b -> a" in res.stderr


def test_unused_value_warns_and_strict_fails(proj, sfnc):
    proj.write("envs/dev.yaml", 'values:\n  tables:\n    locks: x\n  spare: 1\n')
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 0 and "envs/dev.yaml:4:10: warning: value 'spare' is not used" in res.stderr
    res = sfnc("render", "--env", "dev", "--strict", "--out", str(proj.root / "out"), cwd=proj.root)
    # a finding (exit 1, as the README's exit codes say), not an input error; nothing written
    assert res.exit_code == 1 and not (proj.root / "out").exists()
    assert "error: value 'spare' is not used" in res.stderr and "--strict" not in res.stderr


def test_misspelled_value_suggests_the_key_the_templates_use(proj, sfnc):
    proj.write("envs/dev.yaml", 'values:\n  tables:\n    locks: x\n    lokcs: y\n')
    res = sfnc("render", "--env", "dev", "--out", str(proj.root / "out"), cwd=proj.root)
    assert res.exit_code == 0
    assert "warning: value 'tables.lokcs' is not used by any template" in res.stderr
    assert "did you mean 'tables.locks'? The templates use ${tables.locks}" in res.stderr
    # validate reports it too, and --strict fails on it
    res = sfnc("validate", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 0 and ("envs/dev.yaml:4:12: warning SFN015 env-value-unused: value 'tables.lokcs' is not used"
                                   in res.stdout)
    assert sfnc("validate", "--env", "dev", "--strict", cwd=proj.root).exit_code == 1


def test_value_used_only_through_another_value_is_used(proj, sfnc):
    proj.write("envs/dev.yaml", 'values:\n  prefix: ndr\n  tables:\n    locks: "${prefix}-locks"\n')
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 0 and "warning" not in res.stderr


def test_no_env_selected_is_usage_error(proj, sfnc):
    res = sfnc("render", cwd=proj.root)
    assert res.exit_code == 2 and "--env ENV or --all-envs" in res.stderr


def test_out_dir(proj, sfnc):
    res = sfnc("render", "--all-envs", "--out", str(proj.root / "build"), cwd=proj.root)
    assert res.exit_code == 0
    assert sorted(p.name for p in (proj.root / "build").iterdir()) == ["dev", "prod"]


def test_template_without_placeholders_renders_to_same_json(project, sfnc):
    doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
           "Comment": "naïve — ünïcode stays as is"}
    project.write("templates/plain.json", doc)
    project.write("envs/dev.yaml", "values: {}\n")
    assert sfnc("render", "--env", "dev", cwd=project.root).exit_code == 0
    text = project.read("definitions/dev/plain.json")
    assert json.loads(text) == doc and "naïve" in text


def test_placeholder_in_key_is_text(project, sfnc):
    project.write("templates/k.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {"${k}": 1}, "End": True}}})
    project.write("envs/dev.yaml", "values:\n  k: 7\n")
    assert sfnc("render", "--env", "dev", cwd=project.root).exit_code == 0
    assert project.json("definitions/dev/k.json")["States"]["A"]["Output"] == {"7": 1}


def test_value_containing_placeholder_text_is_left_over_error(project, sfnc):
    project.write("templates/k.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "x ${k}", "End": True}}})
    project.write("envs/dev.yaml", "values:\n  k: \"$${other}\"\n")
    res = sfnc("render", "--env", "dev", cwd=project.root)
    assert res.exit_code == 2 and "placeholder '${' is left in the output" in res.stderr


def test_jinja_template_with_loop_and_source_map(project, sfnc):
    project.write("templates/fan.json.j2", """\
        {
          "QueryLanguage": "JSONata",
          "StartAt": "Step 0",
          "States": {
        <% for i in range(n) %>
            "Step << i >>": {"Type": "Pass", "Next": "Step << i + 1 >>"},
        <% endfor %>
            "Step << n >>": {"Type": "Succeed", "Comment": "{% $states.input %} ${label}"}
          }
        }
        """)
    project.write("envs/dev.yaml", "values:\n  n: 3\n  label: done\n")
    res = sfnc("render", "--env", "dev", cwd=project.root)
    assert res.exit_code == 0, res
    data = project.json("definitions/dev/fan.json")
    assert list(data["States"]) == ["Step 0", "Step 1", "Step 2", "Step 3"]
    assert data["States"]["Step 3"]["Comment"] == "{% $states.input %} done"

    from sfn_compiler.envconfig import load_env
    from sfn_compiler.project import find_project
    from sfn_compiler.pipeline import render_env

    proj = find_project(project.root)
    r = render_env(proj, load_env(proj, "dev")).templates[0]
    assert r.source_map.locate("/States/Step 2/Next").line == 6      # the loop body line
    assert r.source_map.locate("/States/Step 3/Comment").line == 8


def test_jinja_template_errors(project, sfnc):
    project.write("templates/bad.json.j2", '{"StartAt": "<< missing >>", "States": {}}\n')
    project.write("envs/dev.yaml", "values: {}\n")
    res = sfnc("render", "--env", "dev", cwd=project.root)
    assert res.exit_code == 2 and "templates/bad.json.j2:1" in res.stderr and "missing" in res.stderr
    project.write("templates/bad.json.j2", '{"StartAt": "<< 1 + >>"}\n')
    res = sfnc("render", "--env", "dev", cwd=project.root)
    assert res.exit_code == 2 and "Jinja syntax error" in res.stderr
    project.write("templates/bad.json.j2", '{"a": << "".__class__.__mro__ >>}\n')
    res = sfnc("render", "--env", "dev", cwd=project.root)
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_source_map_points_at_template_lines(proj):
    from sfn_compiler.envconfig import load_env
    from sfn_compiler.project import find_project
    from sfn_compiler.pipeline import render_env

    p = find_project(proj.root)
    r = render_env(p, load_env(p, "prod")).templates[0]
    tpl_lines = proj.read("templates/lock.json").splitlines()
    loc = r.source_map.locate("/States/Check/Choices/0/Condition")
    assert '"Condition"' in tpl_lines[loc.line - 1]
    # a position inside an untouched JSONata string maps to the exact column
    loc = r.source_map.locate("/States/Acquire Lock/Arguments/Item/pk/S", 14)
    assert tpl_lines[loc.line - 1][loc.column - 1:].startswith("$states.input")


def test_set_on_aws_keys_is_schema_checked(proj, sfnc):
    res = sfnc("render", "--env", "prod", "--set", "aws.type=FAST", cwd=proj.root)
    assert res.exit_code == 2 and "aws.type" in res.stderr and "FAST" in res.stderr


def test_config_file_overrides_paths(project, sfnc):
    project.write("sfn/tpl/a.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "${c}", "End": True}}})
    project.write("sfn/environments/dev.yaml", "values:\n  c: hi\n")
    project.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.sfnc]\ntemplates = "sfn/tpl"\n'
                                    'envs = "sfn/environments"\ndefinitions = "sfn/out"\n')
    (project.root / "sub").mkdir()
    res = sfnc("render", "--env", "dev", cwd=project.root / "sub")     # the root is found by walking up
    assert res.exit_code == 0, res
    assert project.json("sfn/out/dev/a.json")["States"]["A"]["Comment"] == "hi"
    (project.root / "pyproject.toml").unlink()
    project.write("sfnc.toml", 'templates = "sfn/tpl"\nenvs = "sfn/environments"\ndefinitions = "elsewhere"\n')
    assert sfnc("render", "--env", "dev", cwd=project.root).exit_code == 0
    assert (project.root / "elsewhere/dev/a.json").exists()
    project.write("sfnc.toml", 'templatez = "x"\n')
    res = sfnc("render", "--env", "dev", cwd=project.root)
    assert res.exit_code == 2 and "unknown setting 'templatez'" in res.stderr
