"""The walkthrough "How one training step runs" (docs/training-step.md) names real code.

Every `path::name` it cites (a file of the package, then a function, class or
`Class.method` in it) must exist, so the walkthrough cannot silently go stale when
code moves. The check reads the files with `ast`; nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "training-step.md"  # it was a section of the README before the site
REFERENCE = re.compile(r"(tinygrad_edu/[\w/]+\.py)::([\w.]+)")
FILE = re.compile(r"`(tinygrad_edu/[\w/]+\.py)`")


def walkthrough() -> str:
    return PAGE.read_text()


def defines(path: Path, qualified_name: str) -> bool:
    """True when `path` defines `qualified_name` ("f", "Class" or "Class.method")."""
    scope: list[ast.stmt] = ast.parse(path.read_text()).body
    for part in qualified_name.split("."):
        found = next(
            (
                node
                for node in scope
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == part
            ),
            None,
        )
        if found is None:
            return False
        scope = found.body
    return True


def test_the_walkthrough_cites_enough_code_to_follow_a_step() -> None:
    cited = {match.groups() for match in REFERENCE.finditer(walkthrough())}
    files = {path for path, _ in cited}
    # The path of a step: loop, step, layers, recording, loss, walk, ops, optimizer.
    for needed in (
        "tinygrad_edu/nn/models.py",
        "tinygrad_edu/nn/training.py",
        "tinygrad_edu/nn/layers.py",
        "tinygrad_edu/functional.py",
        "tinygrad_edu/autograd.py",
        "tinygrad_edu/nn/losses.py",
        "tinygrad_edu/tensor.py",
        "tinygrad_edu/ops/elementwise.py",
        "tinygrad_edu/nn/optimizers.py",
    ):
        assert needed in files, f"the walkthrough cites nothing in {needed}"


def test_every_function_the_walkthrough_cites_exists() -> None:
    section = walkthrough()
    missing = []
    for path, name in sorted({match.groups() for match in REFERENCE.finditer(section)}):
        if not (ROOT / path).is_file():
            missing.append(f"{path} (no such file)")
        elif not defines(ROOT / path, name):
            missing.append(f"{path}::{name} (not defined there)")
    for path in sorted(set(FILE.findall(section))):
        if not (ROOT / path).is_file():
            missing.append(f"{path} (no such file)")
    assert not missing, "docs/training-step.md cites code that is not there:\n" + "\n".join(missing)


def test_the_check_notices_a_name_that_is_not_there() -> None:
    models = ROOT / "tinygrad_edu/nn/models.py"
    assert defines(models, "Model.fit")
    assert not defines(models, "Model.no_such_method")
    assert not defines(models, "NoSuchClass")
