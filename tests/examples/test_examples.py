"""Each example in examples/ reaches the figure it promises.

The examples are scripts, not a package, so each is loaded from its file and
its ``main(argv)`` called with a temporary ``--out``. The MNIST and
Fashion-MNIST ones train on the real files to the accuracy they promise (marked
slow: minutes, so opt-in with ``-m slow``) and are skipped, with the reason,
where the files are not on disk: these tests never download. By default each of
them runs end to end, figure included, on tiny stand-in files instead.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tinygrad_edu.datasets.download import (
    FASHION_MNIST,
    MNIST,
    Dataset,
    DatasetNotFoundError,
    fetch_files,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = REPO_ROOT / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def load_example(name: str) -> ModuleType:
    """Import examples/<name>.py as a module, so its main() can be called."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_png(path: Path | None) -> None:
    assert path is not None, "the example did not save its figure"
    path = Path(path)
    assert path.is_file(), f"{path} was not written"
    assert path.read_bytes()[:8] == PNG_MAGIC, f"{path} is not a PNG file"
    assert path.stat().st_size > 5000, f"{path} is suspiciously small"
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"temporary files left behind: {leftovers}"


def require_files(dataset: Dataset) -> None:
    """Skip the test unless the data set is on disk (never downloads)."""
    try:
        fetch_files(dataset, download=False)
    except DatasetNotFoundError:
        pytest.skip(
            f"{dataset.title} files not found: set TINYGRAD_EDU_DATA to a folder holding "
            f"{dataset.folder}/ (CI uses ../shared/datasets)"
        )


def idx_gz(array: np.ndarray) -> bytes:
    """A uint8 array as a gzip'd IDX file, as the MNIST files are stored."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def tiny_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mnist/ and fashion-mnist/ with 600 training and 200 test images that are easy to learn.

    Class k is a bright 6x6 square at its own place on a noisy background, so a
    model that trains at all reaches high accuracy within an epoch.
    """
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for folder in ("mnist", "fashion-mnist"):
        (root / folder).mkdir()
        for prefix, count in (("train", 600), ("t10k", 200)):
            labels = np.arange(count) % 10
            images = rng.integers(0, 60, size=(count, 28, 28))
            for i, label in enumerate(labels):
                row, column = 2 + (label // 5) * 13, 1 + (label % 5) * 5
                images[i, row : row + 6, column : column + 6] = 255
            (root / folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(idx_gz(images))
            (root / folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(idx_gz(labels))
    return root


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import matplotlib...` fail, as on a machine without the plot extra."""
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


# ---------------------------------------------------------------- fast examples
def test_gradient_descent_finds_x_2_25(tmp_path: Path) -> None:
    result = load_example("gradient_descent").main(["--out", str(tmp_path)])
    assert abs(result["x"] - 2.25) < 1e-3
    assert result["steps"] > 10  # it really walked there, step by step
    assert_png(result["figure"])


def test_gradient_descent_from_the_left_too(tmp_path: Path) -> None:
    result = load_example("gradient_descent").main(["--out", str(tmp_path), "--start", "1.0"])
    assert abs(result["x"] - 2.25) < 1e-3


def test_gradient_descent_without_matplotlib_still_prints_the_answer(
    tmp_path: Path, no_matplotlib: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = load_example("gradient_descent").main(["--out", str(tmp_path)])
    output = capsys.readouterr().out
    assert abs(result["x"] - 2.25) < 1e-3
    assert result["figure"] is None
    assert "x = 2.250000" in output
    assert "matplotlib is not installed" in output
    assert not list(tmp_path.iterdir())


def test_gradient_descent_runs_as_a_script(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES_DIR / "gradient_descent.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Minimum found at x = 2.25" in completed.stdout
    assert_png(tmp_path / "gradient_descent.png")


def test_celsius_to_fahrenheit_learns_the_formula(tmp_path: Path) -> None:
    result = load_example("celsius_to_fahrenheit").main(["--out", str(tmp_path)])
    assert abs(result["weight"] - 1.8) < 0.1
    assert abs(result["bias"] - 32.0) < 0.1
    assert abs(result["prediction_100"] - 212.0) < 1.0
    assert_png(result["figure"])


def test_celsius_to_fahrenheit_without_matplotlib_still_learns(
    tmp_path: Path, no_matplotlib: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = load_example("celsius_to_fahrenheit").main(["--out", str(tmp_path)])
    assert abs(result["weight"] - 1.8) < 0.1 and abs(result["bias"] - 32.0) < 0.1
    assert result["figure"] is None
    assert "skipping the loss plot" in capsys.readouterr().out


def test_celsius_to_fahrenheit_is_reproducible(tmp_path: Path) -> None:
    example = load_example("celsius_to_fahrenheit")
    first = example.main(["--out", str(tmp_path), "--epochs", "50", "--seed", "3"])
    second = example.main(["--out", str(tmp_path), "--epochs", "50", "--seed", "3"])
    assert first["weight"] == second["weight"] and first["bias"] == second["bias"]


def test_digits_sigmoid_net_reaches_90_percent(capsys: pytest.CaptureFixture[str]) -> None:
    result = load_example("digits_sigmoid_net").main([])
    assert result["test_accuracy"] >= 0.90
    assert len(result["history"]) == 30
    assert "Test accuracy" in capsys.readouterr().out


# ---------------------------------------------------------------- real MNIST / Fashion-MNIST
@pytest.mark.slow
def test_mnist_softmax_reaches_91_5_percent_and_draws_the_dashboard(tmp_path: Path) -> None:
    require_files(MNIST)
    result = load_example("mnist_softmax").main(["--out", str(tmp_path)])
    assert result["test_accuracy"] >= 0.915
    assert_png(result["dashboard"])


@pytest.mark.slow
def test_mnist_mlp_reaches_97_8_percent() -> None:
    require_files(MNIST)
    result = load_example("mnist_mlp").main([])
    assert result["test_accuracy"] >= 0.978
    assert len(result["history"]["loss"]) == 5


@pytest.mark.slow
def test_fashion_mnist_reaches_87_5_percent_and_draws_predictions(tmp_path: Path) -> None:
    require_files(FASHION_MNIST)
    result = load_example("fashion_mnist").main(["--out", str(tmp_path)])
    assert result["test_accuracy"] >= 0.875
    assert_png(result["figure"])


@pytest.mark.slow
def test_dropout_and_decay_close_the_train_test_gap(tmp_path: Path) -> None:
    require_files(MNIST)
    result = load_example("mnist_dropout_decay").main(["--out", str(tmp_path)])
    plain, dropout = result["plain"], result["dropout"]
    assert plain["gap"] > 0.02  # the plain MLP really does overfit
    assert dropout["gap"] < plain["gap"]
    assert dropout["loss_gap"] < plain["loss_gap"]
    assert dropout["test_accuracy"] > plain["test_accuracy"]  # narrower, and not by learning less
    assert_png(result["figure"])


# ---------------------------------------------------------------- the same examples, quickly
# The tests above need minutes and the real files; these run each of those examples end to
# end (loading, training, evaluating, drawing) on tiny_data_dir in about a second.
def test_mnist_softmax_runs_on_tiny_files(tmp_path: Path, tiny_data_dir: Path) -> None:
    args = ["--out", str(tmp_path), "--data-dir", str(tiny_data_dir), "--epochs", "2"]
    result = load_example("mnist_softmax").main(args)
    assert result["test_accuracy"] >= 0.9
    assert_png(result["dashboard"])


def test_mnist_mlp_runs_on_tiny_files(tiny_data_dir: Path) -> None:
    args = ["--data-dir", str(tiny_data_dir), "--epochs", "2"]
    result = load_example("mnist_mlp").main(args)
    assert result["test_accuracy"] >= 0.9
    assert len(result["history"]["loss"]) == 2


def test_fashion_mnist_runs_on_tiny_files(tmp_path: Path, tiny_data_dir: Path) -> None:
    args = ["--out", str(tmp_path), "--data-dir", str(tiny_data_dir), "--epochs", "2"]
    result = load_example("fashion_mnist").main(args)
    assert result["test_accuracy"] >= 0.9
    assert_png(result["figure"])


def test_dropout_and_decay_runs_on_tiny_files(tmp_path: Path, tiny_data_dir: Path) -> None:
    args = ["--out", str(tmp_path), "--data-dir", str(tiny_data_dir), "--epochs", "2"]
    result = load_example("mnist_dropout_decay").main(
        [*args, "--batch-size", "30", "--hidden", "64"]
    )
    for name in ("plain", "dropout"):
        assert result[name]["test_accuracy"] >= 0.5  # chance is 0.1
        assert result[name]["gap"] == pytest.approx(
            result[name]["train_accuracy"] - result[name]["test_accuracy"]
        )
    assert_png(result["figure"])


# ---------------------------------------------------------------- convnets (issue 16)
# The full lessons take minutes an epoch on a CPU: their figures, measured once on real
# MNIST, are in each example's docstring and docs/convolutional-networks.md. These run each
# example end to end on a few hundred of tiny_data_dir's images for a few steps: it runs,
# and it learns.
def test_mnist_convnet_is_the_books_model_and_learns(tiny_data_dir: Path) -> None:
    example = load_example("mnist_convnet")
    assert example.build_model().count_params() == 104_202  # as the book's summary() says
    args = ["--data-dir", str(tiny_data_dir), "--train-size", "384", "--epochs", "2"]
    result = example.main(args)
    losses = result["history"]["loss"]
    assert len(losses) == 2 and losses[1] < 0.8 * losses[0]  # 12 steps go downhill
    assert result["test_accuracy"] >= 0.9  # on 200 unseen images; chance is 0.1
    assert len(result["epoch_seconds"]) == 2 and min(result["epoch_seconds"]) > 0


def test_codelab_learning_rate_decays_from_0_003_towards_0_0001() -> None:
    example = load_example("mnist_codelab_convnet")
    schedule = example.codelab_learning_rate()
    assert schedule(0) == pytest.approx(0.003)
    assert schedule(2000) == pytest.approx(0.0001 + 0.0029 / math.e)
    assert schedule(100_000) == pytest.approx(0.0001, abs=1e-12)
    with pytest.raises(ValueError, match="DecayTowards: needs 0 <= minimum <= maximum"):
        example.DecayTowards(maximum=0.001, minimum=0.01, decay_steps=10)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_codelab_convnet_shapes_and_feature_maps(batch_norm: bool) -> None:
    example = load_example("mnist_codelab_convnet")
    model = example.build_model(batch_norm=batch_norm)
    kinds = [type(layer).__name__ for layer in model.layers]
    if batch_norm:  # normalisation after each conv and the dense layer, before relu
        assert kinds.count("BatchNormalization") == 4
        for index, kind in enumerate(kinds):
            if kind == "BatchNormalization":
                assert kinds[index - 1] in ("Conv2D", "Dense") and kinds[index + 1] == "Activation"
                assert not model.layers[index - 1].use_bias  # BN's offset does the bias's work
    else:
        assert "BatchNormalization" not in kinds
    image = np.random.default_rng(0).random((28, 28, 1), dtype=np.float32)
    maps = example.feature_maps(model, image)
    assert [output.shape for _, output in maps] == [(28, 28, 6), (14, 14, 12), (7, 7, 24)]
    assert all(np.all(output >= 0) for _, output in maps)  # after relu


@pytest.mark.parametrize("batch_norm", [False, True])
def test_codelab_convnet_learns_and_draws_its_dashboard(
    tmp_path: Path, tiny_data_dir: Path, batch_norm: bool
) -> None:
    example = load_example("mnist_codelab_convnet")
    args = ["--out", str(tmp_path), "--data-dir", str(tiny_data_dir), "--train-size", "500"]
    args += ["--epochs", "2", "--dashboard-every", "5"] + ["--batch-norm"] * batch_norm
    result = example.main(args)
    losses = result["history"]["loss"]
    assert losses[1] < 0.8 * losses[0]  # 10 steps go downhill
    assert result["test_accuracy"] >= 0.9  # on 200 unseen images; chance is 0.1
    assert result["target"] == (0.992 if batch_norm else 0.990)
    records = result["records"]
    assert records["step"] == [5, 10]
    assert records["learning_rate"] == pytest.approx(
        [0.0001 + 0.0029 * math.exp(-step / 2000) for step in (5, 10)]
    )
    assert_png(result["dashboard"])
    assert_png(result["filters"])


# ---------------------------------------------------------------- options and figures (issue 15)
# Which examples read data files, and which draw a figure: only those offer --data-dir / --out.
READS_DATA = {
    "fashion_mnist",
    "mnist_codelab_convnet",
    "mnist_convnet",
    "mnist_dropout_decay",
    "mnist_mlp",
    "mnist_softmax",
}
DRAWS = {
    "celsius_to_fahrenheit",
    "char_language_model",
    "text_classification",
    "time_series_forecasting",
    "fashion_mnist",
    "gradient_descent",
    "mnist_codelab_convnet",
    "mnist_dropout_decay",
    "mnist_softmax",
    "render_graph",
}
ALL_EXAMPLES = sorted(path.stem for path in EXAMPLES_DIR.glob("*.py"))


def help_text(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        load_example(name).parse_args(["--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_examples_offer_only_the_options_that_do_something(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_text(name, capsys)
    assert ("--data-dir" in text) == (name in READS_DATA), name
    assert ("--out" in text) == (name in DRAWS), name
    assert "unused" not in text and "none are drawn" not in text, name


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_training_options_say_what_they_do_and_their_default(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    options = help_text(name, capsys).split("options:", 1)[1]
    blocks = {}  # option -> its help, from its line to the next option's
    for block in re.split(r"\n  (?=-)", options):
        if block.split():
            blocks[block.split()[0].rstrip(",")] = " ".join(block.split()[1:])
    for option in ("--epochs", "--learning-rate", "--batch-size"):
        if option not in blocks:
            continue
        block = blocks[option]
        assert "(default: " in block, f"{name} {option}: no default shown in {block!r}"
        metavar = option.strip("-").replace("-", "_").upper()
        words = block.split("(default")[0].replace(metavar, "").split()
        assert len(words) >= 2, f"{name} {option}: no help text in {block!r}"


def test_gradient_descent_figure_shows_the_steps_near_the_minimum() -> None:
    pytest.importorskip("matplotlib")
    example = load_example("gradient_descent")
    _, path = example.gradient_descent()
    figure = example.descent_figure(path)
    visited = np.array(path)
    near = visited[np.abs(visited - example.TARGET_X) <= 0.5]
    values = near**4 - 3 * near**3 + 2
    spread = values.max() - values.min()
    fitting = [
        axes
        for axes in figure.axes
        if axes.get_ylim()[0] <= values.min()
        and values.max() <= axes.get_ylim()[1]
        and axes.get_ylim()[1] - axes.get_ylim()[0] <= 3 * spread
    ]
    assert fitting, [axes.get_ylim() for axes in figure.axes]  # not lost on a 0-800 axis


# The full lessons on real MNIST (opt-in, minutes each on 2 cores). The batch-normalized
# variant has no such test: measured once at 0.9916, it is below its 0.992 target
# (docs/convolutional-networks.md).
@pytest.mark.slow
def test_mnist_convnet_reaches_99_percent() -> None:
    require_files(MNIST)
    result = load_example("mnist_convnet").main([])
    assert result["test_accuracy"] >= 0.990
    assert len(result["history"]["loss"]) == 5


@pytest.mark.slow
def test_codelab_convnet_reaches_99_percent_and_draws_its_pictures(tmp_path: Path) -> None:
    require_files(MNIST)
    result = load_example("mnist_codelab_convnet").main(["--out", str(tmp_path)])
    assert result["test_accuracy"] >= 0.990
    assert_png(result["dashboard"])
    assert_png(result["filters"])
