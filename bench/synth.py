#!/usr/bin/env python3
"""Synthetic state machines for bench/run.py, in the style of the bundled templates.

A definition is a run of *segments*. Each segment takes a DynamoDB lock (conditional putItem; "already
running" ends the run), then chains blocks until it has its share of states, then releases the lock; its
failure path releases the lock and fails. Blocks, in rotation:

- a SageMaker pipeline poll loop (start, describe, Choice on the status with an attempt bound, Wait,
  stop), as in the `sfn_ndr_*` templates;
- an Assign-heavy Pass that normalises values and reads earlier ones;
- a Lambda Task with Retry/Catch;
- an inline Map whose processor runs a Lambda Task and a poll loop;
- a Parallel with two branches, each a poll loop;
- a Choice whose two routes re-join (each route assigns).

Every Task has Retry and a Catch that assigns `failure` and goes to the segment's release-on-failure.
Variables come from a pool of `variables` names used round-robin: with few names the blocks reuse them,
with many (~500) each block gets its own.

    python bench/synth.py --states 10000 --variables 500 -o /tmp/big.json
    python bench/synth.py --bytes 1048576 --variables 500 -o /tmp/1mib.json
    python bench/synth.py --diamonds 320 -o /tmp/diamonds.json
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

SM_RETRY = [
    {"ErrorEquals": ["SageMaker.ThrottlingException", "SageMaker.SageMakerException"], "IntervalSeconds": 5,
     "MaxAttempts": 6, "BackoffRate": 2.0, "MaxDelaySeconds": 120, "JitterStrategy": "FULL"},
    {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2.0},
]
DDB_RETRY = [
    {"ErrorEquals": ["DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException",
                     "DynamoDB.RequestLimitExceeded", "DynamoDB.InternalServerErrorException"],
     "IntervalSeconds": 1, "MaxAttempts": 5, "BackoffRate": 2.0, "MaxDelaySeconds": 30, "JitterStrategy": "FULL"},
]
LAMBDA_RETRY = [
    {"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                     "Lambda.TooManyRequestsException"],
     "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2.0, "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
]
SM = "arn:aws:states:::aws-sdk:sagemaker:"
NOUNS = ("training", "verifier", "features", "baseline", "publish", "extract", "evaluate", "deploy", "join",
         "score", "export", "import", "reindex", "archive", "compact", "audit")


class _Vars:
    """Round-robin variable names from a pool of `n`."""

    def __init__(self, n: int, prefix: str = "") -> None:
        self.n = max(4, n)
        self.prefix = prefix
        self.i = 0

    def take(self, k: int) -> list[str]:
        out = []
        for _ in range(k):
            j = self.i % self.n
            self.i += 1
            noun = NOUNS[j % len(NOUNS)]
            out.append(f"{self.prefix}{noun.title() if self.prefix else noun}{j // len(NOUNS)}Value")
        return out


def _ref(name: str) -> str:
    """A variable read: `$name`, or a raw expression written as `=(...)`."""
    return name[1:] if name.startswith("=") else "$" + name


def _catch(target: str, stage: str, inner: bool = False) -> list[dict[str, Any]]:
    if inner:  # inner scopes do not assign the outer `failure`
        return [{"ErrorEquals": ["States.ALL"], "Next": target}]
    return [{"ErrorEquals": ["States.ALL"],
             "Assign": {"failure": "{% $merge([$states.errorOutput, {'Stage': '" + stage + "'}]) %}"},
             "Next": target}]


def _poll(p: str, v: list[str], nxt: str, fail: str, stage: str, reads: list[str] = (),
          inner: bool = False) -> dict[str, Any]:
    """Start / Describe / Check Status / Wait / Stop: a bounded SageMaker poll loop (5 states)."""
    arn, attempt = v[0], v[1]
    params = [{"Name": "RunId", "Value": "{% $runId %}"}, {"Name": "Stage", "Value": stage}]
    params += [{"Name": f"In{k}", "Value": "{% $string(" + _ref(r) + ") %}"} for k, r in enumerate(reads)]
    states = {
        f"{p}: Start Pipeline": {
            "Type": "Task", "Resource": SM + "startPipelineExecution",
            "Arguments": {"PipelineName": f"bench-{stage}",
                          "ClientRequestToken": "{% $runToken & '-" + stage + "' %}",
                          "PipelineParameters": params},
            "Retry": SM_RETRY, "Catch": _catch(fail, stage, inner),
            "Assign": {arn: "{% $states.result.PipelineExecutionArn %}", attempt: 0},
            "Next": f"{p}: Describe Pipeline"},
        f"{p}: Describe Pipeline": {
            "Type": "Task", "Resource": SM + "describePipelineExecution",
            "Arguments": {"PipelineExecutionArn": "{% $" + arn + " %}"},
            "Retry": SM_RETRY, "Catch": _catch(fail, stage, inner),
            "Assign": {attempt: "{% $" + attempt + " + 1 %}"},
            "Next": f"{p}: Check Status"},
        f"{p}: Check Status": {
            "Type": "Choice",
            "Choices": [
                {"Condition": "{% $states.input.PipelineExecutionStatus = 'Succeeded' %}", "Next": nxt},
                {"Condition": "{% $states.input.PipelineExecutionStatus in ['Failed', 'Stopped'] %}",
                 "Assign": {"failure": {"Error": "Bench.PipelineFailed",
                                        "Cause": "{% 'Pipeline execution ' & $" + arn + " & ' ended with status ' & "
                                                 "$states.input.PipelineExecutionStatus %}", "Stage": stage}},
                 "Next": fail},
                {"Condition": "{% $" + attempt + " >= 144 %}",
                 "Assign": {"failure": {"Error": "Bench.PipelineTimeout",
                                        "Cause": "{% 'Pipeline execution ' & $" + arn + " & ' did not finish after ' & "
                                                 "$string($" + attempt + ") & ' status checks' %}", "Stage": stage}},
                 "Next": f"{p}: Stop Pipeline"},
                {"Condition": "{% $states.input.PipelineExecutionStatus in ['Executing', 'Stopping'] %}",
                 "Next": f"{p}: Wait"}],
            "Default": fail,
            "Assign": {"failure": {"Error": "Bench.UnexpectedStatus",
                                   "Cause": "{% $string($states.input.PipelineExecutionStatus) %}", "Stage": stage}}},
        f"{p}: Wait": {"Type": "Wait", "Seconds": 300, "Next": f"{p}: Describe Pipeline"},
        f"{p}: Stop Pipeline": {
            "Type": "Task", "Resource": SM + "stopPipelineExecution",
            "Arguments": {"PipelineExecutionArn": "{% $" + arn + " %}",
                          "ClientRequestToken": "{% $runToken & '-" + stage + "-stop' %}"},
            "Retry": SM_RETRY, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": fail}], "Next": fail},
    }
    if inner:  # no `failure` of the outer scope: the Fail state reports the status
        check = states[f"{p}: Check Status"]
        del check["Assign"]
        for rule in check["Choices"]:
            rule.pop("Assign", None)
    return states


def _lambda(name: str, v: list[str], prev: list[str], nxt: str, fail: str, stage: str,
            inner: bool = False) -> dict[str, Any]:
    payload = {"run_id": "{% $runId %}", "stage": stage}
    for k, name_ in enumerate(prev):
        payload[f"in{k}"] = "{% " + _ref(name_) + " %}"
    return {name: {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Arguments": {"FunctionName": f"arn:aws:lambda:eu-west-1:111122223333:function:bench-{stage}",
                                 "Payload": payload},
                   "TimeoutSeconds": 900, "Retry": LAMBDA_RETRY, "Catch": _catch(fail, stage, inner),
                   "Assign": {v[0]: "{% $states.result.Payload.value %}"},
                   "Output": "{% $states.result.Payload %}", "Next": nxt}}


class _Builder:
    def __init__(self, variables: int) -> None:
        self.vars = _Vars(variables)
        self.inner = _Vars(max(4, variables // 4), "item")   # names of Map/Parallel scopes
        self.n = 0            # blocks made
        self.prev: list[str] = ["runToken", "runId"]   # names surely assigned before the next block

    def block(self, states: dict[str, Any], p: str, nxt: str, fail: str) -> str:
        """Add one block that continues at `nxt`; return its entry state."""
        k = self.n % 6
        self.n += 1
        stage = f"s{self.n}"
        if k == 0:
            v = self.vars.take(2)
            states.update(_poll(p, v, nxt, fail, stage, self.prev))
            self.prev = v
            return f"{p}: Start Pipeline"
        if k == 1:
            v = self.vars.take(4)
            assign = {name: "{% $string(" + _ref(self.prev[i % len(self.prev)]) + ") & '-" + str(i) + "' %}"
                      for i, name in enumerate(v)}
            states[f"{p}: Normalize"] = {"Type": "Pass", "Comment": "Assign-heavy normalisation", "Assign": assign,
                                         "Next": nxt}
            self.prev = v
            return f"{p}: Normalize"
        if k == 2:
            v = self.vars.take(1)
            states.update(_lambda(f"{p}: Invoke", v, self.prev, nxt, fail, stage))
            self.prev = v + self.prev[:1]
            return f"{p}: Invoke"
        if k == 3:
            v = self.inner.take(3) + self.vars.take(1)
            inner: dict[str, Any] = {}
            inner.update(_lambda(f"{p} Item: Prepare", v[:1], self.prev, f"{p} Item: Start Pipeline",
                                 f"{p} Item: Failed", stage + "-item", inner=True))
            inner.update(_poll(f"{p} Item", v[1:3], f"{p} Item: Done", f"{p} Item: Failed", stage + "-item",
                               v[:1], inner=True))
            inner[f"{p} Item: Done"] = {"Type": "Pass", "Output": "{% $states.input %}", "End": True}
            inner[f"{p} Item: Failed"] = {"Type": "Fail", "Error": "Bench.ItemFailed",
                                          "Cause": "a pipeline of the item failed"}
            states[f"{p}: Fan Out"] = {
                "Type": "Map", "Items": "{% $states.input.items %}",
                "ItemSelector": {"item": "{% $states.context.Map.Item.Value %}", "token": "{% $runToken %}",
                                 **{f"in{i}": "{% " + _ref(r) + " %}" for i, r in enumerate(self.prev)}},
                "MaxConcurrency": 4, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
                                                       "StartAt": f"{p} Item: Prepare", "States": inner},
                "Retry": LAMBDA_RETRY, "Catch": _catch(fail, stage),
                "Assign": {v[3]: "{% $count($states.result) %}"}, "Next": nxt}
            self.prev = [v[3]]
            return f"{p}: Fan Out"
        if k == 4:
            branches = []
            names = self.vars.take(2)
            for b in range(2):
                v = self.inner.take(2)
                bp = f"{p} B{b}"
                bs = _poll(bp, v, f"{bp}: Done", f"{bp}: Failed", f"{stage}-b{b}", self.prev, inner=True)
                bs[f"{bp}: Done"] = {"Type": "Pass", "Output": "{% $" + v[0] + " %}", "End": True}
                bs[f"{bp}: Failed"] = {"Type": "Fail", "Error": "Bench.BranchFailed",
                                       "Cause": "a pipeline of the branch failed"}
                branches.append({"StartAt": f"{bp}: Start Pipeline", "States": bs})
            states[f"{p}: Both"] = {
                "Type": "Parallel", "Branches": branches, "Retry": LAMBDA_RETRY, "Catch": _catch(fail, stage),
                "Assign": {names[0]: "{% $states.result[0] %}", names[1]: "{% $states.result[1] %}"}, "Next": nxt}
            self.prev = names
            return f"{p}: Both"
        v = self.vars.take(3)
        states[f"{p}: Route"] = {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.mode = 'full' %}",
                         "Assign": {v[0]: "{% 'full-' & $string(" + _ref(self.prev[0]) + ") %}"}, "Next": f"{p}: Full"}],
            "Default": f"{p}: Incremental",
            "Assign": {v[0]: "{% 'incremental-' & $string(" + _ref(self.prev[-1]) + ") %}"}}
        # the routes assign different names; the next block reads whichever was set
        states.update(_lambda(f"{p}: Full", v[1:2], [v[0]], nxt, fail, stage + "-full"))
        states.update(_lambda(f"{p}: Incremental", v[2:3], [v[0]], nxt, fail, stage + "-inc"))
        self.prev = [v[0], f"=($exists(${v[1]}) ? ${v[1]} : ($exists(${v[2]}) ? ${v[2]} : 'none'))"]
        return f"{p}: Route"


def _count(states: dict[str, Any]) -> int:
    n = 0
    for s in states.values():
        n += 1
        for b in s.get("Branches", ()):
            n += _count(b["States"])
        if "ItemProcessor" in s:
            n += _count(s["ItemProcessor"]["States"])
    return n


def generate(states: int, variables: int = 20, segment: int = 120) -> dict[str, Any]:
    """A definition with about `states` states (counting nested ones) and `variables` variable names."""
    b = _Builder(variables)
    out: dict[str, Any] = {}
    out["Normalize Request"] = {"Type": "Pass", "Assign": {"runToken": "{% $uuid() %}",
                                                           "runId": "{% $states.context.Execution.Name %}"},
                                "Next": "Seg 1: Acquire Lock"}
    out["Run Failed"] = {"Type": "Fail", "Error": "Bench.Failed", "Cause": "{% $string($failure) %}"}
    seg = 0
    total = 2
    while True:
        seg += 1
        p = f"Seg {seg}"
        fail = f"{p}: Release Lock On Failure"
        seg_states: dict[str, Any] = {}
        budget = min(segment, max(12, states - total)) - 5
        # blocks are made front to back with a placeholder successor, then linked
        nxt = f"{p}: Release Lock"
        entries: list[str] = []
        built: list[dict[str, Any]] = []
        made = 0
        while made < budget:
            bs: dict[str, Any] = {}
            entries.append(b.block(bs, f"{p} Block {len(built) + 1}", "__NEXT__", fail))
            built.append(bs)
            made += _count(bs)
        for i, bs in enumerate(built):
            target = entries[i + 1] if i + 1 < len(built) else nxt
            _relink(bs, "__NEXT__", target)
            seg_states.update(bs)
        table = f"bench-locks-{seg}"
        last = total + made + 5 >= states
        after = "Run Complete" if last else f"Seg {seg + 1}: Acquire Lock"
        out[f"{p}: Acquire Lock"] = {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Arguments": {"TableName": table,
                          "Item": {"lock_key": {"S": "{% $runId %}"},
                                   "owner_execution_arn": {"S": "{% $states.context.Execution.Id %}"},
                                   "expires_at": {"N": "{% $string($floor($toMillis($now()) / 1000) + 3900) %}"}},
                          "ConditionExpression": "attribute_not_exists(#pk) OR #expiresAt < :now",
                          "ExpressionAttributeNames": {"#pk": "lock_key", "#expiresAt": "expires_at"},
                          "ExpressionAttributeValues": {":now": {"N": "{% $string($floor($toMillis($now()) / 1000)) %}"}}},
            "Retry": DDB_RETRY,
            "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": f"{p}: Already Running"},
                      {"ErrorEquals": ["States.ALL"],
                       "Assign": {"failure": "{% $merge([$states.errorOutput, {'Stage': 'lock-acquire'}]) %}"},
                       "Next": "Run Failed"}],
            "Next": entries[0]}
        out[f"{p}: Already Running"] = {"Type": "Succeed", "Output": {"status": "DUPLICATE", "run": "{% $runId %}"}}
        out.update(seg_states)
        release_args = {"TableName": table, "Key": {"lock_key": {"S": "{% $runId %}"}},
                        "ConditionExpression": "#owner = :owner",
                        "ExpressionAttributeNames": {"#owner": "owner_execution_arn"},
                        "ExpressionAttributeValues": {":owner": {"S": "{% $states.context.Execution.Id %}"}}}
        out[f"{p}: Release Lock"] = {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem", "Arguments": release_args,
            "Retry": DDB_RETRY, "Catch": _catch(fail, "lock-release"), "Next": after}
        out[fail] = {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem", "Arguments": release_args,
            "Retry": DDB_RETRY, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Run Failed"}], "Next": "Run Failed"}
        total += made + 4
        if last:
            break
    out["Run Complete"] = {"Type": "Succeed", "Output": {"run": "{% $runId %}"}}
    return {"Comment": f"Synthetic bench definition: {states} states, {variables} variable names",
            "QueryLanguage": "JSONata", "StartAt": "Normalize Request", "States": out}


def _relink(states: dict[str, Any], old: str, new: str) -> None:
    def fix(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("Next", "Default") and v == old:
                    node[k] = new
                else:
                    fix(v)
        elif isinstance(node, list):
            for v in node:
                fix(v)
    fix(states)


def sized(target_bytes: int, variables: int = 20) -> dict[str, Any]:
    """A definition whose JSON (`dump`) is just under `target_bytes`."""
    lo, hi = 50, 20_000
    best = generate(lo, variables)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        d = generate(mid, variables)
        if len(dump(d)) <= target_bytes:
            lo, best = mid, d
        else:
            hi = mid - 1
    return best


def diamonds(n: int) -> dict[str, Any]:
    """`n` Choice diamonds in a row: each Choice routes to one of two Pass states that assign (different
    names) and re-join at the next Choice; the end reads every name."""
    states: dict[str, Any] = {}
    for i in range(n):
        nxt = f"D{i + 1}" if i + 1 < n else "End"
        states[f"D{i}"] = {"Type": "Choice",
                           "Choices": [{"Condition": "{% $states.input.k = " + str(i) + " %}",
                                        "Assign": {f"c{i}": i}, "Next": f"L{i}"}],
                           "Default": f"R{i}", "Assign": {f"d{i}": i}}
        states[f"L{i}"] = {"Type": "Pass", "Assign": {f"l{i}": i}, "Next": nxt}
        states[f"R{i}"] = {"Type": "Pass", "Assign": {f"r{i}": i}, "Next": nxt}
    reads = " + ".join(f"$l{i}" for i in range(0, n, max(1, n // 20)))
    states["End"] = {"Type": "Pass", "Output": "{% " + (reads or "0") + " %}", "End": True}
    return {"Comment": f"{n} re-joining Choice diamonds", "QueryLanguage": "JSONata", "StartAt": "D0",
            "States": states}


def dump(d: dict[str, Any]) -> str:
    """One line, as a definition is deployed (AWS's 1 MiB limit counts these characters)."""
    return json.dumps(d) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--states", type=int, help="about this many states")
    g.add_argument("--bytes", type=int, help="just under this many bytes of JSON")
    g.add_argument("--diamonds", type=int, help="this many re-joining Choice diamonds")
    ap.add_argument("--variables", type=int, default=20, help="size of the variable-name pool (default 20)")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args(argv)
    if a.diamonds is not None:
        d = diamonds(a.diamonds)
    elif a.bytes is not None:
        d = sized(a.bytes, a.variables)
    else:
        d = generate(a.states, a.variables)
    text = dump(d)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{a.output}: {_count(d['States'])} states, {len(text):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
