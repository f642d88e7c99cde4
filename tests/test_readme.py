"""The README is a front page: short, its example prints what it says, every page linked.

Its two set-up commands must keep working as written, so `.ci/run` must run the
test command exactly as the README gives it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_docs import nav_entries

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
NUMBER = re.compile(r"-?\d+\.\d+")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def test_the_readme_fits_on_a_few_screens() -> None:
    assert len(README.splitlines()) <= 150


def test_the_two_setup_commands_are_there_and_ci_runs_the_test_command() -> None:
    commands = re.findall(r"^    (python3 -m venv .*)$", README, flags=re.M)
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert main_job.endswith("python -m tinygrad_edu --out out")
    assert tests.endswith('pip install -e ".[test]" && python -m pytest')
    assert tests in (ROOT / ".ci" / "run").read_text().splitlines()


def same_output(printed: str, claimed: str) -> bool:
    """Equal line by line, where a decimal number may differ by one in its last digit shown."""
    printed_lines, claimed_lines = printed.strip().splitlines(), claimed.strip().splitlines()
    if len(printed_lines) != len(claimed_lines):
        return False
    for got, want in zip(printed_lines, claimed_lines):
        if NUMBER.sub("#", got) != NUMBER.sub("#", want):
            return False
        for a, b in zip(NUMBER.findall(got), NUMBER.findall(want)):
            last_digit = 10.0 ** -len(b.split(".")[1])
            if abs(float(a) - float(b)) > last_digit * 1.01:
                return False
    return True


def test_the_output_check_notices_a_wrong_claim() -> None:
    assert same_output("test accuracy: 0.95\n(64, 32)", "test accuracy: 0.94\n(64, 32)")
    assert not same_output("test accuracy: 0.91\n(64, 32)", "test accuracy: 0.94\n(64, 32)")
    assert not same_output("(64, 16)", "(64, 32)")


@pytest.mark.usefixtures("requires_dot")
def test_the_example_prints_what_the_readme_says(tmp_path: Path) -> None:
    (code,) = blocks("python")
    (claimed,) = blocks("text")
    assert len(code.splitlines()) <= 25, "the example stays about twenty lines"
    environment = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert same_output(run.stdout, claimed), f"printed:\n{run.stdout}\nREADME says:\n{claimed}"
    assert "<svg" in (tmp_path / "backward.html").read_text()


def test_the_picture_is_there() -> None:
    pictures = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", README)
    assert len(pictures) == 1
    assert (ROOT / pictures[0]).is_file()


def test_every_page_of_the_site_is_linked_from_the_readme() -> None:
    linked = set(re.findall(r"\]\(([^)#]+)", README))
    missing = []
    for entry in nav_entries():
        target = f"notebooks/{entry[len('lessons/') :]}" if entry.startswith("lessons/") else entry
        target = target if target.startswith("notebooks/") else f"docs/{entry}"
        if entry != "index.md" and target not in linked:
            missing.append(target)
    assert not missing, f"site pages the README does not link to: {missing}"
    broken = [link for link in linked if "://" not in link and not (ROOT / link).exists()]
    assert not broken, f"README links to files that do not exist: {broken}"
