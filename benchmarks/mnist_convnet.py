"""How fast tinygrad-edu trains the Keras book's MNIST convnet, and how much memory a step takes.

The model (Keras book, chapter 8): Conv2D 32 3x3 relu, MaxPooling2D 2x2,
Conv2D 64 3x3 relu, MaxPooling2D 2x2, Conv2D 128 3x3 relu, Flatten, Dense 10
softmax; sparse categorical cross-entropy; RMSprop (lr 1e-3, rho 0.9, eps 1e-7);
batch 64; float32; NHWC images (real MNIST with --data-dir, else random data of
the same shape: the arithmetic costs the same). In one run it times a fixed
number of training steps (--steps; 0 for the whole epoch of 938) of

  fit         tinygrad-edu's `model.fit(..., epochs=1)` over those steps
  functional  the same step written with `tinygrad_edu.functional` (conv2d,
              max_pool2d, linear, softmax, the fused cross-entropy), backward and
              RMSprop: what the engine itself costs, without the layers and `fit`
  numpy       `numpy_reference_convnet.NumpyConvnet`: the same maths, im2col and
              matrix products, every derivative written by hand
  torch       PyTorch eager on the CPU, when it is installed

taking turns (fit, functional, numpy, torch, functional, ...) and reporting
medians, the ratio of each to the NumPy reference, GFLOP/s against a float32
matrix-multiply peak measured here, the time of the step's matrix products on
their own (a floor no implementation on this BLAS can beat), and the peak memory
NumPy allocates during one step of each. Before timing, one step of each from
the same weights on the same batch is checked to agree with the reference.

The targets (issue 16): `fit` at most 1.15x the NumPy reference and at most
2.0x PyTorch eager (PyTorch measured on this machine by the issue: 15.8 ms a
step of 64, 14.8 s an epoch; used when torch is not installed here), and the
peak memory of a step at most 1.2x the reference's.

    python benchmarks/mnist_convnet.py                  # 100 steps, 5 rounds (a few minutes)
    python benchmarks/mnist_convnet.py --steps 0        # whole epochs (much longer)
    python benchmarks/mnist_convnet.py --quick          # a few steps, for CI (seconds)
    python benchmarks/mnist_convnet.py --write-results  # also update RESULTS.md
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
import numpy_reference_convnet  # noqa: E402
import threads_twin  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import Tensor, manual_seed, nn  # noqa: E402
from tinygrad_edu import functional as F  # noqa: E402

IMAGE_SHAPE = (28, 28, 1)
CLASSES = 10
BATCH = 64
EPOCH_SAMPLES = 60_000
SETTINGS = numpy_reference_convnet.RMSpropSettings(learning_rate=1e-3, rho=0.9, epsilon=1e-7)
# PyTorch 2 eager on this machine's CPU, as issue 16 gives it (not measured by this script).
TORCH_FROM_ISSUE = {"step_s": 15.8e-3, "epoch_s": 14.8}
# How the report labels that figure: where it comes from, and how to measure it instead.
OUTSIDE_TORCH_FIGURE = (
    "an outside figure, not measured by this run: PyTorch 2 eager on the CPU of the machine "
    "these results were first taken on, from the project's issue 16; install torch and this "
    "script measures it"
)
TARGETS = {"numpy": 1.1, "torch": 1.3, "memory": 1.2}  # issue 21 (numpy, torch)
# Slowest over fastest run of one contender above which the report warns that the load changed.
SPREAD_WARNING = 1.3


# ---------------------------------------------------------------- data
def load_data(data_dir: str | None, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 (n, 28, 28, 1) in [0, 1], y int64 (n,)): real MNIST if a directory is given."""
    x, y = _timing.mnist_digits(data_dir, samples, seed)
    return x.reshape(len(x), *IMAGE_SHAPE).astype(np.float32) / 255.0, y.astype(np.int64)


def initial_weights(seed: int) -> list[np.ndarray]:
    """Keras's starting weights for the book's convnet (glorot-uniform kernels, zero biases)."""
    return numpy_reference_convnet.initial_weights(np.random.default_rng(seed))


# ---------------------------------------------------------------- the contenders
def build_model(weights: list[np.ndarray]) -> nn.Sequential:
    """The Keras book's convnet, starting from the given weights."""
    model = nn.Sequential(
        [
            nn.Conv2D(32, 3, activation="relu", input_shape=IMAGE_SHAPE),
            nn.MaxPooling2D(2),
            nn.Conv2D(64, 3, activation="relu"),
            nn.MaxPooling2D(2),
            nn.Conv2D(128, 3, activation="relu"),
            nn.Flatten(),
            nn.Dense(CLASSES, activation="softmax"),
        ]
    )
    model.set_weights(weights)
    return model


def make_optimizer(params: list[Tensor] | None = None) -> nn.optimizers.RMSprop:
    return nn.optimizers.RMSprop(
        params, learning_rate=SETTINGS.learning_rate, rho=SETTINGS.rho, epsilon=SETTINGS.epsilon
    )


def compiled_model(weights: list[np.ndarray]) -> nn.Sequential:
    model = build_model(weights)
    model.compile(
        optimizer=make_optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def fit_contender(weights, x, y, batch_size) -> Callable[[], object]:
    """model.fit, one epoch (over the benchmark's samples) per call."""
    model = compiled_model(weights)
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)


class FunctionalLoop:
    """The training step written with `tinygrad_edu.functional`: no layers, no `fit`.

    The same recorded operations a Sequential model's layers make, the same
    backward walk and the same RMSprop.
    """

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.parameters = [Tensor(np.array(w), requires_grad=True) for w in weights]
        self.optimizer = make_optimizer(self.parameters)

    def logits(self, x: Tensor) -> Tensor:
        kernel1, bias1, kernel2, bias2, kernel3, bias3, dense_kernel, dense_bias = self.parameters
        hidden = F.max_pool2d(F.conv2d(x, kernel1, bias1).relu(), 2)
        hidden = F.max_pool2d(F.conv2d(hidden, kernel2, bias2).relu(), 2)
        hidden = F.conv2d(hidden, kernel3, bias3).relu()
        return F.linear(hidden.reshape(hidden.shape[0], -1), dense_kernel, dense_bias)

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        self.optimizer.zero_grad()
        logits = self.logits(Tensor(x))
        probabilities = F.softmax(logits)  # as the model's softmax output; the loss uses logits
        loss = F.sparse_cross_entropy_with_logits(logits, y)
        loss.backward()
        self.optimizer.step()
        accuracy = float((probabilities.data.argmax(axis=-1) == y).mean())  # as the reference does
        return loss.item(), accuracy

    def epoch(self, x: np.ndarray, y: np.ndarray, batch_size: int, rng) -> None:
        _timing.train_epoch(self.train_step, x, y, batch_size, rng)


def functional_contender(weights, x, y, batch_size) -> Callable[[], object]:
    loop, rng = FunctionalLoop(weights), np.random.default_rng(1)
    return lambda: loop.epoch(x, y, batch_size, rng)


def reference_threads():
    """A context in which NumPy's BLAS has its own thread count (`threads_twin`): the
    engine sets the count for each of its products, one for a small one, so the reference
    timed in this process would otherwise run on what the engine's last product left."""
    return threads_twin.numpy_own_threads()


def numpy_contender(weights, x, y, batch_size) -> Callable[[], object]:
    """The hand-written NumPy reference, shuffling and copying batches out as fit does,
    with the BLAS threads NumPy gives it on its own (`reference_threads`)."""
    model = numpy_reference_convnet.NumpyConvnet(weights, SETTINGS)
    rng = np.random.default_rng(1)

    def epoch() -> None:
        with reference_threads():
            model.fit_epoch(x, y, batch_size, rng)

    return epoch


def torch_contender(weights, x, y, batch_size, threads: int | None):
    """PyTorch eager on the CPU, or (None, why) when it is not installed.

    PyTorch is NCHW and keeps a conv kernel as (filters, in, kh, kw) and a dense
    one as (out, in); the images are transposed once, before timing, and the
    last feature map back to NHWC before Flatten, so the dense kernel's rows
    mean what they mean in Keras. PyTorch's RMSprop adds eps outside the square
    root; with eps = 1e-7 that changes nothing measurable in time.
    """
    torch = _timing.import_torch(threads)
    if torch is None:
        return None, "not installed"
    convs = [torch.nn.Conv2d(1, 32, 3), torch.nn.Conv2d(32, 64, 3), torch.nn.Conv2d(64, 128, 3)]
    dense = torch.nn.Linear(1152, CLASSES)
    with torch.no_grad():
        for conv, kernel, bias in zip(convs, weights[0:6:2], weights[1:6:2]):
            conv.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
            conv.bias.copy_(torch.from_numpy(bias))
        dense.weight.copy_(torch.from_numpy(weights[6].T.copy()))
        dense.bias.copy_(torch.from_numpy(weights[7]))
    pool, relu = torch.nn.MaxPool2d(2), torch.nn.ReLU()

    def logits(images):
        hidden = pool(relu(convs[0](images)))
        hidden = pool(relu(convs[1](hidden)))
        hidden = relu(convs[2](hidden))
        return dense(hidden.permute(0, 2, 3, 1).flatten(1))

    parameters = [p for module in (*convs, dense) for p in module.parameters()]
    optimizer = torch.optim.RMSprop(
        parameters, lr=SETTINGS.learning_rate, alpha=SETTINGS.rho, eps=SETTINGS.epsilon
    )
    x_all = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())  # NHWC -> NCHW
    epoch = _timing.torch_epoch(logits, optimizer, x_all, torch.from_numpy(y), batch_size)
    return epoch, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


# ---------------------------------------------------------------- agreement
def check_agreement(weights, x, y) -> dict:
    """One step of `fit`, of the functional loop and of the reference from the same weights
    on the same batch: the losses and the updated weights must agree (else the timing
    compares different work)."""
    reference = numpy_reference_convnet.NumpyConvnet(weights, SETTINGS)
    reference_loss, _ = reference.train_step(x, y)
    functional = FunctionalLoop(weights)
    functional_loss, _ = functional.train_step(x, y)
    model = compiled_model(weights)
    history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    engines = {
        "fit": model.get_weights(),
        "functional": [p.data for p in functional.parameters],
    }
    differences = {
        name: max(
            float(np.max(np.abs(mine - theirs)))
            for mine, theirs in zip(arrays, reference.parameters())
        )
        for name, arrays in engines.items()
    }
    dtypes = {str(p.dtype) for p in model.parameters()}
    dtypes |= {str(p.grad.dtype) for p in functional.parameters}
    return {
        "reference_loss": reference_loss,
        "functional_loss": functional_loss,
        "fit_loss": float(history.history["loss"][0]),
        "max_weight_difference": differences,
        "largest_update": max(
            float(np.max(np.abs(after - before)))
            for after, before in zip(reference.parameters(), weights)
        ),
        "engine_dtypes": sorted(dtypes),
    }


# ---------------------------------------------------------------- FLOPs and the matmul floor
def step_products(batch: int) -> list[tuple[int, int, int, bool]]:
    """(m, k, n, transpose_a) of every matrix product of one step, forward and backward.

    Per conv: columns @ kernel, columns.T @ grad (the kernel's gradient) and, except
    for the first, grad @ kernel.T (the columns' gradient); the dense layer likewise.
    """
    products = []
    shapes = numpy_reference_convnet.layer_shapes(IMAGE_SHAPE)[::2]  # the conv outputs
    channels = IMAGE_SHAPE[-1]
    for index, ((height, width, filters), (_, kernel)) in enumerate(
        zip(shapes, numpy_reference_convnet.BOOK_CONVOLUTIONS)
    ):
        rows, depth = batch * height * width, kernel * kernel * channels
        products += [(rows, depth, filters, False), (depth, rows, filters, True)]
        if index > 0:
            products.append((rows, filters, depth, False))
        channels = filters
    flat = int(np.prod(shapes[-1]))
    products += [(batch, flat, CLASSES, False), (flat, batch, CLASSES, True)]
    products.append((batch, CLASSES, flat, False))
    return products


def matmul_floor(batch_size: int, samples: int) -> float:
    """Seconds the benchmark's matrix products take on their own."""
    rng = np.random.default_rng(0)

    def product_time(m: int, k: int, n: int, transpose_a: bool) -> float:
        return _timing.matmul_seconds(rng, m, k, n, transpose_a, repeats=10, min_seconds=0.05)

    def step_time(batch: int) -> float:
        return sum(product_time(*product) for product in step_products(batch))

    full, rest = divmod(samples, batch_size)
    return full * step_time(batch_size) + (step_time(rest) if rest else 0.0)


# ---------------------------------------------------------------- where the time goes
def part_times(batch_size: int, repeats: int) -> list[dict]:
    """Forward and backward of each conv (with its relu) and each pooling on its own, in the
    engine (`functional`, a graph and `backward()`, or `tg.grad` for a pooling's input) and in
    the reference: best of `repeats`.

    The inputs are what each layer sees in the book's model at `batch_size` (relu-like
    activations, half of them zero), so a ratio far from the whole step's points at the part
    that makes the difference.
    """
    rng = np.random.default_rng(0)
    reference = numpy_reference_convnet
    shapes = reference.layer_shapes(IMAGE_SHAPE)  # conv, pool, conv, pool, conv outputs
    inputs = [IMAGE_SHAPE, *shapes[:-1]]
    weights = initial_weights(0)
    rows = []
    for index, (input_shape, output_shape) in enumerate(zip(inputs, shapes)):
        x = np.maximum(rng.standard_normal((batch_size, *input_shape), dtype=np.float32), 0)
        grad = rng.standard_normal((batch_size, *output_shape), dtype=np.float32)
        if index % 2 == 0:  # a conv and its relu
            kernel, bias = weights[index], weights[index + 1]
            first = index == 0  # the images need no gradient

            def engine(x=x, kernel=kernel, bias=bias, grad=grad, first=first) -> None:
                images = Tensor(x, requires_grad=not first)
                out = F.conv2d(images, Tensor(kernel, requires_grad=True), Tensor(bias, True))
                out.relu().backward(Tensor(grad))

            def numpy(x=x, kernel=kernel, bias=bias, grad=grad, first=first) -> None:
                out, columns = reference.conv_relu(x, kernel, bias)
                reference.conv_relu_backward(
                    grad.copy(), out, columns, kernel, None if first else x.shape
                )

            name = f"conv {index // 2 + 1} + relu"
        else:  # 2x2 max pooling

            def engine(x=x, grad=grad) -> None:
                # tg.grad, not backward(): backward() would also copy the input's gradient
                # into the leaf's .grad, which the pooling in a network never pays for.
                images = Tensor(x, requires_grad=True)
                tg.grad(F.max_pool2d(images, 2), [images], Tensor(grad))

            def numpy(x=x, grad=grad) -> None:
                reference.max_pool_backward(grad, x, reference.max_pool(x))

            name = f"max pool {index // 2 + 1}"
        engine_s = _timing.best_time(engine, repeats)
        with reference_threads():
            numpy_s = _timing.best_time(numpy, repeats)
        rows.append(
            {
                "part": name,
                "input_shape": (batch_size, *input_shape),
                "engine_ms": engine_s * 1e3,
                "numpy_ms": numpy_s * 1e3,
                "ratio": engine_s / numpy_s,
            }
        )
    return rows


# ---------------------------------------------------------------- memory
def step_memory(weights, x, y, batch_size: int) -> dict[str, int]:
    """Peak bytes NumPy allocates during one step of each (tracemalloc), above what was
    live before: weights, optimizer state and data are not counted. Each first takes
    one untraced step, which makes its optimizer state; the median of three steps."""
    xb, yb = x[:batch_size], y[:batch_size]
    peaks = {}
    for name, make in (
        ("fit", fit_contender),
        ("functional", functional_contender),
        ("numpy", numpy_contender),
    ):
        step = make(weights, xb, yb, batch_size)  # one batch: an epoch is one step
        step()
        peaks[name] = _timing.median_traced_peak(step)
    return peaks


# ---------------------------------------------------------------- the run
def run(args: argparse.Namespace) -> dict:
    load_at_start = _timing.load_average()  # before this script's own work adds to it
    facts = _timing.machine_facts()
    threads = _timing.blas_threads()
    samples = args.steps * args.batch_size if args.steps else EPOCH_SAMPLES
    x, y = load_data(args.data_dir, samples, args.seed)
    samples = len(x)
    steps = math.ceil(samples / args.batch_size)
    manual_seed(args.seed)
    weights = initial_weights(args.seed)

    agreement = check_agreement(weights, x[: args.batch_size], y[: args.batch_size])

    contenders = {
        "fit": fit_contender(weights, x, y, args.batch_size),
        "functional": functional_contender(weights, x, y, args.batch_size),
        "numpy": numpy_contender(weights, x, y, args.batch_size),
    }
    torch_epoch, torch_note = torch_contender(weights, x, y, args.batch_size, threads)
    if torch_epoch is not None:
        contenders["torch"] = torch_epoch

    times, medians, load_note = _timing.timed_rounds(contenders, args.repeats, load_at_start)

    flops = numpy_reference_convnet.flops_per_sample() * samples
    peaks = {
        "sgemm 7744x288 @ 288x64 (the second conv, forward)": _timing.sgemm_gflops(7744, 288, 64),
        "sgemm 1024^3": _timing.sgemm_gflops(1024, 1024, 1024, repeats=5),
    }
    representative_peak = next(iter(peaks.values()))
    floor = matmul_floor(args.batch_size, samples)
    memory = step_memory(weights, x, y, args.batch_size)
    parts = part_times(args.batch_size, repeats=3 if args.quick else 15)

    rows = [
        {
            **_timing.timing_row(name, times, medians, flops, representative_peak),
            "step_ms": medians[name] / steps * 1e3,
            "step_peak_bytes": memory.get(name),
        }
        for name in medians
    ]
    return {
        "machine": facts,
        "settings": {
            "data": args.data_dir or "random MNIST-shaped data",
            "samples": samples,
            "steps": steps,
            "batch_size": args.batch_size,
            "repeats": args.repeats,
            "torch": torch_note,
            "load_at_start": load_at_start,
            "load_average": load_note,
        },
        "agreement": agreement,
        "rows": rows,
        "flops_per_step": flops / steps,
        "sgemm_peaks_gflops": peaks,
        "matmul_floor_s": floor,
        "parts": parts,
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def torch_step_ms(figures: dict) -> tuple[float, str]:
    """PyTorch's time a step in ms: measured in this run, or the issue's figure."""
    rows = {row["name"]: row for row in figures["rows"]}
    if "torch" in rows:
        return rows["torch"]["step_ms"], "measured in this run"
    return TORCH_FROM_ISSUE["step_s"] * 1e3, OUTSIDE_TORCH_FIGURE


def report(figures: dict) -> str:
    settings, agreement = figures["settings"], figures["agreement"]
    lines = [f"machine: {_timing.facts_line(figures['machine'])}"]
    if _timing.busy(settings["load_at_start"]):
        lines.append(
            "WARNING: the machine was busy (1-minute load average above 1 at start): other "
            "processes shared the cores, so treat every figure with care."
        )
    spread = max(max(row["times_s"]) / min(row["times_s"]) for row in figures["rows"])
    if spread > SPREAD_WARNING:
        lines.append(
            f"WARNING: one contender's runs differ by {spread:.1f}x between rounds: the machine's "
            "load changed during the run and the ratios below are not to be trusted; run again "
            "(with OPENBLAS_NUM_THREADS=1 on a shared machine)."
        )
    differences = agreement["max_weight_difference"]
    lines += [
        f"data: {settings['data']}; {settings['samples']} samples, batch "
        f"{settings['batch_size']}, {settings['steps']} steps; {settings['repeats']} "
        f"alternating runs each (medians); torch: {settings['torch']}; 1-min load average "
        f"{settings['load_average']}",
        f"agreement after one step from the same weights: loss fit {agreement['fit_loss']:.6f}, "
        f"functional {agreement['functional_loss']:.6f}, numpy {agreement['reference_loss']:.6f}; "
        f"largest weight difference to numpy: fit {differences['fit']:.2e}, functional "
        f"{differences['functional']:.2e} (the step itself moved weights by up to "
        f"{agreement['largest_update']:.2e}); engine dtypes "
        f"{', '.join(agreement['engine_dtypes'])}",
        "",
        f"{'':10} {'ms/step':>8} {'vs numpy':>9} {'paired':>7} {'GFLOP/s':>8} {'of peak':>8} "
        f"{'step MiB':>9}  runs (s)",
    ]
    for row in figures["rows"]:
        lines.append(_timing.contender_line(row, f"{row['step_ms']:8.2f}", row["step_peak_bytes"]))
    rows = {row["name"]: row for row in figures["rows"]}
    torch_ms, torch_source = torch_step_ms(figures)
    floor_ms = figures["matmul_floor_s"] / settings["steps"] * 1e3
    lines += [
        "",
        _timing.PAIRED_NOTE,
        f"fit vs PyTorch eager ({torch_ms:.1f} ms a step, {torch_source}): "
        f"{rows['fit']['step_ms'] / torch_ms:.2f}x; an epoch of 938 steps at fit's pace: "
        f"{rows['fit']['step_ms'] * 938 / 1e3:.1f} s",
        f"the step's matrix products alone: {floor_ms:.2f} ms "
        f"({figures['flops_per_step'] / 1e9:.2f} GFLOP a step; "
        f"{floor_ms / rows['numpy']['step_ms']:.0%} of the NumPy reference's step)",
        _timing.peaks_line(figures["sgemm_peaks_gflops"]),
        "step MiB: the most NumPy/Python memory live during one training step, above what "
        "was allocated before it (weights, optimizer state, data); tracemalloc, median of 3; "
        f"process max RSS: {figures['max_rss_bytes'] / 2**20:.0f} MiB",
        "",
        "Each part alone, forward and backward (best of several): engine (functional, "
        "backward(); tg.grad for a pooling's input) vs the reference",
        f"{'':16} {'input':>18} {'engine ms':>10} {'numpy ms':>9} {'ratio':>7}",
    ]
    for part in figures["parts"]:
        lines.append(
            f"{part['part']:16} {str(tuple(part['input_shape'])):>18} {part['engine_ms']:10.2f} "
            f"{part['numpy_ms']:9.2f} {part['ratio']:6.2f}x"
        )
    return "\n".join(lines)


def verdicts(figures: dict) -> list[str]:
    """One line per target of issue 16: the figure, the target, met or not."""
    rows = {row["name"]: row for row in figures["rows"]}
    fit, numpy = rows["fit"], rows["numpy"]
    ratio, paired = fit["ratio_to_numpy"], fit["paired_ratio"]
    torch_ms, torch_source = torch_step_ms(figures)
    torch_ratio = fit["step_ms"] / torch_ms
    memory = fit["step_peak_bytes"] / numpy["step_peak_bytes"]

    def met(value: float, target: float) -> str:
        return "met" if value <= target else "NOT met"

    return [
        f"- `fit` step time {ratio:.3f}x the NumPy reference as a ratio of medians, "
        f"{paired:.3f}x paired (target {TARGETS['numpy']}x by both: "
        f"{met(max(ratio, paired), TARGETS['numpy'])}); {fit['step_ms']:.2f} ms against "
        f"{numpy['step_ms']:.2f} ms a step.",
        f"- `fit` step time {torch_ratio:.2f}x PyTorch eager's {torch_ms:.1f} ms ({torch_source}; "
        f"target {TARGETS['torch']}x: {met(torch_ratio, TARGETS['torch'])}).",
        f"- Peak memory of a `fit` step {memory:.3f}x the reference's "
        f"({_timing.megabytes(fit['step_peak_bytes'])} against "
        f"{_timing.megabytes(numpy['step_peak_bytes'])}; target {TARGETS['memory']}x: "
        f"{met(memory, TARGETS['memory'])}).",
    ]


def where_the_time_goes(figures: dict) -> str:
    """How much of fit's extra time a step the parts timed alone account for."""
    rows = {row["name"]: row for row in figures["rows"]}
    extra = rows["fit"]["step_ms"] - rows["numpy"]["step_ms"]
    pools = sum(p["engine_ms"] - p["numpy_ms"] for p in figures["parts"] if "pool" in p["part"])
    convs = sum(p["engine_ms"] - p["numpy_ms"] for p in figures["parts"] if "conv" in p["part"])
    return (
        f"- Where `fit`'s extra {extra:.1f} ms a step goes (each layer timed alone, above): "
        f"max pooling's forward and backward take {pools:.1f} ms more than the reference's "
        "(both compare the four corners of the 2x2 windows as four strided slices, the "
        "engine inside one max over the two window axes of the image reshaped into tiles; "
        "backward compares the input with the saved maxima and splits the gradient among "
        "ties), "
        f"the convolutions with their relu {convs:.1f} ms (the same im2col and matrix "
        "products, except that the engine's Conv2D node asks for the image's gradient one "
        "kernel offset at a time and copies a grayscale image's windows offset by offset; "
        "the reference applies relu in place), and the rest, "
        f"{extra - pools - convs:.1f} ms, is the dense layer, the loss, RMSprop, the "
        "engine's own work (recording the graph, the backward walk) and `fit`'s loop."
    )


def results_section(figures: dict, command: str) -> str:
    return (
        f"Command: `{command}`\n\n```\n{report(figures)}\n```\n\n"
        + "\n".join([*verdicts(figures), where_the_time_goes(figures)])
        + "\n"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 steps, one repeat (for CI)")
    parser.add_argument("--data-dir", help="directory with the MNIST files (else random data)")
    parser.add_argument("--repeats", type=int, default=5, help="alternating timed runs each")
    parser.add_argument(
        "--steps", type=int, default=100, help="steps per timed run (0: the whole epoch, 938)"
    )
    parser.add_argument("--batch-size", type=int, default=BATCH)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--write-results",
        action="store_true",
        help="update the mnist_convnet section of RESULTS.md",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.steps = 3
        args.repeats = 1
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    figures = run(args)
    print(report(figures))
    print("\n".join([*verdicts(figures), where_the_time_goes(figures)]))
    _timing.save_outputs(
        "mnist_convnet",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: results_section(figures, command),
    )
    return figures


if __name__ == "__main__":
    main()
