"""docs/exercises.md: its Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "exercises.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_page_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_a_python_example_runs(number, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the examples write course/ where they run
    exec(compile(BLOCKS[number], f"{PAGE.name} example {number + 1}", "exec"), {})
    if "print(" in BLOCKS[number]:
        assert capsys.readouterr().out
