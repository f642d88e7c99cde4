"""MNIST with the convolutional network of the codelab "TensorFlow without a PhD".

The codelab's last two models, after its softmax layer and its dense networks:

    (28, 28, 1) -> Conv2D  6 6x6 stride 1 "same" relu -> (28, 28, 6)
                -> Conv2D 12 5x5 stride 2 "same" relu -> (14, 14, 12)
                -> Conv2D 24 4x4 stride 2 "same" relu -> (7, 7, 24)
                -> Flatten -> Dense 200 relu -> Dropout 0.25 -> Dense 10 softmax

Strides of 2 shrink the picture instead of pooling. Adam with a learning rate
that starts at 0.003 and decays towards 0.0001, as
lr(step) = 0.0001 + 0.0029 * exp(-step / 2000): big steps while the network is
far from good, small ones to settle. Batches of 100, 5 epochs (3,000 steps).
The codelab reports above 99% from about 1,300 steps on and 99.3% at its best.

With ``--batch-norm`` each conv and the dense layer is followed by a
BatchNormalization, before relu (the layer's bias is then dropped: the
normalisation's own offset replaces it, and relu needs no scale). Each
channel's activations are brought to mean 0 and variance 1 over the batch,
which lets the network train faster and a little further: the codelab reaches
about 99.5%.

    TINYGRAD_EDU_DATA=/path/to/datasets python examples/mnist_codelab_convnet.py --out out/
    TINYGRAD_EDU_DATA=/path/to/datasets python examples/mnist_codelab_convnet.py --batch-norm

Two pictures are saved in ``--out``: the codelab's dashboard
(``mnist_codelab_convnet_dashboard.png``: training and test loss and accuracy as
training goes, the learning rate, each layer's weights, and misclassified test
digits) and ``mnist_codelab_convnet_filters.png``: the first layer's learned
6x6 filters and the feature maps each conv layer makes of one test digit. With
``--batch-norm`` their names start ``mnist_codelab_convnet_batch_norm_``.

Measured once on real MNIST (seed 0), 5 epochs, with
``OPENBLAS_NUM_THREADS=1 python examples/mnist_codelab_convnet.py [--batch-norm]``:

- plain: test accuracy 0.9920 (80 of 10,000 test digits wrong; training loss 0.165,
  0.054, 0.034, 0.024, 0.017); 46 to 67 s an epoch of training (the dashboard's
  measurements left out);
- ``--batch-norm``: test accuracy 0.9916 (84 wrong; training loss 0.120, 0.042,
  0.028, 0.020, 0.014), below its target of 0.992: the test accuracy touched 0.992
  at step 2,400 and the learning rate is still 0.00075 after 5 epochs (the codelab
  trains 10,000 steps); 69 to 113 s an epoch of training. A second run, with
  ``--seed 1``, reached 0.9921: the target sits at the edge of what 5 epochs give;
  on the final engine of this release, seeds 0 to 4 gave 0.9914, 0.9920, 0.9923,
  0.9933 and 0.9921 (mean 0.9922, median 0.9921), 42 to 49 s an epoch on a calm machine;

on the project's 2-core machine while other jobs kept its load average at about 8
(four processes to a core): a quiet machine is quicker.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinygrad_edu import Tensor, manual_seed, nn, no_grad
from tinygrad_edu.datasets import DatasetNotFoundError, mnist
from tinygrad_edu.files import save_figure

TARGET_ACCURACY = 0.990
TARGET_ACCURACY_BATCH_NORM = 0.992
# (filters, kernel size, stride) of the three conv layers
CONVOLUTIONS = ((6, 6, 1), (12, 5, 2), (24, 4, 2))


def load_mnist(data_dir: str | None) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """MNIST as images of shape (n, 28, 28, 1), floats in [0, 1], and integer labels."""
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=data_dir)
    x_train = x_train.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0  # float32 throughout
    x_test = x_test.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0
    return (x_train, y_train.astype(np.int64)), (x_test, y_test.astype(np.int64))


class DecayTowards(nn.schedules.LearningRateSchedule):
    """minimum + (maximum - minimum) * exp(-step / decay_steps): the codelab's learning rate.

    Starts at `maximum` and falls towards `minimum`, never below it; after
    `decay_steps` steps 37% of the distance is left, after 3 * decay_steps 5%.
    """

    def __init__(self, maximum: float, minimum: float, decay_steps: float) -> None:
        if not 0 <= minimum <= maximum or decay_steps <= 0:
            raise ValueError(
                f"DecayTowards: needs 0 <= minimum <= maximum and decay_steps > 0, got "
                f"minimum={minimum}, maximum={maximum}, decay_steps={decay_steps}"
            )
        self.maximum, self.minimum, self.decay_steps = maximum, minimum, decay_steps

    def __call__(self, step: int) -> float:
        return self.minimum + (self.maximum - self.minimum) * math.exp(-step / self.decay_steps)

    def __repr__(self) -> str:
        return (
            f"DecayTowards(maximum={self.maximum}, minimum={self.minimum}, "
            f"decay_steps={self.decay_steps})"
        )


def codelab_learning_rate() -> DecayTowards:
    """0.0001 + 0.0029 * exp(-step / 2000)."""
    return DecayTowards(maximum=0.003, minimum=0.0001, decay_steps=2000)


def build_model(batch_norm: bool = False, dropout: float = 0.25) -> nn.Sequential:
    """The codelab's convnet, compiled with Adam and the decaying learning rate."""
    layers: list[nn.Layer] = []
    for index, (filters, size, stride) in enumerate(CONVOLUTIONS):
        first = {"input_shape": (28, 28, 1)} if index == 0 else {}
        if batch_norm:  # conv, then normalise, then relu
            layers += [
                nn.Conv2D(filters, size, strides=stride, padding="same", use_bias=False, **first),
                nn.BatchNormalization(scale=False),
                nn.Activation("relu"),
            ]
        else:
            layers.append(
                nn.Conv2D(filters, size, strides=stride, padding="same", activation="relu", **first)
            )
    layers.append(nn.Flatten())
    if batch_norm:
        layers += [
            nn.Dense(200, use_bias=False),
            nn.BatchNormalization(scale=False),
            nn.Activation("relu"),
        ]
    else:
        layers.append(nn.Dense(200, activation="relu"))
    layers += [nn.Dropout(dropout), nn.Dense(10, activation="softmax")]
    model = nn.Sequential(layers)
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=codelab_learning_rate()),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


# ---------------------------------------------------------------- the dashboard's figures
def loss_and_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Cross-entropy and accuracy of predicted class probabilities (just for the charts)."""
    picked = probabilities[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.maximum(picked, 1e-7))))
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    return loss, accuracy


class Dashboard(nn.callbacks.Callback):
    """Every ``every`` training steps, measure loss and accuracy on training and test data,
    and note the learning rate; also time each epoch.

    The training figures use a fixed sample of the training set, measured the
    same way as the test set (inference mode: no dropout, batch normalisation
    with its moving averages), so the two curves can be compared fairly.
    """

    def __init__(self, train_sample: tuple, test_data: tuple, every: int = 200) -> None:
        super().__init__()
        self.train_sample, self.test_data, self.every = train_sample, test_data, every
        self.steps_done = 0
        self.epoch_seconds: list[float] = []
        self._epoch_start = 0.0
        self._measuring = 0.0  # seconds spent measuring, left out of the epoch's time
        self.records: dict[str, list[float]] = {
            key: []
            for key in (
                "step",
                "learning_rate",
                "train_loss",
                "train_accuracy",
                "test_loss",
                "test_accuracy",
            )
        }

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start, self._measuring = time.perf_counter(), 0.0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch_seconds.append(time.perf_counter() - self._epoch_start - self._measuring)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.steps_done += 1
        if self.steps_done % self.every == 0:
            start = time.perf_counter()
            self.measure()
            self._measuring += time.perf_counter() - start

    def measure(self) -> None:
        self.records["step"].append(self.steps_done)
        self.records["learning_rate"].append(self.model.optimizer.current_learning_rate)
        for prefix, (x, y) in (("train", self.train_sample), ("test", self.test_data)):
            loss, accuracy = loss_and_accuracy(
                np.asarray(self.model.predict(x, batch_size=1000, verbose=0)), y
            )
            self.records[f"{prefix}_loss"].append(loss)
            self.records[f"{prefix}_accuracy"].append(accuracy)


def _pyplot_free_figure(size: tuple[float, float]):
    """A matplotlib Figure drawn off-screen, or None when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the figures (pip install matplotlib)")
        return None
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_dashboard(
    records: dict[str, list[float]],
    model: nn.Sequential,
    x_test: np.ndarray,
    y_test: np.ndarray,
    predicted: np.ndarray,
    path: Path,
) -> Path | None:
    """Curves, learning rate, weights per layer and misclassified digits as one PNG."""
    figure = _pyplot_free_figure((16, 9))
    if figure is None:
        return None
    top, bottom = figure.subfigures(2, 1, height_ratios=[1, 1.1])
    loss_axes, accuracy_axes, rate_axes, weight_axes = top.subplots(1, 4)
    steps = records["step"]
    for axes, name in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.plot(steps, records[f"train_{name}"], ".-", label=f"training {name}")
        axes.plot(steps, records[f"test_{name}"], ".-", label=f"test {name}")
        axes.set_xlabel("training step")
        axes.set_title(name)
        axes.grid(alpha=0.3)
        axes.legend()
    later = records["test_accuracy"][len(steps) // 4 :]
    if later:  # zoom in on the last stretch, where the models differ by tenths of a percent
        accuracy_axes.set_ylim(max(0.0, min(later) - 0.005), 1.0)
    rate_axes.plot(steps, records["learning_rate"], ".-", color="tab:green")
    rate_axes.set_xlabel("training step")
    rate_axes.set_title("learning rate")
    rate_axes.grid(alpha=0.3)
    kernels = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
    weight_axes.boxplot(
        [layer.kernel.data.ravel() for layer in kernels], showfliers=False, whis=(1, 99)
    )
    weight_axes.set_xticks(range(1, len(kernels) + 1), [layer.name for layer in kernels])
    weight_axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    weight_axes.set_title("weights per layer (1st-99th percentile)")

    wrong = np.flatnonzero(predicted != y_test)
    rows, columns = 3, 12
    shown = wrong[: rows * columns]
    bottom.suptitle(
        f"Misclassified test digits: {len(wrong)} of {len(y_test)} (first {rows * columns} shown)"
    )
    axes = bottom.subplots()
    axes.set_axis_off()
    if len(shown):
        gap, pitch = 8, 28 + 8  # pixels between digits, and from one digit to the next
        axes.imshow(tile(x_test[shown, :, :, 0], columns, gap=gap), cmap="gray_r")
        for cell, i in enumerate(shown):  # a label just above each digit, in the gap
            row, column = divmod(cell, columns)
            axes.text(
                gap + column * pitch + 14, gap + row * pitch - 1,
                f"true {y_test[i]}, said {predicted[i]}",
                ha="center", va="bottom", fontsize=8, color="tab:red",
            )  # fmt: skip
    return save_figure(figure, path, dpi=80)


def feature_maps(model: nn.Sequential, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """What each conv block makes of one image: [(layer name, (height, width, channels))].

    The image goes through the layers one at a time in inference mode; the maps
    kept are each block's last output (after relu) before the next conv or Flatten.
    """
    outputs = []
    x = Tensor(image[None])
    with no_grad():
        for layer in model.layers:
            x = layer(x, training=False)
            outputs.append((layer, x.data[0]))
    maps = []
    for (layer, output), (following, _) in zip(outputs, outputs[1:]):
        if output.ndim == 3 and isinstance(following, (nn.Conv2D, nn.Flatten)):
            maps.append((layer.name, output))
    return maps


def tile(images: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """(n, h, w) images side by side in rows of `columns`, `gap` pixels of NaN between them.

    One picture for matplotlib to draw (NaN is left blank) instead of one plot per
    image, which is much quicker to lay out.
    """
    count, height, width = images.shape
    rows = -(-count // columns)
    mosaic = np.full(
        (rows * (height + gap) + gap, min(count, columns) * (width + gap) + gap), np.nan
    )
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = gap + row * (height + gap), gap + column * (width + gap)
        mosaic[top : top + height, left : left + width] = image
    return mosaic


def save_filters_and_maps(model: nn.Sequential, image: np.ndarray, path: Path) -> Path | None:
    """The first conv layer's filters, one digit, and each conv block's feature maps."""
    maps = feature_maps(model, image)
    rows = [1.2] + [-(-output.shape[-1] // 12) for _, output in maps]
    figure = _pyplot_free_figure((14, 1.5 * sum(rows) + 1))
    if figure is None:
        return None
    parts = figure.subfigures(len(rows), 1, height_ratios=rows)

    digit_axes, filter_axes = parts[0].subplots(1, 2, width_ratios=[1, 6])
    digit_axes.imshow(image[:, :, 0], cmap="gray_r")
    digit_axes.set_title("the digit", fontsize=9)
    kernel = model.layers[0].kernel.data[:, :, 0, :]  # (kh, kw, filters): one grey channel in
    limit = float(np.abs(kernel).max())  # one symmetric colour scale: red +, blue -
    filters = np.moveaxis(kernel, -1, 0)
    filter_axes.imshow(tile(filters, 12), cmap="RdBu_r", vmin=-limit, vmax=limit)
    filter_axes.set_title(
        f"the first layer's {len(filters)} learned {kernel.shape[0]}x{kernel.shape[1]} filters "
        "(red: positive weights, blue: negative)",
        fontsize=9,
    )
    for axes in (digit_axes, filter_axes):
        axes.set_axis_off()
    for part, (name, output) in zip(parts[1:], maps):
        height, width, channels = output.shape
        # each map scaled to its own maximum, so a weak channel is visible too
        scaled = (
            np.moveaxis(output, -1, 0) / np.maximum(output.max(axis=(0, 1)), 1e-12)[:, None, None]
        )
        axes = part.subplots()
        axes.imshow(tile(scaled, 12), cmap="viridis", vmin=0, vmax=1)
        axes.set_axis_off()
        axes.set_title(
            f"{name}: {channels} feature maps of {height}x{width} of the digit (bright: strong "
            "response; each scaled to its own maximum)",
            fontsize=9,
        )
    return save_figure(figure, path, dpi=80)


# ---------------------------------------------------------------- the run
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="MNIST with the codelab's convolutional network.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the figures")
    parser.add_argument(
        "--data-dir", default=None, help="folder with mnist/ (None: $TINYGRAD_EDU_DATA, cache)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training data")
    parser.add_argument("--batch-size", type=int, default=100, help="examples per step")
    parser.add_argument(
        "--batch-norm", action="store_true", help="BatchNormalization before each relu"
    )
    parser.add_argument(
        "--train-size", type=int, default=None, help="train on the first N images (None: all)"
    )
    parser.add_argument(
        "--test-size", type=int, default=None, help="test on the first N images (None: all)"
    )
    parser.add_argument(
        "--dashboard-every", type=int, default=200, help="training steps between measurements"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train and report.

    Returns ``{"test_accuracy", "target", "history", "records", "epoch_seconds",
    "dashboard", "filters"}`` (the figures' paths are None without matplotlib).
    """
    args = parse_args(argv)
    manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir)
    x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]
    x_test, y_test = x_test[: args.test_size], y_test[: args.test_size]

    model = build_model(batch_norm=args.batch_norm)
    model.summary()
    dashboard = Dashboard(
        (x_train[:2000], y_train[:2000]), (x_test, y_test), every=args.dashboard_every
    )
    history = model.fit(
        x_train, y_train, epochs=args.epochs, batch_size=args.batch_size, callbacks=[dashboard]
    )

    predicted = np.asarray(model.predict(x_test, batch_size=1000, verbose=0)).argmax(axis=1)
    test_accuracy = float(np.mean(predicted == y_test))
    target = TARGET_ACCURACY_BATCH_NORM if args.batch_norm else TARGET_ACCURACY
    print(f"Seconds per epoch: {', '.join(f'{s:.1f}' for s in dashboard.epoch_seconds)}")
    print(f"Test accuracy: {test_accuracy:.4f} (target: at least {target})")

    name = "mnist_codelab_convnet" + ("_batch_norm" if args.batch_norm else "")
    out = Path(args.out)
    dashboard_path = save_dashboard(
        dashboard.records, model, x_test, y_test, predicted, out / f"{name}_dashboard.png"
    )
    filters_path = save_filters_and_maps(model, x_test[0], out / f"{name}_filters.png")
    for path in (dashboard_path, filters_path):
        if path is not None:
            print(f"Saved {path}")
    return {
        "test_accuracy": test_accuracy,
        "target": target,
        "history": history.history,
        "records": dashboard.records,
        "epoch_seconds": dashboard.epoch_seconds,
        "dashboard": dashboard_path,
        "filters": filters_path,
    }


if __name__ == "__main__":
    try:
        main()
    except DatasetNotFoundError as error:  # the message says where to put the files
        sys.exit(f"error: {error}")
