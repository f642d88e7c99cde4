"""How fast tinygrad-edu trains the codelab's convnet, against a NumPy reference and PyTorch.

The model is examples/mnist_codelab_convnet.py's ("TensorFlow without a PhD"):
Conv2D 6 6x6 stride 1 "same" relu, Conv2D 12 5x5 stride 2 "same" relu, Conv2D
24 4x4 stride 2 "same" relu, Flatten, Dense 200 relu, Dropout 0.25, Dense 10
softmax; Adam with the codelab's decaying learning rate; batches of 100;
float32; NHWC images (random data of MNIST's shape: the arithmetic costs the
same). Contenders take turns in one process:

  fit    the example's own `build_model()` through `model.fit`
  numpy  `NumpyCodelab`: the same maths written by hand (im2col with "same"
         padding and strides, col2im, dropout, softmax cross-entropy, Adam)
  torch  PyTorch eager on the CPU (when installed), "same" padded as Keras pads

Before timing, one step of fit and of the reference from the same weights on
the same batch (dropout 0, so both do the same arithmetic) must agree. Reported:
ms a step, fit over numpy and over torch, each as a ratio of medians and paired
within rounds. Issue 21's targets for the book convnet, asked of this one too:
fit at most 1.1x the reference and 1.3x PyTorch eager.

    python benchmarks/codelab_convnet.py                 # 60 steps, 5 rounds (a minute)
    python benchmarks/codelab_convnet.py --quick         # 3 steps, one round (for CI)
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import numpy_reference  # noqa: E402
import numpy_reference_convnet  # noqa: E402
import threads_twin  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import mnist_codelab_convnet as codelab  # noqa: E402

BATCH = 100
CLASSES = 10
TARGET_NUMPY, TARGET_TORCH = 1.1, 1.3


def initial_weights(seed: int) -> list[np.ndarray]:
    """Keras's get_weights order for the codelab model, glorot-uniform kernels, zero biases."""
    rng = np.random.default_rng(seed)
    shapes, channels = [], 1
    for filters, size, _ in codelab.CONVOLUTIONS:
        shapes += [(size, size, channels, filters), (filters,)]
        channels = filters
    shapes += [(7 * 7 * channels, 200), (200,), (200, CLASSES), (CLASSES,)]
    weights = []
    for shape in shapes:
        if len(shape) == 1:
            weights.append(np.zeros(shape, np.float32))
        else:  # Keras's glorot-uniform, fans counting a conv kernel's window
            weights.append(numpy_reference_convnet.glorot_uniform(shape, rng))
    return weights


# ---------------------------------------------------------------- the NumPy reference
def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same": out = ceil(size / stride), the padding split with the odd one after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class NumpyCodelab(numpy_reference.HandWrittenModel):
    """The codelab convnet's forward and backward by hand, trained with Keras's Adam."""

    def __init__(self, weights: list[np.ndarray], dropout: float = 0.25, seed: int = 0):
        super().__init__(weights)
        self.dropout, self.rng = dropout, np.random.default_rng(seed)
        self.moments = [(np.zeros_like(w), np.zeros_like(w)) for w in self.weights]
        self.iterations = 0

    def conv_relu(self, x, kernel, bias, stride):
        """relu(conv(x) + bias), "same" padded; returns the output and what backward needs."""
        size, _, channels, filters = kernel.shape
        before, after = same_padding(x.shape[1], size, stride)
        padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
        windows = sliding_window_view(padded, (size, size), axis=(1, 2))[:, ::stride, ::stride]
        batch, out_h, out_w = windows.shape[:3]
        columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, size * size * channels)
        out = columns @ kernel.reshape(-1, filters)
        out += bias
        np.maximum(out, 0, out=out)
        return out.reshape(batch, out_h, out_w, filters), (columns, padded.shape, before, x.shape)

    def conv_relu_backward(self, grad_out, out, kernel, saved, stride, need_input):
        columns, padded_shape, before, input_shape = saved
        size, _, channels, filters = kernel.shape
        grad_out *= out > 0
        rows = grad_out.reshape(-1, filters)
        grad_kernel = (columns.T @ rows).reshape(kernel.shape)
        grad_bias = rows.sum(axis=0)
        if not need_input:
            return grad_kernel, grad_bias, None
        batch, out_h, out_w, _ = grad_out.shape
        grad_windows = (rows @ kernel.reshape(-1, filters).T).reshape(
            batch, out_h, out_w, size, size, channels
        )
        grad_padded = np.zeros(padded_shape, np.float32)
        for i in range(size):
            for j in range(size):
                grad_padded[
                    :,
                    i : i + stride * (out_h - 1) + 1 : stride,
                    j : j + stride * (out_w - 1) + 1 : stride,
                ] += grad_windows[:, :, :, i, j]
        height, width = input_shape[1:3]
        return (
            grad_kernel,
            grad_bias,
            grad_padded[:, before : before + height, before : before + width],
        )

    def forward_backward(self, x, labels):
        k1, b1, k2, b2, k3, b3, w4, b4, w5, b5 = self.weights
        strides = [stride for _, _, stride in codelab.CONVOLUTIONS]
        h1, s1 = self.conv_relu(x, k1, b1, strides[0])
        h2, s2 = self.conv_relu(h1, k2, b2, strides[1])
        h3, s3 = self.conv_relu(h2, k3, b3, strides[2])
        flat = h3.reshape(len(x), -1)
        dense = flat @ w4
        dense += b4
        np.maximum(dense, 0, out=dense)
        keep = 1.0 - self.dropout
        mask = (self.rng.random(dense.shape) < keep).astype(np.float32) / keep
        dropped = dense * mask
        logits = dropped @ w5
        logits += b5
        loss, accuracy, grad_logits = numpy_reference.softmax_cross_entropy(logits, labels)
        grad_w5, grad_b5 = dropped.T @ grad_logits, grad_logits.sum(axis=0)
        grad_dense = (grad_logits @ w5.T) * mask
        grad_dense *= dense > 0
        grad_w4, grad_b4 = flat.T @ grad_dense, grad_dense.sum(axis=0)
        grad_h3 = (grad_dense @ w4.T).reshape(h3.shape)
        grad_k3, grad_b3, grad_h2 = self.conv_relu_backward(grad_h3, h3, k3, s3, strides[2], True)
        grad_k2, grad_b2, grad_h1 = self.conv_relu_backward(grad_h2, h2, k2, s2, strides[1], True)
        grad_k1, grad_b1, _ = self.conv_relu_backward(grad_h1, h1, k1, s1, strides[0], False)
        gradients = [grad_k1, grad_b1, grad_k2, grad_b2, grad_k3, grad_b3]
        return loss, accuracy, gradients + [grad_w4, grad_b4, grad_w5, grad_b5]

    def apply_gradients(self, gradients):
        """Keras 3's Adam (beta 0.9, 0.999, epsilon 1e-7) at the codelab's learning rate."""
        learning_rate = codelab.codelab_learning_rate()(self.iterations)
        self.iterations += 1
        t = self.iterations
        alpha = learning_rate * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        state = zip(self.weights, gradients, self.moments, self.scratch)
        for parameter, gradient, (m, v), scratch in state:
            np.subtract(gradient, m, out=scratch)
            scratch *= 1 - 0.9
            m += scratch  # m += (g - m) * (1 - beta_1)
            np.multiply(gradient, gradient, out=scratch)
            scratch -= v
            scratch *= 1 - 0.999
            v += scratch  # v += (g^2 - v) * (1 - beta_2)
            np.sqrt(v, out=scratch)
            scratch += 1e-7
            np.divide(m, scratch, out=scratch)
            scratch *= alpha
            parameter -= scratch


# ---------------------------------------------------------------- contenders
def fit_contender(weights, x, y) -> Callable[[], object]:
    model = codelab.build_model()
    model.set_weights(weights)
    return lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)


def numpy_contender(weights, x, y) -> Callable[[], object]:
    model, rng = NumpyCodelab(weights), np.random.default_rng(1)

    def epoch() -> None:
        with threads_twin.numpy_own_threads():  # the BLAS threads NumPy has by itself
            model.fit_epoch(x, y, BATCH, rng)

    return epoch


def torch_contender(weights, x, y):
    """PyTorch eager (NCHW), padded as Keras pads "same"; (None, why) when not installed."""
    torch = _timing.import_torch(None)
    if torch is None:
        return None, "not installed"
    functional = torch.nn.functional
    convs, channels = [], 1
    for filters, size, _ in codelab.CONVOLUTIONS:
        convs.append(torch.nn.Conv2d(channels, filters, size))
        channels = filters
    dense, out = torch.nn.Linear(7 * 7 * channels, 200), torch.nn.Linear(200, CLASSES)
    with torch.no_grad():
        for conv, kernel, bias in zip(convs, weights[0:6:2], weights[1:6:2]):
            conv.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
            conv.bias.copy_(torch.from_numpy(bias))
        for layer, kernel, bias in ((dense, weights[6], weights[7]), (out, weights[8], weights[9])):
            layer.weight.copy_(torch.from_numpy(kernel.T.copy()))
            layer.bias.copy_(torch.from_numpy(bias))
    dropout = torch.nn.Dropout(0.25)
    paddings, size_in = [], 28
    for _, size, stride in codelab.CONVOLUTIONS:
        before, after = same_padding(size_in, size, stride)
        paddings.append((before, after, before, after))
        size_in = -(-size_in // stride)

    def logits(images):
        hidden = images
        for conv, padding, (_, _, stride) in zip(convs, paddings, codelab.CONVOLUTIONS):
            hidden = torch.relu(
                functional.conv2d(
                    functional.pad(hidden, padding), conv.weight, conv.bias, stride=stride
                )
            )
        hidden = torch.relu(dense(hidden.permute(0, 2, 3, 1).flatten(1)))
        return out(dropout(hidden))

    parameters = [p for module in (*convs, dense, out) for p in module.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=0.003, eps=1e-7)
    x_all = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
    epoch = _timing.torch_epoch(logits, optimizer, x_all, torch.from_numpy(y), BATCH)
    return epoch, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def check_agreement(weights, x, y) -> dict:
    """One step of fit and of the reference, dropout 0, same weights and batch."""
    reference = NumpyCodelab(weights, dropout=0.0)
    reference_loss, _ = reference.train_step(x, y)
    model = codelab.build_model(dropout=0.0)
    model.set_weights(weights)
    history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    difference = max(
        float(np.max(np.abs(mine - theirs)))
        for mine, theirs in zip(model.get_weights(), reference.weights)
    )
    update = max(
        float(np.max(np.abs(after - before))) for after, before in zip(reference.weights, weights)
    )
    return {
        "fit_loss": float(history.history["loss"][0]),
        "reference_loss": reference_loss,
        "max_weight_difference": difference,
        "largest_update": update,
    }


def run(args: argparse.Namespace) -> dict:
    load_at_start = _timing.load_average()
    steps, repeats = (3, 1) if args.quick else (args.steps, args.repeats)
    rng = np.random.default_rng(args.seed)
    x = rng.random((BATCH * steps, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, CLASSES, BATCH * steps)
    weights = initial_weights(args.seed)
    agreement = check_agreement(weights, x[:BATCH], y[:BATCH])
    if abs(agreement["fit_loss"] - agreement["reference_loss"]) > 1e-4 or (
        agreement["max_weight_difference"] > 1e-3 * agreement["largest_update"] + 1e-6
    ):
        raise SystemExit(f"codelab_convnet: fit and the reference disagree: {agreement}")
    contenders = {"fit": fit_contender(weights, x, y), "numpy": numpy_contender(weights, x, y)}
    torch_epoch, torch_note = torch_contender(weights, x, y)
    if torch_epoch is not None and not args.no_torch:
        contenders["torch"] = torch_epoch
    times, medians, load_note = _timing.timed_rounds(contenders, repeats, load_at_start)
    rows = {
        name: {
            "ms_per_step": medians[name] / steps * 1e3,
            "vs_numpy": medians[name] / medians["numpy"],
            "paired_vs_numpy": _timing.paired_ratio(times, name, "numpy"),
            "runs_s": times[name],
        }
        for name in contenders
    }
    if "torch" in contenders:
        rows["fit"]["vs_torch"] = medians["fit"] / medians["torch"]
        rows["fit"]["paired_vs_torch"] = _timing.paired_ratio(times, "fit", "torch")
    return {
        "machine": _timing.machine_facts(),
        "steps": steps,
        "repeats": repeats,
        "torch": torch_note,
        "load": load_note,
        "agreement": agreement,
        "rows": rows,
    }


def report(figures: dict) -> str:
    agreement, rows = figures["agreement"], figures["rows"]
    lines = [
        f"machine: {_timing.facts_line(figures['machine'])}",
        f"random MNIST-shaped data, batch {BATCH}, {figures['steps']} steps; "
        f"{figures['repeats']} alternating runs each (medians); torch: {figures['torch']}; "
        f"1-min load average {figures['load']}",
        f"agreement after one step (dropout 0): loss fit {agreement['fit_loss']:.6f}, numpy "
        f"{agreement['reference_loss']:.6f}; largest weight difference "
        f"{agreement['max_weight_difference']:.2e} (the step moved weights by up to "
        f"{agreement['largest_update']:.2e})",
        "",
        f"{'':8} {'ms/step':>8} {'vs numpy':>9} {'paired':>7}  runs (s)",
    ]
    for name, row in rows.items():
        runs = " ".join(f"{t:.3f}" for t in row["runs_s"])
        lines.append(
            f"{name:8} {row['ms_per_step']:8.2f} {row['vs_numpy']:8.3f}x "
            f"{row['paired_vs_numpy']:6.3f}x  {runs}"
        )
    fit = rows["fit"]
    verdict = "met" if fit["paired_vs_numpy"] <= TARGET_NUMPY else "NOT met"
    lines += [
        "",
        f"- fit {fit['paired_vs_numpy']:.3f}x the NumPy reference, paired "
        f"(target {TARGET_NUMPY}x: {verdict})",
    ]
    if "vs_torch" in fit:
        verdict = "met" if fit["paired_vs_torch"] <= TARGET_TORCH else "NOT met"
        lines.append(
            f"- fit {fit['paired_vs_torch']:.3f}x PyTorch eager, paired ({fit['vs_torch']:.3f}x "
            f"as a ratio of medians; target {TARGET_TORCH}x: {verdict})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 steps, one round (for CI)")
    parser.add_argument("--steps", type=int, default=60, help="training steps an epoch")
    parser.add_argument("--repeats", type=int, default=5, help="alternating timed runs each")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--write-results", action="store_true", help="update RESULTS.md")
    args = parser.parse_args(argv)
    figures = run(args)
    text = report(figures)
    print(text)
    _timing.save_outputs(
        "codelab_convnet",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: _timing.command_block(command, text),
    )
    return figures


if __name__ == "__main__":
    main()
