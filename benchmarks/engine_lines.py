"""How many lines of code the engine is: a learner should be able to read it in one sitting.

Counts the lines of autograd.py, tensor.py, functional.py, gradients.py and ops/
that hold code: docstrings, comments and blank lines are left out (a statement
spread over several lines counts each of them). Usage:

    python benchmarks/engine_lines.py [repository root, default: this checkout]
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

ENGINE = ("autograd.py", "tensor.py", "functional.py", "gradients.py", "ops")
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}


def docstring_lines(tree: ast.Module) -> set[int]:
    """The line numbers of every module, class and function docstring."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def code_lines(path: Path) -> int:
    """Lines of `path` that hold a token of code (not a comment, docstring or blank)."""
    source = path.read_text()
    docstrings = docstring_lines(ast.parse(source))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in SKIPPED or token.type == tokenize.ENDMARKER:
            continue
        lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in docstrings)
    return len(lines)


def main(argv: list[str]) -> int:
    package = Path(argv[0] if argv else Path(__file__).resolve().parents[1]) / "tinygrad_edu"
    files = []
    for name in ENGINE:
        path = package / name
        files.extend(sorted(path.glob("*.py")) if path.is_dir() else [path])
    total = 0
    for path in files:
        count = code_lines(path)
        total += count
        print(f"{count:6d}  {path.relative_to(package)}")
    print(f"{total:6d}  engine total")
    return total


if __name__ == "__main__":
    main(sys.argv[1:])
