"""The documentation site: every page is in the navigation, and the lessons keep their shape.

`mkdocs build --strict` (run by `.ci/run`) catches broken links, missing API
references and notebooks that fail; these quick checks catch what it cannot:
a page written under docs/ but never added to `mkdocs.yml`'s nav (it would be
built but unreachable), a lesson that does not say what it teaches, and Python
in a page that does not even parse.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"


def nav_entries() -> list[str]:
    """The files `mkdocs.yml`'s nav lists, relative to docs/ (read without a YAML parser)."""
    text = (ROOT / "mkdocs.yml").read_text()
    nav = text[text.index("\nnav:") :]
    return re.findall(r":\s*([\w./-]+\.(?:md|py|ipynb))\s*$", nav, flags=re.M)


def pages() -> list[str]:
    """Every Markdown page under docs/ (the lessons live in notebooks/, linked as docs/lessons)."""
    return sorted(
        str(path.relative_to(DOCS))
        for path in DOCS.rglob("*.md")
        if "lessons" not in path.relative_to(DOCS).parts
    )


def lessons() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_every_page_under_docs_is_in_the_nav() -> None:
    listed = set(nav_entries())
    missing = [page for page in pages() if page not in listed]
    assert not missing, (
        f"pages under docs/ that mkdocs.yml's nav does not list: {missing}; add each "
        "under `nav:` in mkdocs.yml (e.g. `  - Tensor ops: tensor-ops.md`)"
    )
    assert len(pages()) >= 10


def test_every_lesson_notebook_is_in_the_nav_and_every_nav_entry_exists() -> None:
    listed = set(nav_entries())
    missing = [f"lessons/{path.name}" for path in lessons() if f"lessons/{path.name}" not in listed]
    assert not missing, f"notebooks/ lessons missing from mkdocs.yml's nav: {missing}"
    absent = [entry for entry in listed if not (DOCS / entry).exists()]
    assert not absent, f"mkdocs.yml's nav lists files that do not exist: {absent}"
    assert (DOCS / "lessons").resolve() == NOTEBOOKS.resolve()


@pytest.mark.parametrize("path", lessons(), ids=lambda path: path.stem)
def test_each_lesson_opens_with_its_goal_and_closes_with_exercises(path: Path) -> None:
    text = path.read_text()
    text = text[text.index("# %%") :]  # after Jupytext's header (the kernel to use)
    assert text.startswith("# %% [markdown]\n# # Lesson "), "a lesson starts with its title"
    opening = text[:1500]
    assert "By the end of this lesson" in opening, "a lesson says first what it teaches"
    cells = text.split("# %%")
    assert "## Exercises" in cells[-1], "a lesson closes with exercises"


def test_there_are_seven_lessons() -> None:
    assert [path.name[:2] for path in lessons()] == [f"{n:02d}" for n in range(1, 8)]


def test_python_in_the_pages_parses() -> None:
    broken = []
    for page in pages():
        text = (DOCS / page).read_text()
        blocks = re.findall(r"^([ \t]*)```python\n(.*?)^\1```", text, flags=re.S | re.M)
        for number, (_, block) in enumerate(blocks):
            try:
                ast.parse(textwrap.dedent(block))  # a block inside a list item is indented
            except SyntaxError as error:
                broken.append(f"{page}, python block {number + 1}: {error}")
    assert not broken, "\n".join(broken)
