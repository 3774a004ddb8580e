"""Terraform: `.tftpl` files and `aws_sfn_state_machine` resources in `.tf` files."""

from __future__ import annotations

import json
from pathlib import Path

from sfn_compiler.check import CheckConfig
from sfn_compiler.check.sources import validate_extracted
from sfn_compiler.load.terraform import extract_tf, extract_tftpl, tf_machines

MAIN_TF = '''\
# resource "aws_sfn_state_machine" "in_a_comment" {
resource "aws_sfn_state_machine" "orders" {
  name     = "orders-${var.env}"   # an interpolation in another attribute
  role_arn = aws_iam_role.sfn.arn
  definition = templatefile("${path.module}/sm/orders.asl.json.tftpl", {
    table   = "orders"
    fn_arn  = aws_lambda_function.worker.arn
    timeout = 30
  })
  logging_configuration {
    level = "ERROR"
  }
}

resource "aws_sfn_state_machine" "inline" {
  name       = "inline"
  role_arn   = aws_iam_role.sfn.arn
  definition = jsonencode({
    QueryLanguage = "JSONata"
    StartAt       = "A"
    States = {
      "A" = {
        Type      = "Task"
        Resource  = aws_lambda_function.worker.arn
        Arguments = { x = "{% $states.input.x + %}", "y\\"z" = [1, true, null] }
        Next      = "Nowhere"
      }
    }
  })
}

resource "aws_sfn_state_machine" "heredoc" {
  name       = "heredoc"
  role_arn   = aws_iam_role.sfn.arn
  definition = <<-EOT
    {
      "StartAt": "A",
      "States": {"A": {"Type": "Wait", "Seconds": ${var.wait}, "Next": "Gone"}}
    }
  EOT
}

resource "aws_sfn_state_machine" "from_local" {
  name       = "l"
  role_arn   = aws_iam_role.sfn.arn
  definition = local.definition
}
'''

TFTPL = '''\
{
  "QueryLanguage": "JSONata",
  "StartAt": "A",
  "States": {
    "A": {"Type": "Task", "Resource": "${fn_arn}", "TimeoutSeconds": ${timeout},
          "Arguments": {"t": "${table}", "literal": "$${not_a_var}"}, "Next": "B"},
    "B": {"Type": "Pass", "Output": "{% $states.input.y. %}", "End": true}
  }
}
'''


def write(root: Path) -> Path:
    (root / "sm").mkdir()
    (root / "sm" / "orders.asl.json.tftpl").write_text(TFTPL)
    path = root / "main.tf"
    path.write_text(MAIN_TF)
    return path


def diags(ext):
    return validate_extracted(ext, CheckConfig())


def at(path: Path, d, n: int) -> str:
    return path.read_text().split("\n")[d.span.line - 1][d.span.column - 1:d.span.column - 1 + n]


def test_finds_the_resources_and_their_definition_expressions(tmp_path):
    text = write(tmp_path).read_text()
    found = {m.address: text[m.expr_start:m.expr_end].split("(")[0].split("\n")[0].strip() for m in tf_machines(text)}
    assert found == {"aws_sfn_state_machine.orders": "templatefile", "aws_sfn_state_machine.inline": "jsonencode",
                     "aws_sfn_state_machine.heredoc": "<<-EOT", "aws_sfn_state_machine.from_local": "local.definition"}


def test_templatefile_substitutes_literal_vars_and_keeps_references_opaque(tmp_path):
    path = write(tmp_path)
    exts = {e.resource: e for e in extract_tf(path, str(path), roots=[tmp_path])}
    ext = exts["aws_sfn_state_machine.orders"]
    state = ext.document.data["States"]["A"]
    assert state["Resource"] == "${fn_arn}" and state["TimeoutSeconds"] == 30
    assert state["Arguments"] == {"t": "orders", "literal": "${not_a_var}"}
    [d] = diags(ext)
    tpl = tmp_path / "sm" / "orders.asl.json.tftpl"
    assert (d.rule, d.span.file, d.resource) == ("SFN301", str(tpl), "aws_sfn_state_machine.orders")
    assert d.span.line == 7 and at(tpl, d, 2) == "%}"


def test_jsonencode_object_is_read_with_hcl_positions(tmp_path):
    path = write(tmp_path)
    ext = {e.resource: e for e in extract_tf(path, str(path), roots=[tmp_path])}["aws_sfn_state_machine.inline"]
    state = ext.document.data["States"]["A"]
    assert state["Resource"] == "${aws_lambda_function.worker.arn}"
    assert state["Arguments"]["y\"z"] == [1, True, None]
    by_rule = {d.rule: d for d in diags(ext)}
    assert at(path, by_rule["SFN202"], 9) == '"Nowhere"' and by_rule["SFN202"].span.line == 26
    assert by_rule["SFN301"].span.line == 25 and at(path, by_rule["SFN301"], 2) == "%}"


def test_heredoc_and_unreadable_expressions(tmp_path):
    path = write(tmp_path)
    exts = {e.resource: e for e in extract_tf(path, str(path), roots=[tmp_path])}
    heredoc = exts["aws_sfn_state_machine.heredoc"]
    assert heredoc.document.data["States"]["A"]["Seconds"] == "${var.wait}"
    [d] = [d for d in diags(heredoc) if d.rule == "SFN202"]
    assert d.span.file == str(path) and at(path, d, 6) == '"Gone"'
    assert "local.definition" in exts["aws_sfn_state_machine.from_local"].skipped


def test_a_tftpl_alone_treats_every_interpolation_as_opaque(tmp_path):
    p = tmp_path / "x.tftpl"
    p.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": ${jsonencode({"a" = {"b" = 1}})},'
                 ' "Parameters": {"x": "${upper(var.x)}"}, "End": true}}}\n')
    ext = extract_tftpl(p, str(p))
    assert diags(ext) == []
    assert ext.document.data["States"]["A"]["Result"].startswith("${jsonencode(")


def test_directives_that_break_json_are_explained(tmp_path):
    p = tmp_path / "x.tftpl"
    p.write_text('{"StartAt": "A", "States": {%{ for s in states ~}"${s}": {"Type": "Succeed"},%{ endfor ~}}}\n')
    ext = extract_tftpl(p, str(p))
    assert ext.parse_error is not None and "%{ } directives" in ext.parse_error.message


def test_validate_a_terraform_directory(tmp_path, sfnc):
    write(tmp_path)
    (tmp_path / "variables.tf").write_text('variable "env" {}\n')
    res = sfnc("validate", ".", "--format", "json", cwd=tmp_path)
    report = json.loads(res.stdout)
    assert report["summary"]["files"] == 3          # the .tftpl is read once, through main.tf
    assert {d["resource"] for d in report["diagnostics"] if d["rule"] != "SFN013"} == {
        "aws_sfn_state_machine.orders", "aws_sfn_state_machine.inline", "aws_sfn_state_machine.heredoc"}
    [note] = [d for d in report["diagnostics"] if d["rule"] == "SFN013"]
    assert (note["resource"], note["severity"], note["file"]) == ("aws_sfn_state_machine.from_local", "info", "main.tf")
    assert "the definition is not read" in note["message"] and "local.definition" in note["message"]
    assert res.exit_code == 1 and res.stderr == ""


from hypothesis import example, given, settings, strategies as st  # noqa: E402

_HCL_TOKENS = st.sampled_from(['{', '}', '[', ']', '(', ')', '"', '=', ',', ':', '#', '//', '/*', '*/', '\n', '<<EOF\n',
                               'EOF', '<<-X\n', 'X', '${', '%{', '$${', '\\', 'a', 'States', 'StartAt', '1', '.', ' ',
                               'for ', 'jsonencode(', 'templatefile(', 'true'])


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_HCL_TOKENS, max_size=40).map("".join))
@example(body="templatefile(){{")        # a stray `)` in the arguments once looped forever
def test_any_text_in_a_tf_file_ends_in_a_result_or_a_message(tmp_path_factory, body):
    """The HCL scanner always terminates and never raises anything but SfncError, whatever follows
    `definition =`."""
    import signal

    from sfn_compiler.errors import SfncError

    root = tmp_path_factory.mktemp("tf")
    path = root / "main.tf"
    path.write_text(f'resource "aws_sfn_state_machine" "a" {{\n  definition = {body}\n}}\n' + body)

    def boom(*_):
        raise TimeoutError(body)

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(5)
    try:
        (root / "x.tftpl").write_text(body)
        exts = extract_tf(path, "main.tf", roots=[root]) + [extract_tftpl(root / "x.tftpl", "x.tftpl")]
        for e in exts:
            if e.document is not None:
                validate_extracted(e, CheckConfig())
    except SfncError:
        pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
