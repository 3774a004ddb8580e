"""`python bench/_hwm.py -m MODULE ARGS...`: run MODULE like `python -m MODULE ARGS...` and, at exit, write
this process's peak resident set size (VmHWM, in kB) to the file named by $SFNC_BENCH_HWM.

VmHWM counts only memory since exec; wait4's ru_maxrss would also count the forking bench process (the
bench's own RSS when it is larger). sfnc leaves with `os._exit` (cli.run), which skips exit handlers: the
report is written from `os._exit` too."""

import atexit
import os
import runpy
import sys


def _report() -> None:
    path = os.environ.get("SFNC_BENCH_HWM")
    if not path:
        return
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    with open(path, "w", encoding="ascii") as out:
                        out.write(line.split()[1])
                    return
    except OSError:
        pass


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        sys.exit("usage: _hwm.py -m MODULE [ARGS...]")
    atexit.register(_report)
    _exit = os._exit

    def _exit_reporting(code: int) -> None:
        _report()
        _exit(code)

    os._exit = _exit_reporting
    module = sys.argv[2]
    sys.argv = [module] + sys.argv[3:]
    sys.path[0] = os.getcwd()  # as `python -m` does
    runpy.run_module(module, run_name="__main__", alter_sys=True)
