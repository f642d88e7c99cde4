"""How fast tinygrad-edu trains an LSTM(128) on sequences of 50, against hand-written NumPy.

The model: LSTM(128) over (batch, 50 steps, 8 features), its last output into
Dense(1), mean squared error, plain SGD, float32. One epoch of `--steps` batches.
In one run it times, taking turns:

  fit     tinygrad-edu's `model.fit(..., epochs=1, shuffle=False)`: the LSTM layer is
          a Python loop over the 50 steps of the engine's ops, and backpropagation
          through time is the engine's backward walk
  twin    with --twin: `fit` with the LSTM step's composite twin
          (fused.recurrent.lstm_step_simple) instead of its fused nodes: what they gain
  loop    with --shortcuts: `fit` with the layer's plain loop of `step` (the states
          [h, c] kept apart, the bias not folded into the kernel): what LSTM.run_steps earns
  view    with --shortcuts: `fit` multiplying by a transposed view of recurrent_kernel in
          backward, not by its row-ordered copy (fused.recurrent.transposed_copy)
  numpy   `numpy_lstm.NumpyLSTM`: the same maths with backpropagation through time
          written out by hand (its gradients are checked in the tests)
  torch   PyTorch's nn.LSTM on the CPU, when it is installed (cuDNN-free, eager)

and reports medians and the ratio to the NumPy reference measured within each
round (the machine is shared, so only ratios taken side by side mean much).

    OPENBLAS_NUM_THREADS=1 python benchmarks/lstm.py            # about a minute
    python benchmarks/lstm.py --quick                           # a few steps, for CI
    OPENBLAS_NUM_THREADS=1 python benchmarks/lstm.py --write-results
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import numpy_lstm  # noqa: E402

from tinygrad_edu import manual_seed, nn  # noqa: E402

STEPS, FEATURES, UNITS = 50, 8, 128
LEARNING_RATE = 0.01
TARGET = 1.3  # the target: fit at most 1.3x the NumPy reference
NOTE = (
    "- Where the rest goes (cProfile, RESULTS.md section 'lstm: where the time goes'): each "
    "time step is one fused node of the backward walk (LSTMStep, with its gates from LSTMGates) "
    "and about 30 small Tensor ops in its backward, against the reference's NumPy calls; the "
    "matrix products are the same five per step. The machine was shared with other helpers' "
    "work; the ratios are taken within each round."
)


def make_data(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random sequences and a target that depends on them (the sum of the first feature)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(samples, STEPS, FEATURES)).astype(np.float32)
    return x, x[:, :, :1].sum(axis=1) / np.sqrt(STEPS)


def build_model(weights: list[np.ndarray]) -> nn.Sequential:
    """LSTM(128) -> Dense(1) with the reference's weights (Keras's layout: the same arrays)."""
    model = nn.Sequential([nn.LSTM(UNITS, input_shape=(STEPS, FEATURES)), nn.Dense(1)])
    model.set_weights([w.copy() for w in weights])
    model.compile(optimizer=nn.optimizers.SGD(learning_rate=LEARNING_RATE), loss="mse")
    return model


def fit_contender(weights, x, y, batch_size) -> Callable[[], object]:
    model = build_model(weights)
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)


def twin_contender(weights, x, y, batch_size) -> Callable[[], object]:
    """`fit` with the step's composite twin in place of the fused nodes (for their gain)."""
    from tinygrad_edu.fused import recurrent as fused_recurrent
    from tinygrad_edu.nn import recurrent

    model = build_model(weights)

    def epoch() -> object:
        recurrent.lstm_step = fused_recurrent.lstm_step_simple
        recurrent.lstm_state_step = fused_recurrent.lstm_state_step_simple
        try:
            return model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        finally:
            recurrent.lstm_step = fused_recurrent.lstm_step
            recurrent.lstm_state_step = fused_recurrent.lstm_state_step

    return epoch


def shortcut_contenders(weights, x, y, batch_size) -> dict[str, Callable[[], object]]:
    """`fit` with one of the LSTM layer's shortcuts swapped for its twin (the 3% rule)."""
    from tinygrad_edu.nn import recurrent

    swaps = {
        "loop": (recurrent.LSTM, "run_steps", recurrent._RecurrentLayer.run_steps),
        "view": (recurrent, "transposed_copy", lambda matrix: None),
    }
    contenders = {}
    for name, (owner, attribute, twin) in swaps.items():
        model = build_model(weights)

        def epoch(model=model, owner=owner, attribute=attribute, twin=twin) -> object:
            shipped = owner.__dict__[attribute]
            setattr(owner, attribute, twin)
            try:
                return model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
            finally:
                setattr(owner, attribute, shipped)

        contenders[name] = epoch
    return contenders


def numpy_contender(weights, x, y, batch_size) -> Callable[[], object]:
    reference = numpy_lstm.NumpyLSTM([w.copy() for w in weights])
    return lambda: reference.epoch(x, y, batch_size, LEARNING_RATE)


def torch_contender(weights, x, y, batch_size, threads):
    """PyTorch's LSTM with the same weights (its gate order i, f, g, o is Keras's), or None."""
    torch = _timing.import_torch(threads)
    if torch is None:
        return None, "not installed"
    note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    kernel, recurrent, bias, dense, dense_bias = (torch.tensor(w) for w in weights)
    lstm = torch.nn.LSTM(FEATURES, UNITS, batch_first=True)
    head = torch.nn.Linear(UNITS, 1)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(kernel.T)
        lstm.weight_hh_l0.copy_(recurrent.T)
        lstm.bias_ih_l0.copy_(bias)
        lstm.bias_hh_l0.zero_()
        head.weight.copy_(dense.T)
        head.bias.copy_(dense_bias)
    parameters = [*lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.SGD(parameters, lr=LEARNING_RATE)
    x_all, y_all = torch.tensor(x), torch.tensor(y)

    def epoch() -> None:
        for start in range(0, len(x_all), batch_size):
            xb, yb = x_all[start : start + batch_size], y_all[start : start + batch_size]
            optimizer.zero_grad()
            output, _ = lstm(xb)
            loss = ((head(output[:, -1]) - yb) ** 2).mean()
            loss.backward()
            optimizer.step()

    return epoch, note


def check_agreement(weights, x, y, batch_size) -> float:
    """The largest difference between the weights after one epoch of fit and of NumPy."""
    model = build_model(weights)
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    reference = numpy_lstm.NumpyLSTM([w.copy() for w in weights])
    reference.epoch(x, y, batch_size, LEARNING_RATE)
    return max(float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), reference.weights))


def run(args: argparse.Namespace) -> dict:
    load_at_start = _timing.load_average()
    threads = _timing.blas_threads()
    x, y = make_data(args.steps * args.batch_size, args.seed)
    manual_seed(args.seed)
    weights = numpy_lstm.initial_weights(FEATURES, UNITS, np.random.default_rng(args.seed))
    agreement = check_agreement(weights, x[: 2 * args.batch_size], y[: 2 * args.batch_size],
                                args.batch_size)  # fmt: skip
    contenders = {
        "fit": fit_contender(weights, x, y, args.batch_size),
        "numpy": numpy_contender(weights, x, y, args.batch_size),
    }
    if args.twin:
        contenders["twin"] = twin_contender(weights, x, y, args.batch_size)
    if args.shortcuts:
        contenders.update(shortcut_contenders(weights, x, y, args.batch_size))
    torch_epoch, torch_note = torch_contender(weights, x, y, args.batch_size, threads)
    if torch_epoch is not None:
        contenders["torch"] = torch_epoch
    times, medians, load_note = _timing.timed_rounds(contenders, args.repeats, load_at_start)
    return {
        "machine": _timing.machine_facts(),
        "settings": {
            "batch_size": args.batch_size, "steps_per_epoch": args.steps,
            "repeats": args.repeats, "torch": torch_note, "load_at_start": load_at_start,
            "load_average": load_note,
        },
        "agreement_max_abs": agreement,
        "medians_s": medians,
        "paired_ratio_to_numpy": {
            name: _timing.paired_ratio(times, name, "numpy") for name in medians
        },
        "times_s": times,
    }  # fmt: skip


def report(figures: dict) -> str:
    settings = figures["settings"]
    lines = [f"machine: {_timing.facts_line(figures['machine'])}"]
    if _timing.busy(settings["load_at_start"]):
        lines.append(
            "note: the machine was busy (other work shared the cores); the times move with it, "
            "the ratios taken within each round much less"
        )
    lines += [
        f"LSTM({UNITS}) on {STEPS} steps of {FEATURES} features -> Dense(1), MSE, SGD, float32; "
        f"batch {settings['batch_size']}, {settings['steps_per_epoch']} steps per epoch, "
        f"{settings['repeats']} alternating rounds; torch: {settings['torch']}",
        f"load: {settings['load_average']}",
        f"weights after one epoch, fit vs numpy: max abs difference "
        f"{figures['agreement_max_abs']:.2e}",
        "",
        f"{'contender':10} {'median s/epoch':>15} {'ratio to numpy (paired)':>25}",
    ]
    for name, seconds in figures["medians_s"].items():
        ratio = figures["paired_ratio_to_numpy"][name]
        lines.append(f"{name:10} {seconds:15.3f} {ratio:24.3f}x")
    return "\n".join(lines)


def results_section(figures: dict, command: str) -> str:
    ratio = figures["paired_ratio_to_numpy"]["fit"]
    verdict = "met" if ratio <= TARGET else "not met"
    return (
        f"Command: `{command}`\n\n```\n{report(figures)}\n```\n\n"
        f"- fit against the hand-written NumPy LSTM: {ratio:.2f}x (target {TARGET}x: {verdict}).\n"
        f"{NOTE}\n"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two steps, one round (for CI)")
    parser.add_argument("--repeats", type=int, default=7, help="alternating timed rounds")
    parser.add_argument("--steps", type=int, default=8, help="batches per epoch")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--twin", action="store_true", help="also time fit with the LSTM step's composite twin"
    )
    parser.add_argument(
        "--shortcuts",
        action="store_true",
        help="also time fit with each of the LSTM layer's shortcuts swapped for its twin",
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--write-results",
        action="store_true",
        help="update the 'lstm, batch N' section of RESULTS.md",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.repeats, args.batch_size = 2, 1, 8
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    figures = run(args)
    print(report(figures))
    _timing.save_outputs(
        "lstm", argv, figures, args.json, args.write_results,
        lambda command: results_section(figures, command), heading=f"lstm, batch {args.batch_size}",
    )  # fmt: skip
    return figures


if __name__ == "__main__":
    main()
