"""The sequence lessons (issue 22): time series, text classification, a character-level
language model. By default each runs end to end with --quick (tiny sizes); the full
lessons, with the figures the docs show, are `slow`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.examples.test_examples import assert_png, load_example


def assert_says_quick(printed: str) -> None:
    """A --quick run says its numbers and figures are of barely trained models."""
    assert printed.startswith("--quick: tiny data") or "\n--quick: tiny data" in printed
    assert "not the lesson's results" in printed
    saved = [line for line in printed.splitlines() if line.startswith("Saved ")]
    assert saved and all(line.endswith("(--quick: barely trained)") for line in saved)


def test_time_series_lesson_runs_every_forecaster_and_draws(tmp_path: Path, capsys) -> None:
    result = load_example("time_series_forecasting").main(["--quick", "--out", str(tmp_path)])
    assert set(result["mae"]) == {"naive", "linear", "dense", "simple_rnn", "lstm", "conv_lstm"}
    assert all(np.isfinite(value) for value in result["mae"].values())
    rates, losses = result["sweep"]
    assert rates[0] == pytest.approx(1e-7) and rates[1] == pytest.approx(1e-7 * 10 ** (1 / 20))
    for figure in result["figures"]:
        assert_png(figure)
    assert_says_quick(capsys.readouterr().out)


def test_the_series_is_the_courses() -> None:
    example = load_example("time_series_forecasting")
    series = example.make_series()
    assert series.shape == (1461,)
    naive = np.abs(series[999:-1] - series[1000:]).mean()
    assert naive == pytest.approx(5.94, abs=0.01)  # the course's naive-forecast MAE


def test_text_lesson_runs_both_models_and_draws(tmp_path: Path, capsys) -> None:
    result = load_example("text_classification").main(["--quick", "--out", str(tmp_path)])
    assert set(result["test_accuracy"]) == {"pooling", "lstm"}
    assert_png(result["figure"])
    assert_says_quick(capsys.readouterr().out)


def test_char_language_model_lesson_samples_text_and_draws(tmp_path: Path, capsys) -> None:
    result = load_example("char_language_model").main(["--quick", "--out", str(tmp_path)])
    assert set(result["samples"]) == {"mlp", "lstm", "transformer"}
    assert all(len(text) == 20 for text in result["samples"].values())
    assert all(loss < np.log(52) + 0.5 for loss in result["val_loss"].values())
    assert_png(result["figure"])
    assert_says_quick(capsys.readouterr().out)


@pytest.mark.slow
def test_time_series_lesson_beats_the_naive_forecast(tmp_path: Path) -> None:
    result = load_example("time_series_forecasting").main(["--out", str(tmp_path)])
    mae = result["mae"]
    assert mae["naive"] == pytest.approx(5.94, abs=0.01)
    for model in ("dense", "simple_rnn", "lstm", "conv_lstm"):
        assert mae[model] < mae["naive"], model
    for figure in result["figures"]:
        assert_png(figure)


@pytest.mark.slow
def test_text_lesson_learns_polarity(tmp_path: Path) -> None:
    result = load_example("text_classification").main(["--out", str(tmp_path)])
    # measured: 0.770 and 0.751
    assert result["test_accuracy"]["pooling"] > 0.72
    assert result["test_accuracy"]["lstm"] > 0.72
    assert_png(result["figure"])


@pytest.mark.slow
def test_char_language_model_learns_shakespeare(tmp_path: Path) -> None:
    result = load_example("char_language_model").main(["--out", str(tmp_path)])
    bits = {kind: loss / np.log(2) for kind, loss in result["val_loss"].items()}
    # measured: 3.19, 2.48 and 2.43 bits (uniform guessing: 5.93)
    assert bits["mlp"] < 3.5 and bits["lstm"] < 2.8 and bits["transformer"] < 2.8
    assert bits["transformer"] < bits["mlp"]
    assert_png(result["figure"])
