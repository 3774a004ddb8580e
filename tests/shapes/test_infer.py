"""JSONata type inference: shapes of expressions and the events the detection functions use."""

from __future__ import annotations

import pytest

from sfn_compiler.shapes import shape as S
from sfn_compiler.shapes.infer import SIGNATURES, BadArgument, BadOperand, EnumMismatch, Env, MissingMember, infer
from sfn_compiler.shapes.integrations import integration
from sfn_compiler.shapes.shape import Member

STATUS = S.string(["Executing", "Stopping", "Stopped", "Failed", "Succeeded"], name="PipelineExecutionStatus")
DESCRIBE = S.obj({"PipelineExecutionStatus": STATUS, "FailureReason": S.STRING,
                  "CreationTime": S.union(S.STRING, S.NUMBER)})


def run(expr: str, inp: S.Shape = DESCRIBE, variables=None, result=None):
    members = {"input": Member(inp, True), "context": Member(S.UNKNOWN, True)}
    if result is not None:
        members["result"] = Member(result, True)
    events: list = []
    shape = infer(expr, Env(S.obj(members), variables or {}, events))
    return shape, events


@pytest.mark.parametrize("expr, expected", [
    ("1 + 2", S.NUMBER), ("'a' & 1", S.STRING), ("1 < 2", S.BOOLEAN), ("true and false", S.BOOLEAN),
    ("null", S.NULL), ("$count($states.input.x)", S.NUMBER), ("$uuid()", S.STRING), ("$hash('a', 'SHA-256')", S.STRING),
    ("$random()", S.NUMBER), ("$parse('{}')", S.UNKNOWN), ("$split('a,b', ',')", S.array(S.STRING)),
    ("$range(0, 10, 2)", S.array(S.NUMBER)), ("$now()", S.STRING), ("$millis()", S.NUMBER),
    ("$exists($x)", S.BOOLEAN), ("$undeclared", S.UNKNOWN), ("$states.input.PipelineExecutionStatus", STATUS),
])
def test_expression_shapes(expr, expected):
    assert run(expr)[0] is expected


def test_constructors_conditionals_and_paths():
    shape, _ = run("{'a': 1, 'b': [$states.input.FailureReason], 'c': $states.input.Nope}")
    assert shape.member_map["a"] == Member(S.NUMBER, True)
    assert shape.member_map["b"].shape is S.array(S.STRING)
    assert S.member(shape, "c") is S.UNKNOWN  # certainly undefined: reported once, no cascade
    cond, _ = run("$states.input.FailureReason ? 1 : 'x'")
    assert set(cond.alternatives()) == {S.NUMBER, S.STRING}
    elvis, _ = run("$states.input.FailureReason ?: 0")
    assert set(elvis.alternatives()) == {S.STRING, S.NUMBER}
    merged, _ = run("$merge([$states.input, {'extra': 1}])")
    assert S.member(merged, "extra") is S.NUMBER and S.member(merged, "PipelineExecutionStatus") is STATUS
    assert S.member(merged, "other") is S.NO_SUCH_MEMBER
    local, _ = run("($s := $states.input.PipelineExecutionStatus; $s)")
    assert local is STATUS
    split_last, _ = run("$split('a/b', '/')[-1]")
    assert split_last is S.STRING
    assert run("$lowercase($states.input.PipelineExecutionStatus)")[0].values == {v.lower() for v in STATUS.values}


def test_variables():
    job = S.obj({"Status": STATUS})
    shape, events = run("$job.Status", variables={"job": job})
    assert shape is STATUS and not events
    _, events = run("$job.Stauts", variables={"job": job})
    [ev] = events
    assert isinstance(ev, MissingMember) and ev.root == "variable" and ev.variable == "job" and ev.name == "Stauts"


def test_missing_member_events_and_guards():
    _, events = run("$states.input.project_name")
    [ev] = events
    assert (ev.root, ev.path, ev.name, ev.guarded, ev.depth) == ("states.input", "$states.input", "project_name",
                                                                 False, 1)
    assert "$states.input.project_name"[ev.start:ev.end] == "project_name"
    for guarded in ("$exists($states.input.project_name)", "$states.input.project_name ? 1 : 2",
                    "$states.input.project_name ?: 'x'", "$states.input.project_name and true"):
        [ev] = run(guarded)[1]
        assert ev.guarded, guarded
    # reading on from a missing member reports only the first step
    assert len(run("$states.input.a.b.c")[1]) == 1
    # optional members (FailureReason is not required) are fine, guarded or not
    assert run("$exists($states.input.FailureReason) ? $states.input.FailureReason : ''")[1] == []
    # predicates read the items' members
    items = S.obj({"Items": S.array(S.obj({"Status": STATUS}))})
    assert run("$states.input.Items[Status = 'Failed']", items)[1] == []
    [ev] = run("$states.input.Items[Stat = 'Failed']", items)[1]
    assert ev.name == "Stat" and ev.root == "context"


def test_enum_comparisons():
    [ev] = run("$states.input.PipelineExecutionStatus = 'SUCCEEDED'")[1]
    assert isinstance(ev, EnumMismatch) and ev.op == "=" and ev.literal == "SUCCEEDED"
    assert ev.values == STATUS.values and ev.subject == "$states.input.PipelineExecutionStatus"
    assert "$states.input.PipelineExecutionStatus = 'SUCCEEDED'"[ev.start:ev.end] == "'SUCCEEDED'"
    assert run("$states.input.PipelineExecutionStatus = 'Succeeded'")[1] == []
    assert run("'Succeeded' = $states.input.PipelineExecutionStatus")[1] == []
    [ev] = run("'Done' != $states.input.PipelineExecutionStatus")[1]
    assert ev.op == "!="
    events = run("$states.input.PipelineExecutionStatus in ['Failed', 'Stopped', 'CompletedWithFailures']")[1]
    assert [(e.literal, e.all_impossible) for e in events] == [("CompletedWithFailures", False)]
    events = run("$states.input.PipelineExecutionStatus in ['FAILED', 'STOPPED']")[1]
    assert [(e.literal, e.all_impossible) for e in events] == [("FAILED", True), ("STOPPED", True)]
    # a non-literal in the list may match anything: nothing is judged
    assert run("$states.input.PipelineExecutionStatus in ['X', $other]")[1] == []
    # transforms keep the enum
    [ev] = run("$lowercase($states.input.PipelineExecutionStatus) = 'SUCCEEDED'")[1]
    assert ev.values == {v.lower() for v in STATUS.values}
    assert run("$uppercase($states.input.PipelineExecutionStatus) = 'SUCCEEDED'")[1] == []
    # a plain string is never judged
    assert run("$states.input.FailureReason = 'whatever'")[1] == []
    assert run("$type($states.input) = 'object'")[1] == []
    assert run("$type($states.input) = 'dict'")[1][0].literal == "dict"


@pytest.mark.parametrize("expr, code, fn", [
    ("$min([$states.input.FailureReason, 'b'])", "T0412", "min"),
    ("$max($states.input.CreationTimes)", "T0412", "max"),
    ("$sum('a')", "T0412", "sum"),
    ("$average($states.input.Names)", "T0412", "average"),
    ("$number({'a': 1})", "T0410", "number"),
    ("$number($states.input.PipelineExecutionStatus)", "D3030", "number"),
    ("$substring(3, 1)", "T0410", "substring"),
    ("$uppercase($states.input.Count)", "T0410", "uppercase"),
    ("$join([1, 2], ',')", "T0412", "join"),
])
def test_rejected_arguments(expr, code, fn):
    inp = S.obj({**DESCRIBE.member_map, "CreationTimes": Member(S.array(S.STRING), True),
                 "Names": Member(S.array(S.STRING), True), "Count": Member(S.NUMBER, True)})
    events = [e for e in run(expr, inp)[1] if isinstance(e, BadArgument)]
    assert [(e.function, e.code) for e in events] == [(fn, code)]


@pytest.mark.parametrize("expr", [
    "$min($states.input.CreationTime)",        # a timestamp may be a number: not certain
    "$sum($states.input.unknownThing)",
    "$substring($states.input.FailureReason, 0, 3)",
    "$number('12')",
    "$string($states.input)",
    "$count('a')",
    "$states.input.FailureReason.$uppercase()",  # context argument: not judged
    "$max($states.input.Items.n)",
])
def test_accepted_arguments(expr):
    inp = S.obj({**DESCRIBE.member_map, "Items": Member(S.array(S.obj({"n": S.NUMBER})), True)})
    assert [e for e in run(expr, inp)[1] if isinstance(e, BadArgument)] == []


def test_arithmetic_operands():
    [ev] = run("$states.input.FailureReason + 1")[1]
    assert isinstance(ev, BadOperand) and ev.code == "T2001" and ev.side == "left"
    [ev] = run("1 * {'a': 1}")[1]
    assert ev.code == "T2002"
    assert run("$states.input.Nope2 + 1")[1][0].__class__ is MissingMember  # undefined + 1 is undefined, no T2001
    assert run("$unknown + 1")[1] == []


def test_signature_table_matches_the_engine():
    """The signatures are JSONata's: compare with the ones the installed jsonata-python registers."""
    import inspect
    import re

    import jsonata.jsonata as engine

    registered = dict(re.findall(r'define_function\("(\w+)", "([^"]*)"', inspect.getsource(engine)))
    for name, sig in SIGNATURES.items():
        if name == "random":  # Step Functions' $random takes an optional seed
            continue
        assert registered.get(name) == sig, name


def test_lambda_and_sdk_results_read_through_payload_and_output():
    lam = integration("arn:aws:states:::lambda:invoke").result
    assert run("$states.result.Payload.anything.deep", result=lam)[1] == []
    sync2 = integration("arn:aws:states:::states:startExecution.sync:2").result
    assert run("$states.result.Output.anything", result=sync2)[1] == []
    sync = integration("arn:aws:states:::states:startExecution.sync").result
    [ev] = run("$states.result.Output.anything", result=sync)[1]
    assert ev.path == "$states.result.Output" and ev.name == "anything"


@pytest.mark.parametrize("expr, expected", [
    # JSONata 2.0: an undefined operand makes arithmetic and <-comparisons undefined, most functions too
    ("$x + 1", S.UNDEFINED), ("1 * $x", S.UNDEFINED), ("$x > 3", S.UNDEFINED), ("$string($x)", S.UNDEFINED),
    ("$max($x)", S.UNDEFINED), ("$x.a.b", S.UNDEFINED), ("$x ~> $uppercase()", S.UNDEFINED),
    # ... but not these: a value computed without it
    ("$x = 'a'", S.BOOLEAN), ("'id-' & $x", S.STRING), ("$count($x)", S.NUMBER), ("$exists($x)", S.BOOLEAN),
])
def test_undefined_propagates_as_in_jsonata(expr, expected):
    assert run(expr, variables={"x": S.UNDEFINED})[0] is expected


def test_undefined_propagation_agrees_with_the_engine():
    """The functions said to give undefined for an undefined first argument do so in jsonata-python."""
    import jsonata

    from sfn_compiler.shapes.functions import UNDEFINED_IN_OUT

    args = {"sum": "", "map": ", function($v){$v}", "filter": ", function($v){$v}", "each": ", function($v){$v}",
            "sift": ", function($v){$v}", "reduce": ", function($a, $b){$a}", "single": "", "pad": ", 3",
            "power": ", 2", "formatNumber": ", '#'", "formatInteger": ", '#'", "formatBase": ", 2",
            "contains": ", 'a'", "match": ", /a/", "replace": ", 'a', 'b'", "split": ", ','",
            "substring": ", 1", "substringBefore": ", 'a'", "substringAfter": ", 'a'", "lookup": ", 'a'",
            "parseInteger": ", '#'"}
    for name in sorted(UNDEFINED_IN_OUT):
        assert jsonata.Jsonata(f"${name}($nothing{args.get(name, '')})").evaluate({}) is None, name
    assert jsonata.Jsonata("$count($nothing)").evaluate({}) == 0


def test_enum_mismatch_names_an_api_enum():
    _, [ev] = run("$states.input.PipelineExecutionStatus = 'SUCCEEDED'")
    assert ev.enum_name == "PipelineExecutionStatus"
    _, [ev] = run("$states.input.mode = 'FULL'", inp=S.obj({"mode": S.string(["full", "incremental"])}))
    assert ev.enum_name is None
