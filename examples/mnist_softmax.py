"""MNIST with a single softmax layer: the "hello world" of image classification.

Ten output neurons, one per digit, each a weighted sum of the 784 pixels plus a
bias, turned into probabilities by softmax. Trained with plain stochastic
gradient descent on batches of 100 images. It reaches about 92% on the test
set, and the training dashboard shows why it stops there: the misclassified
digits are often ones a linear model cannot tell apart.

    TINYGRAD_EDU_DATA=/path/to/datasets python examples/mnist_softmax.py --out out/

The dashboard (``mnist_softmax_dashboard.png``) shows the training and test
loss and accuracy as training goes, histograms of the weights and biases, and a
grid of misclassified test digits with their true and predicted labels.
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

TARGET_ACCURACY = 0.915


def load_mnist(data_dir: str | None) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """MNIST as rows of 784 floats in [0, 1] and integer labels."""
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=data_dir)
    x_train = (x_train.reshape(len(x_train), -1) / 255.0).astype(np.float32)
    x_test = (x_test.reshape(len(x_test), -1) / 255.0).astype(np.float32)
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


def loss_and_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Cross-entropy and accuracy of predicted class probabilities (just for the charts)."""
    picked = probabilities[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.maximum(picked, 1e-7))))
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    return loss, accuracy


class Dashboard(nn.callbacks.Callback):
    """Every ``every`` training steps, measure loss and accuracy on training and test data.

    The training figures use a fixed sample of the training set, measured the
    same way as the test set, so the two curves can be compared fairly.
    """

    def __init__(self, train_sample: tuple, test_data: tuple, every: int = 100) -> None:
        super().__init__()
        self.train_sample = train_sample
        self.test_data = test_data
        self.every = every
        self.steps_done = 0
        self.records: dict[str, list[float]] = {
            "step": [],
            "train_loss": [],
            "train_accuracy": [],
            "test_loss": [],
            "test_accuracy": [],
        }

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.steps_done += 1
        if self.steps_done % self.every == 0:
            self.measure()

    def measure(self) -> None:
        self.records["step"].append(self.steps_done)
        for prefix, (x, y) in (("train", self.train_sample), ("test", self.test_data)):
            loss, accuracy = loss_and_accuracy(
                np.asarray(self.model.predict(x, batch_size=1000, verbose=0)), y
            )
            self.records[f"{prefix}_loss"].append(loss)
            self.records[f"{prefix}_accuracy"].append(accuracy)


def save_dashboard(
    records: dict[str, list[float]],
    layer: nn.Dense,
    x_test: np.ndarray,
    y_test: np.ndarray,
    predicted: np.ndarray,
    path: Path,
) -> Path | None:
    """Draw the whole dashboard as one PNG; None when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the dashboard (pip install matplotlib)")
        return None
    figure = Figure(figsize=(16, 9), layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, 1.1])
    loss_axes, accuracy_axes, weight_axes, bias_axes = top.subplots(1, 4)

    steps = records["step"]
    for axes, name in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.plot(steps, records[f"train_{name}"], label=f"training {name}")
        axes.plot(steps, records[f"test_{name}"], label=f"test {name}")
        axes.set_xlabel("training step")
        axes.set_title(name)
        axes.grid(alpha=0.3)
        axes.legend()
    weight_axes.hist(layer.kernel.data.ravel(), bins=50, color="tab:green")
    weight_axes.set_title(f"weights ({layer.kernel.size} values)")
    bias_axes.hist(layer.bias.data.ravel(), bins=10, color="tab:purple")
    bias_axes.set_title(f"biases ({layer.bias.size} values)")

    wrong = np.flatnonzero(predicted != y_test)
    rows, columns = 3, 12
    bottom.suptitle(
        f"Misclassified test digits: {len(wrong)} of {len(y_test)} (first {rows * columns} shown)"
    )
    for cell, axes in enumerate(bottom.subplots(rows, columns).ravel()):
        axes.set_axis_off()
        if cell < len(wrong):
            i = wrong[cell]
            axes.imshow(x_test[i].reshape(28, 28), cmap="gray_r")
            axes.set_title(f"true {y_test[i]}, said {predicted[i]}", fontsize=8, color="tab:red")
    return save_figure(figure, path, dpi=80)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="MNIST with one softmax layer and plain SGD.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the dashboard")
    parser.add_argument(
        "--data-dir", default=None, help="folder with mnist/ (None: $TINYGRAD_EDU_DATA, cache)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training data")
    parser.add_argument("--batch-size", type=int, default=100, help="examples per step")
    parser.add_argument("--learning-rate", type=float, default=0.5, help="SGD's step size")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train and report; returns ``{"test_accuracy": float, "dashboard": path or None}``."""
    args = parse_args(argv)
    manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir)

    model = nn.Sequential([nn.Dense(10, activation="softmax", input_shape=(784,))])
    model.compile(
        optimizer=nn.optimizers.SGD(learning_rate=args.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.summary()
    dashboard = Dashboard((x_train[:10_000], y_train[:10_000]), (x_test, y_test), every=100)
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=[dashboard],
        verbose=1,
    )

    predicted = np.asarray(model.predict(x_test, batch_size=1000, verbose=0)).argmax(axis=1)
    test_accuracy = float(np.mean(predicted == y_test))
    print(f"Test accuracy: {test_accuracy:.4f} (target: at least {TARGET_ACCURACY})")
    path = Path(args.out) / "mnist_softmax_dashboard.png"
    dashboard_path = save_dashboard(
        dashboard.records, model.layers[0], x_test, y_test, predicted, path
    )
    if dashboard_path is not None:
        print(f"Saved {dashboard_path}")
    return {"test_accuracy": test_accuracy, "dashboard": dashboard_path}


if __name__ == "__main__":
    try:
        main()
    except DatasetNotFoundError as error:  # the message says where to put the files
        sys.exit(f"error: {error}")
