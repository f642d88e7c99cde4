"""How many lines of code the engine is: a learner should be able to read it in one sitting.

Counts the lines of autograd.py, tensor.py, functional.py, gradients.py and ops/
that hold code: docstrings, comments and blank lines are left out (a statement
spread over several lines counts each of them). Usage:

    python benchmarks/engine_lines.py [ROOT] [--quick] [--json PATH]

ROOT is a checkout of tinygrad-edu (default: this one). Counting takes well under
a second, so --quick (which the other benchmarks take for CI) changes nothing.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
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


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """The command line: an optional checkout to count, --quick, --json."""
    parser = argparse.ArgumentParser(
        description="Count the engine's lines of code (docstrings, comments, blanks left out)."
    )
    parser.add_argument(
        "root",
        nargs="?",
        default=str(Path(__file__).resolve().parents[1]),
        help="a checkout of tinygrad-edu (default: the one this script is in)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="accepted for CI like the other benchmarks"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the counts to PATH as JSON")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    package = Path(args.root) / "tinygrad_edu"
    if not (package / "autograd.py").is_file():
        sys.exit(f"engine_lines.py: {args.root!r} is not a tinygrad-edu checkout (no {package})")
    files = []
    for name in ENGINE:
        path = package / name
        files.extend(sorted(path.glob("*.py")) if path.is_dir() else [path])
    counts = {}
    for path in files:
        name = str(path.relative_to(package))
        counts[name] = code_lines(path)
        print(f"{counts[name]:6d}  {name}")
    total = sum(counts.values())
    print(f"{total:6d}  engine total")
    if args.json:
        Path(args.json).write_text(json.dumps({"files": counts, "total": total}, indent=2))
    return total


if __name__ == "__main__":
    main(sys.argv[1:])
