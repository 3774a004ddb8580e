"""`sfnc graph NAME --shapes`: a flow (flow.py) as text, each reachable state's inferred input, result and
output shape, what it assigns and the variables it sees, scope by scope in reverse postorder."""

from __future__ import annotations

from . import _asl
from . import shape as S
from .flow import Flow


def render_flow(flow: Flow, depth: int = 3, variables: bool = False) -> str:
    """Each reachable state's input, result and output shape (and what it assigns), in scope order."""
    lines: list[str] = []
    m = flow.machine
    for scope in _asl.scopes(m):
        order = _asl.reverse_postorder(m, scope)
        if not order:
            continue
        if scope.parent_state is not None:
            lines.append(f"-- {scope.label}")
        for name in order:
            st = scope.states[name]
            rec = flow.of(st)
            if rec is None:
                continue
            what = st.type or "?"
            if st.type == "Task":
                res = st.get("Resource")
                what += f" {res}" if isinstance(res, str) else ""
            lines.append(f"{st.name} ({what})")
            lines.append(f"  input:  {S.render(rec.input, depth)}")
            if rec.result is not None:
                lines.append(f"  result: {S.render(rec.result, depth)}")
            if rec.output is not None and st.type != "Fail":
                plain = st.is_jsonata and not st.has("Output")   # passes its result (or input) on as it is
                same = None
                if plain and rec.output is rec.result:
                    same = " (the result)"
                elif plain and rec.result is None and rec.output is rec.input:
                    same = " (the input)"
                lines.append(f"  output:{same}" if same else f"  output: {S.render(rec.output, depth)}")
            for k, v in rec.assigned.items():
                lines.append(f"  ${k} := {S.render(v, depth)}")
            if variables and rec.variables:
                lines.append("  variables: " + ", ".join(f"${k}: {S.render(v, 1)}"
                                                        for k, v in sorted(rec.variables.items())))
    return "\n".join(lines) + ("\n" if lines else "")
