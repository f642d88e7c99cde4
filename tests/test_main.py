"""The main job: `python -m tinygrad_edu` trains on the built-in digits and draws pictures."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu import __main__ as cli
from tinygrad_edu.datasets import download

REPO_ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def reported_accuracy(output: str) -> float:
    match = re.search(r"Test accuracy: ([0-9.]+)", output)
    assert match, f"no 'Test accuracy' line in the output:\n{output}"
    return float(match.group(1))


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """One default training run on the digits, shared by the tests that inspect it."""
    out = tmp_path_factory.mktemp("out")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = cli.main(["train", "--out", str(out)])
    return status, buffer.getvalue(), out


def test_train_on_digits_reaches_95_percent(default_run: tuple[int, str, Path]) -> None:
    status, output, _ = default_run
    assert status == 0
    assert reported_accuracy(output) >= 0.95


def test_train_prints_the_summary_and_the_progress(default_run: tuple[int, str, Path]) -> None:
    _, output, _ = default_run
    assert "Total params" in output  # the model summary
    assert "Epoch 1/20" in output and "Epoch 20/20" in output
    assert "45/45 [==============================]" in output  # 1437 images / 32 per batch


@pytest.mark.usefixtures("requires_dot")
def test_train_writes_the_history_plot_and_the_graph(default_run: tuple[int, str, Path]) -> None:
    _, _, out = default_run
    assert (out / "history.png").read_bytes()[:8] == PNG_MAGIC
    svg = (out / "graph.svg").read_text()
    assert "<svg" in svg and "</svg>" in svg
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_no_subcommand_means_train(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "graph_tools_missing", lambda: "testing")
    assert cli.main(["--epochs", "1", "--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "Epoch 1/1" in output and "Test accuracy" in output


def test_train_without_matplotlib_or_dot_skips_the_pictures_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setattr(cli.shutil, "which", lambda program: None)

    assert cli.main(["train", "--epochs", "1", "--out", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert "Skipping the history plot: matplotlib is not installed" in output
    assert "Skipping the computation graph: Graphviz's `dot` program" in output
    assert "Test accuracy" in output
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


def test_train_reports_missing_mnist_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.delenv(download.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(download, "SYSTEM_DATA_DIR", tmp_path / "system")
    monkeypatch.setattr(download, "urlopen", no_network)

    status = cli.main(["train", "--dataset", "mnist", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert status == 1
    assert "Could not find the MNIST files" in captured.err
    assert "Traceback" not in captured.err


def test_bad_arguments_exit_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", "--epochs", "0"])
    assert exit_info.value.code == 2
    assert "--epochs: must be at least 1, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["train", "--dataset", "cifar10"])


@pytest.mark.usefixtures("requires_dot")
def test_graph_subcommand_writes_an_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "graph.svg"
    assert cli.main(["graph", "--out", str(target)]) == 0
    svg = target.read_text()
    assert "<svg" in svg and "</svg>" in svg
    assert "dense_1" in svg  # ops are grouped by layer
    assert str(target) in capsys.readouterr().out


def test_graph_subcommand_without_dot_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli.shutil, "which", lambda program: None)
    target = tmp_path / "graph.svg"
    assert cli.main(["graph", "--out", str(target)]) == 1
    error = capsys.readouterr().err
    assert "cannot draw the graph" in error and "dot" in error
    assert not target.exists()


def test_graph_subcommand_without_the_graphviz_package_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.delitem(sys.modules, "tinygrad_edu.viz", raising=False)
    assert cli.main(["graph", "--out", str(tmp_path / "graph.svg")]) == 1
    assert "pip install 'tinygrad-edu[viz]'" in capsys.readouterr().err


def test_help_runs_as_a_module() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    completed = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "train" in completed.stdout and "graph" in completed.stdout
    assert completed.stdout.startswith("usage: tinygrad-edu")


# ---------------------------------------------------------------- what a new user reads (issue 15)
def test_top_level_help_shows_the_options_of_train_the_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--out", "--epochs", "--batch-size", "--dataset", "--data-dir"):
        assert option in text, option  # the README's main command uses --out


def test_every_option_of_the_main_job_says_what_it_does() -> None:
    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    for name, subparser in subcommands.items():
        for action in subparser._actions:
            assert action.help, f"{name} {action.option_strings} has no help text"


def test_the_test_set_is_named_once_for_what_it_is(default_run: tuple[int, str, Path]) -> None:
    # fit prints val_*; the run says those are the test set's numbers, and the plot's
    # legend gives both names.
    _, output, _ = default_run
    assert "Testing after each epoch on the 360 test examples (shown as val_*)" in output
    pytest.importorskip("matplotlib")
    figure = cli.history_figure({"loss": [1.0], "val_loss": [2.0]}, "title")
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["training loss", "test loss (val_loss)"]


@pytest.mark.parametrize("epochs", [1, 2, 3, 7])
def test_history_plot_has_whole_number_epoch_ticks(epochs: int) -> None:
    pytest.importorskip("matplotlib")
    history = {"loss": [1.0] * epochs, "accuracy": [0.5] * epochs}
    figure = cli.history_figure(history, "title")
    figure.canvas.draw()
    for axes in figure.axes:
        low, high = axes.get_xlim()
        ticks = [t for t in axes.get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
