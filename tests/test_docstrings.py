"""Every public class, function and method of the user-facing modules has a docstring a
user can act on: it exists, a function whose body raises says so under "Raises", and a
function with several arguments explains them under "Args".

The check reads the source with `ast` (nothing is imported or run), so it takes a few
milliseconds. A class's docstring speaks for its `__init__`, as in Keras and NumPy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_edu"
MODULES = [
    "tensor.py",
    "gradients.py",
    "creation.py",
    "tensor_functions.py",
    "nn/module.py",
    "nn/layers.py",
    "nn/convolutional.py",
    "nn/conv_transpose.py",
    "nn/depthwise.py",
    "nn/pooling.py",
    "nn/resizing.py",
    "resampling.py",
    "nn/normalization.py",
    "nn/reshaping.py",
    "nn/input_layer.py",
    "nn/activations.py",
    "nn/losses.py",
    "nn/optimizers.py",
    "nn/schedules.py",
    "nn/models.py",
    "nn/sequential.py",
    "nn/initializers.py",
    "nn/metrics.py",
    "nn/callbacks.py",
    "nn/saving.py",
    "nn/serialization.py",
    "exercises/__init__.py",
    "exercises/plugin.py",
    "exercises/notebooks.py",
    "exercises/capstone.py",
    "exercises/report.py",
]
# Arguments a reader never needs explained.
OBVIOUS = {"self", "cls", "args", "kwargs"}
# From this many explained-worthy arguments on, a docstring needs an "Args:" section.
ARGS_SECTION_FROM = 4


def is_public(name: str) -> bool:
    return not name.startswith("_") or name in ("__init__", "__call__")


def raises_directly(function: ast.FunctionDef) -> bool:
    """True when the function's own body (not a function nested inside it) has a `raise`."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def is_setter(function: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Attribute) and d.attr == "setter" for d in function.decorator_list)


def argument_names(function: ast.FunctionDef) -> list[str]:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return [a.arg for a in every if a.arg not in OBVIOUS]


def problems_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []

    def check(node: ast.AST, owner: ast.ClassDef | None, prefix: str) -> None:
        getters: dict[str, str] = {}
        for child in node.body:
            if not isinstance(child, (ast.FunctionDef, ast.ClassDef)) or not is_public(child.name):
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{child.lineno} {prefix}{child.name}"
            if isinstance(child, ast.ClassDef):
                if not ast.get_docstring(child):
                    found.append(f"{where}: no docstring")
                check(child, child, f"{prefix}{child.name}.")
                continue
            # A class's docstring documents its constructor (or the constructor's own
            # does); a property's getter documents its setter.
            if child.name == "__init__" and owner is not None:
                doc = (ast.get_docstring(owner) or "") + (ast.get_docstring(child) or "")
            elif is_setter(child):
                doc = getters.get(child.name, "")
            else:
                doc = getters[child.name] = ast.get_docstring(child) or ""
                if not doc:
                    found.append(f"{where}: no docstring")
                    continue
            if raises_directly(child) and "Raises" not in doc:
                found.append(f"{where}: raises, but its docstring has no 'Raises' section")
            if len(argument_names(child)) >= ARGS_SECTION_FROM and "Args" not in doc:
                found.append(f"{where}: takes {argument_names(child)} but has no 'Args' section")

    check(tree, None, "")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_has_a_docstring_that_says_what_it_raises(module: str) -> None:
    problems = problems_in(PACKAGE / module)
    assert not problems, "docstrings to write:\n" + "\n".join(problems)


def test_the_check_finds_a_missing_docstring_and_an_unlisted_raise(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "def silent(x):\n    return x\n\n"
        "def loud(x):\n    '''Double x.'''\n    if x < 0:\n        raise ValueError(x)\n"
        "    return 2 * x\n\n"
        "class Thing:\n    '''A thing.'''\n\n"
        "    def __init__(self, a, b, c, d):\n        self.a = a\n"
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path.parent
    try:
        problems = problems_in(source)
    finally:
        PACKAGE = saved
    assert any("silent: no docstring" in p for p in problems)
    assert any("loud: raises" in p for p in problems)
    assert any("Thing.__init__: takes ['a', 'b', 'c', 'd']" in p for p in problems)
    assert len(problems) == 3
