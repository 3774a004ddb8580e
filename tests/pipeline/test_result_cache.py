"""The result cache across runs (sfn_compiler/cache.py, pipeline/results.py): a warm run reports exactly what
a cold one does, every part of the key invalidates on its own, broken entries are ignored, writes are
atomic, the size is bounded, --no-cache / SFNC_NO_CACHE / --debug bypass it; worker processes give the
results of a serial run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sfn_compiler import cache as cache_mod
from sfn_compiler.cache import Cache, digest, fingerprint
from sfn_compiler.diagnostics import Diagnostic, Span, from_data, to_data
from sfn_compiler.pipeline import ValidateOptions, validate
from sfn_compiler.project import find_project

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"

BROKEN = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "Missing"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Arguments": {"JobName": "j"},
          "Output": "{% $nope %}", "End": True}}}


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv("SFNC_NO_CACHE", raising=False)
    monkeypatch.delenv("SFNC_CACHE_DIR", raising=False)
    monkeypatch.setattr(cache_mod, "_RUNTIME", None)


@pytest.fixture
def counted(monkeypatch):
    """How many documents the rules ran on (files and rendered templates)."""
    import sfn_compiler.check.runner as runner

    calls = []
    real = runner.validate_document
    monkeypatch.setattr(runner, "validate_document", lambda *a, **k: calls.append(a[0].filename) or real(*a, **k))
    return calls


def run(root: Path, *paths: str, **opts) -> object:
    opts.setdefault("cache", True)
    prev = Path.cwd()
    os.chdir(root)
    try:
        return validate(find_project(root), ValidateOptions(paths=[root / p for p in paths] or None, **opts))
    finally:
        os.chdir(prev)


def entries(root: Path, kind: str = "results") -> list[Path]:
    d = root / ".sfnc_cache" / "v1" / kind
    return sorted(d.glob("*.json")) if d.is_dir() else []


def test_a_warm_run_reports_what_the_cold_one_did_without_running_the_rules(project, counted):
    project.write("a.json", BROKEN)
    project.write("b.json5", "{\n // comment\n \"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\",},},\n}\n")
    cold = run(project.root, "a.json", "b.json5")
    assert len(counted) == 2 and cold.diagnostics and cold.exit_code == 1
    warm = run(project.root, "a.json", "b.json5")
    assert len(counted) == 2  # nothing validated again
    assert warm.diagnostics == cold.diagnostics and warm.files == cold.files and warm.rules == cold.rules
    assert warm.exit_code == cold.exit_code
    assert len(entries(project.root)) == 2 and len(entries(project.root, "meta")) == 1
    assert (project.root / ".sfnc_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (project.root / ".sfnc_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")


def test_the_cli_output_is_the_same_cold_and_warm_in_every_format(project, sfnc, monkeypatch):
    monkeypatch.delenv("SFNC_NO_CACHE", raising=False)
    project.write("a.json", BROKEN)
    for fmt in ("text", "json", "sarif", "github", "junit"):
        cold = sfnc("validate", "--no-cache", "-f", fmt, "a.json", cwd=project.root)
        warm1 = sfnc("validate", "-f", fmt, "a.json", cwd=project.root)
        warm2 = sfnc("validate", "-f", fmt, "a.json", cwd=project.root)
        assert (cold.exit_code, cold.stdout, cold.stderr) == (warm1.exit_code, warm1.stdout, warm1.stderr) \
            == (warm2.exit_code, warm2.stdout, warm2.stderr), fmt
    assert entries(project.root)


def test_the_content_is_part_of_the_key(project, counted):
    path = project.write("a.json", BROKEN)
    first = run(project.root, "a.json")
    fixed = json.loads(path.read_text())
    fixed["States"]["A"]["Next"] = "B"
    project.write("a.json", fixed)
    second = run(project.root, "a.json")
    assert len(counted) == 2
    assert "SFN202" in {d.rule for d in first.diagnostics} and "SFN202" not in {d.rule for d in second.diagnostics}


def test_the_display_path_is_part_of_the_key(project, counted):
    project.write("a.json", BROKEN)
    project.write("sub/a.json", BROKEN)
    one = run(project.root, "a.json")
    two = run(project.root, "sub/a.json")
    assert len(counted) == 2
    assert {d.span.file for d in one.diagnostics} == {"a.json"}
    assert {d.span.file for d in two.diagnostics} == {str(Path("sub/a.json"))}


@pytest.mark.parametrize("change", [
    {"select": ["SFN202"]}, {"ignore": ["graph"]}, {"placeholders": "error"}, {"machine_type": "EXPRESS"}])
def test_each_command_line_setting_is_part_of_the_key(project, counted, change):
    project.write("a.json", BROKEN | {"Comment": "${stage}"})
    base = run(project.root, "a.json")
    changed = run(project.root, "a.json", **change)
    assert len(counted) == 2
    uncached = run(project.root, "a.json", cache=False, **change)
    assert changed.diagnostics == uncached.diagnostics != base.diagnostics


@pytest.mark.parametrize("settings", [
    '[tool.sfnc.validate]\nignore = ["SFN202"]\n',
    '[tool.sfnc.validate.severity]\nSFN202 = "warning"\n',
    '[tool.sfnc.validate.per-path-ignores]\n"a.json" = ["graph"]\n',
])
def test_the_project_configuration_is_part_of_the_key(project, counted, settings):
    project.write("a.json", BROKEN)
    project.write("pyproject.toml", "[tool.sfnc]\n")
    base = run(project.root, "a.json")
    project.write("pyproject.toml", settings)
    changed = run(project.root, "a.json")
    assert len(counted) == 2
    assert changed.diagnostics == run(project.root, "a.json", cache=False).diagnostics != base.diagnostics


def test_the_polling_catalogue_file_is_part_of_the_key(project, counted):
    project.write("a.json", BROKEN)
    project.write("pyproject.toml", '[tool.sfnc.patterns]\ncatalogue = "polls.yaml"\n')
    project.write("polls.yaml", "entries: []\n")
    assert run(project.root, "a.json").exit_code == 1
    project.write("polls.yaml", "entries: [{name: broken}]\n")  # now an invalid catalogue: a config error
    from sfn_compiler.asl import poll_catalogue

    poll_catalogue._load.cache_clear()  # the process's own memo of the file (a new sfnc process has none)
    broken = run(project.root, "a.json")
    assert broken.exit_code == 2 and len(counted) == 2
    assert any("polls.yaml" in d.message for d in broken.diagnostics), broken.diagnostics


def test_sfnc_code_version_and_dependencies_are_part_of_the_key(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(Path(cache_mod.__file__).parent / "load", pkg)
    deps = {"jsonata_python": "0.7.1"}
    base = fingerprint(pkg, "1.0", deps)
    assert fingerprint(pkg, "1.0", deps) == base
    assert fingerprint(pkg, "1.1", deps) != base
    assert fingerprint(pkg, "1.0", {"jsonata_python": "0.7.2"}) != base
    mod = pkg / "pointer.py"
    mod.write_text(mod.read_text() + "\n# edited\n")
    assert fingerprint(pkg, "1.0", deps) != base
    (pkg / "__pycache__").mkdir(exist_ok=True)
    edited = fingerprint(pkg, "1.0", deps)
    (pkg / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"bytecode")  # bytecode is not the code
    assert fingerprint(pkg, "1.0", deps) == edited


def test_a_different_runtime_fingerprint_misses(project, counted, monkeypatch):
    project.write("a.json", BROKEN)
    run(project.root, "a.json")
    monkeypatch.setattr(cache_mod, "_RUNTIME", "another sfnc")
    run(project.root, "a.json")
    assert len(counted) == 2


def test_rendered_templates_are_keyed_by_their_text_env_and_source_map(project, counted):
    project.write("templates/t.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "${x}${y}"}}})
    project.write("envs/dev.yaml", "values:\n  x: ab\n  y: ''\n")
    project.write("envs/prod.yaml", "values:\n  x: ab\n  y: ''\n")
    cold = run(project.root)
    assert len(counted) == 2
    warm = run(project.root)
    assert len(counted) == 2 and warm.diagnostics == cold.diagnostics
    # the same rendered text ("ab") from other values: the source map differs, so does the key
    project.write("envs/prod.yaml", "values:\n  x: a\n  y: b\n")
    run(project.root)
    assert len(counted) == 3
    project.write("envs/prod.yaml", "values:\n  x: A\n  y: b\n")
    changed = run(project.root)
    assert len(counted) == 4  # prod rendered differently; dev from the cache
    assert changed.diagnostics == run(project.root, cache=False).diagnostics


SAM = """Transform: AWS::Serverless-2016-10-31
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flow.asl.json
      DefinitionSubstitutions:
        Target: Missing
"""
TF = """resource "aws_sfn_state_machine" "m" {
  name       = "m"
  role_arn   = "arn:aws:iam::123456789012:role/r"
  definition = templatefile("${path.module}/flow.json.tftpl", { next = "Gone" })
}
"""
FLOW = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "${Target}"},
                                                               "B": {"Type": "Succeed"}}}
TFTPL = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "${next}"},
                                                                "B": {"Type": "Succeed"}}}


def test_definitions_read_out_of_templates_and_terraform_are_cached_by_every_text_they_read(project, counted):
    sam, tf = project.root / "sam", project.root / "tf"
    project.write("sam/template.yaml", SAM)
    project.write("sam/flow.asl.json", FLOW)
    project.write("tf/main.tf", TF)
    project.write("tf/flow.json.tftpl", TFTPL)
    project.write("states.asl.yaml", "StartAt: A\nStates:\n  A: {Type: Pass, Next: Nowhere}\n")
    cold = run(project.root, "sam", "tf", "states.asl.yaml")
    assert len(counted) == 3 and {d.resource for d in cold.diagnostics if d.rule == "SFN202"} == {
        "Machine", "aws_sfn_state_machine.m", None}
    warm = run(project.root, "sam", "tf", "states.asl.yaml")
    assert len(counted) == 3 and warm.diagnostics == cold.diagnostics and warm.files == cold.files
    # the definition file moved down a line: its findings move with it (the file's text is in the key)
    (sam / "flow.asl.json").write_text("\n" + (sam / "flow.asl.json").read_text())
    moved = run(project.root, "sam")
    assert len(counted) == 4
    assert [d.span.line for d in moved.diagnostics] == [d.span.line + 1 for d in cold.diagnostics
                                                        if d.resource == "Machine"]
    # a substitution in the template (the definition file unchanged): the template's text is in the key
    project.write("sam/template.yaml", SAM.replace("Target: Missing", "Target: B"))
    assert run(project.root, "sam").diagnostics == [] and len(counted) == 5
    # the templatefile's variables are in the .tf file
    project.write("tf/main.tf", TF.replace('next = "Gone"', 'next = "B"'))
    assert run(project.root, "tf").diagnostics == [] and len(counted) == 6
    # a definition inside the template: the template moved down a line, its finding too
    inline = SAM.replace("      DefinitionUri: flow.asl.json\n      DefinitionSubstitutions:\n        Target: Missing\n",
                         "      Definition:\n        StartAt: A\n        States:\n          A: {Type: Pass, Next: Gone}\n")
    project.write("inline/template.yaml", inline)
    first = run(project.root, "inline")
    project.write("inline/template.yaml", "# moved\n" + inline)
    second = run(project.root, "inline")
    assert first.diagnostics
    assert len(counted) == 8 and [d.span.line for d in second.diagnostics] == [d.span.line + 1 for d in first.diagnostics]
    for paths in (("sam",), ("tf",), ("states.asl.yaml",), ("inline",)):
        assert run(project.root, *paths).diagnostics == run(project.root, *paths, cache=False).diagnostics


def test_a_template_rendered_identically_in_several_envs_is_checked_once(project, counted):
    project.write("templates/t.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}})
    for env in ("dev", "prod", "test"):
        project.write(f"envs/{env}.yaml", "values: {}\n")
    import sfn_compiler.check.runner as runner

    calls = []
    real = runner.run_rules
    runner.run_rules = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        res = run(project.root, cache=False)
    finally:
        runner.run_rules = real
    assert len(calls) == 1 and len(counted) == 3
    assert res.diagnostics and {d.env for d in res.diagnostics} == {"dev, prod, test"}


def test_corrupt_and_foreign_entries_are_ignored_and_replaced(project, counted):
    project.write("a.json", BROKEN)
    project.write("b.json", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    cold = run(project.root, "a.json", "b.json")
    a_entry, b_entry = entries(project.root)
    a_text, b_text = a_entry.read_text(), b_entry.read_text()
    a_entry.write_text(b_text)            # another key's entry under this name
    b_entry.write_text(b_text[: len(b_text) // 2])   # torn
    assert run(project.root, "a.json", "b.json").diagnostics == cold.diagnostics
    assert len(counted) == 4
    assert a_entry.read_text() == a_text and b_entry.read_text() == b_text  # rewritten
    a_entry.write_text(json.dumps({"key": a_entry.stem, "value": [{"message": "no other fields"}]}))
    assert run(project.root, "a.json", "b.json").diagnostics == cold.diagnostics
    for e in entries(project.root, "meta"):
        e.write_text("not json")
    assert run(project.root, "a.json", "b.json").rules == cold.rules


def test_no_cache_neither_reads_nor_writes(project, sfnc, monkeypatch):
    project.write("a.json", BROKEN)
    res = sfnc("validate", "--no-cache", "-f", "json", "a.json", cwd=project.root)
    assert res.exit_code == 1 and not (project.root / ".sfnc_cache").exists()
    monkeypatch.setenv("SFNC_NO_CACHE", "1")
    assert sfnc("validate", "-f", "json", "a.json", cwd=project.root).stdout == res.stdout
    assert not (project.root / ".sfnc_cache").exists()
    monkeypatch.delenv("SFNC_NO_CACHE")
    sfnc("validate", "-f", "json", "a.json", cwd=project.root)
    (entry,) = entries(project.root)
    entry.write_text(json.dumps({"key": entry.stem, "value": []}))  # a planted "no findings"
    assert sfnc("validate", "--no-cache", "-f", "json", "a.json", cwd=project.root).stdout == res.stdout


def test_debug_does_not_use_the_cache(project, counted):
    project.write("a.json", BROKEN)
    run(project.root, "a.json", debug=True)
    assert not (project.root / ".sfnc_cache").exists()
    run(project.root, "a.json")
    run(project.root, "a.json", debug=True)
    assert len(counted) == 3


def test_sfnc_cache_dir_moves_the_cache(project, counted, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cachedir")
    monkeypatch.setenv("SFNC_CACHE_DIR", str(elsewhere))
    project.write("a.json", BROKEN)
    run(project.root, "a.json")
    run(project.root, "a.json")
    assert len(counted) == 1 and not (project.root / ".sfnc_cache").exists()
    assert list((elsewhere / "v1" / "results").glob("*.json"))


def test_an_unwritable_cache_is_a_cache_that_misses(project, counted):
    project.write("a.json", BROKEN)
    (project.root / ".sfnc_cache").write_text("a file where the directory would be")
    first = run(project.root, "a.json")
    second = run(project.root, "a.json")
    assert len(counted) == 2 and first.diagnostics == second.diagnostics


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path):
    c = Cache(tmp_path / "c")
    key = digest("k")
    c.put("results", key, {"a": [1, "ü", None]})
    assert c.get("results", key) == {"a": [1, "ü", None]}
    assert [p.name for p in (tmp_path / "c" / "v1" / "results").iterdir()] == [f"{key}.json"]
    c.put("results", digest("x"), {1, 2})  # not JSON data: nothing stored, nothing left behind
    assert [p.name for p in (tmp_path / "c" / "v1" / "results").iterdir()] == [f"{key}.json"]
    assert c.get("results", digest("x")) is None


def test_the_cache_is_pruned_to_its_bound_oldest_first(tmp_path):
    c = Cache(tmp_path / "c", max_bytes=4000)
    keys = [digest(str(i)) for i in range(20)]
    for i, k in enumerate(keys):
        c.put("results", k, "x" * 400)
        os.utime(c._path("results", k), (1000 + i, 1000 + i))
    stale = tmp_path / "c" / "v1" / "results" / ".dead.123.tmp"
    stale.write_text("half")
    os.utime(stale, (0, 0))
    c.prune()
    kept = [k for k in keys if c.get("results", k) is not None]
    assert kept == keys[-len(kept):] and 0 < len(kept) * 460 <= 3000
    assert not stale.exists()


def test_a_run_that_wrote_many_entries_checks_the_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "PRUNE_WRITES", 10)
    monkeypatch.setattr(cache_mod, "PRUNE_EVERY", 10 ** 9)   # no chance pruning
    few = Cache(tmp_path / "few", max_bytes=1000)
    for i in range(5):
        few.put("results", digest(str(i)), "x" * 400)
    few.maybe_prune()
    assert len(list((tmp_path / "few" / "v1" / "results").iterdir())) == 5   # over the bound, not checked
    many = Cache(tmp_path / "many", max_bytes=1000)
    for i in range(12):
        many.put("results", digest(str(i)), "x" * 400)
    many.maybe_prune()
    assert len(list((tmp_path / "many" / "v1" / "results").iterdir())) == 1


def test_a_diagnostic_survives_the_round_trip():
    from dataclasses import fields

    from sfn_compiler.diagnostics import Related

    d = Diagnostic("m", "warning", Span("f.json", 3, 4), "/States/A", "dev, prod", "h", "SFN202", "name",
                   Span("templates/t.json", 1, 2, False), "https://x", ("A", "B"), "0123", "  1 | x",
                   "MyStateMachine",
                   (Related("again", Span("f.json", 5, 6), "/States/B", Span("t.json", 7, 8, False)), Related("only")),
                   "m with ${table}")
    # every field holds a value of its own (a field added to Diagnostic fails here until it is added above)
    assert all(getattr(d, f.name) != f.default for f in fields(Diagnostic))
    assert from_data(json.loads(json.dumps(to_data(d)))) == d
    plain = Diagnostic("only a message")
    assert from_data(json.loads(json.dumps(to_data(plain)))) == plain


def _corpus(n: int) -> list[Path]:
    files = sorted(p for p in (CORPUS / "real").rglob("*.json") if p.is_file())[:n] if CORPUS.is_dir() else []
    return files


@pytest.mark.corpus
def test_corpus_results_are_the_same_cold_warm_and_in_worker_processes(tmp_path):
    files = _corpus(150)
    if not files:
        pytest.skip("../shared/corpus is absent")
    root = tmp_path / "p"
    root.mkdir()
    opts = dict(placeholders="opaque")
    serial = run(root, *map(str, files), cache=False, jobs=1, **opts)
    parallel = run(root, *map(str, files), cache=False, jobs=3, **opts)
    cold = run(root, *map(str, files), **opts)
    warm = run(root, *map(str, files), **opts)
    assert serial.diagnostics and parallel.diagnostics == serial.diagnostics
    assert cold.diagnostics == warm.diagnostics == serial.diagnostics
    assert len(entries(root)) == len(files)


def test_a_worker_that_fails_leaves_its_files_to_the_parent(project, monkeypatch):
    import sfn_compiler.check.runner as runner

    for i in range(6):
        project.write(f"f{i}.json", BROKEN | {"Comment": str(i)})
    names = [f"f{i}.json" for i in range(6)]
    expected = run(project.root, *names, cache=False, jobs=1).diagnostics
    parent = os.getpid()
    real = runner.validate_file

    def only_in_the_parent(*a, **k):
        if os.getpid() != parent:
            raise RuntimeError("worker crash")
        return real(*a, **k)

    monkeypatch.setattr(runner, "validate_file", only_in_the_parent)
    assert run(project.root, *names, cache=False, jobs=3).diagnostics == expected


def test_env_files_that_passed_the_schema_are_not_checked_again(project, monkeypatch):
    import sfn_compiler.envconfig as envconfig

    project.write("templates/t.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    project.write("envs/dev.yaml", "values:\n  x: 1\n")
    checks = []
    real = envconfig._schema_problems
    monkeypatch.setattr(envconfig, "_schema_problems", lambda doc: checks.append(doc.filename) or real(doc))
    run(project.root)
    run(project.root)
    assert checks == ["envs/dev.yaml"]
    project.write("envs/dev.yaml", "values:\n  x: 1\nbogus: 2\n")  # changed (and now invalid): checked, reported
    bad = run(project.root)
    assert bad.exit_code == 2 and any("unknown key 'bogus'" in d.message for d in bad.diagnostics)
    assert len(checks) == 2
    assert run(project.root).diagnostics == bad.diagnostics
    assert len(checks) == 3  # an invalid file's problems are never stored
    project.write("envs/dev.yaml", "values:\n  x: 1\n")
    run(project.root, cache=False)
    assert len(checks) == 4


def test_a_warm_run_imports_neither_the_rules_nor_jsonschema(project):
    import subprocess
    import sys

    project.write("templates/t.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "${gone}"}}})
    project.write("envs/dev.yaml", "values:\n  gone: Gone\n")   # used: no unused-value warning to configure
    project.write("a.json", BROKEN)
    project.write("sam/template.yaml", SAM)
    project.write("sam/flow.asl.json", FLOW)
    probe = ("import sys\nfrom sfn_compiler.cli import main\nsys.argv = ['sfnc', 'validate', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('jsonschema', 'jsonata', 'sfn_compiler.check.rules.graph') "
             "if m in sys.modules), file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != "SFNC_NO_CACHE"}
    for args in ([], ["a.json"], ["sam"]):
        loaded = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", probe, *args], cwd=project.root, env=env,
                                 capture_output=True, text=True)
            loaded.append(out.stderr.strip().splitlines()[-1])
        # the cold run loads the rules (the JSONata engine only for a {% %} body: these are JSONPath)
        assert "sfn_compiler.check.rules.graph" in loaded[0] and loaded[1] == "LOADED []", (args, loaded)


def test_an_unreadable_file_is_reported_as_without_cache_or_workers(project, sfnc, monkeypatch):
    monkeypatch.delenv("SFNC_NO_CACHE", raising=False)
    names = []
    for i in range(4):
        names.append(project.write(f"f{i}.json", BROKEN).name)
    (project.root / "bad.json").write_bytes(b'{"StartAt": "\xff"}')
    args = ["validate", "-f", "json", *names, "bad.json"]
    plain = sfnc(*args, "--no-cache", "-j", "1", cwd=project.root)
    assert plain.exit_code == 2 and "not UTF-8" in plain.output
    for extra in ([], [], ["-j", "3"]):
        res = sfnc(*args, *extra, cwd=project.root)
        assert (res.exit_code, res.stdout, res.stderr) == (plain.exit_code, plain.stdout, plain.stderr)


def test_worker_processes_by_default_only_for_enough_text_and_idle_cpus(project, monkeypatch):
    import sfn_compiler.pipeline.results as results_mod
    from sfn_compiler.pipeline.results import PARALLEL_MIN_BYTES, Results

    monkeypatch.setattr(results_mod, "_idle_cpus", lambda: 2)
    auto = Results(find_project(project.root), lambda: validate_config(project), cache=False)
    assert auto._jobs(100, PARALLEL_MIN_BYTES - 1) == 1       # not enough text
    assert auto._jobs(1, 10 * PARALLEL_MIN_BYTES) == 1        # one file
    assert auto._jobs(100, PARALLEL_MIN_BYTES) == 2
    monkeypatch.setattr(results_mod, "_idle_cpus", lambda: 0)  # a busy machine
    assert auto._jobs(100, 10 * PARALLEL_MIN_BYTES) == 1
    asked = Results(find_project(project.root), lambda: validate_config(project), cache=False, jobs=3)
    assert asked._jobs(100, 0) == 3 and asked._jobs(2, 0) == 2


def validate_config(project):
    from sfn_compiler.check.config import CheckConfig

    return CheckConfig()
