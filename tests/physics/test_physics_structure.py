"""lunarviz/physics/ stays made of small parts, and the step exists once (issue #9)."""

import ast
from pathlib import Path

PHYSICS = Path(__file__).resolve().parents[2] / "lunarviz" / "physics"
MAX_LINES = 80
MAX_COMPLEXITY = 20

_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.IfExp, ast.ExceptHandler, ast.With,
             ast.AsyncWith, ast.Assert, ast.comprehension, ast.match_case)


def complexity(func: ast.AST) -> int:
    """McCabe-style count: 1 + branches + boolean operators (nested functions included)."""
    n = 1
    for node in ast.walk(func):
        if isinstance(node, _BRANCHES):
            n += 1
            if isinstance(node, ast.comprehension):
                n += len(node.ifs)
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
    return n


def _functions():
    for path in sorted(PHYSICS.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.name, node


def test_the_checker_counts_what_it_should():
    src = "def f(a, b):\n    if a and b or a:\n        return [x for x in a if x]\n    while b:\n        b -= 1\n"
    assert complexity(ast.parse(src).body[0]) == 1 + 1 + 2 + 1 + 1 + 1


def test_no_physics_function_is_long_or_complex():
    too_long = [f"{name}:{f.name} {f.end_lineno - f.lineno + 1} lines" for name, f in _functions()
                if f.end_lineno - f.lineno + 1 > MAX_LINES]
    too_complex = [f"{name}:{f.name} complexity {complexity(f)}" for name, f in _functions()
                   if complexity(f) > MAX_COMPLEXITY]
    assert not too_long and not too_complex, too_long + too_complex


def _calls(name: str) -> set[str]:
    """Physics modules that call a function called ``name`` (as ``name(...)`` or ``x.name(...)``)."""
    found = set()
    for path in sorted(PHYSICS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                if (isinstance(f, ast.Name) and f.id == name) or (isinstance(f, ast.Attribute) and f.attr == name):
                    found.add(path.name)
    return found


def test_the_step_is_written_once():
    # the integrator, the engine, the attitude and the guidance laws are used by the one step only
    # (dynamics.rk4_step is the array convenience around the same rk4)
    assert _calls("rk4") == {"step.py", "dynamics.py"}
    assert _calls("burn") == {"step.py"}
    assert _calls("slew") == {"step.py"}
    assert _calls("e_guidance") == {"step.py"}
    assert _calls("terminal") == {"step.py"}
    assert _calls("propagate") == {"step.py"}
    assert _calls("step_run") == {"step.py"}
