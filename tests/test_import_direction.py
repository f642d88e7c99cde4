"""Imports run one way: the engine (autograd, tensor, ops) knows nothing of nn, viz or keras.

Checked twice: at import time (a fresh interpreter imports the engine and must
not have loaded those packages) and at run time (every import statement of the
engine's modules, inside functions too, followed through the package, never
reaches them).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tinygrad_edu

PACKAGE = Path(tinygrad_edu.__file__).parent
ENGINE = ("tinygrad_edu.autograd", "tinygrad_edu.tensor", "tinygrad_edu.ops")
ABOVE_THE_ENGINE = ("tinygrad_edu.nn", "tinygrad_edu.viz", "tinygrad_edu.keras")


def _file_of(module: str) -> Path | None:
    relative = Path(*module.split(".")[1:])
    for candidate in (PACKAGE / relative / "__init__.py", PACKAGE / f"{relative}.py"):
        if candidate.exists():
            return candidate
    return None


def _imported_modules(path: Path, module: str) -> set[str]:
    """Every tinygrad_edu module an import statement in `path` names, wherever it stands."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # from pkg import submodule
    return {name for name in found if name.startswith("tinygrad_edu") and _file_of(name)}


def _reachable(roots: tuple[str, ...]) -> dict[str, str]:
    """module -> the module whose import statement first reached it, from `roots`."""
    reached = {root: "" for root in roots}
    queue = list(roots)
    while queue:
        module = queue.pop()
        parts = module.split(".")
        parents = [".".join(parts[:i]) for i in range(2, len(parts))]  # packages run first
        for name in (*parents, *_imported_modules(_file_of(module), module)):
            if name not in reached and _file_of(name):
                reached[name] = module
                queue.append(name)
    return reached


def test_the_engine_never_imports_nn_viz_or_keras_not_even_inside_a_function():
    reached = _reachable(ENGINE)
    wrong = {m: by for m, by in reached.items() if m.startswith(ABOVE_THE_ENGINE)}
    assert not wrong, f"the engine reaches {wrong} (module: the module importing it)"
    assert "tinygrad_edu.fused.nodes" in reached  # the walk does follow imports


def test_the_check_would_catch_an_import_of_nn():
    reached = _reachable(("tinygrad_edu.nn.module",))
    assert "tinygrad_edu.nn.config" in reached and "tinygrad_edu.tensor" in reached


def test_importing_the_engine_loads_none_of_nn_viz_or_keras():
    code = (
        "import sys; import tinygrad_edu.autograd, tinygrad_edu.tensor, tinygrad_edu.ops; "
        f"print(sorted(m for m in sys.modules if m.startswith({ABOVE_THE_ENGINE!r})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert loaded.stdout.strip() == "[]"


def test_nn_module_does_not_import_the_file_format_and_models_not_sequential():
    def direct_imports(module: str) -> set[str]:
        return _imported_modules(_file_of(module), module)

    assert "tinygrad_edu.nn.saving" not in direct_imports("tinygrad_edu.nn.module")
    assert "tinygrad_edu.nn.config" in direct_imports("tinygrad_edu.nn.module")
    assert "tinygrad_edu.nn.sequential" not in direct_imports("tinygrad_edu.nn.models")
    assert "tinygrad_edu.nn.models" in direct_imports("tinygrad_edu.nn.sequential")


def test_the_packages_above_the_engine_load_on_first_use() -> None:
    # As torch.nn after `import torch`: tg.nn, tg.viz, tg.keras without importing them first,
    # and `import tinygrad_edu` alone loads none of them.
    code = (
        "import sys, tinygrad_edu as tg\n"
        "assert not any(m in sys.modules for m in "
        "('tinygrad_edu.nn', 'tinygrad_edu.viz', 'tinygrad_edu.keras'))\n"
        "assert tg.nn.Dense is tg.keras.layers.Dense\n"
        "assert callable(tg.viz.draw_graph) and dir(tg).count('nn') == 1\n"
        "try:\n    tg.no_such_thing\nexcept AttributeError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "has no attribute 'no_such_thing'" in done.stdout
