"""SFN711-SFN715: DynamoDB locks (the rules; what counts as a lock and its release is `lock_analysis`)."""

from __future__ import annotations

from typing import Iterable

from ...base import CheckContext, Finding, Note, Rule, Severity
from ._common import GROUP, catch_label, catchers, option_names, retriers
from ._flow import find_path, open_path, shortest_path
from .lock_analysis import CCF, DdbOp, Lock, LockAnalysis, TTL, error_prefix, lock_analysis


_SOURCES = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html",
    "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html",
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
)


def _lock_example(*, release_on_failure: bool = True, ttl: bool = True, duplicate_catch: bool = True,
                  release_retry: bool = True, release_table: str = "batch-locks") -> dict:
    item = {"lock_key": {"S": "{% $batchId %}"}, "owner": {"S": "{% $states.context.Execution.Id %}"}}
    if ttl:
        item["expires_at"] = {"N": "{% $string($floor($millis() / 1000) + 3600) %}"}
    acquire_catch = [{"ErrorEquals": ["States.ALL"], "Next": "Release Lock On Failure"}]
    if duplicate_catch:
        acquire_catch.insert(0, {"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Duplicate Run"})
    release_args = {"TableName": release_table, "Key": {"lock_key": {"S": "{% $batchId %}"}},
                    "ConditionExpression": "#owner = :owner", "ExpressionAttributeNames": {"#owner": "owner"},
                    "ExpressionAttributeValues": {":owner": {"S": "{% $states.context.Execution.Id %}"}}}
    retry = [{"ErrorEquals": ["DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException",
                              "DynamoDB.InternalServerErrorException"], "MaxAttempts": 5, "BackoffRate": 2,
              "IntervalSeconds": 1, "JitterStrategy": "FULL"}]

    def release(nxt: str) -> dict:
        st = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem", "Arguments": dict(release_args),
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": nxt}], "Next": nxt}
        if release_retry:
            st["Retry"] = retry
        return st

    doc = {
        "QueryLanguage": "JSONata",
        "StartAt": "Read Batch",
        "States": {
            "Read Batch": {"Type": "Pass", "Assign": {"batchId": "{% $states.input.batch_id %}"},
                           "Next": "Acquire Lock"},
            "Acquire Lock": {
                "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Arguments": {"TableName": "batch-locks", "Item": item,
                              "ConditionExpression": "attribute_not_exists(lock_key)"},
                "Retry": retry, "Catch": acquire_catch, "Next": "Process Batch",
            },
            "Duplicate Run": {"Type": "Succeed"},
            "Process Batch": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "process-batch", "Payload": {"batch": "{% $batchId %}"}},
                "Catch": [{"ErrorEquals": ["States.ALL"],
                           "Next": "Release Lock On Failure" if release_on_failure else "Batch Failed"}],
                "Next": "Release Lock",
            },
            "Release Lock": release("Done"),
            "Done": {"Type": "Succeed"},
            "Release Lock On Failure": release("Batch Failed"),
            "Batch Failed": {"Type": "Fail", "Error": "Batch.Failed"},
        },
    }
    if not duplicate_catch:
        del doc["States"]["Duplicate Run"]
    return doc


class _LockRule(Rule):
    group = GROUP
    jsonata_only = True

    def locks(self, ctx: CheckContext) -> LockAnalysis:
        return lock_analysis(ctx)


_LOCK_TAIL = """
## Options
Which writes are locks is decided by a heuristic shared by SFN711-SFN715; override it in
`[tool.sfnc.patterns]` with `lock_states = ["Take Lock"]` (always a lock acquire) and
`not_lock_states = ["Record Outcome"]` (never).
"""

_LOCK_LIMITS = """\
A putItem is a lock acquire when its ConditionExpression checks `attribute_not_exists(...)` and either a
name says so (table, state or attribute containing lock, lease, mutex or semaphore) or a deleteItem of the
same item follows it on a success path (a saga's reservation, deleted only by a compensating Catch path,
is not a lock). An updateItem is one when it has no REMOVE and its condition checks
`attribute_not_exists(...)` next to such a name, or tests a lock-ish attribute it also SETs. Conditional
writes that record an outcome (`attribute_not_exists(status) OR status <> :published`) are not locks.
Arguments written as one JSONata expression, and TransactWriteItems, are not analysed.
"""


class LockNotReleased(_LockRule):
    id = "SFN711"
    name = "lock-not-released"
    severity = Severity.ERROR
    summary = "A path from a DynamoDB lock acquire to the end of the workflow never releases the lock"
    docs = """\
## Why
The lock exists so that one run at a time processes a batch. A path that ends - successfully, through a
Fail state, through a Catch, or through an error no Catch handles - without deleting the lock item leaves
it behind, and every later run for that key is turned away as a duplicate until someone deletes it by
hand (or its TTL passes).

The rule follows every transition after the acquire succeeds (Next, Choice, Default and Catch edges, and
the implicit failure of a Task, Parallel or Map without a `States.ALL`/`States.TaskFailed` catcher) and
reports the shortest path that reaches an end without passing a release. The finding is placed where that
path leaves without a release, which is where the fix goes: the Choice rule, Default, Catch or Next that
goes to a Succeed or Fail state, the `End` of the last state, or the state whose error no Catch handles
(a Fail or Succeed that only ends a branch or iteration nested below the lock's scope is not such a
place: the path goes on after the Parallel/Map). The acquire is shown as a related place, the path in
full. A Parallel or Map on the way is
one step: it releases when one of its branches releases on every path to its end; an error inside it
surfaces at its Catch. A lock taken inside a branch or Map iteration may be released after the
Parallel/Map.

## How to fix
Release on every path: route every Catch after the acquire to a release state (a conditional
`deleteItem` with `#owner = :me` is safe to run twice), then Fail; give the Tasks after the acquire a
`States.ALL` Catch.

## Known limits
""" + _LOCK_LIMITS + """The acquire's own Catch edges are not followed (the lock was not taken). Runtime
failures that no Catch can see (execution timeout, `StopExecution`) are what the TTL is for
(SFN713). A Choice without Default that matches nothing is not treated as a failure path.
""" + _LOCK_TAIL
    sources = _SOURCES + ("https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",)
    example_fail = _lock_example(release_on_failure=False)
    example_pass = _lock_example()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        la = self.locks(ctx)
        machine = ctx.machine
        for lock in la.locks:
            rel = {id(op.state) for op in la.releases_of(lock)}

            def closer(st, rel=rel):
                return id(st) in rel

            path = open_path(machine, lock.state, closer, f"lock:{lock.state.pointer}", include_failures=True)
            if path is None:
                continue
            table = f" in {lock.acquire.table}" if lock.acquire.table else ""
            pointer, key, exit_text = _exit_place(machine, lock.state, path)
            yield Finding(pointer, f"{exit_text} without releasing the lock taken by '{lock.state.name}'{table}",
                          hint="send this path through a release (deleteItem of the lock item) before it ends",
                          key=key, path=tuple(path),
                          related=(Note(lock.state.pointer, f"the lock is taken here by '{lock.state.name}'",
                                        key=True),))


def _exit_place(machine, origin, path: list[str]) -> tuple[str, bool, str]:
    """Where the offending path leaves without a release, which is where the fix belongs: (pointer, locate
    the key, what happens there). The first end of the path in the lock's own scope or an enclosing one:
    the transition into a Succeed/Fail state (a Choice rule, a Default, a Catch, a Next), the `End` of a
    state, or a state whose error no Catch handles. A Succeed that only ends a branch or iteration nested
    below the lock's scope is not an exit: the path goes on after the Parallel/Map."""
    by_name = {st.name: st for st in machine.states}
    held = set()
    scope = origin.scope
    while scope is not None:
        held.add(id(scope))
        scope = scope.parent_state.scope if scope.parent_state is not None else None
    for i, token in enumerate(path):
        if token == "Error(not caught)":
            prev = by_name.get(path[i - 1]) if i else None
            if prev is not None and id(prev.scope) in held:
                return prev.pointer, True, f"'{prev.name}' can fail with no Catch for it and end the workflow"
            continue
        st = by_name.get(token)
        if st is None or id(st.scope) not in held:
            continue
        if st.type not in ("Fail", "Succeed") and st.get("End") is True and i + 1 == len(path):
            return f"{st.pointer}/End", True, f"'{st.name}' ends {st.scope.label}"
        if i == 0 or st.type not in ("Fail", "Succeed"):
            continue
        ends = "fails" if st.type == "Fail" else "ends"
        before = path[i - 1]
        if before.startswith("Catch(") and i >= 2 and by_name.get(path[i - 2]) is not None:
            src = by_name[path[i - 2]]
            for c in catchers(src):
                if c.next == st.name and catch_label(c) == before:
                    return (f"{src.pointer}/Catch/{c.index}/Next", False,
                            f"{before} of '{src.name}' goes to '{st.name}', which {ends} {st.scope.label}")
        src = by_name.get(before)
        if src is not None and src.scope is st.scope:
            for e in machine.graph(src.scope).out.get(src.name, ()):
                if e.target == st.name and e.kind != "catch":
                    what = {"choice": f"Choice rule {e.index} of '{src.name}'", "default": f"the Default of '{src.name}'",
                            "next": f"'{src.name}'"}[e.kind]
                    return e.pointer, False, f"{what} goes to '{st.name}', which {ends} {st.scope.label}"
        return st.pointer, True, f"'{st.name}' {ends} {st.scope.label}"
    return origin.pointer, True, f"a path from '{origin.name}' ends"


class LockDuplicateNotCaught(_LockRule):
    id = "SFN712"
    name = "lock-duplicate-not-caught"
    severity = Severity.ERROR
    summary = "A lock acquire has no Catch for its failed condition, or the duplicate path deletes the other run's lock"
    docs = """\
## Why
When another run holds the lock, the conditional write fails with `ConditionalCheckFailedException`.
That is the expected outcome for a duplicate trigger, and it needs its own path: without a Catch for it
the duplicate fails the execution (and pages someone), and with only a `States.ALL` catcher it lands in
the generic failure path, whose release step may delete the lock the *other* run holds.

The error name depends on the integration: `arn:aws:states:::dynamodb:putItem` raises
`DynamoDB.ConditionalCheckFailedException`, `arn:aws:states:::aws-sdk:dynamodb:putItem` raises
`DynamoDb.ConditionalCheckFailedException`. A Catch with the other spelling never matches; that entry is
reported by SFN817 (error-name-misspelled, the general rule for every integration's error names), with
the lock's context, and not again here.

The rule also reports a duplicate path that reaches an unconditional delete of the lock (no
ConditionExpression on the owner).

## How to fix
Add a catcher for the right error name before the `States.ALL` one and send it to a deliberate end
(a Succeed "duplicate skipped", or a Fail with a clear error), which does not touch the lock.

## Known limits
""" + _LOCK_LIMITS + _LOCK_TAIL
    sources = _SOURCES + ("https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",)
    example_fail = _lock_example(duplicate_catch=False)
    example_pass = _lock_example()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        la = self.locks(ctx)
        for lock in la.locks:
            a = lock.acquire
            want = f"{error_prefix(a.sdk)}.{CCF}"
            other = f"{error_prefix(not a.sdk)}.{CCF}"
            cs = catchers(a.state)
            hit = [c for c in cs if want in c.errors]
            if not hit:
                if any(other in c.errors for c in cs):
                    continue  # the other integration's spelling: SFN817 (error-name-misspelled) reports that entry
                fallback = " (it falls to the States.ALL catcher)" if any(
                    e in ("States.ALL", "States.TaskFailed") for c in cs for e in c.errors) else ""
                yield Finding(a.state.pointer, f"State '{a.name}' has no Catch for {want}: a duplicate run "
                                               f"fails instead of taking a deliberate path{fallback}",
                              hint=f"add a catcher for {want} (before States.ALL) that ends the duplicate "
                                   "without touching the lock", key=True, path=(a.name,))
                continue
            # the duplicate path must not delete the lock another run holds
            c = hit[0]
            target = a.state.scope.states.get(c.next) if c.next else None
            if target is None:
                continue
            bad = _reaches_unconditional_release(ctx.machine, lock, la, target)
            if bad is not None:
                yield Finding(f"{a.state.pointer}/Catch/{c.index}/Next",
                              f"State '{a.name}' sends a duplicate run to '{target.name}', which reaches "
                              f"'{bad[-1]}': an unconditional delete of the lock the other run holds",
                              hint="end the duplicate path without releasing, or make the release conditional "
                                   "on the owner (ConditionExpression #owner = :me)",
                              path=(a.name, catch_label(c), *bad))


def _reaches_unconditional_release(machine, lock: Lock, la: LockAnalysis, start) -> list[str] | None:
    unconditional = {id(op.state) for op in la.releases_of(lock) if not op.condition}
    if not unconditional:
        return None
    graph = machine.graph(start.scope)
    return shortest_path(start.name, graph.successors, lambda n: id(start.scope.states[n]) in unconditional)


class LockWithoutTtl(_LockRule):
    id = "SFN713"
    name = "lock-without-ttl"
    severity = Severity.WARNING
    summary = "A DynamoDB lock item is written without an expiry (TTL) attribute"
    docs = """\
## Why
Some endings run no Catch at all: the execution times out, somebody stops it, a redrive gives up. The
lock item then stays in the table, and every later run for that key is a "duplicate" forever. An expiry
attribute (epoch seconds, enabled as the table's TTL attribute) bounds that: DynamoDB deletes expired
items, and the acquire condition can take over an expired lock right away
(`attribute_not_exists(#pk) OR #expiresAt < :now`), since TTL deletion can lag by a day or more.

## How to fix
Write the expiry with the lock, a little longer than the longest run:
`"expires_at": {"N": "{% $string($floor($millis() / 1000) + 3600) %}"}`, enable TTL on that attribute,
and let the condition accept an expired lock.

## Known limits
The attribute is recognised by its name (ttl, expir..., valid_until, lease_until, deadline) or the
`attributes` option; whether TTL is enabled on the table is not known to sfnc.
""" + _LOCK_LIMITS + """
## Options
`[tool.sfnc.rules.lock-without-ttl]`
- `attributes` (list of attribute names): names that hold the expiry, in addition to the built-in pattern.
""" + _LOCK_TAIL.replace("## Options\n", "")
    sources = _SOURCES + ("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html",)
    example_fail = _lock_example(ttl=False)
    example_pass = _lock_example()
    known_options = ("attributes",)

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        extra = option_names(ctx.options, "attributes", self.name)
        la = self.locks(ctx)
        for lock in la.locks:
            a = lock.acquire
            written = a.item_names if a.action == "putItem" else a.set_attrs
            if any(n in extra or TTL.search(n) for n in written):
                continue
            where = "/Arguments/Item" if a.action == "putItem" else "/Arguments/UpdateExpression"
            yield Finding(a.state.pointer + where,
                          f"State '{a.name}' writes the lock item without an expiry attribute: a run that ends "
                          "without its release (timeout, stop) holds the lock forever",
                          hint="add an expiry attribute (epoch seconds, the table's TTL attribute) and let the "
                               "condition take over an expired lock", path=(a.name,))


class LockReleaseWithoutRetry(_LockRule):
    id = "SFN714"
    name = "lock-release-without-retry"
    severity = Severity.WARNING
    summary = "A lock release has no Retry for transient DynamoDB errors"
    docs = """\
## Why
A release that fails once - throttled, or an internal server error - leaves the lock behind just as if
the release were missing. Releases run at the end of every path, often right after a failure, exactly
when a burst of retries elsewhere makes throttling likely.

## How to fix
Retry the release on the integration's transient errors (`DynamoDB.` prefix for
`arn:aws:states:::dynamodb:*`, `DynamoDb.` for `aws-sdk:dynamodb:*`), or on `States.TaskFailed`, with
backoff and jitter.

## Known limits
A retrier counts when its `ErrorEquals` holds `States.ALL`, `States.TaskFailed`, or an error with the
right prefix other than `ConditionalCheckFailedException`, `ResourceNotFoundException` and
`ValidationException`.
""" + _LOCK_TAIL
    sources = _SOURCES + ("https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",)
    example_fail = _lock_example(release_retry=False)
    example_pass = _lock_example()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        la = self.locks(ctx)
        seen: set[int] = set()
        for lock in la.locks:
            for op in la.releases_of(lock):
                if id(op.state) in seen:
                    continue
                seen.add(id(op.state))
                ok, wrong = _release_retry(op)
                if ok:
                    continue
                detail = (f"; its retriers name {wrong}, which this integration never raises (it uses the "
                          f"{error_prefix(op.sdk)}. prefix)" if wrong else "")
                yield Finding(op.state.pointer + ("/Retry" if op.state.has("Retry") else ""),
                              f"Release state '{op.name}' has no Retry for transient DynamoDB errors: one "
                              f"throttled call leaves the lock behind{detail}",
                              hint=f"retry {error_prefix(op.sdk)}.ProvisionedThroughputExceededException, "
                                   f"{error_prefix(op.sdk)}.ThrottlingException, ... (or States.TaskFailed) with "
                                   "backoff", key=not op.state.has("Retry"), path=(op.name,))


_NOT_TRANSIENT = {CCF, "ResourceNotFoundException", "ValidationException"}


def _release_retry(op: DdbOp) -> tuple[bool, str | None]:
    prefix = error_prefix(op.sdk) + "."
    wrong_prefix = error_prefix(not op.sdk) + "."
    wrong = None
    for _i, errors, attempts in retriers(op.state):
        if attempts == 0:
            continue
        for e in errors:
            if e in ("States.ALL", "States.TaskFailed"):
                return True, None
            if e.startswith(prefix) and e[len(prefix):] not in _NOT_TRANSIENT:
                return True, None
            if e.startswith(wrong_prefix) and wrong is None:
                wrong = e
    return False, wrong


class LockTableMismatch(_LockRule):
    id = "SFN715"
    name = "lock-table-mismatch"
    severity = Severity.ERROR
    summary = "A lock is released on a different table than the one it was acquired on"
    docs = """\
## Why
A release that deletes the lock key from another table succeeds (a deleteItem of a missing item is not
an error) and releases nothing: the real lock stays until its TTL. This happens when a template copies
a release from another workflow, or when two lock tables are configured by similar placeholders.

The rule compares the TableName of the acquire and of each release of the same key attribute that the
acquire reaches. Placeholders (`${tables.locks}`) are compared as written.

## How to fix
Use the same TableName (the same placeholder) in the acquire and in every release.

## Known limits
""" + _LOCK_LIMITS + _LOCK_TAIL
    sources = _SOURCES
    example_fail = _lock_example(release_table="batch-lock")
    example_pass = _lock_example()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        la = self.locks(ctx)
        lock_tables = {lk.acquire.table for lk in la.locks if lk.acquire.table is not None}
        for lock in la.locks:
            if lock.acquire.table is None:
                continue
            for op in la.releases_of(lock):
                if op.table is None or op.table == lock.acquire.table or op.table in lock_tables:
                    continue
                path = find_path(ctx.machine, lock.state, op.state)
                if path is None:
                    continue
                yield Finding(op.table_pointer,
                              f"State '{op.name}' releases the lock in {op.table}, but '{lock.state.name}' "
                              f"acquired it in {lock.acquire.table}",
                              hint=f"use TableName {lock.acquire.table} in the release",
                              path=tuple(path))


LOCK_RULES = (LockNotReleased, LockDuplicateNotCaught, LockWithoutTtl, LockReleaseWithoutRetry, LockTableMismatch)
