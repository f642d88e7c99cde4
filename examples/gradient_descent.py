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
from typing import Any

import numpy as np

from tinygrad_edu import Tensor, no_grad
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


def descent_figure(path_of_x: list[float]) -> Any:
    """f with the points gradient descent visited: the whole walk, and near the minimum.

    From x = 6, f starts near 650, so on the whole walk's axis (about 0 to 800)
    every step close to the minimum (f about -6.5) lies on one flat line: the
    right panel zooms in on them, its y axis fitted to the steps within 0.5 of
    x = 2.25. Needs matplotlib (raises ImportError without it).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    visited = np.array(path_of_x)
    figure = Figure(figsize=(10, 4))
    FigureCanvasAgg(figure)
    whole, near = figure.subplots(1, 2)
    near_minimum = np.abs(visited - TARGET_X) <= 0.5
    if not near_minimum.any():  # it never came close: zoom on the last steps instead
        near_minimum[-min(len(visited), 5) :] = True
    for axes, xs in (
        (whole, np.linspace(-1.0, 6.2, 400)),
        (
            near,
            np.linspace(
                visited[near_minimum].min() - 0.05, visited[near_minimum].max() + 0.05, 200
            ),
        ),
    ):
        axes.plot(xs, _f(xs), label="f(x) = x^4 - 3x^3 + 2")
        axes.plot(visited, _f(visited), "o-", markersize=3, label="steps")
        axes.axvline(TARGET_X, color="gray", linestyle=":", label="x = 2.25")
        axes.set_xlabel("x")
        axes.set_ylabel("f(x)")
    low, high = _f(visited[near_minimum]).min(), _f(xs).max()
    margin = 0.05 * max(high - low, 1e-12)
    near.set_xlim(xs[0], xs[-1])
    near.set_ylim(low - margin, high + margin)
    whole.set_title(f"Gradient descent: {len(path_of_x) - 1} steps")
    near.set_title(f"The {int(near_minimum.sum())} steps near the minimum")
    whole.legend()
    return figure


def _f(x: np.ndarray) -> np.ndarray:
    return x**4 - 3 * x**3 + 2


def plot_descent(path_of_x: list[float], out_dir: Path) -> Path | None:
    """Save `descent_figure` as PNG; None when matplotlib is missing."""
    try:
        figure = descent_figure(path_of_x)
    except ImportError:
        print("matplotlib is not installed: skipping the figure (pip install matplotlib)")
        return None
    return save_figure(figure, out_dir / "gradient_descent.png")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Minimise x^4 - 3x^3 + 2 by gradient descent (no data, nothing random).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the figure")
    parser.add_argument("--start", type=float, default=6.0, help="where to start")
    parser.add_argument(
        "--learning-rate", type=float, default=0.01, help="step = learning rate * slope"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Run the example; returns ``{"x": final x, "steps": n, "figure": path or None}``."""
    args = parse_args(argv)
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
