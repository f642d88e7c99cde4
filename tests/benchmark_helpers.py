"""Helpers shared by the tests of the benchmark scripts and their NumPy references."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def central_differences(model, x, labels, step=1e-6) -> list[np.ndarray]:
    """d loss / d parameter, one entry at a time: (loss(p + h) - loss(p - h)) / 2h.

    `model` is a hand-written reference (`parameters()` and `forward_backward(x, labels)`,
    whose first result is the loss); each parameter is nudged in place and restored.
    """
    gradients = []
    for parameter in model.parameters():
        gradient = np.zeros_like(parameter)
        for index in np.ndindex(parameter.shape):
            saved = parameter[index]
            parameter[index] = saved + step
            above = model.forward_backward(x, labels)[0]
            parameter[index] = saved - step
            below = model.forward_backward(x, labels)[0]
            parameter[index] = saved
            gradient[index] = (above - below) / (2 * step)
        gradients.append(gradient)
    return gradients


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    """Run `benchmarks/name` with `args` in a fresh Python; assert it exits 0."""
    # One BLAS thread: on a 2-core machine shared with other work, OpenBLAS's threads wait
    # on each other and a quick run can take a minute instead of seconds.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done
