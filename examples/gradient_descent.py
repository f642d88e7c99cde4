"""Gradient descent by hand: find the minimum of f(x) = x^4 - 3x^3 + 2.

The classic first exercise: start somewhere, ask for the slope, take a small
step downhill, repeat until the steps become tiny. Here the slope comes from
the engine (a Tensor and ``backward()``), not from a derivative worked out on
paper, and the update is a plain ``x -= learning_rate * grad`` done under
``no_grad()`` so that the step itself is not recorded in the graph.

Calculus says f'(x) = 4x^3 - 9x^2 = x^2 (4x - 9), so the minimum is at x = 9/4 = 2.25.

    python examples/gradient_descent.py --out out/
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinygrad_edu import Tensor, manual_seed, no_grad
from tinygrad_edu.files import save_figure

TARGET_X = 2.25  # where f has its minimum (see the docstring)


def f(x: Tensor) -> Tensor:
    """The function we minimise, written with ordinary operators on a Tensor."""
    return x**4 - 3 * x**3 + 2


def gradient_descent(
    start: float = 6.0,
    learning_rate: float = 0.01,
    precision: float = 1e-7,
    max_steps: int = 10_000,
) -> tuple[float, list[float]]:
    """Walk downhill from ``start`` until a step is shorter than ``precision``.

    Returns the final x and every x visited (for the picture). float64 is used
    so that the tiny final steps are not lost to rounding.
    """
    x = Tensor(np.float64(start), requires_grad=True, name="x")
    path = [start]
    for _ in range(max_steps):
        x.grad = None  # forget the previous slope, or backward would add to it
        f(x).backward()
        step = learning_rate * x.grad.item()
        with no_grad():  # the update is not part of the function we differentiate
            x -= step
        path.append(x.item())
        if abs(step) < precision:
            break
    return x.item(), path


def plot_descent(path_of_x: list[float], out_dir: Path) -> Path | None:
    """Draw f and the points gradient descent visited; None when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the figure (pip install matplotlib)")
        return None
    xs = np.linspace(-1.0, 6.2, 400)
    visited = np.array(path_of_x)
    figure = Figure(figsize=(6, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(xs, xs**4 - 3 * xs**3 + 2, label="f(x) = x^4 - 3x^3 + 2")
    axes.plot(visited, visited**4 - 3 * visited**3 + 2, "o-", markersize=3, label="steps")
    axes.axvline(TARGET_X, color="gray", linestyle=":", label="x = 2.25")
    axes.set_xlabel("x")
    axes.set_ylabel("f(x)")
    axes.set_title(f"Gradient descent: {len(path_of_x) - 1} steps")
    axes.legend()
    return save_figure(figure, out_dir / "gradient_descent.png")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Minimise x^4 - 3x^3 + 2 by gradient descent.")
    parser.add_argument("--out", default="out", help="folder for the figure (default: out/)")
    parser.add_argument("--data-dir", default=None, help="unused: this example needs no data")
    parser.add_argument("--seed", type=int, default=0, help="random seed (nothing is random here)")
    parser.add_argument("--start", type=float, default=6.0, help="where to start (default 6)")
    parser.add_argument("--learning-rate", type=float, default=0.01)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Run the example; returns ``{"x": final x, "steps": n, "figure": path or None}``."""
    args = parse_args(argv)
    manual_seed(args.seed)
    x, path = gradient_descent(start=args.start, learning_rate=args.learning_rate)
    steps = len(path) - 1
    print(f"Started at x = {args.start}, took {steps} steps.")
    print(f"Minimum found at x = {x:.6f} (exact: {TARGET_X}, error {abs(x - TARGET_X):.2e})")
    figure = plot_descent(path, Path(args.out))
    if figure is not None:
        print(f"Saved {figure}")
    return {"x": x, "steps": steps, "figure": figure}


if __name__ == "__main__":
    main()
