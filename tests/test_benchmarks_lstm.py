"""The LSTM benchmark's hand-written NumPy reference: its gradients by hand are right.

Checked against central differences and against tinygrad-edu's engine (the same
weights give the same gradients), and the script runs in quick mode. Timings are
printed by the script, never asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import numpy_lstm  # noqa: E402

from tests.benchmark_helpers import central_differences, run_script  # noqa: E402
from tinygrad_edu import Tensor, nn  # noqa: E402


def tiny_reference(seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = numpy_lstm.initial_weights(3, 4, rng, dtype=np.float64)
    weights[4] = rng.normal(size=1)
    x, y = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 1))
    return numpy_lstm.NumpyLSTM(weights), x, y


def test_backpropagation_through_time_by_hand_matches_central_differences():
    reference, x, y = tiny_reference()
    _, gradients = reference.loss_and_gradients(x, y)
    for by_hand, numeric in zip(gradients, central_differences(reference, x, y)):
        np.testing.assert_allclose(by_hand, numeric, rtol=1e-6, atol=1e-8)


def test_the_reference_computes_what_tinygrad_edu_computes():
    reference, x, y = tiny_reference(1)
    loss, gradients = reference.loss_and_gradients(x, y)
    model = nn.Sequential([nn.LSTM(4, dtype="float64"), nn.Dense(1, dtype="float64")])
    model.build((None, 5, 3))
    model.set_weights(reference.weights)
    ours = nn.losses.mean_squared_error(y, model(Tensor(x)))
    ours.backward()
    assert ours.item() == np.float64(loss) or abs(ours.item() - loss) < 1e-12
    for weight, expected in zip(model.weights, gradients):
        np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_the_benchmark_runs_quickly_and_reports_the_ratio():
    done = run_script("lstm.py", "--quick")
    assert "ratio to numpy" in done.stdout and "fit" in done.stdout
    assert "max abs difference" in done.stdout


def test_the_twin_contender_runs_the_readable_step_and_puts_the_fused_one_back():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import lstm

    from tinygrad_edu.fused import recurrent as fused_recurrent
    from tinygrad_edu.nn import recurrent

    weights = numpy_lstm.initial_weights(lstm.FEATURES, 4, np.random.default_rng(0))
    x, y = lstm.make_data(4, 0)
    used = []
    original = fused_recurrent.lstm_step_simple

    def spy(*args):
        used.append(1)
        return original(*args)

    fused_recurrent.lstm_step_simple = spy
    try:
        lstm.UNITS, units = 4, lstm.UNITS
        lstm.twin_contender(weights, x, y, batch_size=4)()
    finally:
        lstm.UNITS = units
        fused_recurrent.lstm_step_simple = original
    assert len(used) == lstm.STEPS  # every step of the one batch ran the twin
    assert recurrent.lstm_step is fused_recurrent.lstm_step  # and the fused step is back
    assert recurrent.lstm_state_step is fused_recurrent.lstm_state_step


def test_the_shortcut_contenders_swap_one_shortcut_each_and_put_it_back(monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import lstm

    from tinygrad_edu.fused import recurrent as fused_recurrent
    from tinygrad_edu.nn import recurrent

    monkeypatch.setattr(lstm, "UNITS", 4)
    weights = numpy_lstm.initial_weights(lstm.FEATURES, 4, np.random.default_rng(0))
    x, y = lstm.make_data(4, 0)
    seen = []
    monkeypatch.setattr(recurrent, "run_over_time", _spy(recurrent.run_over_time, seen))
    contenders = lstm.shortcut_contenders(weights, x, y, batch_size=4)
    assert set(contenders) == {"loop", "view"}
    contenders["loop"]()
    assert seen[-1] == "step"  # the plain loop runs the layer's own step, states apart
    contenders["view"]()
    assert seen[-1] == "fused"
    assert recurrent.LSTM.__dict__["run_steps"].__qualname__ == "LSTM.run_steps"
    assert recurrent.transposed_copy is fused_recurrent.transposed_copy


def _spy(run_over_time, seen):
    def spy(step, *args, **kwargs):
        # the layer's own step is a bound method; the fused loop's is a closure
        seen.append("step" if hasattr(step, "__self__") else "fused")
        return run_over_time(step, *args, **kwargs)

    return spy
