"""What grading gives back: a verdict per check, a score per exercise, a report for all.

`str(report)` is the feedback a student reads (a notebook cell shows it too);
`report.as_dict()` is what `tinygrad-edu exercises grade --json` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinygrad_edu.exercises.catalog import Exercise


@dataclass
class CheckResult:
    """The verdict on one check."""

    name: str
    points: int
    passed: bool
    message: str = ""
    counterexample: str | None = None
    expected: str | None = None
    got: str | None = None
    hint: str | None = None
    shrunk: bool = False  # the counterexample is the smallest hypothesis found

    def as_dict(self) -> dict[str, Any]:
        """The verdict as plain JSON types."""
        return dict(self.__dict__)


@dataclass
class ExerciseResult:
    """The verdict on one exercise: a score out of its points, and each check's result."""

    exercise: Exercise
    status: str  # "passed", "failed", "stub" (untouched), "missing", "error" (does not import)
    checks: list[CheckResult] = field(default_factory=list)
    message: str = ""

    @property
    def points(self) -> int:
        """The most this exercise can score."""
        return sum(check.points for check in self.checks)

    @property
    def score(self) -> int:
        """The points of the checks that passed."""
        return sum(check.points for check in self.checks if check.passed)

    def as_dict(self) -> dict[str, Any]:
        """The exercise's result as plain JSON types, its checks' verdicts included."""
        return {
            "number": self.exercise.number,
            "name": self.exercise.name,
            "file": self.exercise.filename,
            "title": self.exercise.title,
            "status": self.status,
            "score": self.score,
            "points": self.points,
            "message": self.message,
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass
class Report:
    """Scores per exercise and in total; `passed` only when every graded exercise passed.

    `str(report)` is the feedback for the student (a notebook shows it too);
    `report.as_dict()` is what `--json` prints.
    """

    results: list[ExerciseResult]

    @property
    def score(self) -> int:
        """The total scored."""
        return sum(result.score for result in self.results)

    @property
    def points(self) -> int:
        """The most the graded exercises can score."""
        return sum(result.points for result in self.results)

    @property
    def passed(self) -> bool:
        """True only when every graded exercise passed every check."""
        return all(result.status == "passed" for result in self.results)

    def as_dict(self) -> dict[str, Any]:
        """The whole report as plain JSON types (what `--json` prints)."""
        return {
            "score": self.score,
            "points": self.points,
            "passed": self.passed,
            "exercises": [result.as_dict() for result in self.results],
        }

    def __str__(self) -> str:
        """The feedback for the student, one line per check and a total."""
        lines = []
        for result in self.results:
            exercise = result.exercise
            lines.append(
                f"Exercise {exercise.number} ({exercise.filename}) {exercise.title}: "
                f"{result.score}/{result.points}"
                + ("" if result.status in ("passed", "failed") else f"  [{result.status}]")
            )
            if result.message:
                lines.append(f"    {result.message}")
                continue  # the file as a whole failed: every check failed the same way
            for item in result.checks:
                lines.append(f"  {'PASS' if item.passed else 'FAIL'}  {item.name}")
                if item.passed:
                    continue
                lines.append(f"        {item.message}")
                example = "smallest counterexample" if item.shrunk else "counterexample"
                for label, value in (
                    (example, item.counterexample),
                    ("expected", item.expected),
                    ("got", item.got),
                    ("hint", item.hint),
                ):
                    if value is not None:
                        lines.append(f"        {label}: {value}")
        verdict = "all passed" if self.passed else "not all passed"
        lines.append(f"Total: {self.score}/{self.points} ({verdict})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        """The same feedback: what a notebook cell shows for a Report."""
        return str(self)
