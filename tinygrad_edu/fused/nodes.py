"""Fused nodes: one Function doing the work of several, each beside its composite twin.

A fused node computes what its twin computes from primitives, with fewer
nodes, arrays or Python calls; its backward is still written once, with Tensor
operations, so it differentiates twice like any primitive. Read the twin for
the idea. tests/test_fused.py holds each pair equal in value, gradient and
gradient of gradient; benchmarks/RESULTS.md says what each one saves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.fused import threads
from tinygrad_edu.ops.movement import SlidingWindows
from tinygrad_edu.ops.softmax import LogSoftmax

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


# ---------------------------------------------------------------- Linear
def fits_linear_node(x: Tensor, weight: Tensor, bias: Tensor | None) -> bool:
    """True when x @ weight + bias is one `Linear` (or `LinearRelu`) node: x a batch of
    rows (2-d), weight a matrix and a bias of shape (units,). Other shapes (a scalar or
    (1, units) bias, a vector weight, a batch of matrices) go to the twins, which follow
    NumPy's matmul and broadcasting rules. `functional.linear` and `linear_relu` both
    ask here, so the fused nodes serve exactly the same calls."""
    return bias is not None and x.ndim == 2 and weight.ndim == 2 and bias.shape == weight.shape[1:]


class Linear(Function):
    """x @ weight + bias for a batch of rows, as one node: a Dense layer's work.

    The same numbers as MatMul then Add, as one node: the bias is added in place,
    in the product's buffer, so a layer makes one (batch, units) array and one
    node instead of two of each. Its backward is what theirs would give: two
    matrix products and the bias's one sum.
    """

    def forward(self, x, weight, bias):
        x_data, weight_data, bias_data = x.data, weight.data, bias.data
        if x_data.ndim != 2 or weight_data.ndim != 2 or bias_data.shape != weight_data.shape[1:]:
            raise ValueError(
                f"expects x (batch, features), weight (features, units) and bias (units,), got "
                f"shapes {x_data.shape}, {weight_data.shape} and {bias_data.shape}; for other "
                "shapes write x @ weight + bias"
            )
        self.save_for_backward(x, weight)
        out = threads.matmul(x_data, weight_data)  # np.matmul, on the BLAS threads its size pays
        if bias_data.dtype == out.dtype:
            out += bias_data  # in place: no second (batch, units) array
        else:
            out = out + bias_data  # dtypes differ: let NumPy promote, as x @ weight + bias would
        return out

    def backward(self, grad):
        x, weight = self.saved_tensors
        need_x, need_weight, need_bias = self.needs_input_grad
        return (
            grad @ weight.T if need_x else None,
            x.T @ grad if need_weight else None,
            grad.sum(axis=0) if need_bias else None,
        )


def linear_simple(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """`Linear`'s twin, from primitives: MatMul, then Add (one more node, one more array).

    Same arguments, result and gradients as `functional.linear`.
    """
    y = x @ weight
    return y if bias is None else y + bias


class LinearRelu(Linear):
    """relu(x @ weight + bias) as one node: a Dense(activation="relu") layer's work.

    Forward applies relu in place, in the product's buffer, so the layer makes one
    (batch, units) array and one node instead of two of each (Linear, then Relu).
    Backward passes the gradient where the output is positive (relu's derivative,
    read off the output as `Relu` reads it), then does `Linear`'s backward with it.
    """

    def forward(self, x, weight, bias):
        out = super().forward(x, weight, bias)
        return np.maximum(out, 0, out=out)

    def backward(self, grad):
        # Rebinding `grad` lets the incoming gradient go (the walk hands it over), so a
        # step holds one (batch, units) gradient here, as with Relu and Linear apart.
        grad = grad * (self.output.data > 0)
        return super().backward(grad)


def linear_relu(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """relu(x @ weight + bias): one `LinearRelu` node for a batch of rows with a bias,
    else `linear_relu_simple`. Same arguments and shapes as `functional.linear`."""
    if fits_linear_node(x, weight, bias):
        return LinearRelu.apply(x, weight, bias)
    return linear_relu_simple(x, weight, bias)


def linear_relu_simple(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """`LinearRelu`'s twin, from primitives: MatMul, Add, then Relu (two more nodes)."""
    return linear_simple(x, weight, bias).relu()


# ---------------------------------------------------------------- sparse cross-entropy
class SparseSoftmaxCrossEntropy(Function):
    """-mean(log_softmax(logits)[i, labels[i]]): sparse cross-entropy from logits, as one node.

    Fused for speed, because it ends every classifier's step: written as
    log-softmax, indexing, mean and negation (`sparse_cross_entropy_simple`) it
    is more nodes forward and more backward. As one node its derivative is the
    well-known (softmax(logits) - onehot(labels)) / batch.

    Forward keeps the log-probabilities it picked the loss from, as a LogSoftmax
    of the logits (recorded like any op, so a function of the logits), and
    backward reads softmax(logits) off them as their exp instead of working the
    row sums out again.
    """

    def forward(self, logits, labels=None):
        if logits.ndim != 2:
            raise ValueError(f"expects logits of shape (batch, classes), got {logits.shape}")
        log_probabilities = LogSoftmax.apply(logits, axis=1)
        self.save_for_backward(log_probabilities)
        batch = logits.shape[0]
        picked = log_probabilities.data[np.arange(batch), labels]
        # float16 is added up in float32, as Sum does, and rounded back once
        total = picked.sum(dtype=np.float32) if picked.dtype == np.float16 else picked.sum()
        return np.asarray(-total / batch, dtype=logits.dtype)

    def backward(self, grad):
        (log_probabilities,) = self.saved_tensors
        batch = log_probabilities.shape[0]
        onehot = np.zeros(log_probabilities.shape, dtype=log_probabilities.dtype)
        onehot[np.arange(batch), self.options["labels"]] = 1.0
        return grad * ((log_probabilities.exp() - onehot) / batch)


def sparse_cross_entropy_simple(logits: Tensor, labels: np.ndarray) -> Tensor:
    """`SparseSoftmaxCrossEntropy`'s twin, from primitives.

    log_softmax(z) = z - m - log(sum(exp(z - m))), with m the row maximum (a
    constant, so exp cannot overflow), picked at each row's label, averaged over
    the batch and negated. Same value and gradients; the labels are not checked.
    """
    shift = logits.max(axis=-1, keepdims=True).detach()
    shifted = logits - shift
    log_probabilities = shifted - shifted.exp().sum(axis=-1, keepdims=True).log()
    return -log_probabilities[np.arange(logits.shape[0]), np.asarray(labels)].mean()


# ---------------------------------------------------------------- pooling windows
def tile_windows(x: Tensor, window: tuple[int, int]) -> Tensor:
    """The (kh, kw) windows of NHWC images that lie side by side, by a reshape.

    Windows that step by their own size tile the image: a reshape of
    (N, H, W, C) to (N, oh, kh, ow, kw, C) lines every window up without
    copying a number, and its gradient is a reshape back. Rows and columns that
    no whole window reaches are cut off first (as "valid" pooling does).

    Args:
        x: (batch, height, width, channels), already padded.
        window: (kh, kw), each at most the image's size.
    Returns:
        (batch, oh, kh, ow, kw, channels): window (i, j) is [:, i, :, j, :, :].
    """
    (kh, kw), (height, width) = window, x.shape[1:3]
    out_height, out_width = height // kh, width // kw
    if (height, width) != (out_height * kh, out_width * kw):  # drop what no window uses
        x = x[:, : out_height * kh, : out_width * kw, :]
    return x.reshape(x.shape[0], out_height, kh, out_width, kw, x.shape[3])


def sliding_windows(x: Tensor, window: tuple[int, int]) -> Tensor:
    """`tile_windows`'s twin: the general strided windows (SlidingWindows, whose
    gradient adds every window back onto the image), in the same layout."""
    windows = SlidingWindows.apply(x, window=window, strides=window)  # (N, oh, ow, kh, kw, C)
    return windows.transpose(0, 1, 3, 2, 4, 5)
