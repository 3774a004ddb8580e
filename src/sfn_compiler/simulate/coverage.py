"""Structural coverage of a state machine across simulated executions.

The denominator is computed from the definition alone (`asl.walk`: nested Parallel branches
and Map processors included):

* every state ("visited");
* every transition: a state's ``Next`` or ``End``; each Choice rule and the
  ``Default``; each Catcher; each Retrier ("used at least once").

Succeed and Fail states have no outgoing transition; they count as states only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..asl import walk
from .result import ExecutionResult

__all__ = ["Coverage", "Transition"]


@dataclass(frozen=True)
class Transition:
    state: str
    kind: str  # next | end | choice | default | catch | retry
    index: int | None
    target: str | None

    def describe(self, sd: Mapping[str, Any] | None = None) -> str:
        if self.kind == "next":
            return f"'{self.state}' → '{self.target}' (Next)"
        if self.kind == "end":
            return f"'{self.state}' → end (End: true)"
        if self.kind == "choice":
            cond = ""
            if sd is not None:
                try:
                    cond = f" {sd['Choices'][self.index]['Condition']}"
                except (KeyError, IndexError, TypeError):
                    cond = ""
            return f"Choice '{self.state}' rule #{self.index}{cond} → '{self.target}'"
        if self.kind == "default":
            return f"Choice '{self.state}' Default → '{self.target}'"
        errors = ""
        if sd is not None:
            key = "Catch" if self.kind == "catch" else "Retry"
            try:
                errors = " [" + ", ".join(sd[key][self.index].get("ErrorEquals", ())) + "]"
            except (KeyError, IndexError, TypeError):
                errors = ""
        if self.kind == "catch":
            return f"'{self.state}' Catch[{self.index}]{errors} → '{self.target}'"
        return f"'{self.state}' Retry[{self.index}]{errors} never used"

    def key(self) -> str:
        if self.kind in ("next", "end", "default"):
            return f"{self.state}:{self.kind}"
        return f"{self.state}:{self.kind}[{self.index}]"


def _transitions_of(state: walk.State) -> list[Transition]:
    """The state's edges (`asl.walk.transitions`) plus its `End` and its retriers, in coverage order: Choice
    rules and Default, or End / Next; then each Retrier; then each Catcher."""
    name, sd, typ = state.name, state.raw, state.raw.get("Type")
    edges = state.transitions()
    out: list[Transition] = []
    if typ == "Choice":
        out += [Transition(name, t.kind, t.index, t.target) for t in edges if t.kind in ("choice", "default")]
    elif typ not in ("Succeed", "Fail"):
        if sd.get("End") is True:
            out.append(Transition(name, "end", None, None))
        else:
            out.append(Transition(name, "next", None, sd.get("Next")))
    if typ in walk.ERROR_HANDLING_TYPES:
        out += [Transition(name, "retry", r.index, None) for r in state.entries("Retry")]
        out += [Transition(name, "catch", t.index, t.target) for t in edges if t.kind == "catch"]
    return out


class Coverage:
    """Accumulate :class:`ExecutionResult` s of one state machine.

    >>> cov = Coverage(definition, name="orders")
    >>> cov.add(run_execution(definition, ...))
    >>> cov.report()["transitions"]["percent"]
    """

    def __init__(self, definition: Mapping[str, Any], name: str = "machine") -> None:
        self.name = name
        self.definition = definition
        tree = [st for st in walk.Tree(definition).states if isinstance(st.raw, Mapping)]
        self.states: dict[str, Mapping[str, Any]] = {st.name: st.raw for st in tree}
        self.order: list[str] = [st.name for st in tree]
        self.transitions: list[Transition] = [t for st in tree for t in _transitions_of(st)]
        self._by_key = {t.key(): t for t in self.transitions}
        self.state_hits: dict[str, int] = {n: 0 for n in self.order}
        self.transition_hits: dict[str, int] = {t.key(): 0 for t in self.transitions}
        self.executions = 0
        self.statuses: dict[str, int] = {}

    def add(self, result: ExecutionResult) -> "Coverage":
        self.executions += 1
        self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
        for ev in result.trace:
            if ev.state in self.state_hits:
                self.state_hits[ev.state] += 1
            if ev.transition is not None:
                kind, index, _target = ev.transition
                key = f"{ev.state}:{kind}" if kind in ("next", "end", "default") else f"{ev.state}:{kind}[{index}]"
                if key in self.transition_hits:
                    self.transition_hits[key] += 1
            for r in ev.retries:
                key = f"{ev.state}:retry[{r['retrier']}]"
                if key in self.transition_hits:
                    self.transition_hits[key] += 1
        return self

    @staticmethod
    def _pct(covered: int, total: int) -> float:
        return round(100.0 * covered / total, 1) if total else 100.0

    def uncovered(self) -> list[str]:
        """What to test next: unvisited states first, then untaken transitions, in definition order."""
        out = [f"state '{n}' ({self.states[n].get('Type')}) never visited"
               for n in self.order if not self.state_hits[n]]
        for t in self.transitions:
            if not self.transition_hits[t.key()] and self.state_hits.get(t.state):
                out.append(("retrier " if t.kind == "retry" else "transition ") + t.describe(self.states[t.state]))
        # transitions of unvisited states are implied by the "never visited" line; list them after
        for t in self.transitions:
            if not self.transition_hits[t.key()] and not self.state_hits.get(t.state):
                out.append(("retrier " if t.kind == "retry" else "transition ") + t.describe(self.states[t.state]))
        return out

    def report(self) -> dict[str, Any]:
        s_cov = sum(1 for n in self.order if self.state_hits[n])
        t_cov = sum(1 for t in self.transitions if self.transition_hits[t.key()])
        by_kind: dict[str, dict[str, int]] = {}
        for t in self.transitions:
            k = by_kind.setdefault(t.kind, {"total": 0, "covered": 0})
            k["total"] += 1
            k["covered"] += 1 if self.transition_hits[t.key()] else 0
        return {
            "machine": self.name,
            "executions": self.executions,
            "statuses": dict(self.statuses),
            "states": {"total": len(self.order), "covered": s_cov, "percent": self._pct(s_cov, len(self.order))},
            "transitions": {"total": len(self.transitions), "covered": t_cov,
                            "percent": self._pct(t_cov, len(self.transitions))},
            "by_kind": {k: dict(v, percent=self._pct(v["covered"], v["total"])) for k, v in by_kind.items()},
            "state_hits": dict(self.state_hits),
            "transition_hits": dict(self.transition_hits),
            "uncovered": self.uncovered(),
        }

    def format(self) -> str:
        r = self.report()
        lines = [
            f"coverage of {r['machine']} over {r['executions']} execution(s): "
            f"states {r['states']['covered']}/{r['states']['total']} ({r['states']['percent']}%), "
            f"transitions {r['transitions']['covered']}/{r['transitions']['total']} "
            f"({r['transitions']['percent']}%)"
        ]
        for kind in ("next", "end", "choice", "default", "catch", "retry"):
            if kind in r["by_kind"]:
                k = r["by_kind"][kind]
                lines.append(f"  {kind:<8} {k['covered']}/{k['total']} ({k['percent']}%)")
        if r["uncovered"]:
            lines.append("uncovered (test next):")
            lines.extend(f"  - {u}" for u in r["uncovered"])
        return "\n".join(lines)
