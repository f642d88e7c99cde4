"""The MNIST benchmark scripts and their hand-written NumPy reference.

The reference's hand-derived gradients are checked against central differences,
and one of its training steps against tinygrad-edu's: a benchmark that compared
different arithmetic would measure nothing. The scripts themselves run in quick
mode; their timings are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import _timing  # noqa: E402
import mnist_mlp  # noqa: E402
import numpy_reference  # noqa: E402
import step_instructions  # noqa: E402

from tests.benchmark_helpers import central_differences, run_script  # noqa: E402


def small_float64_model(seed: int = 0) -> tuple[numpy_reference.NumpyMLP, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = [w.astype(np.float64) for w in numpy_reference.initial_weights(rng, (5, 7, 4))]
    weights[1] = rng.normal(size=7)  # nonzero biases, so their gradients are exercised
    weights[3] = rng.normal(size=4)
    x = rng.normal(size=(6, 5))
    labels = np.array([0, 3, 1, 2, 3, 0])
    return numpy_reference.NumpyMLP(weights), x, labels


def test_reference_gradients_match_central_differences():
    model, x, labels = small_float64_model()
    _, _, analytic = model.forward_backward(x, labels)
    numerical = central_differences(model, x, labels)
    names = ["kernel1", "bias1", "kernel2", "bias2"]
    for name, mine, expected in zip(names, analytic, numerical):
        assert mine.shape == expected.shape, name
        np.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-8, err_msg=name)


def test_reference_loss_and_accuracy_are_the_usual_ones():
    model, x, labels = small_float64_model()
    probabilities = model.predict_proba(x)
    loss, accuracy, _ = model.forward_backward(x, labels)
    assert loss == pytest.approx(-np.mean(np.log(probabilities[np.arange(6), labels])))
    assert accuracy == pytest.approx(np.mean(probabilities.argmax(axis=1) == labels))


def test_reference_rmsprop_follows_the_keras_formula():
    weights = [np.array([[1.0]]), np.array([0.5]), np.array([[2.0]]), np.array([-1.0])]
    settings = numpy_reference.RMSpropSettings(learning_rate=0.1, rho=0.9, epsilon=1e-7)
    model = numpy_reference.NumpyMLP(weights, settings)
    gradients = [np.array([[0.2]]), np.array([-0.4]), np.array([[0.0]]), np.array([1.0])]
    for _ in range(2):  # twice, so the running average's memory matters
        model.apply_gradients(gradients)
    for parameter, start, g in zip(model.parameters(), weights, gradients):
        expected, v = start.copy(), 0.0
        for _ in range(2):
            v = 0.9 * v + 0.1 * g**2
            expected = expected - 0.1 * g / np.sqrt(v + 1e-7)
        np.testing.assert_allclose(parameter, expected, rtol=1e-12)


def test_reference_stays_in_float32():
    weights = numpy_reference.initial_weights(np.random.default_rng(0), (5, 7, 4))
    model = numpy_reference.NumpyMLP(weights)
    x = np.random.default_rng(1).random((3, 5), dtype=np.float32)
    _, _, gradients = model.forward_backward(x, np.array([0, 1, 3]))
    model.train_step(x, np.array([0, 1, 3]))
    arrays = [*gradients, *model.parameters(), *model.velocities]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}


def test_one_engine_step_equals_one_reference_step():
    """From the same weights on the same batch, tinygrad-edu and the reference agree."""
    weights = numpy_reference.initial_weights(np.random.default_rng(3))
    x, y = mnist_mlp.load_data(None, 32, seed=3)
    agreement = mnist_mlp.check_agreement(weights, x, y)
    assert agreement["engine_loss"] == pytest.approx(agreement["reference_loss"], rel=1e-5)
    assert agreement["max_weight_difference"] < 1e-5
    assert agreement["engine_dtypes"] == ["float32"]


def test_update_results_section_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "RESULTS.md"
    _timing.update_results_section(path, "mnist_mlp", "first")
    path.write_text(path.read_text() + "\n## engine_overhead\n\nkeep me\n")
    _timing.update_results_section(path, "mnist_mlp", "second")
    _timing.update_results_section(path, "memory", "third")
    text = path.read_text()
    assert text.startswith("# Benchmark results\n")
    assert "first" not in text
    assert text.index("## mnist_mlp\n\nsecond\n") < text.index("## engine_overhead\n\nkeep me\n")
    assert text.rstrip().endswith("## memory\n\nthird")


def test_mnist_mlp_quick_runs_every_contender(tmp_path):
    figures_path = tmp_path / "figures.json"
    done = run_script("mnist_mlp.py", "--quick", "--json", str(figures_path))
    for expected in ("vs numpy", "GFLOP/s", "peak MiB", "matrix products alone", "blas threads"):
        assert expected in done.stdout
    figures = json.loads(figures_path.read_text())
    names = [row["name"] for row in figures["rows"]]
    assert names[:5] == ["fit", "manual", "functional", "numpy", "arrays"]
    for row in figures["rows"]:
        assert row["median_s"] > 0 and row["gflops"] > 0
        if row["name"] != "torch":
            assert row["traced_peak_bytes"] > 0
    assert figures["agreement"]["max_weight_difference"] < 1e-5
    assert figures["settings"]["steps_per_epoch"] == 4


@pytest.mark.skipif(
    not os.environ.get("TINYGRAD_EDU_DATA"), reason="TINYGRAD_EDU_DATA (real MNIST) not set"
)
def test_mnist_mlp_quick_on_real_mnist(tmp_path):
    figures_path = tmp_path / "figures.json"
    data_dir = Path(os.environ["TINYGRAD_EDU_DATA"]) / "mnist"
    run_script("mnist_mlp.py", "--quick", "--data-dir", str(data_dir), "--json", str(figures_path))
    figures = json.loads(figures_path.read_text())
    assert figures["settings"]["data"] == str(data_dir)
    assert figures["agreement"]["engine_loss"] == pytest.approx(
        figures["agreement"]["reference_loss"], rel=1e-5
    )


def test_memory_quick_reports_peaks_and_growth(tmp_path):
    figures_path = tmp_path / "figures.json"
    done = run_script("memory.py", "--quick", "--json", str(figures_path))
    assert "the reference" in done.stdout and "gc found" in done.stdout
    figures = json.loads(figures_path.read_text())
    assert set(figures["step_peak_bytes"]) == {"manual", "numpy", "fit", "numpy_fit"}
    state = figures["optimizer_state_bytes"]
    assert state["engine"] == state["numpy"] == 2 * 4 * (784 * 512 + 512 + 512 * 10 + 10)
    assert all(peak > 0 for peak in figures["step_peak_bytes"].values())
    for name in ("manual", "numpy", "fit"):
        growth = figures["growth"][name]
        assert (growth["early_steps"], growth["late_steps"]) == (10, 50)
        assert growth["early_traced"] > 0 or name == "numpy"


def test_the_command_in_results_leaves_out_output_paths():
    given = ["--data-dir", "d", "--json", "out.json", "--write-results", "--json=x", "--quick"]
    kept = _timing.command_arguments(given, drop={"--write-results"}, drop_with_value={"--json"})
    assert kept == ["--data-dir", "d", "--quick"]


def test_alternate_rotates_who_goes_first_and_keeps_rounds_in_order() -> None:
    calls: list[str] = []
    contenders = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = _timing.alternate(contenders, repeats=3, warmup=1)
    assert calls == list("abc") + list("abc") + list("bca") + list("cab")  # warm-up, then rounds
    assert {name: len(t) for name, t in times.items()} == {"a": 3, "b": 3, "c": 3}


def test_paired_ratio_cancels_drift_between_rounds() -> None:
    # The machine gets twice as slow every round; within a round a takes 1.1x b.
    times = {"a": [1.1, 2.2, 4.4, 8.8], "b": [1.0, 2.0, 4.0, 8.0]}
    assert _timing.paired_ratio(times, "a", "b") == pytest.approx(1.1)
    assert _timing.median(times["a"]) / _timing.median(times["b"]) == pytest.approx(1.1)
    times["a"][1] = 3.3  # one run of a disturbed: the ratio of medians moves, the paired one not
    assert _timing.median(times["a"]) / _timing.median(times["b"]) == pytest.approx(3.85 / 3.0)
    assert _timing.paired_ratio(times, "a", "b") == pytest.approx(1.1)


def test_save_outputs_writes_json_and_the_section_with_its_command(tmp_path, monkeypatch):
    results = tmp_path / "RESULTS.md"
    monkeypatch.setattr(_timing, "__file__", str(tmp_path / "_timing.py"))  # RESULTS.md beside it
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    figures = {"ratio": 1.25}
    argv = ["--quick", "--json", str(tmp_path / "f.json"), "--write-results"]
    _timing.save_outputs(
        "memory", argv, figures, tmp_path / "f.json", True, lambda command: f"ran `{command}`"
    )
    assert json.loads((tmp_path / "f.json").read_text()) == figures
    assert "## memory\n\nran `OPENBLAS_NUM_THREADS=1 python benchmarks/memory.py --quick`" in (
        results.read_text()
    )
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    _timing.save_outputs("memory", ["--quick"], figures, None, False, lambda command: "never")
    assert "never" not in results.read_text()


def test_save_outputs_can_name_the_section_for_a_second_mode(tmp_path, monkeypatch):
    monkeypatch.setattr(_timing, "__file__", str(tmp_path / "_timing.py"))
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    for argv, heading in (([], None), (["--model", "mnist"], "step_instructions (mnist)")):
        _timing.save_outputs(
            "step_instructions", argv, {}, None, True, lambda c: f"ran `{c}`", heading=heading
        )
    text = (tmp_path / "RESULTS.md").read_text()
    assert "## step_instructions\n\nran `python benchmarks/step_instructions.py`" in text
    assert (
        "## step_instructions (mnist)\n\nran `python benchmarks/step_instructions.py --model mnist`"
    ) in text


CALLGRIND_SUMMARY = """==7== Callgrind, a call-graph generating cache profiler
==7== Events    : Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
==7== Collected : 1000 300 100 40 30 20 9 8 7
"""


def test_step_instructions_reads_callgrind_counts_and_sums_the_misses():
    counts = step_instructions.parse_counts(0, CALLGRIND_SUMMARY, "numpy (2 steps)")
    assert counts == {
        "Ir": 1000, "Dr": 300, "Dw": 100, "I1mr": 40, "D1mr": 30, "D1mw": 20,
        "ILmr": 9, "DLmr": 8, "DLmw": 7,
    }  # fmt: skip
    assert step_instructions._totals(counts) == {"Ir": 1000, "L1": 90, "LL": 24}
    plain = step_instructions.parse_counts(0, "==7== Events : Ir\n==7== Collected : 55\n", "x")
    assert step_instructions._totals(plain) == {"Ir": 55}
    with pytest.raises(RuntimeError, match=r"valgrind failed on fit \(3 steps\), exit status 1"):
        step_instructions.parse_counts(1, CALLGRIND_SUMMARY, "fit (3 steps)")
    with pytest.raises(RuntimeError, match="valgrind failed"):
        step_instructions.parse_counts(0, "no summary at all", "fit (3 steps)")


def test_step_instructions_counts_the_python_calls_of_a_step():
    counts = {name: step_instructions.count_python_calls(name, "tiny", 3) for name in
              step_instructions.CONTENDERS}  # fmt: skip
    numpy_counts, manual, fit = counts["numpy"], counts["manual"], counts["fit"]
    # the reference is a few calls of its own plus NumPy's Python wrappers; the engine's
    # step runs the model, the loss, backward and the optimizer on top
    assert 0 < numpy_counts["python_calls_per_step"] < manual["python_calls_per_step"]
    assert 0 < numpy_counts["python_functions_per_step"] < manual["python_functions_per_step"]
    assert manual["python_calls_per_step"] == int(manual["python_calls_per_step"])  # no drift
    assert fit["python_calls_per_step"] > 0 and fit["python_functions_per_step"] is None
    figures = {
        "machine": {}, "valgrind": "valgrind-3.19.0",
        "settings": {"model": "tiny", "sizes": (8, 8, 10), "batch": 4, "warm_up": 20, "steps": 3},
        "rows": [{"name": name, "instructions_per_step": 100.0, "ratio_to_numpy": 1.0,
                  "over_numpy": 0.0, **counts[name]} for name in counts],
    }  # fmt: skip
    table = step_instructions.report(figures)
    assert "Python calls/step" in table and "functions/step" in table
    fit_line = next(line for line in table.splitlines() if line.startswith("fit "))
    assert fit_line.endswith("n/a")


def test_step_instructions_mnist_report_shows_the_cache_misses():
    rows = [
        {"name": name, "instructions_per_step": ir, "first_level_misses_per_step": l1,
         "last_level_misses_per_step": l2, "ratio_to_numpy": ir / 100.0, "over_numpy": ir - 100.0}
        for name, ir, l1, l2 in (("numpy", 100.0, 50, 10), ("manual", 101.0, 60, 12),
                                 ("fit", 102.0, 61, 13))
    ]  # fmt: skip
    figures = {
        "machine": {},
        "valgrind": "valgrind-3.19.0",
        "settings": {"model": "mnist", "sizes": (784, 512, 10), "batch": 128, "warm_up": 3,
                     "steps": 4},
        "rows": rows,
    }  # fmt: skip
    text = step_instructions.results_section(figures, "python benchmarks/step_instructions.py")
    assert "L2 misses/step" in text and "784 -> 512 relu -> 10 softmax, batch 128" in text
    assert "manual" in text and "1.200x" in text  # 12 L2 misses against the reference's 10
    assert "miss the simulated L2 1.200x and 1.300x as often" in text
    args = step_instructions.parse_args(["--model", "mnist", "--quick"])
    assert (args.model, args.steps) == ("mnist", 1)
    assert step_instructions.parse_args([]).steps == 400
