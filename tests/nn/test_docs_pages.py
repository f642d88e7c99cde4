"""The code in docs/freezing-layers.md, fit-order.md, sequence-models.md runs as it says."""

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def python_blocks(page):
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), re.S)


@pytest.mark.parametrize("page", ["freezing-layers.md", "fit-order.md", "sequence-models.md"])
def test_every_code_block_runs_and_prints_its_comments(page):
    for block in python_blocks(page):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, page, "exec"), {})
        # a `print(...)  # shown` comment holding a Python list is what the line prints
        for shown in re.findall(r"print\(.*\)[ \t]*\n?[ \t]*# (\[.*\])", block):
            assert shown in printed.getvalue(), (page, shown)
