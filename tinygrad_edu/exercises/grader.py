"""The grader: load a student's file, run its exercise's checks, say what failed and why.

Only the student's own file is loaded (by its path, under a fresh module name),
and each check calls what that file defines, or the engine with the student's
ops put in through `plugin` (a student's `Mul` runs every `*` for the check).
A check passes or fails as a whole; a failure says which property broke, the
smallest counterexample hypothesis found, expected against got, and a hint.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import linecache
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from tinygrad_edu.autograd import enable_grad
from tinygrad_edu.exercises.catalog import STUBS, Exercise
from tinygrad_edu.exercises.report import CheckResult, ExerciseResult, Report  # noqa: F401

# How many examples hypothesis draws per property, and whether it shrinks a
# failure to the smallest: a student gets a thorough search; the package's own
# tests of the grader a quick one (mode "test"), so they stay fast.
EXAMPLES = {"student": 60, "test": 5}
SHRINK = {"student": True, "test": False}

_module_numbers = itertools.count(1)


class Failure(Exception):
    """A check's verdict against the student's code: what went wrong, for a student to read.

    Args:
        message: which property failed, in a sentence.
        expected, got: the values (or shapes, dtypes) compared, when there are some.
        counterexample: the input that shows it (hypothesis's smallest, where one ran).
    """

    def __init__(
        self, message: str, expected: Any = None, got: Any = None, counterexample: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.got = got
        self.counterexample = counterexample
        self.shrunk = False  # True when hypothesis shrank the counterexample to its smallest


@dataclass
class Check:
    """One property of one exercise, worth `points`, with a hint for when it fails."""

    name: str
    run: Callable[[Student], None]
    hint: str
    points: int = 1


CHECKS: dict[str, list[Check]] = {}


def check(exercise: str, name: str, hint: str, points: int = 1) -> Callable:
    """Decorator that adds a check function `(student) -> None` to `exercise`'s list."""

    def register(run: Callable[[Student], None]) -> Callable[[Student], None]:
        CHECKS.setdefault(exercise, []).append(Check(name, run, hint, points))
        return run

    return register


class Student:
    """What a check sees: the student's module, its file, and the search budget."""

    def __init__(self, module: ModuleType, path: Path, examples: int, shrink: bool = True) -> None:
        self.module = module
        self.path = path
        self.examples = examples
        self.shrink = shrink

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)


# ---------------------------------------------------------------- helpers for checks
def show(value: Any) -> str:
    """A short, readable form of a value for feedback (arrays rounded, long ones cut)."""
    if hasattr(value, "data") and isinstance(getattr(value, "data", None), np.ndarray):
        value = value.data
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, threshold=20, separator=", ")
        return f"{text} (shape {value.shape}, {value.dtype})"
    if isinstance(value, dict):  # named inputs: "a = [...], b = [...]"
        return ", ".join(f"{k} = {show(v)}" for k, v in value.items())
    if isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) for v in value):
        return "(" + ", ".join(show(v) for v in value) + ")"
    text = repr(value)
    return text if len(text) <= 400 else text[:400] + "..."


def expect_close(
    what: str, expected: Any, got: Any, rtol: float = 1e-5, atol: float = 1e-7
) -> None:
    """Raise a Failure unless `got` has `expected`'s shape and values (NaN matches NaN)."""
    if got is None:
        raise Failure(f"{what}: got None", expected=expected, got=None)
    expected_array = np.asarray(getattr(expected, "data", expected))
    got_array = np.asarray(getattr(got, "data", got))
    if expected_array.shape != got_array.shape:
        raise Failure(
            f"{what}: shape {got_array.shape}, but it should be {expected_array.shape}",
            expected=expected_array,
            got=got_array,
        )
    with np.errstate(invalid="ignore"):
        if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
            raise Failure(f"{what}: wrong values", expected=expected_array, got=got_array)


def expect_dtype(what: str, expected: Any, got: Any) -> None:
    """Raise a Failure unless `got` (a Tensor or array) has dtype `expected`."""
    dtype = getattr(got, "dtype", type(got))
    if dtype != np.dtype(expected):
        raise Failure(
            f"{what}: dtype {dtype}, but it should stay {np.dtype(expected)}",
            expected=str(np.dtype(expected)),
            got=str(dtype),
        )


def for_all(
    student: Student,
    strategy: Any,
    prop: Callable[[Any], None],
    first: Sequence[Any] = (),
    names: Sequence[str] = (),
) -> None:
    """Check `prop(example)` on hypothesis-drawn examples; a failure names the smallest one.

    Hypothesis shrinks a failing example to the simplest it can find and runs
    it once more last, so the example recorded last is the one reported. When
    the drawn examples all pass, the cases in `first` (those students are
    known to get wrong) are tried too, so a small search budget misses nothing
    that bug reports show. With `names`, a tuple example is reported by name
    ("a = ..., b = ...").
    """

    def named(example: Any) -> Any:
        if names and isinstance(example, tuple) and len(example) == len(names):
            return dict(zip(names, example))
        return example

    from hypothesis import HealthCheck, Phase, given, settings

    last: dict[str, Any] = {}

    @settings(
        max_examples=student.examples,
        deadline=None,
        database=None,
        derandomize=True,  # the same verdict on every run of the grader
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate) + ((Phase.shrink,) if student.shrink else ()),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def search(drawn: Any) -> None:
        last["example"] = drawn
        prop(drawn)

    try:
        search()
    except Failure as failure:
        failure.counterexample = named(last.get("example"))
        failure.shrunk = student.shrink
        raise
    except Exception as error:
        failure = Failure(raised(error, student), counterexample=named(last.get("example")))
        failure.shrunk = student.shrink
        raise failure from error
    for case in first:
        try:
            prop(case)
        except Failure as failure:
            failure.counterexample = named(case)
            raise
        except Exception as error:
            raise Failure(raised(error, student), counterexample=named(case)) from error


def raised(error: BaseException, student: Student) -> str:
    """'your code raised X: msg (line N of file: code)' for an exception from the student's code."""
    where = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if Path(frame.filename) == student.path:
            line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
            where = f" (line {frame.lineno} of {student.path.name}: {line})"
            break
    if isinstance(error, NotImplementedError):
        return f"not written yet: NotImplementedError{where}"
    advice = ""
    if "returned a gradient of shape" in str(error):
        advice = "; each gradient must have its input's shape (unbroadcast it)"
    if isinstance(error, RecursionError):
        advice = "; a recursive walk runs out of stack on a deep graph: use a loop and a list"
    return f"raised {type(error).__name__}: {error}{where}{advice}"


# ---------------------------------------------------------------- grading
def load_student_module(path: Path) -> ModuleType:
    """Run the student's file as a fresh module (a new name each time, so nothing is reused)."""
    name = f"student_{path.stem}_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def grade_exercise(
    folder: Path, exercise: Exercise, examples: int, shrink: bool = True
) -> ExerciseResult:
    """Grade one exercise from `folder`; any problem with the file scores zero with a message."""
    from tinygrad_edu.exercises import checks  # noqa: F401  (registers every check)

    path = (folder / exercise.filename).resolve()
    checks_of = CHECKS.get(exercise.name, [])

    def zero(status: str, message: str) -> ExerciseResult:
        results = [CheckResult(c.name, c.points, False, message, hint=None) for c in checks_of]
        return ExerciseResult(exercise, status, results, message)

    if not path.is_file():
        return zero("missing", f"{exercise.filename} is not in {folder}")
    text = path.read_text(encoding="utf-8", errors="replace")
    if text == (STUBS / exercise.filename).read_text(encoding="utf-8"):
        return zero("stub", "this is the stub as handed out: write the parts marked TODO")
    linecache.checkcache(str(path))
    try:
        module = load_student_module(path)
    except BaseException as error:  # a SyntaxError, an import that fails, a raise at top level
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        if isinstance(error, SyntaxError):
            message = f"does not run: SyntaxError at line {error.lineno}: {error.msg}"
        else:
            message = f"does not import: {type(error).__name__}: {error}"
        return zero("error", message)
    for name in exercise.defines:
        obj = getattr(module, name, None)
        if obj is None:
            return zero("error", f"{exercise.filename} does not define {name}")
        if getattr(obj, "__module__", module.__name__) != module.__name__:
            return zero(
                "error",
                f"{name} comes from {obj.__module__}, not from your file: the grader grades "
                "what you write, so define it in your file",
            )
    student = Student(module, path, examples, shrink)
    results = [run_check(item, student) for item in checks_of]
    status = "passed" if all(r.passed for r in results) else "failed"
    return ExerciseResult(exercise, status, results)


# The longest one check may take: the reference solutions need well under a second
# each, so a check still running after this is stuck (an endless loop, say).
CHECK_SECONDS = 120.0


class CheckTimeout(BaseException):
    """A check ran past CHECK_SECONDS (a BaseException, so hypothesis does not shrink it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise CheckTimeout in the block after `seconds` (Unix, main thread; elsewhere no limit)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise CheckTimeout(f"still running after {seconds:g} s: is there an endless loop?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_check(item: Check, student: Student) -> CheckResult:
    """Run one check; any exception from the student's code is a failure with its line.

    Grad mode is put back afterwards whatever the student's code left it as
    (enable_grad restores the mode it found on exit).
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), enable_grad():
            warnings.simplefilter("ignore")
            with time_limit(CHECK_SECONDS):
                item.run(student)
    except Failure as failure:
        return CheckResult(
            item.name,
            item.points,
            False,
            failure.message,
            None if failure.counterexample is None else show(failure.counterexample),
            None if failure.expected is None else show(failure.expected),
            None if failure.got is None else show(failure.got),
            item.hint,
            failure.shrunk,
        )
    except (Exception, CheckTimeout) as error:
        return CheckResult(item.name, item.points, False, raised(error, student), hint=item.hint)
    return CheckResult(item.name, item.points, True)
