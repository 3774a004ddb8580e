"""The lock analysis behind SFN711-SFN715: which DynamoDB operations acquire a lock and which release it.

A lock is taken by a conditional write and given back by a delete (or an update that clears it):

- acquire: `putItem` whose ConditionExpression has `attribute_not_exists(...)` and that looks like a lock
  (a lock-ish name - lock, lease, mutex, semaphore - in the table, the state, or an attribute; or a
  delete of the same item elsewhere in the machine); `updateItem` (no REMOVE) whose condition checks
  `attribute_not_exists(...)` with a lock-ish name around, or tests a lock-ish attribute it also SETs.
  Both integrations count: `arn:aws:states:::dynamodb:putItem` and `arn:aws:states:::aws-sdk:dynamodb:putItem`.
- release of a lock: `deleteItem`, or an `updateItem` that REMOVEs an attribute (or, for an updateItem
  lock, SETs back an attribute its condition tests: a semaphore count), on the same table or on the same
  key attribute.

`[tool.sfnc.patterns]` `lock_states` / `not_lock_states` (state names) override the heuristic."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ....asl.jsonata import expression_body
from ....asl.resources import task_resource
from ...base import CheckContext
from ._common import PATTERNS_TABLE, option_names, patterns_settings
from ._flow import find_path


_LOCKISH = re.compile(r"lock|lease|mutex|semaphore", re.IGNORECASE)
TTL = re.compile(r"ttl|expir|valid_?until|lease_?until|deadline", re.IGNORECASE)
_NOT_EXISTS = re.compile(r"attribute_not_exists\s*\(\s*([^)]+?)\s*\)", re.IGNORECASE)
_TOKEN = re.compile(r"#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {"and", "or", "not", "between", "in", "attribute_exists", "attribute_not_exists", "attribute_type",
             "begins_with", "contains", "size", "set", "remove", "add", "delete", "if_not_exists", "list_append"}
CCF = "ConditionalCheckFailedException"


def error_prefix(sdk: bool) -> str:
    """The error-name prefix of the integration: `DynamoDB.` (optimized) or `DynamoDb.` (aws-sdk)."""
    return "DynamoDb" if sdk else "DynamoDB"


@dataclass(eq=False)
class DdbOp:
    state: Any
    action: str                     # putItem | updateItem | deleteItem
    sdk: bool
    table: str | None               # TableName as written (None when not a string)
    condition: str | None
    names: dict[str, str]
    cond_attrs: set[str] = field(default_factory=set)
    not_exists: set[str] = field(default_factory=set)
    key_names: set[str] = field(default_factory=set)
    item_names: set[str] = field(default_factory=set)
    set_attrs: set[str] = field(default_factory=set)
    remove_attrs: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.state.name

    @property
    def table_pointer(self) -> str:
        return self.state.pointer + "/Arguments/TableName"


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    body = expression_body(value)
    return body if body is not None else value


def _resolve(token: str, names: dict[str, str]) -> str:
    return names.get(token, token) if token.startswith("#") else token


def _attr_root(path: str, names: dict[str, str]) -> str:
    first = re.split(r"[.\[]", path.strip(), maxsplit=1)[0].strip()
    return _resolve(first, names)


def _attrs(expr: str, names: dict[str, str]) -> set[str]:
    out = set()
    for tok in _TOKEN.findall(expr or ""):
        if tok.startswith(":"):
            continue
        if tok.lower() in _KEYWORDS:
            continue
        out.add(_resolve(tok, names))
    return out


def _split_top(s: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in (x.strip() for x in parts) if p]


def _update_clauses(expr: str, names: dict[str, str]) -> tuple[set[str], set[str]]:
    """(attributes SET/ADDed, attributes REMOVEd) of an UpdateExpression."""
    sets: set[str] = set()
    removes: set[str] = set()
    if not expr:
        return sets, removes
    pieces = re.split(r"\b(SET|REMOVE|ADD|DELETE)\b", expr, flags=re.IGNORECASE)
    kw = None
    for piece in pieces:
        up = piece.upper()
        if up in ("SET", "REMOVE", "ADD", "DELETE"):
            kw = up
            continue
        if kw is None or not piece.strip():
            continue
        for action in _split_top(piece):
            if kw == "SET":
                lhs = action.split("=", 1)[0]
                sets.add(_attr_root(lhs, names))
            elif kw == "ADD":
                sets.add(_attr_root(action.split()[0], names))
            elif kw == "REMOVE":
                removes.add(_attr_root(action, names))
            # DELETE removes elements from a set attribute: not a release
    return sets, removes


def _ddb_op(state) -> DdbOp | None:
    res = task_resource(state)
    if res is None or res.service.lower() != "dynamodb" or res.action not in ("putItem", "updateItem", "deleteItem"):
        return None
    args = state.get("Arguments")
    if not isinstance(args, dict):
        return None
    names_raw = args.get("ExpressionAttributeNames")
    names = {k: v for k, v in names_raw.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(names_raw, dict) else {}
    table = args.get("TableName") if isinstance(args.get("TableName"), str) else None
    op = DdbOp(state, res.action, res.sdk, table, _text(args.get("ConditionExpression")), names)
    if op.condition:
        op.cond_attrs = _attrs(op.condition, names)
        op.not_exists = {_attr_root(m, names) for m in _NOT_EXISTS.findall(op.condition)}
    if isinstance(args.get("Key"), dict):
        op.key_names = set(map(str, args["Key"]))
    if isinstance(args.get("Item"), dict):
        op.item_names = set(map(str, args["Item"]))
    if res.action == "updateItem":
        op.set_attrs, op.remove_attrs = _update_clauses(_text(args.get("UpdateExpression")) or "", names)
    return op


@dataclass(eq=False)
class Lock:
    acquire: DdbOp
    keys: set[str]          # the lock item's key attribute(s)

    @property
    def state(self):
        return self.acquire.state

    def same_table(self, op: DdbOp) -> bool:
        return self.acquire.table is not None and op.table is not None and self.acquire.table == op.table

    def releases(self, op: DdbOp) -> bool:
        """`op` gives this lock back (possibly on the wrong table: see lock-table-mismatch)."""
        if op is self.acquire:
            return False
        if not (self.same_table(op) or (self.keys and op.key_names and self.keys & op.key_names)):
            return False
        if op.action == "deleteItem":
            return True
        if op.action == "updateItem":
            if op.remove_attrs:
                return True
            a = self.acquire
            if a.action == "updateItem" and op.set_attrs & (a.cond_attrs & a.set_attrs):
                return True
        return False


@dataclass
class LockAnalysis:
    ops: list[DdbOp]
    locks: list[Lock]

    def releases_of(self, lock: Lock) -> list[DdbOp]:
        """Releases of `lock`: on its table, or of its key on a table no other lock uses (a mismatch)."""
        by_table, loose_by_key = self._release_index
        own = lock.acquire.table
        candidates: set[int] = set(by_table.get(own, ())) if own is not None else set()
        for k in lock.keys or ():
            candidates.update(loose_by_key.get(k, ()))
        # on the lock's own table, or on a table no lock uses (an op on another lock's table is that lock's)
        return [self.ops[i] for i in sorted(candidates) if lock.releases(self.ops[i])]

    @cached_property
    def _release_index(self) -> tuple[dict[str | None, list[int]], dict[str, list[int]]]:
        """Built once per analysis (not per lock): op indexes by table, and the ops on no lock's table (or
        on a table that is not a string) by key attribute."""
        tables = {lk.acquire.table for lk in self.locks if lk.acquire.table is not None}
        by_table: dict[str | None, list[int]] = {}
        loose_by_key: dict[str, list[int]] = {}
        for i, op in enumerate(self.ops):
            by_table.setdefault(op.table, []).append(i)
            if op.table is None or op.table not in tables:
                for k in op.key_names:
                    loose_by_key.setdefault(k, []).append(i)
        return by_table, loose_by_key


def _lockish(*names: Any) -> bool:
    return any(isinstance(n, str) and _LOCKISH.search(n) for n in names)


def lock_analysis(ctx: CheckContext) -> LockAnalysis:
    patterns = patterns_settings(ctx.settings)
    force = option_names(patterns, "lock_states", PATTERNS_TABLE)
    exclude = option_names(patterns, "not_lock_states", PATTERNS_TABLE)
    key = f"locks:{sorted(force)}:{sorted(exclude)}"
    return ctx.machine.memo(key, lambda: _analyse(ctx.machine, force, exclude))


def _analyse(machine, force: frozenset[str], exclude: frozenset[str]) -> LockAnalysis:
    ops = [op for op in (_ddb_op(s) for s in machine.states) if op is not None]
    locks: list[Lock] = []
    for op in ops:
        if op.name in exclude:
            continue
        keys = (op.not_exists & op.item_names or op.not_exists) if op.action == "putItem" else set(op.key_names)
        lock = Lock(op, keys)
        forced = op.name in force and op.action in ("putItem", "updateItem")
        if forced or _is_acquire(machine, op, lock, ops):
            locks.append(lock)
    return LockAnalysis(ops, locks)


def _is_acquire(machine, op: DdbOp, lock: Lock, ops: list[DdbOp]) -> bool:
    if not op.condition:
        return False
    if op.action == "putItem":
        if not op.not_exists:
            return False
        if _lockish(op.table, op.name, *op.not_exists, *op.item_names):
            return True
        # an idempotency record is never deleted, a saga's reservation only on failure (compensation);
        # a lock is deleted when the run succeeds
        deletes = {id(o.state) for o in ops if o.action == "deleteItem" and lock.releases(o)}
        return bool(deletes) and find_path(machine, op.state, None, lambda st: id(st) in deletes,
                                            catches=False) is not None
    if op.action == "updateItem":
        if op.remove_attrs:
            return False
        if op.not_exists and _lockish(op.table, op.name, *op.cond_attrs, *op.set_attrs):
            return True
        return any(_lockish(a) for a in op.cond_attrs & op.set_attrs)
    return False


# --------------------------------------------------------------------------------------------------
