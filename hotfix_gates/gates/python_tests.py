"""Which definitions of a Python test file are tests that run (HG202).

A name counts when a test runner would collect and run it: a `test*`
function, or a class holding one (`Test*` for pytest, a subclass of
something for unittest), found by Python's own parser. Not counted: code
that never runs (`if False:`, `while 0:`, `if TYPE_CHECKING:`, `if __name__
== "__main__":`), unconditional skips (`@pytest.mark.skip`, `@unittest.skip`,
`__test__ = False`, a module-level `pytest.skip(...)`, a `pytestmark` that
skips, a top-level `raise`), functions defined inside functions. Each
definition says why it is not a test, so a finding can say it.
"""

from __future__ import annotations

import ast

_COMPOUND = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor,
             ast.While, ast.Match)
NOT_A_TEST = "its name does not start with test"


def definitions(module: ast.Module) -> dict[tuple[str, ...], str]:
    """("Class", "method") or ("test_x",) -> "" for a test that runs, else why
    it is not one."""
    defined: dict[tuple[str, ...], str] = {}
    _collect(module.body, (), _skipped_module(module.body), defined)
    return defined


def _collect(body: list[ast.stmt], prefix: tuple[str, ...], why: str,
             out: dict[tuple[str, ...], str]) -> bool:
    """Each definition in `body` with why it is not a test that runs ("" when
    it is); `why` says why nothing in `body` runs, if so. A definition that
    runs replaces an earlier one of the same name, as it does when Python
    runs the module. True when `body` holds a test that runs."""
    found = False
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            reason = why or _skip_mark(node) or (
                "" if node.name.startswith("test") else NOT_A_TEST)
            _define(out, (*prefix, node.name), reason, why)
        elif isinstance(node, ast.ClassDef):
            inner = why or _skip_mark(node) or _switched_off(node.body)
            holds = _collect(node.body, (*prefix, node.name), inner, out)
            reason = inner or ("" if holds and _collected_class(node)
                               else "it holds no test that runs")
            _define(out, (*prefix, node.name), reason, why)
        elif isinstance(node, _COMPOUND):
            dead, dead_else = _never_runs(node)
            parts = [(getattr(node, "body", []), why or dead),
                     (getattr(node, "orelse", []), why or dead_else),
                     (getattr(node, "finalbody", []), why)]
            parts += [(handler.body, why) for handler in getattr(node, "handlers", [])]
            parts += [(case.body, why) for case in getattr(node, "cases", [])]
            for inner_body, inner_why in parts:
                found |= _collect(inner_body, prefix, inner_why, out)
            continue
        else:
            continue
        found |= not reason
    return found


def _define(out: dict[tuple[str, ...], str], name: tuple[str, ...], reason: str,
            context: str) -> None:
    if not context or name not in out:  # code that never runs redefines nothing
        out[name] = reason


def _never_runs(node: ast.stmt) -> tuple[str, str]:
    """Why the body, and why the else branch, of an `if` or `while` never
    run when a test runner imports the module ("" when they may)."""
    if not isinstance(node, (ast.If, ast.While)):
        return "", ""
    test = node.test
    if isinstance(test, ast.Constant):
        said = f"it is under `{'if' if isinstance(node, ast.If) else 'while'} " \
               f"{test.value!r:.20}:`, which never runs"
        return ("", said if isinstance(node, ast.If) else "") if test.value else (said, "")
    if isinstance(node, ast.If) and _dotted(test).endswith("TYPE_CHECKING"):
        return "it is under `if TYPE_CHECKING:`, which never runs", ""
    if (isinstance(node, ast.If) and isinstance(test, ast.Compare)
            and _dotted(test.left) == "__name__" and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__"):
        return "it is under `if __name__ == \"__main__\":`, which a test runner skips", ""
    return "", ""


def _skip_mark(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = _dotted(target)
        if name.rsplit(".", 1)[-1] == "skip":
            return f"it is skipped (@{name[:40]})"
    return ""


def _switched_off(body: list[ast.stmt]) -> str:
    """Why a module's or class's tests are all left out: `__test__ = False`."""
    for node in body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and node.value.value is False
                and any(_dotted(target) == "__test__" for target in node.targets)):
            return "it is switched off (`__test__ = False`)"
    return ""


def _skipped_module(body: list[ast.stmt]) -> str:
    """Why no test of the module runs: `__test__ = False`, a `pytestmark`
    that skips, or a top-level `pytest.skip(...)` or `raise` that stops the
    import."""
    for node in body:
        if isinstance(node, ast.Raise):
            return f"the module raises at line {node.lineno}, so none of its tests run"
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and _dotted(call.func).rsplit(".", 1)[-1] == "skip":
            return f"the module is skipped at line {node.lineno}"
        if (isinstance(node, ast.Assign)
                and any(_dotted(target) == "pytestmark" for target in node.targets)
                and any(_dotted(part).rsplit(".", 1)[-1] == "skip"
                        for part in ast.walk(node.value))):
            return f"the module is skipped at line {node.lineno} (pytestmark)"
    return _switched_off(body)


def _collected_class(node: ast.ClassDef) -> bool:
    """A class a runner collects: `Test*` (pytest), or a subclass of something
    (unittest.TestCase under any name)."""
    return node.name.startswith("Test") or bool(node.bases)


def _dotted(node: ast.AST) -> str:
    """`pytest.mark.skip` for that attribute chain; "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))
