"""The main job: train a small classifier and draw its pictures from the command line.

    python -m tinygrad_edu                       # = train on the built-in 8x8 digits
    python -m tinygrad_edu train --dataset mnist --epochs 5 --out out/
    python -m tinygrad_edu graph --out graph.svg # the computation graph of one loss
    python -m tinygrad_edu exercises new course/ # the exercises (see docs/exercises.md)
    python -m tinygrad_edu watch --out backward.html  # its backward, step by step

``train`` prints the model summary, a Keras-style progress bar per epoch and the
final test accuracy, then writes to ``--out`` the training history (PNG, needs
matplotlib) and the computation graph of the loss (SVG, needs the graphviz
package and Graphviz's ``dot`` program). A missing extra skips its picture with
a one-line note; it never stops the training.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.datasets import DatasetNotFoundError, digits, fashion_mnist, mnist
from tinygrad_edu.files import save_figure

DATASET_NAMES = ("digits", "mnist", "fashion_mnist")
SUBCOMMANDS = ("train", "graph", "watch")
# Full passes over the training data when --epochs is not given: the digits are
# small enough that more passes cost little; the big sets learn most in a few.
DEFAULT_EPOCHS = {"digits": 20, "mnist": 5, "fashion_mnist": 5}

Split = tuple[np.ndarray, np.ndarray]


# ---------------------------------------------------------------- data and model
def load_dataset(name: str, data_dir: str | None = None) -> tuple[Split, Split]:
    """Load a data set as flat rows of floats in [0, 1] and integer labels.

    Dense layers take one vector per example, so each image is flattened; the
    pixels are divided by their largest possible value (16 for the digits, 255
    for MNIST and Fashion-MNIST) because small inputs train far better.
    """
    if name == "digits":
        (x_train, y_train), (x_test, y_test) = digits.load_data()
        scale = 16.0
    elif name == "mnist":
        (x_train, y_train), (x_test, y_test) = mnist.load_data(path=data_dir)
        scale = 255.0
    elif name == "fashion_mnist":
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=data_dir)
        scale = 255.0
    else:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(DATASET_NAMES)}")

    def prepare(images: np.ndarray) -> np.ndarray:
        return (images.reshape(len(images), -1) / scale).astype(np.float32)

    return (prepare(x_train), y_train.astype(np.int64)), (prepare(x_test), y_test.astype(np.int64))


def build_model(input_size: int, hidden: int, num_classes: int = 10) -> nn.Sequential:
    """The default model: one hidden ReLU layer and a softmax over the classes."""
    return nn.Sequential(
        [
            nn.Dense(hidden, activation="relu", input_shape=(input_size,)),
            nn.Dense(num_classes, activation="softmax"),
        ]
    )


def loss_of_one_batch(model: nn.Module, x: np.ndarray, y: np.ndarray) -> Tensor:
    """The loss of a few examples, with its graph recorded, for drawing."""
    loss = nn.losses.SparseCategoricalCrossentropy()
    return loss(y, model(Tensor(x)))


# ---------------------------------------------------------------- pictures
def history_figure(history: dict[str, list[float]], title: str) -> Any:
    """Loss and accuracy per epoch, training beside test (needs matplotlib).

    The main job validates on the test set, so the `val_*` values fit prints are
    the test set's: the legend says both names. Epochs are whole numbers, so the
    x axis has whole-number ticks even for one epoch.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 4))
    FigureCanvasAgg(figure)
    for axes, key in zip(figure.subplots(1, 2), ("loss", "accuracy"), strict=True):
        epochs = np.arange(1, len(history.get(key, [])) + 1)
        axes.plot(epochs, history.get(key, []), "o-", label=f"training {key}")
        if f"val_{key}" in history:
            axes.plot(epochs, history[f"val_{key}"], "o-", label=f"test {key} (val_{key})")
        axes.set_xlim(0.5, max(len(epochs), 1) + 0.5)  # room around one epoch too
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        axes.set_xlabel("epoch")
        axes.set_ylabel(key)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle(title)
    return figure


def save_history_plot(history: dict[str, list[float]], path: Path, title: str) -> Path | None:
    """Save `history_figure` as PNG; None when matplotlib is missing."""
    try:
        # The Agg canvas draws into memory: no window, no display needed.
        figure = history_figure(history, title)
    except ImportError:
        print(
            "Skipping the history plot: matplotlib is not installed "
            "(pip install 'tinygrad-edu[plot]')."
        )
        return None
    return save_figure(figure, path)


def graph_tools_missing() -> str | None:
    """Why the computation graph cannot be drawn here, or None when it can."""
    try:
        import graphviz  # noqa: F401  (only checking that it is installed)

        import tinygrad_edu.viz  # noqa: F401
    except ImportError as error:
        return (
            f"the graphviz Python package is not available ({error}); "
            "install it with: pip install 'tinygrad-edu[viz]'"
        )
    if shutil.which("dot") is None:
        return (
            "Graphviz's `dot` program is not on the PATH; install Graphviz "
            "(e.g. apt install graphviz, brew install graphviz)"
        )
    return None


def save_graph(loss: Tensor, model: nn.Module, path: Path) -> Path:
    """Draw the graph that produced ``loss`` and render it to ``path`` (SVG by its suffix)."""
    from tinygrad_edu.viz import draw_graph, render

    return render(draw_graph(loss, params=dict(model.named_parameters())), path)


# ---------------------------------------------------------------- subcommands
def train(args: argparse.Namespace) -> int:
    """Train the default model and report its test accuracy."""
    if Path(args.out).exists() and not Path(args.out).is_dir():  # say so before training
        print(
            f"error: --out '{args.out}' is a file; give a folder for the pictures "
            "(it is made if missing)",
            file=sys.stderr,
        )
        return 2
    manual_seed(args.seed)
    try:
        (x_train, y_train), (x_test, y_test) = load_dataset(args.dataset, args.data_dir)
    except DatasetNotFoundError as error:  # the message says where we looked and what to do
        print(f"error: {error}", file=sys.stderr)
        return 1
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[args.dataset]
    print(
        f"Data set {args.dataset}: {len(x_train)} training and {len(x_test)} test examples "
        f"of {x_train.shape[1]} values"
    )

    model = build_model(x_train.shape[1], args.hidden)
    model.compile(
        optimizer=args.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.summary()

    # Keras calls the held-out data "validation": here it is the test set, so the val_loss
    # and val_accuracy after each epoch are test loss and test accuracy.
    print(f"Testing after each epoch on the {len(x_test)} test examples (shown as val_*).")
    history = model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=args.batch_size,
        validation_data=(x_test, y_test),
        verbose=1,
    )
    predictions = np.asarray(model.predict(x_test, batch_size=1000, verbose=0))
    accuracy = float(np.mean(predictions.argmax(axis=1) == y_test))
    print(f"Test accuracy: {accuracy:.4f}")

    out = Path(args.out)
    title = f"{args.dataset}: Dense({args.hidden}, relu) + Dense(10, softmax), {args.optimizer}"
    plot = save_history_plot(history.history, out / "history.png", title)
    if plot is not None:
        print(f"Saved the training history to {plot}")

    why_not = graph_tools_missing()
    if why_not is None:
        from tinygrad_edu.viz import GraphvizNotFoundError

        loss = loss_of_one_batch(model, x_test[:4], y_test[:4])
        try:
            print(f"Saved the computation graph to {save_graph(loss, model, out / 'graph.svg')}")
        except GraphvizNotFoundError as error:
            print(f"Skipping the computation graph: {error}")
    else:
        print(f"Skipping the computation graph: {why_not}.")
    return 0


def graph(args: argparse.Namespace) -> int:
    """Draw the loss graph of the default (untrained) model on a few digits."""
    why_not = graph_tools_missing()
    if why_not is not None:
        print(f"error: cannot draw the graph: {why_not}.", file=sys.stderr)
        return 1
    manual_seed(args.seed)
    (x_train, y_train), _ = load_dataset("digits")
    model = build_model(x_train.shape[1], args.hidden)
    loss = loss_of_one_batch(model, x_train[:4], y_train[:4])
    from tinygrad_edu.viz import GraphvizNotFoundError

    try:
        path = save_graph(loss, model, Path(args.out))
    except (GraphvizNotFoundError, ValueError) as error:  # no `dot`, or an unknown suffix
        print(f"error: cannot draw the graph: {error}", file=sys.stderr)
        return 1
    print(f"Saved the computation graph to {path}")
    return 0


def watch(args: argparse.Namespace) -> int:
    """Record the backward walk of the default (untrained) model's loss as a web page."""
    why_not = graph_tools_missing()
    if why_not is not None:
        print(f"error: cannot draw the graph the page shows: {why_not}.", file=sys.stderr)
        return 1
    manual_seed(args.seed)
    (x_train, y_train), _ = load_dataset("digits")
    model = build_model(x_train.shape[1], args.hidden)
    loss = loss_of_one_batch(model, x_train[:4], y_train[:4])
    from tinygrad_edu.viz import GraphvizNotFoundError, watch_backward

    try:
        watched = watch_backward(
            loss,
            params=model.named_parameters(),
            title=f"backward of the default model: Dense({args.hidden}, relu), Dense(10), 4 digits",
        )
        path = watched.save(args.out)
    except (GraphvizNotFoundError, OSError) as error:
        print(f"error: cannot write the page: {error}", file=sys.stderr)
        return 1
    print(f"Saved the backward walk ({len(watched.frames)} steps) to {path}; open it in a browser")
    return 0


# ---------------------------------------------------------------- command line
def positive_int(text: str) -> int:
    """An argparse type for counts that must be at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu",
        description="Train a small neural network, or draw its computation graph.",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the epilog's lines
    )
    subcommands = parser.add_subparsers(dest="command", metavar="{train,graph,watch}")

    train_parser = subcommands.add_parser(
        "train", help="train a classifier and report its test accuracy (the default)"
    )
    train_parser.add_argument(
        "--dataset", choices=DATASET_NAMES, default="digits", help="(default: digits, built in)"
    )
    train_parser.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help="passes over the training data (default: 20 for digits, 5 for the others)",
    )
    train_parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="examples per step (default 32)"
    )
    train_parser.add_argument(
        "--optimizer", choices=("adam", "sgd", "rmsprop"), default="adam", help="(default: adam)"
    )
    train_parser.add_argument(
        "--hidden", type=positive_int, default=128, help="units in the hidden layer (default 128)"
    )
    train_parser.add_argument("--out", default="out", help="folder for the pictures (default out/)")
    train_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train_parser.add_argument(
        "--data-dir",
        default=None,
        help="folder holding mnist/ or fashion-mnist/ (default: $TINYGRAD_EDU_DATA, the cache)",
    )
    train_parser.set_defaults(run=train)
    # `train` is the default, so its options (--out, --epochs, ...) are the ones a first
    # `--help` should show: the epilog lists them.
    train_options = train_parser.format_help().split("options:", 1)[-1]
    train_options = "\n".join(
        line for line in train_options.splitlines() if not line.lstrip().startswith("-h, --help")
    )
    parser.epilog = (
        "With no subcommand, `train` runs (on the built-in digits by default), taking:"
        + train_options
        + "\n\n`tinygrad-edu graph --help` and `tinygrad-edu watch --help` list the options "
        "of `graph` and `watch`; `tinygrad-edu exercises --help`, the exercises and their "
        "grader (docs/exercises.md)."
    )

    graph_parser = subcommands.add_parser(
        "graph", help="draw the computation graph of the default model's loss (SVG)"
    )
    graph_parser.add_argument(
        "--out", default="graph.svg", help="the picture to write: .svg (default), .png or .pdf"
    )
    graph_parser.add_argument(
        "--hidden", type=positive_int, default=128, help="units in the hidden layer (default 128)"
    )
    graph_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    graph_parser.set_defaults(run=graph)

    watch_parser = subcommands.add_parser(
        "watch", help="write a web page that steps through the default model's backward"
    )
    watch_parser.add_argument(
        "--out", default="backward.html", help="the page to write (default backward.html)"
    )
    watch_parser.add_argument(
        "--hidden", type=positive_int, default=16, help="units in the hidden layer (default 16)"
    )
    watch_parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    watch_parser.set_defaults(run=watch)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["exercises"]:  # the course's autograder has its own command line
        from tinygrad_edu.exercises.cli import main as exercises_main

        return exercises_main(argv[1:])
    # `train` is the default subcommand: `tinygrad-edu --epochs 3` means `tinygrad-edu train ...`.
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["train", *argv]
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
