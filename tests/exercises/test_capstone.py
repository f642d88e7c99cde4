"""The capstone: the reference solutions, put into the engine together, train real classifiers."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tinygrad_edu import autograd, ops
from tinygrad_edu.__main__ import load_dataset, main
from tinygrad_edu.datasets import mnist
from tinygrad_edu.datasets.download import DatasetNotFoundError
from tinygrad_edu.exercises import find, solutions_folder
from tinygrad_edu.exercises.capstone import train_mlp

ENGINE = {name: getattr(ops, name) for name in ("Add", "Mul", "MatMul", "Sum", "Max", "Exp", "Log")}


def digits_slice():
    (x_train, y_train), (x_test, y_test) = load_dataset("digits")
    return x_train[:600], y_train[:600], x_test, y_test


def test_the_reference_solutions_train_the_digits_through_the_students_engine():
    engine_walk = autograd.run_backward
    losses, accuracy = train_mlp(
        solutions_folder(), *digits_slice(), epochs=3, batch_size=32, hidden=32, learning_rate=0.01
    )
    assert accuracy >= 0.85 and losses[-1] < losses[0]
    assert {name: getattr(ops, name) for name in ENGINE} == ENGINE  # the engine's ops are back
    assert autograd.run_backward is engine_walk


def test_the_capstone_runs_the_students_matmul(tmp_path):
    # A MatMul whose backward sends no gradient: the kernels never learn, so the
    # accuracy stays far below what the right one reaches on the same data.
    folder = tmp_path / "course"
    shutil.copytree(solutions_folder(), folder, ignore=shutil.ignore_patterns("__*"))
    path = folder / find("matmul").filename
    path.write_text(
        path.read_text().replace(
            "return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)",
            "return unbroadcast(grad_a * 0.0, a.shape), unbroadcast(grad_b * 0.0, b.shape)",
        )
    )
    _, accuracy = train_mlp(
        folder, *digits_slice(), epochs=3, batch_size=32, hidden=32, learning_rate=0.01
    )
    assert accuracy < 0.6


def test_the_train_command_reports_the_accuracy(capsys):
    assert main(["exercises", "train", str(solutions_folder()), "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "epoch 1: loss" in out and "test accuracy with your engine: 0." in out


@pytest.mark.slow
def test_the_reference_solutions_train_the_mnist_mlp_to_97_percent():
    try:
        (x_train, y_train), (x_test, y_test) = mnist.load_data(download=False)
    except DatasetNotFoundError:
        pytest.skip("MNIST files not found: set TINYGRAD_EDU_DATA (CI uses ../shared/datasets)")
    prepare = lambda images: (images.reshape(len(images), -1) / 255.0).astype(np.float32)  # noqa: E731
    losses, accuracy = train_mlp(
        solutions_folder(), prepare(x_train), y_train.astype(np.int64), prepare(x_test),
        y_test.astype(np.int64), epochs=3,
    )  # fmt: skip
    assert accuracy >= 0.97, (losses, accuracy)
