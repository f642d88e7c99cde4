"""Each exercise as a Jupyter notebook: the stub in one cell, the grade in the next.

The stub cell starts with `%%writefile ex03_matmul.py`, so running it saves the
student's edits as the file the grader reads; the grade cell grades that file
and shows the feedback. The notebooks are written in nbformat 4 JSON directly
(the format is small and documented at https://nbformat.readthedocs.io), so no
Jupyter package is needed to make them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tinygrad_edu.exercises.catalog import EXERCISES, STUBS, Exercise


def _cell(kind: str, source: str, cell_id: str) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "id": cell_id,  # nbformat 4.5 asks every cell for a unique id
        "metadata": {},
        "source": source.splitlines(True),
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def notebook(exercise: Exercise) -> dict[str, Any]:
    """The notebook of one exercise, as nbformat 4 JSON (a dict)."""
    stub = (STUBS / exercise.filename).read_text(encoding="utf-8")
    intro = (
        f"# Exercise {exercise.number}: {exercise.title}\n\n"
        "Edit the code cell below where it says TODO and run it: it saves your work as "
        f"`{exercise.filename}`. Then run the grade cell. The grader runs your code inside the "
        "real engine and says which property failed, the smallest input that shows it, "
        "expected against got, and a hint."
    )
    grade = f'from tinygrad_edu.exercises import grade\n\ngrade(".", ["{exercise.name}"])'
    return {
        "cells": [
            _cell("markdown", intro, f"ex{exercise.number:02d}-intro"),
            _cell(
                "code", f"%%writefile {exercise.filename}\n{stub}", f"ex{exercise.number:02d}-stub"
            ),
            _cell("code", grade, f"ex{exercise.number:02d}-grade"),
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_notebooks(folder: str | Path) -> list[Path]:
    """Write `exNN_name.ipynb` for every exercise into `folder`; returns the paths.

    Each file is written to a temporary name and renamed, so a reader never sees
    half a notebook.

    Raises:
        NotADirectoryError: `folder` exists and is a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"exercises notebooks: {folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for exercise in EXERCISES:
        target = folder / exercise.filename.replace(".py", ".ipynb")
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(notebook(exercise), file, indent=1)
            file.write("\n")
        os.replace(temporary, target)
        written.append(target)
    return written
