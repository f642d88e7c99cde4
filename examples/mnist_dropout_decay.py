"""Fighting overfitting on MNIST: dropout and a decaying learning rate.

A network with two hidden layers learns its training images perfectly and
does less well on images it has never seen: the difference between training
and test accuracy is the *generalisation gap*. Two classic remedies:

- Dropout: during training, each hidden unit is switched off at random (here
  with probability 0.4, and 20% of the pixels too, as in the original dropout
  paper), so the network cannot rely on any single unit and must learn
  redundant, more general features. At test time every unit is used.
- An exponentially decaying learning rate: big steps early, small careful
  steps later, so training settles instead of bouncing around at the end.

The example trains the same two-hidden-layer network twice, plain and with both
remedies, and prints both gaps (in accuracy and in loss), measured the same
way for training and test data: in inference mode, dropout off. To make
overfitting plain to see in a short run, it trains on the first 5,000
training images (``--train-size``).

    TINYGRAD_EDU_DATA=/path/to/datasets python examples/mnist_dropout_decay.py --out out/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.datasets import DatasetNotFoundError, mnist
from tinygrad_edu.files import save_figure


def load_mnist(data_dir: str | None) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """MNIST as rows of 784 floats in [0, 1] and integer labels."""
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=data_dir)
    x_train = (x_train.reshape(len(x_train), -1) / 255.0).astype(np.float32)
    x_test = (x_test.reshape(len(x_test), -1) / 255.0).astype(np.float32)
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def build_model(
    hidden: int, dropout: float, learning_rate: float | object, input_dropout: float = 0.0
) -> nn.Sequential:
    """Two hidden ReLU layers, each followed by Dropout when ``dropout > 0``.

    ``input_dropout > 0`` also drops a fraction of the pixels, as in the
    original dropout paper (Srivastava et al., 2014).
    """
    layers: list[nn.Module] = []
    if input_dropout > 0:
        layers.append(nn.Dropout(input_dropout, input_shape=(784,)))
    layers.append(nn.Dense(hidden, activation="relu", input_shape=(784,)))
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Dense(hidden, activation="relu"))
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Dense(10, activation="softmax"))
    model = nn.Sequential(layers)
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def measure(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Loss and accuracy in inference mode (dropout off), the same for training and test data."""
    return model.evaluate(x, y, batch_size=1000, verbose=0, return_dict=True)


def save_curves(histories: dict[str, dict[str, list[float]]], path: Path) -> Path | None:
    """Test accuracy and loss per epoch for both models; None when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the figure (pip install matplotlib)")
        return None
    figure = Figure(figsize=(11, 4), layout="constrained")
    FigureCanvasAgg(figure)
    for axes, key in zip(figure.subplots(1, 2), ("loss", "accuracy"), strict=True):
        for (name, history), color in zip(histories.items(), ("tab:red", "tab:blue"), strict=True):
            epochs = np.arange(1, len(history[key]) + 1)
            axes.plot(epochs, history[key], "--", color=color, label=f"{name}: training")
            axes.plot(epochs, history[f"val_{key}"], "-", color=color, label=f"{name}: test")
        axes.set_xlabel("epoch")
        axes.set_title(key)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.suptitle(
        "Plain MLP vs dropout + learning-rate decay (training curves are measured with dropout on)"
    )
    return save_figure(figure, path)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Close the train/test gap with dropout.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the figure")
    parser.add_argument(
        "--data-dir", default=None, help="folder with mnist/ (None: $TINYGRAD_EDU_DATA, cache)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training data")
    parser.add_argument("--batch-size", type=int, default=100, help="examples per step")
    parser.add_argument("--hidden", type=int, default=256, help="units per hidden layer")
    parser.add_argument("--dropout", type=float, default=0.4, help="dropout rate")
    parser.add_argument(
        "--input-dropout", type=float, default=0.2, help="dropout rate of the pixels"
    )
    parser.add_argument(
        "--decay-rate", type=float, default=0.95, help="learning-rate factor per epoch"
    )
    parser.add_argument("--train-size", type=int, default=5_000, help="training images used")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train both models; returns ``{"plain": {...}, "dropout": {...}, "figure": path}``.

    Each model's entry holds ``train_accuracy``, ``test_accuracy``, ``gap`` (train minus
    test accuracy), ``train_loss``, ``test_loss`` and ``loss_gap`` (test minus train loss).
    """
    args = parse_args(argv)
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir)
    x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]
    steps_per_epoch = -(-len(x_train) // args.batch_size)  # round up

    # The learning rate starts at 0.001 and is multiplied by --decay-rate every epoch.
    decay = nn.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=0.001, decay_steps=steps_per_epoch, decay_rate=args.decay_rate
    )
    setups = {
        "plain MLP": dict(dropout=0.0, learning_rate=0.001),
        "dropout + decay": dict(
            dropout=args.dropout, learning_rate=decay, input_dropout=args.input_dropout
        ),
    }
    results: dict = {}
    histories = {}
    for name, setup in setups.items():
        print(f"\n=== {name} ===")
        manual_seed(args.seed)  # the same starting weights and batch order for both
        model = build_model(args.hidden, **setup)
        history = model.fit(
            x_train,
            y_train,
            epochs=args.epochs,
            batch_size=args.batch_size,
            validation_data=(x_test, y_test),
            verbose=2,
        )
        histories[name] = history.history
        train, test = measure(model, x_train, y_train), measure(model, x_test, y_test)
        results[name] = {
            "train_accuracy": train["accuracy"],
            "test_accuracy": test["accuracy"],
            "gap": train["accuracy"] - test["accuracy"],
            "train_loss": train["loss"],
            "test_loss": test["loss"],
            "loss_gap": test["loss"] - train["loss"],
        }

    print()
    for name, result in results.items():
        print(
            f"{name:>16}: accuracy train {result['train_accuracy']:.4f}, "
            f"test {result['test_accuracy']:.4f}, gap {result['gap']:.4f} | "
            f"loss train {result['train_loss']:.4f}, test {result['test_loss']:.4f}, "
            f"gap {result['loss_gap']:.4f}"
        )
    plain, regularised = results["plain MLP"], results["dropout + decay"]
    for key, what in (("gap", "accuracy gap"), ("loss_gap", "loss gap")):
        verdict = "smaller" if regularised[key] < plain[key] else "NOT smaller"
        print(f"The dropout + decay model's {what} is {verdict} than the plain MLP's.")

    figure = save_curves(histories, Path(args.out) / "mnist_dropout_decay.png")
    if figure is not None:
        print(f"Saved {figure}")
    return {"plain": plain, "dropout": regularised, "figure": figure}


if __name__ == "__main__":
    try:
        main()
    except DatasetNotFoundError as error:  # the message says where to put the files
        sys.exit(f"error: {error}")
