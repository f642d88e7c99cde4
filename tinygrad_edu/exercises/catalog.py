"""The course: the exercises in the order a course teaches them.

Each exercise is one file a student edits (`ex01_add_mul.py`, ...). Its stub
lives in `exercises/stubs/`, its reference solution in `exercises/solutions/`
(never copied into a student's folder), and its checks in `exercises/checks/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUBS = HERE / "stubs"
SOLUTIONS = HERE / "solutions"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its number, short name, title and what the student's file must define."""

    number: int
    name: str
    title: str
    defines: tuple[str, ...]  # names the student's file must define itself (not import)

    @property
    def filename(self) -> str:
        """The student's file, e.g. "ex01_add_mul.py"."""
        return f"ex{self.number:02d}_{self.name}.py"


EXERCISES = [
    Exercise(
        1, "add_mul", "Add and Mul backward, with broadcasting", ("unbroadcast", "Add", "Mul")
    ),
    Exercise(2, "elementwise", "Exp, Log, Tanh and Sigmoid", ("Exp", "Log", "Tanh", "Sigmoid")),
    Exercise(3, "matmul", "MatMul backward", ("MatMul",)),
    Exercise(4, "sum_mean", "Sum and Mean with axis and keepdims", ("Sum", "mean")),
    Exercise(5, "backward", "The backward walk", ("topological_order", "backward")),
    Exercise(6, "max", "Max, with ties", ("Max",)),
    Exercise(
        7,
        "softmax",
        "Softmax and cross-entropy from logits",
        ("softmax", "log_softmax", "cross_entropy"),
    ),
    Exercise(8, "dense", "A Dense layer and Glorot initialization", ("glorot_uniform", "Dense")),
    Exercise(9, "optimizers", "SGD with momentum, and Adam", ("SGD", "Adam")),
    Exercise(10, "train_step", "One training step", ("train_step",)),
    Exercise(11, "conv2d", "conv2d from sliding windows and a matrix product", ("conv2d",)),
    Exercise(12, "max_pool", "Max pooling", ("max_pool2d",)),
    Exercise(13, "batchnorm", "Batch normalization, training and inference", ("batch_norm",)),
    Exercise(14, "dropout", "Dropout", ("dropout",)),
    Exercise(15, "lstm", "An LSTM cell, backpropagated through time", ("lstm_step", "lstm")),
]


def find(key: str | int) -> Exercise:
    """The exercise named by `key`: its number ("3", 3), name ("matmul") or file name.

    Raises:
        KeyError: no exercise has that number or name (the message lists them).
    """
    text = str(key).strip().removesuffix(".py").removesuffix(".ipynb")
    for exercise in EXERCISES:
        if text in (
            exercise.name,
            exercise.filename[:-3],
            str(exercise.number),
            f"{exercise.number:02d}",
        ):
            return exercise
    known = ", ".join(f"{e.number} {e.name}" for e in EXERCISES)
    raise KeyError(f"no exercise {key!r}; the exercises are: {known}")
