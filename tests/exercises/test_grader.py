"""The exercise grader: full marks for the reference solutions, lost points for typical mistakes.

Everything here grades in mode "test" (a few hypothesis examples, no shrinking),
which keeps these tests to a few seconds; one test checks shrinking itself.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.exercises.wrong_solutions import WRONG
from tinygrad_edu import ops
from tinygrad_edu.__main__ import main
from tinygrad_edu.exercises import EXERCISES, find, grade, new, solutions_folder
from tinygrad_edu.exercises.catalog import STUBS
from tinygrad_edu.exercises.grader import CHECKS
from tinygrad_edu.exercises.notebooks import write_notebooks

ENGINE_MUL, ENGINE_ADD = ops.Mul, ops.Add


def student_folder(tmp_path: Path, exercise: str | None = None, text: str | None = None) -> Path:
    """A folder with the reference solutions, one file replaced by `text` if given."""
    folder = tmp_path / "student"
    shutil.copytree(solutions_folder(), folder, ignore=shutil.ignore_patterns("__*"))
    if exercise is not None:
        (folder / find(exercise).filename).write_text(text)
    return folder


def reference_text(exercise: str) -> str:
    return (solutions_folder() / find(exercise).filename).read_text()


def test_every_exercise_has_a_stub_a_solution_and_checks():
    import tinygrad_edu.exercises.checks  # noqa: F401  (registers them)

    for exercise in EXERCISES:
        assert (STUBS / exercise.filename).is_file()
        assert (solutions_folder() / exercise.filename).is_file()
        assert len(CHECKS[exercise.name]) >= 4, exercise.name
        assert "raise NotImplementedError" in (STUBS / exercise.filename).read_text()


def test_reference_solutions_score_full_marks(tmp_path):
    report = grade(student_folder(tmp_path), mode="test")
    assert report.passed, str(report)
    assert report.score == report.points > 0
    assert len(report.results) == len(EXERCISES)


@pytest.mark.parametrize("wrong", WRONG, ids=str)
def test_a_typical_mistake_loses_points_and_the_feedback_points_at_it(tmp_path, wrong):
    text = reference_text(wrong.exercise)
    assert wrong.old in text, f"the reference solution changed: {wrong.old!r} is gone"
    folder = student_folder(tmp_path, wrong.exercise, text.replace(wrong.old, wrong.new, 1))
    report = grade(folder, [wrong.exercise], mode="test")
    result = report.results[0]
    assert result.status == "failed", str(report)
    assert result.score < result.points
    failed = [c for c in result.checks if not c.passed]
    feedback = " ".join(f"{c.name} {c.message} {c.hint}" for c in failed)
    assert wrong.feedback in feedback, str(report)
    assert all(c.message for c in failed)


def test_at_least_three_wrong_solutions_per_exercise():
    for exercise in EXERCISES:
        assert sum(w.exercise == exercise.name for w in WRONG) >= 3, exercise.name


def test_untouched_stubs_score_zero(tmp_path):
    new(tmp_path)
    report = grade(tmp_path, mode="test")
    assert report.score == 0 and not report.passed
    assert {r.status for r in report.results} == {"stub"}
    assert "the stub as handed out" in str(report)


def test_an_edited_stub_that_still_raises_scores_zero(tmp_path):
    new(tmp_path)
    path = tmp_path / find("add_mul").filename
    path.write_text(path.read_text() + "\n# started, not finished\n")
    result = grade(tmp_path, ["add_mul"], mode="test").results[0]
    assert result.score == 0 and result.status == "failed"
    assert all("not written yet" in c.message for c in result.checks)
    assert all(f"of {path.name}" in c.message for c in result.checks)  # the line at fault


def test_no_check_passes_on_what_a_stub_gives_for_free(tmp_path):
    # Stubs come with some code (forwards, constructors); every check must still
    # need the student's part, so a touched but unwritten stub scores nothing.
    new(tmp_path)
    for exercise in EXERCISES:
        path = tmp_path / exercise.filename
        path.write_text(path.read_text() + "\n# edited\n")
    report = grade(tmp_path, mode="test")
    passed = [(r.exercise.name, c.name) for r in report.results for c in r.checks if c.passed]
    assert passed == []


@pytest.mark.parametrize(
    "text, words",
    [
        ("def broken(:\n", "SyntaxError at line 1"),
        ("import numpy as np\nraise RuntimeError('oops')\n", "does not import: RuntimeError: oops"),
        ("import not_a_module_anywhere\n", "does not import: ModuleNotFoundError"),
        ("", "does not define unbroadcast"),
        ("from tinygrad_edu.ops import Add, Mul, unbroadcast\n", "not from your file"),
    ],
)
def test_a_file_that_does_not_import_or_define_scores_zero(tmp_path, text, words):
    folder = student_folder(tmp_path, "add_mul", text)
    result = grade(folder, ["add_mul"], mode="test").results[0]
    assert result.score == 0 and result.status == "error"
    assert words in result.message


def test_a_missing_file_scores_zero(tmp_path):
    (tmp_path / "empty").mkdir()
    result = grade(tmp_path / "empty", ["matmul"], mode="test").results[0]
    assert result.status == "missing" and result.score == 0


def test_the_grader_runs_the_students_op_inside_the_engine_and_puts_the_engine_back(tmp_path):
    # A right Mul that also logs each call to a file: the checks must reach it.
    log = tmp_path / "calls.txt"
    text = reference_text("add_mul").replace(
        "    def forward(self, a, b):\n        self.save_for_backward(a, b)",
        "    def forward(self, a, b):\n"
        f"        open({str(log)!r}, 'a').write(str(a.shape) + '\\n')\n"
        "        self.save_for_backward(a, b)",
    )
    report = grade(student_folder(tmp_path, "add_mul", text), ["add_mul"], mode="test")
    assert report.passed, str(report)
    assert len(log.read_text().splitlines()) > 10  # the student's Mul did the multiplying
    assert ops.Mul is ENGINE_MUL and ops.Add is ENGINE_ADD  # and the engine's is back


def test_operators_reach_the_students_op_during_a_check():
    from tinygrad_edu import Tensor
    from tinygrad_edu.exercises.plugin import use_ops

    calls = []

    class CountingMul(ENGINE_MUL):
        def forward(self, a, b):
            calls.append((a.shape, b.shape))
            return super().forward(a, b)

    x = Tensor(np.ones(3), requires_grad=True)
    with use_ops(Mul=CountingMul):
        (x * 2.0).sum().backward()  # forward and, for 2 * grad, nothing else multiplies
        x.tanh() * x  # a Tensor method's own products run the student's op too
    assert calls and ops.Mul is ENGINE_MUL
    with pytest.raises(ZeroDivisionError), use_ops(Mul=CountingMul):
        raise ZeroDivisionError
    assert ops.Mul is ENGINE_MUL  # restored after an exception too


def test_the_package_code_is_never_graded_in_place_of_the_students(tmp_path):
    # The engine's Mul is right; a student's wrong Mul must still fail.
    wrong = reference_text("add_mul").replace("grad * b, a.shape", "grad * a, a.shape")
    result = grade(student_folder(tmp_path, "add_mul", wrong), ["add_mul"], mode="test")
    assert result.results[0].score < result.results[0].points


def test_failures_in_student_mode_report_the_smallest_counterexample(tmp_path):
    wrong = reference_text("add_mul").replace(
        "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
        "return grad * b, grad * a",
    )
    folder = student_folder(tmp_path, "add_mul", wrong)
    report = grade(folder, ["add_mul"], examples=30)
    failed = next(c for c in report.results[0].checks if "Mul.backward" in c.name)
    # Hypothesis shrinks to the simplest shapes that show it: a 0-d tensor against a (2,) one
    assert failed.shrunk and "shape ()" in failed.counterexample
    assert "smallest counterexample" in str(report)


def test_command_line_lists_the_exercises_in_course_order(capsys):
    assert main(["exercises", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == [e.name for e in EXERCISES]
    assert len(EXERCISES) >= 14


def test_command_line_new_grade_json_and_exit_status(tmp_path, capsys):
    assert main(["exercises", "new", str(tmp_path / "course")]) == 0
    assert sorted(p.name for p in (tmp_path / "course").iterdir()) == sorted(
        e.filename for e in EXERCISES
    )
    capsys.readouterr()
    status = main(
        ["exercises", "grade", str(tmp_path / "course"), "1", "--json", "--examples", "3"]
    )
    out = json.loads(capsys.readouterr().out)
    assert status == 1 and out["passed"] is False and out["exercises"][0]["status"] == "stub"
    folder = student_folder(tmp_path, "add_mul", reference_text("add_mul"))
    assert main(["exercises", "grade", str(folder), "add_mul", "--examples", "3"]) == 0
    assert "Total: 8/8 (all passed)" in capsys.readouterr().out
    assert main(["exercises", "grade", str(folder), "no_such_exercise"]) == 2


def test_new_keeps_the_students_work_and_never_copies_solutions(tmp_path):
    new(tmp_path)
    mine = tmp_path / find("matmul").filename
    mine.write_text("# my work\n")
    assert new(tmp_path) == []
    assert mine.read_text() == "# my work\n"
    for path in tmp_path.iterdir():
        assert path.read_text() != (solutions_folder() / path.name).read_text() or path == mine


def test_notebooks_have_a_stub_cell_then_a_grade_cell(tmp_path):
    written = write_notebooks(tmp_path)
    assert len(written) == len(EXERCISES)
    notebook = json.loads(written[0].read_text())
    assert notebook["nbformat"] == 4
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)
    stub_cell, grade_cell = notebook["cells"][1], notebook["cells"][2]
    assert "".join(stub_cell["source"]).startswith(f"%%writefile {EXERCISES[0].filename}\n")
    assert "".join(stub_cell["source"]).endswith((STUBS / EXERCISES[0].filename).read_text())
    assert "grade(" in "".join(grade_cell["source"])
    # The grade cell works from the notebook's folder once the stub cell has written the file.
    (tmp_path / EXERCISES[0].filename).write_text(reference_text(EXERCISES[0].name))
    report = grade(tmp_path, [EXERCISES[0].name], mode="test")
    assert report.passed and "Total" in repr(report)


def test_use_backward_runs_the_students_walk_and_leaves_grad_to_the_engine():
    from tinygrad_edu import Tensor, autograd
    from tinygrad_edu import grad as engine_grad
    from tinygrad_edu.exercises.plugin import use_backward

    engine_walk, seen = autograd.run_backward, []

    x = Tensor(np.ones(2), requires_grad=True)

    def walk(root, seed):
        seen.append(root)
        x.grad = Tensor(np.full(2, 2.0))

    with use_backward(walk):
        y = (x * 3.0).sum()
        y.backward()
        assert seen[0] is y and x.grad.data.tolist() == [2.0, 2.0]  # the walk's doing, not 3s
        (gx,) = engine_grad((x * 3.0).sum(), [x])  # grad() keeps the engine's walk
        assert gx.data.tolist() == [3.0, 3.0]
    assert autograd.run_backward is engine_walk


def test_an_endless_loop_fails_its_check_instead_of_hanging(tmp_path, monkeypatch):
    from tinygrad_edu.exercises import grader

    monkeypatch.setattr(grader, "CHECK_SECONDS", 0.2)
    text = reference_text("add_mul").replace(
        "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
        "while True:\n            pass",
    )
    result = grade(student_folder(tmp_path, "add_mul", text), ["add_mul"], mode="test").results[0]
    assert result.status == "failed"
    assert any("endless loop" in c.message for c in result.checks)


def test_grad_mode_left_off_by_a_student_is_put_back(tmp_path):
    from tinygrad_edu import is_grad_enabled

    text = reference_text("add_mul").replace(
        "    def backward(self, grad):\n        a, b = self.inputs\n",
        "    def backward(self, grad):\n        from tinygrad_edu import no_grad\n\n"
        "        no_grad().__enter__()\n        a, b = self.inputs\n",
    )
    grade(student_folder(tmp_path, "add_mul", text), ["add_mul"], mode="test")
    assert is_grad_enabled()
