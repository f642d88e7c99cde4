"""The capstone: train an MLP on MNIST with nothing but the student's code in the engine.

Every exercise's work is put in at once: their Add, Mul, Exp, Log, Tanh,
Sigmoid, MatMul, Sum and Max run every op the model records, their walk runs
`backward()`, and the model is built from their Dense, trained by their Adam
through their `train_step` on their cross-entropy. When the exercises are
right, this reaches the same accuracy as the engine's own code: about 0.97 on
MNIST after a few epochs.

    tinygrad-edu exercises train course/ --dataset mnist --epochs 3
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np

from tinygrad_edu import manual_seed
from tinygrad_edu.autograd import no_grad
from tinygrad_edu.exercises.catalog import find
from tinygrad_edu.exercises.grader import load_student_module
from tinygrad_edu.exercises.plugin import use_backward, use_ops
from tinygrad_edu.nn import Sequential
from tinygrad_edu.tensor import Tensor

# The student's classes that replace the engine's ops, by exercise.
OPS = {
    "add_mul": ("Add", "Mul"),
    "elementwise": ("Exp", "Log", "Tanh", "Sigmoid"),
    "matmul": ("MatMul",),
    "sum_mean": ("Sum",),
    "max": ("Max",),
}


def load_course(folder: str | Path) -> dict[str, ModuleType]:
    """Each exercise module of the student's folder that the capstone needs, by name.

    Raises:
        FileNotFoundError: an exercise's file is missing.
    """
    folder = Path(folder)
    needed = [*OPS, "backward", "softmax", "dense", "optimizers", "train_step"]
    modules = {}
    for name in needed:
        path = (folder / find(name).filename).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"capstone: {path.name} is not in {folder}")
        modules[name] = load_student_module(path)
    return modules


@contextlib.contextmanager
def students_engine(course: dict[str, ModuleType]) -> Iterator[None]:
    """Inside the block the engine runs the student's ops and backward walk."""
    ops = {
        name: getattr(course[exercise], name) for exercise, names in OPS.items() for name in names
    }
    with use_ops(**ops), use_backward(course["backward"].backward):
        yield


def train_mlp(
    folder: str | Path,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    epochs: int = 3,
    batch_size: int = 64,
    hidden: int = 128,
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> tuple[list[float], float]:
    """Train Dense(hidden, relu) -> Dense(classes) with the student's code alone.

    Args:
        folder: the student's folder (every exercise the capstone needs must be there).
        x_train, x_test: (samples, features) float32 in [0, 1]; y_train, y_test: class indices.
        epochs, batch_size, hidden, learning_rate, seed: the usual training settings.
    Returns:
        (the mean loss of each epoch, the accuracy on the test set).
    Raises:
        FileNotFoundError: an exercise's file is missing from `folder`.
    """
    course = load_course(folder)
    classes = int(max(y_train.max(), y_test.max())) + 1
    manual_seed(seed)
    dense = course["dense"].Dense
    model = Sequential([dense(hidden, activation="relu"), dense(classes)])
    model(Tensor(x_train[:1]))  # build, so the optimizer gets the parameters
    optimizer = course["optimizers"].Adam(model.parameters(), learning_rate=learning_rate)
    cross_entropy = course["softmax"].cross_entropy

    def loss_fn(y_true, logits):  # Keras's argument order, as train_step calls it
        return cross_entropy(logits, y_true)

    order_rng = np.random.default_rng(seed)
    epoch_losses = []
    with students_engine(course):
        for _ in range(epochs):
            order = order_rng.permutation(len(x_train))
            losses = []
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                step = course["train_step"].train_step
                losses.append(step(model, optimizer, loss_fn, Tensor(x_train[rows]), y_train[rows]))
            epoch_losses.append(float(np.mean(losses)))
        with no_grad():
            predictions = np.concatenate(
                [
                    model(Tensor(x_test[start : start + 1000]), training=False).data.argmax(axis=-1)
                    for start in range(0, len(x_test), 1000)
                ]
            )
    return epoch_losses, float((predictions == y_test).mean())
