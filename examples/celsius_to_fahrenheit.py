"""The smallest machine-learning lesson: learn to convert Celsius to Fahrenheit.

We know the formula, F = 1.8 * C + 32, but the model does not: it sees only
seven example pairs. A single Dense(1) layer computes ``y = x * w + b``, which
is exactly the shape of the formula, so training should find w ~ 1.8 and
b ~ 32 by itself.

The classic lesson trains for 500 epochs with Adam(0.1) and stops at about
w = 1.82, b = 29: the bias, which starts at 0, is still walking towards 32
(Adam moves each weight by at most about the learning rate per step). After
about 1,200 epochs training has settled on the best straight line through
the seven pairs, w = 1.798 and b = 31.95, not exactly 32 because the
Fahrenheit values in the lesson are rounded to whole degrees.

    python examples/celsius_to_fahrenheit.py
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.files import save_figure

CELSIUS = np.array([-40, -10, 0, 8, 15, 22, 38], dtype=np.float32)
FAHRENHEIT = np.array([-40, 14, 32, 46, 59, 72, 100], dtype=np.float32)
TRUE_WEIGHT, TRUE_BIAS = 1.8, 32.0
TOLERANCE = 0.1


def train(epochs: int, learning_rate: float) -> tuple[nn.Sequential, dict[str, list[float]]]:
    """Fit one Dense unit to the seven pairs with Adam and the mean squared error."""
    model = nn.Sequential([nn.Dense(1, input_shape=(1,))])
    model.compile(optimizer=nn.optimizers.Adam(learning_rate=learning_rate), loss="mse")
    # One column per input feature: the seven temperatures become seven rows of one value.
    history = model.fit(CELSIUS.reshape(-1, 1), FAHRENHEIT.reshape(-1, 1), epochs=epochs, verbose=0)
    return model, history.history


def save_loss_plot(losses: list[float], out_dir: Path) -> Path | None:
    """The loss per epoch on a log scale; None when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the loss plot (pip install matplotlib)")
        return None
    figure = Figure(figsize=(6, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(np.arange(1, len(losses) + 1), losses)
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("mean squared error")
    axes.set_title("Celsius to Fahrenheit: training loss")
    return save_figure(figure, out_dir / "celsius_to_fahrenheit_loss.png")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Learn F = 1.8 C + 32 from seven examples (the data are in this file).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the loss plot")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--epochs", type=int, default=2000, help="passes over the seven examples")
    parser.add_argument("--learning-rate", type=float, default=0.1, help="Adam's step size")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train and report; returns ``{"weight", "bias", "prediction_100", "figure"}``."""
    args = parse_args(argv)
    manual_seed(args.seed)
    model, history = train(args.epochs, args.learning_rate)
    layer = model.layers[0]
    weight = float(layer.kernel.data.item())
    bias = float(layer.bias.data.item())
    prediction = float(
        np.asarray(model.predict(np.array([[100.0]], dtype=np.float32), verbose=0)).item()
    )

    print(f"Trained for {args.epochs} epochs; final loss {history['loss'][-1]:.6f}")
    print(f"Learned weight {weight:.4f} (formula: {TRUE_WEIGHT}), bias {bias:.4f} ({TRUE_BIAS})")
    print(f"100 degrees Celsius -> {prediction:.2f} Fahrenheit (formula: 212)")
    figure = save_loss_plot(history["loss"], Path(args.out))
    if figure is not None:
        print(f"Saved {figure}")
    return {"weight": weight, "bias": bias, "prediction_100": prediction, "figure": figure}


if __name__ == "__main__":
    main()
