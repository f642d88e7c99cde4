"""How fast tinygrad-edu trains the Keras book's MNIST model, against plain NumPy.

The model: 784 -> Dense 512 relu -> Dense 10 softmax, sparse categorical
cross-entropy, RMSprop (lr 1e-3, rho 0.9, eps 1e-7), batch 128, float32, one
epoch of 469 steps over 60,000 samples (real MNIST with --data-dir, else
random data of the same shape: the arithmetic costs the same). In one run it times

  fit     tinygrad-edu's `model.fit(..., epochs=1)`
  manual  a hand-written tinygrad-edu loop: forward, loss, backward, optimizer.step()
  functional  the same loop written with `tinygrad_edu.functional` instead of layers
          and a loss object: the same recorded nodes, backward and RMSprop, without
          the Keras-style calls around them and the loss's label checks (no target: it
          shows what the engine itself costs, and manual minus it what the wrappers cost)
  numpy   `numpy_reference.NumpyMLP`: the same maths with every derivative by hand
  arrays  `numpy_reference.EngineArrays`: the NumPy calls the engine's step makes, made
          without the engine (no graph, no Tensors): arrays minus numpy is what the
          engine's arrays cost, fit minus arrays what its Python costs
  torch   PyTorch on the CPU, when it is installed (a second point of comparison)

taking turns (fit, manual, numpy, torch, fit, ...) and reporting medians, each
one's ratio to the NumPy reference, the GFLOP/s each achieves against a float32
matrix-multiply peak measured here, the time of the epoch's matrix products
alone (a floor no implementation on this BLAS can beat), and the peak memory
NumPy allocates during a few steps of each.

    python benchmarks/mnist_mlp.py                       # full run (about a minute)
    python benchmarks/mnist_mlp.py --data-dir ../shared/datasets/mnist
    python benchmarks/mnist_mlp.py --quick               # a few steps, for CI
    python benchmarks/mnist_mlp.py --write-results       # also update RESULTS.md
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import numpy_reference  # noqa: E402
import threads_twin  # noqa: E402

from tinygrad_edu import Tensor, manual_seed, nn  # noqa: E402
from tinygrad_edu import functional as F  # noqa: E402

INPUTS, HIDDEN, CLASSES = 784, 512, 10
TORCH_TARGET = 0.95  # issue 21: fit at most this many times PyTorch eager's epoch time
SETTINGS = numpy_reference.RMSpropSettings(learning_rate=1e-3, rho=0.9, epsilon=1e-7)


# ---------------------------------------------------------------- data
def load_data(data_dir: str | None, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 (n, 784) in [0, 1], y int64 (n,)): real MNIST if a directory is given."""
    x, y = _timing.mnist_digits(data_dir, samples, seed)
    return x.reshape(len(x), INPUTS).astype(np.float32) / 255.0, y.astype(np.int64)


# ---------------------------------------------------------------- the contenders
def build_model(weights: list[np.ndarray]) -> nn.Sequential:
    """The Keras book's model, starting from the given weights (their shapes give the
    sizes: 784 -> 512 -> 10 here, smaller in step_instructions.py)."""
    (inputs, hidden), classes = weights[0].shape, weights[2].shape[1]
    model = nn.Sequential(
        [
            nn.Dense(hidden, activation="relu", input_shape=(inputs,)),
            nn.Dense(classes, activation="softmax"),
        ]
    )
    model.set_weights(weights)
    return model


def make_optimizer(params: list[Tensor] | None = None) -> nn.optimizers.RMSprop:
    return nn.optimizers.RMSprop(
        params,
        learning_rate=SETTINGS.learning_rate,
        rho=SETTINGS.rho,
        epsilon=SETTINGS.epsilon,
    )


def fit_contender(weights, x, y, batch_size) -> Callable[[], object]:
    """(a) model.fit, one epoch per call."""
    model = build_model(weights)
    model.compile(
        optimizer=make_optimizer(),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)


class ManualLoop:
    """(b) The loop a PyTorch user writes by hand, with tinygrad-edu's pieces."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.model = build_model(weights)
        self.optimizer = make_optimizer(self.model.parameters())
        self.loss = nn.losses.SparseCategoricalCrossentropy()

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        self.optimizer.zero_grad()
        probabilities = self.model(Tensor(x))
        loss = self.loss(y, probabilities)
        loss.backward()
        self.optimizer.step()
        accuracy = float((probabilities.data.argmax(axis=-1) == y).mean())  # as the reference does
        return loss.item(), accuracy

    def epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int, rng) -> None:
        _timing.train_epoch(self.train_step, x, y, batch_size, rng)


class FunctionalLoop(ManualLoop):
    """(e) The manual loop's step with `tinygrad_edu.functional` calls in place of the
    model and the loss object: the same backward and optimizer, nothing around them. Its
    nodes are Linear, Relu, Linear, Softmax and the fused cross-entropy (the model fuses
    the first two into one LinearRelu node; functional has no such call)."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        super().__init__(weights)
        self.kernel1, self.bias1, self.kernel2, self.bias2 = self.model.parameters()

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        self.optimizer.zero_grad()
        # Once used, the hidden layer is held by the graph alone (as in the model), so
        # backward lets it go as soon as it is past it.
        hidden = F.linear(Tensor(x), self.kernel1, self.bias1).relu()
        logits = F.linear(hidden, self.kernel2, self.bias2)
        del hidden
        probabilities = F.softmax(logits)  # for the accuracy; the loss works from the logits
        loss = F.sparse_cross_entropy_with_logits(logits, y)
        loss.backward()
        self.optimizer.step()
        accuracy = float((probabilities.data.argmax(axis=-1) == y).mean())
        return loss.item(), accuracy


def manual_contender(weights, x, y, batch_size, loop_class=ManualLoop) -> Callable[[], object]:
    loop, rng = loop_class(weights), np.random.default_rng(1)
    return lambda: loop.epoch(x, y, batch_size, rng)


def functional_contender(weights, x, y, batch_size) -> Callable[[], object]:
    return manual_contender(weights, x, y, batch_size, FunctionalLoop)


def numpy_contender(weights, x, y, batch_size, model_class=None) -> Callable[[], object]:
    """(c) The hand-written NumPy reference, on the BLAS threads NumPy gives it by itself."""
    model_class = model_class or numpy_reference.NumpyMLP
    model, rng = model_class(weights, SETTINGS), np.random.default_rng(1)

    def epoch() -> None:
        with threads_twin.numpy_own_threads():
            model.fit_epoch(x, y, batch_size, rng)

    return epoch


def arrays_contender(weights, x, y, batch_size) -> Callable[[], object]:
    """(f) The engine's array calls without the engine (`numpy_reference.EngineArrays`)."""
    return numpy_contender(weights, x, y, batch_size, numpy_reference.EngineArrays)


def torch_contender(weights, x, y, batch_size, threads: int | None):
    """(d) PyTorch on the CPU, or None when it is not installed.

    PyTorch's RMSprop adds eps outside the square root (g / (sqrt(v) + eps));
    with eps = 1e-7 that changes nothing measurable in time.
    """
    torch = _timing.import_torch(threads)
    if torch is None:
        return None, "not installed"
    kernel1, bias1, kernel2, bias2 = weights
    net = torch.nn.Sequential(
        torch.nn.Linear(INPUTS, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES)
    )
    with torch.no_grad():  # torch keeps kernels as (out, in)
        net[0].weight.copy_(torch.from_numpy(kernel1.T.copy()))
        net[0].bias.copy_(torch.from_numpy(bias1))
        net[2].weight.copy_(torch.from_numpy(kernel2.T.copy()))
        net[2].bias.copy_(torch.from_numpy(bias2))
    optimizer = torch.optim.RMSprop(
        net.parameters(), lr=SETTINGS.learning_rate, alpha=SETTINGS.rho, eps=SETTINGS.epsilon
    )
    epoch = _timing.torch_epoch(
        net, optimizer, torch.from_numpy(x), torch.from_numpy(y), batch_size
    )
    return epoch, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


# ---------------------------------------------------------------- agreement
def check_agreement(weights, x, y) -> dict[str, float]:
    """One step of the engine and of the reference from the same weights on the same
    batch: the losses and the updated weights must agree (else the timing compares
    different work)."""
    loop, functional = ManualLoop(weights), FunctionalLoop(weights)
    reference = numpy_reference.NumpyMLP(weights, SETTINGS)
    engine_loss, _ = loop.train_step(x, y)
    functional.train_step(x, y)
    reference_loss, _ = reference.train_step(x, y)
    difference = max(
        float(np.max(np.abs(mine - theirs)))
        for engine in (loop, functional)
        for mine, theirs in zip(engine.model.get_weights(), reference.parameters())
    )
    dtypes = {str(p.dtype) for p in loop.model.parameters()}
    dtypes |= {str(p.grad.dtype) for p in loop.model.parameters()}
    return {
        "engine_loss": engine_loss,
        "reference_loss": reference_loss,
        "max_weight_difference": difference,
        "engine_dtypes": sorted(dtypes),
    }


# ---------------------------------------------------------------- FLOPs
def flops_per_sample() -> int:
    """Multiply-adds (x2) of the matrix products of one sample's forward and backward.

    Forward: x @ kernel1, hidden @ kernel2. Backward: the two kernel gradients and
    the hidden layer's gradient (the input needs none). Elementwise work is left out.
    """
    forward = INPUTS * HIDDEN + HIDDEN * CLASSES
    backward = INPUTS * HIDDEN + HIDDEN * CLASSES + HIDDEN * CLASSES
    return 2 * (forward + backward)


def matmul_floor(batch_size: int, samples: int) -> float:
    """Seconds one epoch's matrix products take on their own (the five per step)."""
    rng = np.random.default_rng(0)

    def product_time(m: int, k: int, n: int, transpose_a: bool = False) -> float:
        return _timing.matmul_seconds(rng, m, k, n, transpose_a, repeats=30, min_seconds=0.1)

    def step_time(b: int) -> float:
        return (
            product_time(b, INPUTS, HIDDEN)  # x @ kernel1
            + product_time(b, HIDDEN, CLASSES)  # hidden @ kernel2
            + product_time(HIDDEN, b, CLASSES, transpose_a=True)  # hidden.T @ grad_logits
            + product_time(b, CLASSES, HIDDEN)  # grad_logits @ kernel2.T
            + product_time(INPUTS, b, HIDDEN, transpose_a=True)  # x.T @ grad_hidden
        )

    full, rest = divmod(samples, batch_size)
    return full * step_time(batch_size) + (step_time(rest) if rest else 0.0)


# ---------------------------------------------------------------- the run
def run(args: argparse.Namespace) -> dict:
    load_at_start = _timing.load_average()  # before this script's own work adds to it
    facts = _timing.machine_facts()
    threads = _timing.blas_threads()
    samples = args.steps * args.batch_size if args.steps else 60_000
    x, y = load_data(args.data_dir, samples, args.seed)
    samples = len(x)
    steps = math.ceil(samples / args.batch_size)
    manual_seed(args.seed)
    weights = numpy_reference.initial_weights(np.random.default_rng(args.seed))

    agreement = check_agreement(weights, x[: args.batch_size], y[: args.batch_size])

    contenders = {
        "fit": fit_contender(weights, x, y, args.batch_size),
        "manual": manual_contender(weights, x, y, args.batch_size),
        "functional": functional_contender(weights, x, y, args.batch_size),
        "numpy": numpy_contender(weights, x, y, args.batch_size),
        "arrays": arrays_contender(weights, x, y, args.batch_size),
    }
    torch_epoch, torch_note = torch_contender(weights, x, y, args.batch_size, threads)
    if torch_epoch is not None:
        contenders["torch"] = torch_epoch

    times, medians, load_note = _timing.timed_rounds(contenders, args.repeats, load_at_start)

    flops = flops_per_sample() * samples
    with threads_twin.numpy_own_threads():  # plain np.matmul, as NumPy runs it by itself
        peaks = {
            "sgemm 128x784 @ 784x512": _timing.sgemm_gflops(128, 784, 512),
            "sgemm 784x128 @ 128x512 (transposed left, as in backward)": _timing.sgemm_gflops(
                784, 128, 512, transpose_a=True
            ),
            "sgemm 1024^3": _timing.sgemm_gflops(1024, 1024, 1024, repeats=5),
        }
        floor = matmul_floor(args.batch_size, samples)
    representative_peak = peaks["sgemm 128x784 @ 784x512"]

    # Memory: a few steps of each, traced (tracemalloc sees NumPy's allocations),
    # after an untraced warm-up epoch has made each one's optimizer state.
    memory_samples = min(samples, args.batch_size * args.memory_steps)
    xm, ym = x[:memory_samples], y[:memory_samples]
    memory = {}
    for name, make in (
        ("fit", fit_contender),
        ("manual", manual_contender),
        ("functional", functional_contender),
        ("numpy", numpy_contender),
        ("arrays", arrays_contender),
    ):
        epoch = make(weights, xm, ym, args.batch_size)
        epoch()
        memory[name] = _timing.traced_peak(epoch)

    rows = [
        {
            **_timing.timing_row(name, times, medians, flops, representative_peak),
            "traced_peak_bytes": memory.get(name),
        }
        for name in medians
    ]
    return {
        "machine": facts,
        "settings": {
            "data": args.data_dir or "random MNIST-shaped data",
            "samples": samples,
            "steps_per_epoch": steps,
            "batch_size": args.batch_size,
            "repeats": args.repeats,
            "memory_steps": memory_samples // args.batch_size,
            "torch": torch_note,
            "load_at_start": load_at_start,
            "load_average": load_note,
        },
        "agreement": agreement,
        "rows": rows,
        "flops_per_epoch": flops,
        "sgemm_peaks_gflops": peaks,
        "matmul_floor_s": floor,
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def report(figures: dict) -> str:
    settings, agreement = figures["settings"], figures["agreement"]
    lines = [f"machine: {_timing.facts_line(figures['machine'])}"]
    if _timing.busy(settings["load_at_start"]):
        lines.append(
            "WARNING: the machine was busy (1-minute load average above 1 at start): other "
            "processes shared the cores. With several BLAS threads every contender then slows "
            "to the same crawl and the ratios mean nothing; with one (OPENBLAS_NUM_THREADS=1) "
            "the ratios hold up better, but treat every figure with care."
        )
    lines += [
        f"data: {settings['data']}; {settings['samples']} samples, batch "
        f"{settings['batch_size']}, {settings['steps_per_epoch']} steps per epoch; "
        f"{settings['repeats']} alternating runs each (medians); torch: {settings['torch']}; "
        f"1-min load average {settings['load_average']}",
        f"agreement after one step from the same weights: loss engine "
        f"{agreement['engine_loss']:.6f} vs numpy {agreement['reference_loss']:.6f}, largest "
        f"weight difference {agreement['max_weight_difference']:.2e}; engine dtypes "
        f"{', '.join(agreement['engine_dtypes'])}",
        "",
        f"{'':10} {'epoch s':>9} {'vs numpy':>9} {'paired':>7} {'GFLOP/s':>8} {'of peak':>8} "
        f"{'peak MiB':>9}  runs (s)",
    ]
    for row in figures["rows"]:
        lines.append(
            _timing.contender_line(row, f"{row['median_s']:9.3f}", row["traced_peak_bytes"])
        )
    floor = figures["matmul_floor_s"]
    numpy_seconds = next(r["median_s"] for r in figures["rows"] if r["name"] == "numpy")
    lines += [
        "",
        _timing.PAIRED_NOTE,
        f"the epoch's matrix products alone: {floor:.3f} s "
        f"({figures['flops_per_epoch'] / 1e9:.1f} GFLOP; {floor / numpy_seconds:.0%} of the "
        "NumPy reference's epoch)",
        _timing.peaks_line(figures["sgemm_peaks_gflops"]),
        f"peak MiB: the most NumPy/Python memory live during an epoch of "
        f"{settings['memory_steps']} steps, above what was allocated before it (weights, "
        "optimizer state, data); tracemalloc; "
        f"process max RSS: {figures['max_rss_bytes'] / 2**20:.0f} MiB",
    ]
    return "\n".join(lines)


def results_section(figures: dict, command: str) -> str:
    rows = {row["name"]: row for row in figures["rows"]}
    steps = figures["settings"]["steps_per_epoch"]
    verdicts = []
    for name in ("fit", "manual"):
        ratio, paired = rows[name]["ratio_to_numpy"], rows[name]["paired_ratio"]
        per_step = (rows[name]["median_s"] - rows["numpy"]["median_s"]) / steps * 1e6
        verdict = "met" if max(ratio, paired) <= 1.05 else "NOT met"
        verdicts.append(
            f"- `{name}` epoch time {ratio:.3f}x the NumPy reference as a ratio of medians, "
            f"{paired:.3f}x as the median of within-round ratios (target 1.05x by both: "
            f"{verdict}); {per_step:.0f} microseconds per step more than the reference."
        )
    functional, manual, numpy = rows["functional"], rows["manual"], rows["numpy"]
    wrappers = (manual["median_s"] - functional["median_s"]) / steps * 1e6
    wrappers_text = (
        f"add {wrappers:.0f} microseconds per step (manual minus functional)"
        if wrappers >= 0
        else f"add nothing this run could measure (manual minus functional: {wrappers:.0f} "
        "microseconds per step)"
    )
    verdicts.append(
        f"- `functional` (the same step through `tinygrad_edu.functional`, no target): "
        f"{functional['ratio_to_numpy']:.3f}x the reference ({functional['paired_ratio']:.3f}x "
        f"paired), "
        f"{(functional['median_s'] - numpy['median_s']) / steps * 1e6:.0f} microseconds per "
        "step more: what the engine itself (its recorded nodes, the backward walk, "
        f"RMSprop's step) costs. The layers, the loss object and its label checks "
        f"{wrappers_text}. Each contender's arrays lie differently in memory, "
        "which alone moves one contender's time by a percent or two (two copies of the same "
        "loop in one process differ that much), so small differences between rows are "
        "within that."
    )
    if "torch" in rows:
        torch_ratio = rows["fit"]["median_s"] / rows["torch"]["median_s"]
        times = {name: row["times_s"] for name, row in rows.items()}
        torch_paired = _timing.paired_ratio(times, "fit", "torch")
        verdict = "met" if max(torch_ratio, torch_paired) <= TORCH_TARGET else "NOT met"
        verdicts.append(
            f"- `fit` epoch time {torch_ratio:.3f}x PyTorch eager's ({torch_paired:.3f}x paired; "
            f"target {TORCH_TARGET}x: {verdict}); PyTorch (its own fused softmax + "
            f"cross-entropy, no `fit`) is {rows['torch']['ratio_to_numpy']:.3f}x the NumPy "
            "reference."
        )
    arrays = rows["arrays"]
    verdicts.append(
        f"- `arrays` (the NumPy calls the engine's step makes, without the engine): "
        f"{arrays['ratio_to_numpy']:.3f}x the reference ({arrays['paired_ratio']:.3f}x paired). "
        "The engine makes a few more small arrays than the hand-written step (softmax for the "
        "output and log-softmax for the loss, a one-hot matrix, relu's mask as a new array), "
        "and they cost about nothing: what `fit` takes beyond `arrays` is the engine's Python "
        "(three recorded nodes and the loss's LogSoftmax forward; backward runs each node's "
        "one formula as Tensor operations, then the walk frees the graph; around them the "
        "layers' calls, the loss's label checks and fit's metrics). step_instructions.py counts "
        "those calls. At MNIST's sizes each costs more than on a tiny model: it runs between "
        "matrix products that have just streamed megabytes through the caches, so its code and "
        "objects come back from L3. It is a fixed cost per step: its share shrinks with bigger "
        "batches or layers and grows with a faster BLAS or a busier machine."
    )
    return f"Command: `{command}`\n\n```\n{report(figures)}\n```\n\n" + "\n".join(verdicts) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few steps, one repeat (for CI)")
    parser.add_argument("--data-dir", help="directory with the MNIST files (else random data)")
    parser.add_argument("--repeats", type=int, default=9, help="alternating timed runs each")
    parser.add_argument("--steps", type=int, default=None, help="steps per epoch (default: all)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--memory-steps", type=int, default=10, help="steps traced for memory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--write-results", action="store_true", help="update the mnist_mlp section of RESULTS.md"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.steps = args.steps or 4
        args.repeats = 1
        args.memory_steps = 2
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    figures = run(args)
    print(report(figures))
    _timing.save_outputs(
        "mnist_mlp",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: results_section(figures, command),
    )
    return figures


if __name__ == "__main__":
    main()
