"""Every command that calls AWS, run with no region anywhere: one message that says how to set it, exit 2,
never a traceback or an internal error (and no AWS call: there is nowhere to send one)."""

from __future__ import annotations

import pytest

ROLE = "arn:aws:iam::123456789012:role/r"
TEMPLATE = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "${x}", "End": True}}}
SET_IT = "export AWS_DEFAULT_REGION=<region>, or set region in the AWS profile in use"


@pytest.fixture
def no_region(monkeypatch, tmp_path):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def proj(project, no_region):
    project.write("sfnc.toml", "")
    project.write("templates/m.json", TEMPLATE)
    project.write("envs/dev.yaml", f"values:\n  x: hello\naws:\n  role_arn: {ROLE}\n")
    return project


def _one_clear_error(res, *expected: str) -> None:
    assert res.exit_code == 2, res
    assert "internal error" not in res.output and "Traceback" not in res.output
    for text in expected:
        assert text in res.output, res


def test_validate_remote_templates(proj, sfnc):
    res = sfnc("validate", "--remote", cwd=proj.root)
    _one_clear_error(res, "envs/dev.yaml: error SFN011 config-invalid: --remote needs an AWS region and none is set "
                          "for env dev", f"hint: set aws.region in envs/dev.yaml, or {SET_IT}")


def test_validate_remote_paths(proj, sfnc):
    proj.write("plain.asl.json", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    res = sfnc("validate", "--remote", "plain.asl.json", cwd=proj.root)
    _one_clear_error(res, "error: --remote needs an AWS region and none is set", f"hint: {SET_IT}")


def test_validate_remote_with_a_missing_profile(proj, sfnc):
    proj.write("envs/dev.yaml", f"values:\n  x: hello\naws:\n  role_arn: {ROLE}\n  profile: nope\n")
    res = sfnc("validate", "--remote", cwd=proj.root)
    _one_clear_error(res, "--remote: the AWS profile 'nope' for env dev does not exist")


@pytest.mark.parametrize("command", [("diff", "--env", "dev"), ("deploy", "--env", "dev", "--dry-run")])
def test_diff_and_deploy(proj, sfnc, command):
    assert sfnc("render", "--env", "dev", cwd=proj.root).exit_code == 0
    res = sfnc(*command, cwd=proj.root)
    _one_clear_error(res, "error: no AWS region (env dev)", f"hint: set aws.region in the env file, or {SET_IT}")


def test_lock(proj, sfnc):
    proj.write("envs/dev.yaml", f"values:\n  x: {{ssm: /app/x}}\naws:\n  role_arn: {ROLE}\n")
    res = sfnc("lock", "--env", "dev", cwd=proj.root)
    _one_clear_error(res, "envs/dev.yaml:2:6: error: SSM parameter /app/x: no AWS region",
                     f"hint: set aws.region in the env file, or {SET_IT}")


def test_import_from_deployed(project, no_region, sfnc):
    res = sfnc("import", "--env", "dev", "--prefix", "app-", cwd=project.root)
    _one_clear_error(res, "error: no AWS region to import env 'dev' from",
                     f"hint: pass --region REGION (one, or one per --env), or {SET_IT}")
    assert not (project.root / "envs").exists() and not (project.root / "templates").exists()
