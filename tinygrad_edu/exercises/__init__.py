"""Exercises with an autograder: students write the engine, property-based checks grade it.

    tinygrad-edu exercises new course/            # copy the stubs (never the solutions)
    tinygrad-edu exercises grade course/          # grade every exercise
    tinygrad-edu exercises grade course/ matmul --json

or from Python and from a notebook cell:

    from tinygrad_edu.exercises import grade
    grade("course/", ["add_mul"])                 # a Report; printing it gives the feedback

The grader loads only the student's files. While a check runs, the student's
ops replace the engine's (see `plugin`), so the whole engine runs their code.
Grading needs hypothesis (`pip install tinygrad-edu[exercises]`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from tinygrad_edu.exercises.catalog import EXERCISES, SOLUTIONS, STUBS, Exercise, find
from tinygrad_edu.exercises.grader import EXAMPLES, SHRINK, grade_exercise
from tinygrad_edu.exercises.report import Report

__all__ = ["EXERCISES", "Exercise", "Report", "grade", "new", "find"]


def new(folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Copy every exercise's stub into `folder` (made if need be); returns the files written.

    The reference solutions are never copied. A file the student already has is
    kept unless `overwrite` is True, so running it twice loses no work.

    Raises:
        NotADirectoryError: `folder` exists and is a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"exercises new: {folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for exercise in EXERCISES:
        target = folder / exercise.filename
        if target.exists() and not overwrite:
            continue
        shutil.copyfile(STUBS / exercise.filename, target)
        written.append(target)
    return written


def grade(
    folder: str | Path = ".",
    exercises: Sequence[str | int] | str | int | None = None,
    examples: int | None = None,
    mode: str = "student",
) -> Report:
    """Grade the student's files in `folder`: every exercise, or those named.

    Args:
        folder: the student's working folder (from `new`).
        exercises: numbers or names ("matmul", 3), or None for all.
        examples: hypothesis examples per property (default: 60; 8 in mode "test").
        mode: "student" (thorough: failures shrunk to the smallest counterexample) or
            "test" (quick, no shrinking: for the package's own tests of the grader).
    Returns:
        A Report: `print(report)` for feedback, `report.passed`, `report.as_dict()`.
    Raises:
        KeyError: an unknown exercise name, or an unknown mode.
        FileNotFoundError: `folder` does not exist.
        ImportError: hypothesis is not installed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"exercises grade: no folder {folder}")
    if mode not in EXAMPLES:
        raise KeyError(f"exercises grade: mode must be 'student' or 'test', got {mode!r}")
    try:
        import hypothesis  # noqa: F401  (the checks draw their examples with it)
    except ImportError:
        raise ImportError(
            "exercises grade needs hypothesis: pip install 'tinygrad-edu[exercises]' "
            "(or pip install hypothesis)"
        ) from None
    if exercises is None:
        chosen = list(EXERCISES)
    else:
        keys = [exercises] if isinstance(exercises, (str, int)) else list(exercises)
        chosen = [find(key) for key in keys]
    budget = examples if examples is not None else EXAMPLES[mode]
    return Report([grade_exercise(folder, e, budget, SHRINK[mode]) for e in chosen])


def solutions_folder() -> Path:
    """Where the reference solutions are (for teachers and the package's tests)."""
    return SOLUTIONS
