"""Sandboxed Jinja2 for placeholder filters (`${name | lower}`) and `.json.j2` templates.

The environment is Jinja's `ImmutableSandboxedEnvironment` with `StrictUndefined`: templates can call
filters and read values but never execute Python nor change a value (`subnets.clear()` is refused), and
every template gets its own copy of the values anyway. `.json.j2` templates use delimiters that cannot
collide with JSONata (`{% %}` is JSONata's): blocks `<% %>`, expressions `<< >>`, comments `<# #>`. A
template is one file: `include`, `import` and `extends` are refused (there is no loader).

The work a template may do is bounded (`render.bounds`, docs/render.md#bounds): every loop iteration and
call is a step; the operators `+ * ** %` and `~`, the filters and the string methods that can make a
large value check the size of what they would make before making it; `lipsum` is gone.
"""

from __future__ import annotations

import re
import string
import types
from functools import lru_cache, wraps
from typing import Any, Callable

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.compiler import CodeGenerator
from jinja2.visitor import NodeTransformer
from jinja2.exceptions import SecurityError, TemplateAssertionError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

from ..placeholders import PlaceholderError
from . import bounds
from .bounds import MAX_ITEMS, MAX_TEXT, BoundExceeded, check_text, current_budget
from .substitute import MissingValue

BLOCK = ("<%", "%>")
VARIABLE = ("<<", ">>")
COMMENT = ("<#", "#>")

_ITER = "_sfnc_iter"              # the global every `for` loop's iterable is passed through (counted)
_MAX_INT_BITS = 100_000           # an integer an operator makes (about 30,000 digits)
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, bytearray, list, tuple, dict, set, frozenset)) else 0


def _checked(value: Any, what: str) -> Any:
    """`value`, counted in the template's volume; a bound error when it is too large."""
    if isinstance(value, (str, bytes, bytearray)):
        check_text(len(value), what)
    elif isinstance(value, (list, tuple, dict, set, frozenset)) and len(value) > MAX_ITEMS:
        raise BoundExceeded(f"{what} would have {len(value):,} items, over the bound of {MAX_ITEMS:,}")
    elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise BoundExceeded(f"{what} would be an integer of more than {_MAX_INT_BITS:,} bits")
    current_budget().produce(_size(value))
    return value


def _count(n: Any, what: str, limit: int = MAX_TEXT) -> None:
    """A width, count or repetition argument, refused before it is used when it passes `limit`."""
    if isinstance(n, int) and n > limit:
        raise BoundExceeded(f"{what} {n:,} is over the bound of {limit:,}")


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else len(str(value))


def _percent_format(fmt: str, args: Any) -> None:
    """`fmt % args` refused when a width or precision could make a large string."""
    for match in _PERCENT_SPEC.finditer(fmt):
        for group in match.groups():
            if group == "*":
                raise BoundExceeded("a '*' width in a % format is not allowed in a template")
            if group:
                _count(int(group), "a width in a % format")
    items = args.values() if isinstance(args, dict) else args if isinstance(args, tuple) else (args,)
    widths = sum(int(g) for m in _PERCENT_SPEC.finditer(fmt) for g in m.groups() if g and g != "*")
    check_text(len(fmt) + widths + sum(_text_len(a) for a in items), "a % format")


def _format_spec(fmt: str) -> None:
    """`fmt.format(...)` refused when a width or precision in it could make a large string."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return   # the call itself reports it
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            raise BoundExceeded("a nested '{...}' in a format spec is not allowed in a template")
        for number in re.findall(r"\d+", spec or ""):
            _count(int(number), "a width in a format spec")


def _binop_check(op: str, left: Any, right: Any) -> None:
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if _size(seq) and isinstance(n, int) and not isinstance(seq, (dict, set, frozenset)):
                limit = MAX_TEXT if isinstance(seq, (str, bytes)) else MAX_ITEMS
                if n > 0 and len(seq) * n > limit:
                    unit = "characters" if limit == MAX_TEXT else "items"
                    raise BoundExceeded(f"{len(seq):,} {unit} repeated {n:,} times would be {len(seq) * n:,} "
                                        f"{unit}, over the bound of {limit:,}")
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise BoundExceeded(f"an integer product of more than {_MAX_INT_BITS:,} bits")
    elif op == "+":
        if _size(left) and _size(right):
            check_text(len(left) + len(right), "a sum") if isinstance(left, str) else \
                _count(len(left) + len(right), "a sum with the number of items", MAX_ITEMS)
    elif op == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 and \
                left.bit_length() * right > _MAX_INT_BITS:
            raise BoundExceeded(f"{left} ** {right} would be an integer of more than {_MAX_INT_BITS:,} bits")
    elif op == "%" and isinstance(left, (str, bytes)):
        _percent_format(left if isinstance(left, str) else left.decode("latin-1"), right)


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": lambda value, width=80, *a, **k: _count(width, "a center width"),
    "indent": lambda s, width=4, *a, **k: check_text(
        len(str(s)) + (str(s).count("\n") + 1) * (width if isinstance(width, int) else len(str(width))),
        "an indented string"),
    "format": lambda value, *args, **kwargs: _percent_format(str(value), kwargs or args),
    "replace": lambda s, old, new, count=None, *a, **k: check_text(
        len(str(s)) + min(str(s).count(str(old)) if old else len(str(s)) + 1,
                          count if isinstance(count, int) and count >= 0 else MAX_TEXT) *
        max(0, len(str(new)) - len(str(old))), "a replaced string"),
    "wordwrap": lambda s, width=79, break_long_words=True, wrapstring=None, *a, **k: check_text(
        len(str(s)) * (1 + len(str(wrapstring or "\n"))), "a wrapped string"),
    "truncate": lambda s, length=255, killwords=False, end="...", *a, **k: check_text(
        len(str(s)) + len(str(end)), "a truncated string"),
    "slice": lambda value, slices, *a, **k: _count(slices, "a slice count", MAX_ITEMS),
    "batch": lambda value, linecount, *a, **k: _count(linecount, "a batch size", MAX_ITEMS),
    "tojson": lambda value, indent=None, *a, **k: _count(
        indent if isinstance(indent, int) else len(str(indent or "")), "a tojson indent", 16),
}


def _join_check(items: list[Any], sep: Any = "") -> None:
    check_text(sum(_text_len(i) for i in items) + _text_len(sep) * max(0, len(items) - 1), "a joined string")


def _bounded_filter(name: str, fn: Callable) -> Callable:
    """A filter that counts as a step, checks its arguments first (`_FILTER_CHECKS`) and its result."""
    check = _FILTER_CHECKS.get(name)
    skip = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0   # context/environment first

    @wraps(fn)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        current_budget().step()
        value_args = args[skip:]
        if name == "join" and value_args:   # the joined items must be counted before they are joined
            items = list(value_args[0]) if not isinstance(value_args[0], (str, dict)) else value_args[0]
            _count(_size(items) if not isinstance(items, str) else 0, "joining items", MAX_ITEMS)
            if not kwargs.get("attribute") and len(value_args) < 3:
                _join_check(list(items), value_args[1] if len(value_args) > 1 else kwargs.get("d", ""))
            args = (*args[:skip], items, *value_args[1:])
        elif name == "sum" and value_args and isinstance(value_args[0], (list, tuple)):
            _count(sum(_size(i) for i in value_args[0]), "a sum with the number of items", MAX_ITEMS)
        elif check is not None and value_args:
            try:
                check(*value_args, **kwargs)
            except TypeError:
                pass   # wrong arguments: the filter itself says what is wrong
        return _checked(fn(*args, **kwargs), f"the result of the filter {name!r}")

    return bounded


def _method_check(obj: Any, args: tuple, kwargs: dict) -> tuple:
    """Check a call of a str/bytes/int method that can make a large value; returns the arguments to use
    (an iterable given to `join` is read once, here)."""
    name = getattr(obj, "__name__", "")
    owner = getattr(obj, "__self__", None)
    if isinstance(owner, (str, bytes)):
        if name in ("center", "ljust", "rjust", "zfill") and args:
            _count(args[0], f"a {name} width")
        elif name == "expandtabs":
            size = args[0] if args else kwargs.get("tabsize", 8)
            if isinstance(size, int):
                check_text(len(owner) + owner.count("\t" if isinstance(owner, str) else b"\t") * max(size, 0),
                           "a string with expanded tabs")
        elif name == "join" and args:
            items = list(args[0])
            _count(len(items), "joining items", MAX_ITEMS)
            _join_check(items, owner)
            return (items, *args[1:])
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            count = args[2] if len(args) > 2 else -1
            times = owner.count(old) if old else len(owner) + 1
            if isinstance(count, int) and count >= 0:
                times = min(times, count)
            check_text(len(owner) + times * max(0, len(new) - len(old)), "a replaced string")
        elif name == "translate" and args and isinstance(args[0], dict):
            longest = max((_text_len(v) for v in args[0].values() if v is not None), default=1)
            check_text(len(owner) * max(longest, 1), "a translated string")
    elif isinstance(owner, int) and name == "to_bytes":
        _count(args[0] if args else kwargs.get("length", 1), "a byte length")
    return args


class _Generator(CodeGenerator):
    """`~` joins through the environment's bounded concat."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        self.write("environment.concat((")
        for arg in node.nodes:
            self.write("str(")
            self.visit(arg, frame)
            self.write("), ")
        self.write("))")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with sfnc's bounds on the work a template does."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals.pop("lipsum", None)
        self.globals[_ITER] = _counted
        self.globals["range"] = _range
        self.filters = {name: _bounded_filter(name, fn) for name, fn in self.filters.items()}

    def concat(self, parts: Any) -> str:   # type: ignore[override]  (`"".join` in Environment)
        parts = list(parts)
        check_text(sum(len(p) for p in parts), "a joined string")
        return _checked("".join(parts), "a joined string")

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _binop_check(operator, left, right)
        return _checked(super().call_binop(context, operator, left, right), f"the result of {operator!r}")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        current_budget().step()
        if isinstance(__obj, (types.BuiltinMethodType, types.MethodType)):
            args = _method_check(__obj, args, kwargs)
        return _checked(super().call(__context, __obj, *args, **kwargs),
                        f"the result of {getattr(__obj, '__name__', 'a call')}()")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = value.__self__

        @wraps(wrapper)
        def bounded(*args: Any, **kwargs: Any) -> str:
            _format_spec(fmt)
            return _checked(wrapper(*args, **kwargs), "a formatted string")

        return bounded


def _range(*args: Any) -> range:
    """The sandbox's `range` (at most 100,000 numbers); an undefined argument is named, not a TypeError."""
    for arg in args:
        if isinstance(arg, Undefined):
            arg._fail_with_undefined_error()
    return safe_range(*args)


def _counted(iterable: Any):
    """A `for` loop's iterable: each iteration is a step."""
    budget = current_budget()
    for item in iterable:
        budget.step()
        yield item


class _Loops(NodeTransformer):
    """Pass every loop's iterable (and a recursive loop's `loop(...)` argument) through `_counted`."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _wrap(node.iter)
        return node

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        if isinstance(node.node, nodes.Name) and node.node.name == "loop" and node.args:
            node.args[0] = _wrap(node.args[0])
        return node


def _wrap(expr: nodes.Expr) -> nodes.Expr:
    call = nodes.Call(nodes.Name(_ITER, "load"), [expr], [], None, None)
    call.set_lineno(expr.lineno)
    return call


class TemplateRefused(Exception):
    """A construct a `.json.j2` template may not use, at its line."""

    def __init__(self, message: str, line: int | None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


def compile_template(source: str):
    """A `.json.j2` template compiled with its loops counted; `include`/`import`/`extends` refused."""
    env = template_env()
    ast = env.parse(source)
    for kind, word in ((nodes.Include, "include"), (nodes.Import, "import"), (nodes.FromImport, "import"),
                       (nodes.Extends, "extends")):
        for node in ast.find_all(kind):
            raise TemplateRefused(f"`{word}` is not available in a .json.j2 template: a template is one file",
                                  node.lineno, "write the repeated part as a macro in the same file")
    ast = _Loops().visit(ast)
    ast.set_environment(env)
    return env.from_string(ast)


def render_bounded(template: Any, scope: dict[str, Any]) -> str:
    """Render with the output checked as it is produced (`MAX_TEXT` characters)."""
    parts: list[str] = []
    total = 0
    stream = template.generate(**scope)
    for chunk in stream:
        total += len(chunk)
        if total > MAX_TEXT:
            exc = BoundExceeded(f"the template's output is over the bound of {MAX_TEXT:,} characters")
            exc.line = _producing_line(stream, template)
            stream.close()
            raise exc
        parts.append(chunk)
    return "".join(parts)


def _producing_line(stream: Any, template: Any) -> int | None:
    """The template line a suspended render was writing when it yielded."""
    gen = stream
    while getattr(gen, "gi_yieldfrom", None) is not None:
        gen = gen.gi_yieldfrom
    frame = getattr(gen, "gi_frame", None)
    return template.get_corresponding_lineno(frame.f_lineno) if frame is not None else None


@lru_cache(maxsize=1)
def expression_env() -> BoundedSandbox:
    return BoundedSandbox(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=1)
def template_env() -> BoundedSandbox:
    return BoundedSandbox(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
        block_start_string=BLOCK[0], block_end_string=BLOCK[1],
        variable_start_string=VARIABLE[0], variable_end_string=VARIABLE[1],
        comment_start_string=COMMENT[0], comment_end_string=COMMENT[1],
        trim_blocks=True, lstrip_blocks=True,
    )


def compile_expression(expr: str) -> Callable:
    env = expression_env()
    try:
        ast = env.parse("{{ " + expr + " }}")
        for f in ast.find_all(nodes.Filter):
            if f.name not in env.filters:
                raise PlaceholderError(f"unknown filter {f.name!r} in placeholder ${{{expr}}}",
                                       hint="available filters include: lower, upper, replace, default, "
                                            "tojson, join, trim, int, string")
        fn = env.compile_expression(expr, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise PlaceholderError(f"invalid placeholder ${{{expr}}}: {exc.message}",
                               hint="placeholders are ${name}, ${a.b} or ${name | filter}; "
                                    "write $${ for a literal '${'") from None
    except TemplateAssertionError as exc:
        raise PlaceholderError(f"invalid placeholder ${{{expr}}}: {exc.message}") from None
    return fn


def failure(exc: BaseException) -> str:
    """Words for an exception a template or placeholder raised (not a Jinja error)."""
    if isinstance(exc, RecursionError):
        return "recursion too deep (a macro or a recursive loop that does not end?)"
    if isinstance(exc, MemoryError):
        return "out of memory"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def evaluate(fn: Callable, expr: str, scope: dict[str, Any], env: str | None) -> tuple[Any, list[str]]:
    try:
        with bounds.budget():
            result = fn(**scope)
    except UndefinedError as exc:
        raise MissingValue(f"no value for placeholder ${{{expr}}}" + (f" in env {env!r}" if env else "")
                           + f": {exc.message}") from None
    except BoundExceeded as exc:
        raise BoundExceeded(f"placeholder ${{{expr}}}: {exc.message}") from None
    except SecurityError as exc:
        raise PlaceholderError(f"placeholder ${{{expr}}} is not allowed: {exc}") from None
    except TemplateError as exc:
        raise PlaceholderError(f"placeholder ${{{expr}}} failed: {exc}") from None
    except Exception as exc:  # a filter raising on a wrong type, e.g. `int` of a list; 1/0; recursion
        raise PlaceholderError(f"placeholder ${{{expr}}} failed: {failure(exc)}") from None
    if isinstance(result, StrictUndefined):  # pragma: no cover - StrictUndefined raises first
        raise MissingValue(f"no value for placeholder ${{{expr}}}")
    wrong = bounds.json_problem(result)
    if wrong is not None:
        pointer, message = wrong
        raise PlaceholderError(f"placeholder ${{{expr}}} gives a value that "
                               + (f"at {pointer} " if pointer else "") + message,
                               hint="a placeholder must give JSON data: text, a number, true/false, null, "
                                    "a list or a map")
    env_ = expression_env()
    names = [n.name for n in env_.parse("{{ " + expr + " }}").find_all(nodes.Name)]
    return bounds.plain(result), names
