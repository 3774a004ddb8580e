"""Real public SAM, CDK and Terraform examples (copied under their licences, see real/README.md): validating
the template finds the same problems as validating the extracted definition, located in the file the
user edits and naming the resource. The extracted definitions in ../shared/corpus/real are used when they
are there (they were extracted by other means, so they are an independent check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_compiler.check import CheckConfig, validate_text
from sfn_compiler.pipeline.sources import validate_paths

REAL = Path(__file__).parent / "real"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real"


def via_template(path: Path):
    res = validate_paths([path], CheckConfig(), display=lambda p: str(p.relative_to(REAL)), roots=[REAL])
    assert not [d for d in res.diagnostics if d.rule in ("SFN010", "SFN011", "SFN012", "SFN013", "SFN014")]
    return res


def direct(text: str):
    return {(d.rule, d.pointer) for d in validate_text(text, "x.json", CheckConfig(placeholders="opaque"))}


def found(diags, resource=None):
    return {(d.rule, d.pointer) for d in diags if resource is None or d.resource == resource}


def line_of(path: Path, d) -> str:
    return path.read_text().split("\n")[d.span.line - 1]


@pytest.mark.parametrize("example,definition,resource", [
    ("sam-shared-fallback-state-jsonata", "statemachine/statemachine.asl.json", "StateMachine"),
    ("sam-eventbridge-getfunctionstatus", "statemachine/definition.asl.json", "StepFunction"),
    ("tf-stepfunctions-eventbridge-onpremise", "modules/state_machine/state-machine.asl.json",
     "aws_sfn_state_machine.state_machine"),
])
def test_definition_files_read_through_the_template(example, definition, resource):
    res = via_template(REAL / example)
    defpath = REAL / example / definition
    assert res.files == [f"{example}/{definition} ({resource})"]      # read once, through the template
    assert found(res.diagnostics) == direct(defpath.read_text())
    for d in res.diagnostics:
        assert d.span.file == f"{example}/{definition}" and d.resource == resource and d.template is None
        assert d.span.line >= 1 and d.span.column >= 1


def test_shared_fallback_findings_and_locations():
    res = via_template(REAL / "sam-shared-fallback-state-jsonata")
    got = found(res.diagnostics)
    # the real bug in this sample: QueryLanguage written inside States, so the machine is JSONPath
    assert ("SFN203", "/States/QueryLanguage") in got and ("SFN105", "/States/FirstLambdaState/Arguments") in got
    path = REAL / "sam-shared-fallback-state-jsonata" / "statemachine" / "statemachine.asl.json"
    by = {(d.rule, d.pointer): d for d in res.diagnostics}
    assert '"QueryLanguage"' in line_of(path, by[("SFN203", "/States/QueryLanguage")])
    assert '"Arguments"' in line_of(path, by[("SFN105", "/States/FirstLambdaState/Arguments")])
    corpus = CORPUS / "aws-samples__step-functions-workflows-collection" / \
        "shared-fallback-state-jsonata__statemachine__statemachine.asl.json"
    if corpus.is_file():
        assert got == direct(corpus.read_text())


def test_sam_app_with_yaml_definitions():
    res = via_template(REAL / "sam-app-meeting-summarization")
    assert sorted(res.files) == sorted(f"sam-app-meeting-summarization/statemachines/{n}.asl.yaml ({r})" for n, r in [
        ("transcribe_file", "StateMachineUtilTranscribeMediaFile"),
        ("summarize_transcription", "StateMachineSummarizeTranscription"),
        ("aquire-lock", "StateMachineUtilAquireLock"), ("release-lock", "StateMachineUtilReleaseLock"),
        ("clean-locks-on-failure", "StateMachineUtilCleanLocksOnFailure")])
    transcribe = REAL / "sam-app-meeting-summarization" / "statemachines" / "transcribe_file.asl.yaml"
    diags = [d for d in res.diagnostics if d.resource == "StateMachineUtilTranscribeMediaFile"]
    by = {(d.rule, d.pointer): d for d in diags}
    poll = by[("SFN705", "/States/Is Job Completed?")]
    assert line_of(transcribe, poll).strip() == "Is Job Completed?:"
    unread = by[("SFN507", "/States/Prepare Configuration/Assign/inBucket")]
    assert line_of(transcribe, unread).strip().startswith("inBucket:")
    # the same findings as on the definitions converted to JSON by other means (the shared corpus)
    for name, resource in [("transcribe_file", "StateMachineUtilTranscribeMediaFile"),
                           ("summarize_transcription", "StateMachineSummarizeTranscription"),
                           ("aquire-lock", "StateMachineUtilAquireLock"),
                           ("release-lock", "StateMachineUtilReleaseLock")]:
        corpus = CORPUS / "aws-samples__aws-stepfunctions-examples" / \
            f"sam__app-meeting-summarization__statemachines__{name}.asl.yaml.json"
        if not corpus.is_file():
            pytest.skip("../shared/corpus/real is not here")
        assert found(res.diagnostics, resource) == direct(corpus.read_text()), name


def test_the_template_types_and_substitutions_are_used():
    from sfn_compiler.load.cloudformation import Opaque, extract, read_template, state_machines

    tpl = read_template(REAL / "sam-app-meeting-summarization" / "template.yaml")
    by = {m.logical_id: m for m in state_machines(tpl)}
    assert by["StateMachineUtilAquireLock"].machine_type == "EXPRESS"
    ext = extract(by["StateMachineUtilTranscribeMediaFile"])
    # !FindInMap over the template's Mappings is a literal: substituted
    assert ext.substitutions["EventSource"] == "scn.ip"
    entry = ext.document.data["States"]["Publish Event - Transcription Completed"]["Arguments"]["Entries"][0]
    assert entry["Source"] == "scn.ip" and entry["DetailType"] == "Transcription Job Completed"
    assert ext.substitutions["OutputBucket"] == Opaque("!Ref ScnDataBucket") and entry["EventBusName"] == "${EventBusName}"


CDK = REAL / "cdk-stepfunctions-integ" / "cdk.out"


def test_cdk_synth_output():
    res = via_template(REAL / "cdk-stepfunctions-integ")
    assert len(res.files) == 2
    [d] = res.diagnostics
    assert (d.rule, d.pointer, d.resource) == ("SFN723", "/States/Map", "StateMachine2E01A3A5")
    path = CDK / "cdk-stepfunctions-map-jsonata-itemprocessor-stack.template.json"
    assert d.span.file == str(path.relative_to(REAL))
    assert line_of(path, d)[d.span.column - 1:].startswith('\\"Map\\":{\\"Type\\":\\"Map\\"')   # the state's key, in the escaped string
    for stack, extracted in [
            ("cdk-stepfunctions-map-jsonata-itemprocessor-stack", "aws-stepfunctions__test__integ.map-jsonata-itemprocessor.js.snapshot__cdk-stepfunctions-map-jsonata-itemprocessor-stack.template.json__DefinitionString.json"),
            ("aws-stepfunctions-state-machine-jsonata-integ", "aws-stepfunctions__test__integ.state-machine-jsonata.js.snapshot__aws-stepfunctions-state-machine-jsonata-integ.template.json__DefinitionString.json")]:
        corpus = CORPUS / "aws__aws-cdk" / extracted
        if not corpus.is_file():
            pytest.skip("../shared/corpus/real is not here")
        from sfn_compiler.load.cloudformation import extract, read_template, state_machines

        [m] = state_machines(read_template(CDK / f"{stack}.template.json"))
        # the Fn::Join of fragments and intrinsics gives the same document as the corpus's extraction
        assert extract(m).document.data == json.loads(corpus.read_text())
        assert found(d for d in res.diagnostics if d.span.file.endswith(f"{stack}.template.json")) == direct(corpus.read_text())
