"""Real-time budgets: one JSONata evaluation, and a whole run.

AWS stops a JSONata expression that evaluates for more than a second ("Expression evaluation timeout",
`States.QueryEvaluationError`; developer guide, "Transforming data with JSONata"). jsonata-python can only
bound an evaluation through callbacks on every node it evaluates, which would halve the simulator's speed.
Instead one watchdog thread per process watches the clock: an evaluation (or a run) that passes its
deadline gets an exception raised in its thread (`PyThreadState_SetAsyncExc`), at the next bytecode, so a
runaway expression (`$f := function($n){ $f($n + 1) }`, which jsonata-python runs as a loop) stops with a
clear error. Nothing is checked per node: the cost is a few attribute writes per evaluation.

The exceptions derive from BaseException, so no `except Exception` on the way turns them into something
else; `expressions.evaluate` turns `EvaluationTimeout` into a `QueryError`, and `run_execution` turns
`RunTimeout` into `RunBudgetExceeded` (a `SimulationError`).
"""

from __future__ import annotations

import ctypes
import threading
import time

#: seconds one JSONata evaluation may take. AWS allows 1 s; jsonata-python is slower than AWS's engine, so
#: the simulator allows more before it calls an expression a runaway (docs/simulator.md)
EXPRESSION_BUDGET = 5.0
#: seconds of real time one run (`run_execution`) may take
RUN_BUDGET = 300.0
_TICK = 0.02
_RESEND = 0.25


class EvaluationTimeout(BaseException):
    """Raised in the evaluating thread when one evaluation passes its budget."""


class RunTimeout(BaseException):
    """Raised in the running thread when a run passes its budget."""


_SET_ASYNC_EXC = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))
_CLEAR_ASYNC_EXC = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))


def _set_async_exc(thread: int, exc: type[BaseException] | None) -> None:
    if exc is None:
        _CLEAR_ASYNC_EXC(thread, None)  # a NULL exception clears a pending one
    else:
        _SET_ASYNC_EXC(thread, exc)


class _Slot:
    """One thread's current deadlines (at most one evaluation and one run at a time per thread)."""

    __slots__ = ("thread", "eval_deadline", "run_deadline", "fired", "fired_at")

    def __init__(self, thread: int) -> None:
        self.thread = thread
        self.eval_deadline: float | None = None
        self.run_deadline: float | None = None
        self.fired: type[BaseException] | None = None  # the exception sent and not yet withdrawn
        self.fired_at = 0.0


class _Watchdog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots: dict[int, _Slot] = {}
        self.thread: threading.Thread | None = None

    def slot(self, check: bool = False) -> _Slot:
        """This thread's slot; `check` also makes sure the watchdog runs (once per run is enough)."""
        tid = threading.get_ident()
        s = self.slots.get(tid)
        if s is None or check:
            with self.lock:
                s = self.slots.setdefault(tid, _Slot(tid))
                if self.thread is None or not self.thread.is_alive():
                    self.thread = threading.Thread(target=self._watch, name="sfnc-budget", daemon=True)
                    self.thread.start()
        return s

    def _watch(self) -> None:
        while True:
            time.sleep(_TICK)
            try:
                self._tick(time.monotonic())
            except Exception:  # pragma: no cover - the watchdog must outlive any surprise
                pass

    def _tick(self, now: float) -> None:
        with self.lock:
            for s in list(self.slots.values()):
                if s.eval_deadline is not None and now > s.eval_deadline:
                    exc: type[BaseException] = EvaluationTimeout
                elif s.run_deadline is not None and now > s.run_deadline:
                    exc = RunTimeout
                else:
                    continue
                # sent again while the deadline stays armed: code that swallowed it does not escape
                if s.fired is exc and now - s.fired_at < _RESEND:
                    continue
                s.fired, s.fired_at = exc, now
                _set_async_exc(s.thread, exc)

    def disarm(self, s: _Slot, what: str) -> None:
        """Clear a deadline; the exception it fired, if not yet delivered, is withdrawn. Ending a run clears
        the evaluation deadline too (an exception may have cut an evaluation's exit short)."""
        exc = EvaluationTimeout if what == "eval_deadline" else RunTimeout
        with self.lock:
            s.eval_deadline = None
            if what == "run_deadline":
                s.run_deadline = None
            if s.fired is exc or (what == "run_deadline" and s.fired is not None):
                s.fired = None
                _set_async_exc(s.thread, None)


WATCHDOG = _Watchdog()


class evaluation_budget:
    """``with evaluation_budget(seconds):`` one evaluation; `EvaluationTimeout` is raised inside when it
    runs past the budget (catch it around the ``with``)."""

    __slots__ = ("seconds", "slot")

    def __init__(self, seconds: float | None = EXPRESSION_BUDGET) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        if self.seconds is None:
            self.slot = None
            return
        self.slot = WATCHDOG.slot()
        self.slot.eval_deadline = time.monotonic() + self.seconds

    def __exit__(self, *exc: object) -> None:
        if self.slot is not None:
            WATCHDOG.disarm(self.slot, "eval_deadline")


class run_budget:
    """``with run_budget(seconds):`` a whole run; `RunTimeout` is raised inside when it takes longer."""

    __slots__ = ("seconds", "slot", "outer")

    def __init__(self, seconds: float | None = RUN_BUDGET) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        self.slot = WATCHDOG.slot(check=True)
        self.outer = self.slot.run_deadline  # a run inside a run (tests) keeps the outer deadline
        if self.seconds is not None and self.outer is None:
            self.slot.run_deadline = time.monotonic() + self.seconds

    def __exit__(self, *exc: object) -> None:
        if self.outer is None:
            WATCHDOG.disarm(self.slot, "run_deadline")
