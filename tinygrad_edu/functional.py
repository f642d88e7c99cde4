"""Composite functions built from the primitives, fused where stability or speed needs it.

Softmax and log-softmax are their own Functions: computed naively, exp(1000)
overflows. Both subtract the row maximum first (the result does not change),
and their backward formulas are written with Tensor operations, so they
differentiate twice like any primitive.

Linear (x @ weight + bias, and relu) and SparseSoftmaxCrossEntropy are fused for speed:
they sit on the hot path of every classifier's training step, where each node
saved is time, and each array not made is memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import Function, constant_like, is_grad_enabled
from tinygrad_edu.ops.elementwise import Where
from tinygrad_edu.ops.movement import Pad, SlidingWindows, window_view

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class Linear(Function):
    """x @ weight + bias for a batch of rows, then relu if asked: a Dense layer's work as one node.

    The same numbers as MatMul, Add (and Relu), fused into one node for speed and
    memory: the bias is added and relu applied in place, in the product's buffer,
    so a layer makes one (batch, units) array and one node instead of two or
    three of each. Its backward is what theirs would give: relu's mask, two
    products and the bias's one sum.
    """

    relu = False  # set by forward when relu is fused in

    @property
    def overwrites_grad(self) -> bool:  # relu's mask is applied to the gradient in place
        return self.relu

    def forward(self, x, weight, bias, relu=False):
        x_data, weight_data, bias_data = x.data, weight.data, bias.data
        if x_data.ndim != 2 or weight_data.ndim != 2 or bias_data.shape != weight_data.shape[1:]:
            raise ValueError(
                f"expects x (batch, features), weight (features, units) and bias (units,), got "
                f"shapes {x_data.shape}, {weight_data.shape} and {bias_data.shape}; for other "
                "shapes write x @ weight + bias"
            )
        self.save_for_backward(x, weight)
        out = np.matmul(x_data, weight_data)
        if bias_data.dtype == out.dtype:
            out += bias_data  # in place: no second (batch, units) array
        else:
            out = out + bias_data  # dtypes differ: let NumPy promote, as x @ weight + bias would
        if relu:
            np.maximum(out, 0, out=out)  # in place: the values before relu are not needed again
            self.relu = True
        return out

    def backward(self, grad):
        x, weight = self.saved_tensors
        need_x, need_weight, need_bias = self.needs_input_grad
        # relu passes the gradient on where its output was positive, and nothing elsewhere
        if is_grad_enabled():  # create_graph=True: Tensor ops, so they can be differentiated again
            if self.relu:
                grad = grad * (self.output.data > 0)
            return (
                grad @ weight.T if need_x else None,
                x.T @ grad if need_weight else None,
                grad.sum(axis=0) if need_bias else None,
            )
        # First order, nothing recorded: the same formulas straight on the arrays
        # (.T is a view, which BLAS reads transposed), skipping a Tensor per step.
        g = grad.data
        if self.relu:  # in place: the walk gave this node a gradient array no one else holds
            g *= self.output.data > 0
        return (
            constant_like(grad, g @ weight.data.T) if need_x else None,
            constant_like(grad, x.data.T @ g) if need_weight else None,
            constant_like(grad, g.sum(axis=0)) if need_bias else None,
        )


def _row_exponentials(data: np.ndarray, axis: int):
    """exp(x - shift) along `axis`, with their totals: the work softmax and its kin share.

    The shift is the row maximum, so exp cannot overflow. float16 is worked in
    float32 (its sums would overflow at 65504). A row whose maximum is infinite
    has no finite shift (inf - inf is NaN), so it is taken at its limit: a row of
    -inf only (fully masked) gets exponentials 0 and a total of 1 (probabilities
    0, not 0 / 0), and a row holding +inf gets 1 at each +inf and 0 elsewhere.

    Returns (shift, exps, totals, plus_inf_rows); plus_inf_rows is None when every
    row maximum is finite, else a keepdims mask of the rows holding +inf.
    """
    if data.dtype == np.float16:
        data = data.astype(np.float32)
    row_max = data.max(axis=axis, keepdims=True)
    finite = np.isfinite(row_max)
    if finite.all():  # the usual case
        exps = data - row_max
        np.exp(exps, out=exps)  # in place: one array for the whole computation
        return row_max, exps, exps.sum(axis=axis, keepdims=True), None
    plus_inf_rows = row_max == np.inf
    shift = np.where(finite, row_max, 0.0).astype(data.dtype)
    with np.errstate(invalid="ignore"):
        exps = np.exp(data - shift)
    exps = np.where(plus_inf_rows, data == np.inf, exps).astype(data.dtype)
    totals = exps.sum(axis=axis, keepdims=True)
    totals[totals == 0] = 1.0  # fully masked rows
    return shift, exps, totals, plus_inf_rows


class Softmax(Function):
    """exp(x) / sum(exp(x)) along `axis`, with the row maximum subtracted first.

    At the limits (see `_row_exponentials`): -inf entries get probability 0, a row
    of -inf only gets 0 everywhere, and a row holding +inf shares 1 among its +inf
    entries. float16 is computed in float32 and rounded back.
    """

    def forward(self, a, axis=-1):
        self.axis = axis
        # Kept (they are small) for a cross-entropy that reads this output; see
        # SparseSoftmaxCrossEntropy.
        self.row_max, exps, self.totals, self.plus_inf_rows = _row_exponentials(a.data, axis)
        exps /= self.totals
        return exps.astype(a.dtype, copy=False)

    def backward(self, grad):
        out = self.output
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """x - max - log(sum(exp(x - max))) along `axis`: -inf where softmax is 0.

    Rows with an infinite maximum are taken at their limit, as in Softmax; float16
    is computed in float32 and rounded back.
    """

    def forward(self, a, axis=-1):
        self.axis = axis
        data = a.data.astype(np.float32) if a.dtype == np.float16 else a.data
        shift, exps, totals, plus_inf_rows = _row_exponentials(data, axis)
        out = (data - shift) - np.log(totals)
        if plus_inf_rows is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.where(plus_inf_rows, np.log(exps) - np.log(totals), out)
        return out.astype(a.dtype, copy=False)

    def backward(self, grad):
        softmax = self.output.exp()
        return grad - softmax * grad.sum(axis=self.axis, keepdims=True)


class SparseSoftmaxCrossEntropy(Function):
    """-mean(log_softmax(logits)[i, labels[i]]): sparse cross-entropy from logits, as one node.

    Fused for speed and memory, because it ends every classifier's step: written
    as log-softmax, indexing, mean and negation it is four nodes forward and
    five backward. As one node its derivative is the well-known
    (softmax(logits) - onehot(labels)) / batch, worked out in forward from the
    same exponentials the loss needed.

    A model that ends in a softmax has worked those exponentials out already:
    pass its output as a second input (`apply(logits, probabilities, ...)`) and
    they are read from there instead. The gradient still goes to the logits only.
    """

    def forward(self, logits, probabilities=None, labels=None):
        data = logits.data
        if data.ndim != 2:
            raise ValueError(f"expects logits of shape (batch, classes), got {data.shape}")
        work = data.astype(np.float32) if data.dtype == np.float16 else data  # as Softmax
        batch = work.shape[0]
        rows = np.arange(batch)
        if probabilities is None:
            row_max, exps, totals, plus_inf_rows = _row_exponentials(work, 1)
        else:  # what the Softmax node kept of the same computation
            softmax_node = probabilities.grad_fn
            row_max, totals = softmax_node.row_max, softmax_node.totals
            plus_inf_rows = softmax_node.plus_inf_rows
        # log_softmax[i, label] = (logits[i, label] - max_i) - log(total_i); the loss is
        # minus its mean
        picked = work[rows, labels] - row_max[:, 0]
        terms = np.log(totals[:, 0]) - picked
        if plus_inf_rows is not None:  # rows holding +inf: each +inf has 1 / total of the mass
            with np.errstate(divide="ignore", invalid="ignore"):
                share = (work[rows, labels] == np.inf) / totals[:, 0]
                terms = np.where(plus_inf_rows[:, 0], -np.log(share), terms)
        loss = terms.sum() / batch
        if self._recording:  # only a recorded node will need its derivative
            if probabilities is None:
                derivative = exps
                derivative /= totals  # the probabilities, in place
            else:  # .output checks the probabilities were not edited in place since
                derivative = softmax_node.output.data.astype(work.dtype)  # a copy
            derivative[rows, labels] -= 1.0
            derivative /= batch
            self.derivative = derivative.astype(data.dtype, copy=False)
            self.labels = labels
        return np.asarray(loss, dtype=data.dtype)

    def backward(self, grad):
        if not is_grad_enabled():
            # First order (backward records nothing): the derivative forward worked
            # out is a plain array, and one multiplication finishes the job.
            grad_logits = constant_like(grad, grad.data * self.derivative)
        else:
            # create_graph=True: the same formula in Tensor operations of the logits,
            # so that it can be differentiated again.
            logits = self.inputs[0]
            batch = logits.shape[0]
            onehot = np.zeros(logits.shape, dtype=logits.dtype)
            onehot[np.arange(batch), self.labels] = 1.0
            grad_logits = grad * (softmax(logits, axis=-1) - onehot) * (1.0 / batch)
        # The probabilities were read, not differentiated: all the gradient is the logits'.
        return grad_logits if len(self.inputs) == 1 else (grad_logits, None)

    def release(self) -> None:
        super().release()
        self.derivative = None  # the one array this node kept for backward


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None, relu: bool = False) -> Tensor:
    """x @ weight + bias (then relu, if asked): what a Dense layer computes.

    weight has shape (features, units), as Keras stores it, and bias (units,). For
    a 2-D batch it is one fused `Linear` node (one array and one or two nodes
    fewer than @, + and relu); other shapes use NumPy's matmul and broadcasting
    rules and separate nodes.
    """
    if bias is not None and x.ndim == 2:
        return Linear.apply(x, weight, bias, relu=True) if relu else Linear.apply(x, weight, bias)
    y = x @ weight
    y = y if bias is None else y + bias
    return y.relu() if relu else y


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`; finite for any finite input.

    The output remembers its logits (`_keras_logits`, as Keras calls it), so a
    crossentropy loss can work from them whether or not a graph was recorded.
    """
    output = Softmax.apply(x, axis=axis)
    output._keras_logits = ("softmax", axis, x)
    return output


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """log(softmax(x)) without ever taking log(0): x - max - log(sum(exp(x - max)))."""
    return LogSoftmax.apply(x, axis=axis)


def logsumexp(x: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False):
    """log(sum(exp(x))) with the maximum subtracted first (it has no gradient of its own).

    Where the maximum is infinite nothing is subtracted (inf - inf would be NaN): a
    row of -inf only gives -inf, a row holding +inf gives +inf. float16 is worked in
    float32 and rounded back.
    """
    wide = x.astype(np.float32) if x.dtype == np.float16 else x  # float16: worked in float32
    biggest = wide.max(axis=axis, keepdims=True).data
    shift = constant_like(wide, np.where(np.isfinite(biggest), biggest, 0).astype(wide.dtype))
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer for a fully masked row
        result = (wide - shift).exp().sum(axis=axis, keepdims=True).log() + shift
    result = result.astype(x.dtype)
    return result if keepdims else result.squeeze(axis)


def sparse_cross_entropy_with_logits(
    logits: Tensor, labels: np.ndarray, probabilities: Tensor | None = None
) -> Tensor:
    """Mean over the batch of -log softmax(logits)[i, labels[i]].

    `logits` has shape (batch, classes); `labels` holds integer class indices.
    Working from logits (log-softmax with the row maximum subtracted) keeps
    loss and gradient finite. `probabilities`, if given, must be
    `softmax(logits, axis=-1)` as recorded: its work is reused.
    """
    labels = np.asarray(labels)
    _check_class_indices(logits, labels)
    if probabilities is None or not is_grad_enabled():  # unrecorded: nothing to reuse
        return SparseSoftmaxCrossEntropy.apply(logits, labels=labels)
    node = probabilities.grad_fn
    if not (isinstance(node, Softmax) and node.inputs[0] is logits and node.axis in (-1, 1)):
        raise ValueError(
            "sparse_cross_entropy_with_logits: probabilities must be the recorded "
            "softmax(logits, axis=-1) of these logits"
        )
    return SparseSoftmaxCrossEntropy.apply(logits, probabilities, labels=labels)


def _check_class_indices(logits: Tensor, labels: np.ndarray) -> None:
    """One integer label in [0, classes) per row, or a clear error.

    Without it NumPy's indexing would take a label of -1 as the last class and
    broadcast labels of shape (batch, 1) into a (batch, batch) table: wrong
    losses, silently. (The losses in nn check their labels before calling.)
    """
    if logits.ndim != 2:
        return  # the node itself says it needs (batch, classes)
    classes, rows = logits.shape[-1], logits.shape[:-1]
    if labels.dtype.kind not in "iu" or labels.shape != rows:
        raise ValueError(
            f"SparseSoftmaxCrossEntropy: labels must be integer class indices of shape {rows}, "
            f"one per row of the logits (shape {logits.shape}); got dtype {labels.dtype} and "
            f"shape {labels.shape}"
        )
    outside = labels_outside_classes(labels, classes)
    if outside.size:
        raise IndexError(
            f"SparseSoftmaxCrossEntropy: class indices must lie in [0, {classes}) for logits of "
            f"shape {logits.shape}, got {outside[:5].tolist()}"
        )


def labels_outside_classes(labels: np.ndarray, classes: int) -> np.ndarray:
    """The integer `labels` that are not class indices in [0, classes); empty if none are.

    One pass over the labels when all are fine: read as unsigned, a negative
    index is a huge number. The losses in nn use it too.
    """
    labels = labels.astype(np.int64, copy=False)
    if labels.view(np.uint64).max(initial=0) < classes:
        return np.empty(0, dtype=np.int64)
    return labels[(labels < 0) | (labels >= classes)]


def cross_entropy_with_logits(logits: Tensor, targets: Tensor | np.ndarray) -> Tensor:
    """Mean over the batch of -sum(targets * log_softmax(logits)) (targets are probabilities).

    A target of 0 contributes 0, even where the logit is -inf (a masked class,
    whose log-probability is -inf): 0 * -inf would make the loss NaN.
    """
    log_probabilities = log_softmax(logits, axis=-1)
    with np.errstate(invalid="ignore"):  # 0 * -inf: replaced by 0 just below
        terms = log_probabilities * targets
    if np.isinf(log_probabilities.data).any():
        target_values = np.asarray(getattr(targets, "data", targets))
        zero = constant_like(terms, np.zeros((), dtype=terms.dtype))
        terms = Where.apply(zero, terms, condition=np.broadcast_to(target_values == 0, terms.shape))
    return -terms.sum(axis=-1).mean()


# ================================================================ convolution and pooling
# Images are NHWC (batch, height, width, channels) and a kernel is stored
# (kh, kw, in_channels, filters), as in Keras. Everything here is a composite of
# primitives: Pad, SlidingWindows (a strided view of every window), Reshape,
# matmul, Max and Sum. So every gradient, and every gradient of a gradient, comes
# from the primitives' own backward formulas.


def pair(value: int | Sequence[int], what: str, who: str) -> tuple[int, int]:
    """An int or a pair of positive ints as (height, width): 3 -> (3, 3)."""
    values = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        raise ValueError(f"{who}: {what} must be a positive int or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def check_padding(padding: str, who: str) -> str:
    """'valid' or 'same' (any case), lower-cased."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{who}: padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same" padding of one axis: (before, after).

    The output has ceil(size / stride) positions; the total padding that needs is
    max((out - 1) * stride + window - size, 0), and an odd pixel goes after
    (bottom or right). Source: TensorFlow's guide to convolution padding
    (tf.nn.convolution, "SAME").
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def output_size(size: int | None, window: int, stride: int, padding: str) -> int | None:
    """Positions along one axis after a window op: ceil(n / s) for "same",
    (n - k) // s + 1 for "valid" (0 or less: the window does not fit). None stays None."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - window) // stride + 1


def _windows(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    fill: float,
    who: str,
) -> Tensor:
    """x's (kh, kw) windows, (N, oh, ow, kh, kw, C), after "same" padding with `fill` if asked."""
    if x.ndim != 4:
        raise ValueError(
            f"{who}: expects images of shape (batch, height, width, channels), got shape {x.shape}"
        )
    height, width = x.shape[1:3]
    if padding == "same":
        top, bottom = same_padding(height, window[0], strides[0])
        left, right = same_padding(width, window[1], strides[1])
        if top or bottom or left or right:
            pad_width = ((0, 0), (top, bottom), (left, right), (0, 0))
            x = Pad.apply(x, pad_width=pad_width, value=fill)
    elif height < window[0] or width < window[1]:
        raise ValueError(
            f"{who}: a {window[0]}x{window[1]} window does not fit in an image of "
            f"{height}x{width} with padding='valid'; use padding='same' or a smaller window"
        )
    return SlidingWindows.apply(x, window=window, strides=strides)


def conv2d(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | None = None,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
) -> Tensor:
    """2-D convolution (cross-correlation, as in every framework) of NHWC images.

    Built as im2col: every window of x is copied once into one contiguous row of a
    (batch * oh * ow, kh * kw * in_channels) matrix, which one matrix product with
    the kernel, seen as (kh * kw * in_channels, filters), turns into every output.

    Args:
        x: (batch, height, width, in_channels), float.
        kernel: (kh, kw, in_channels, filters), as Keras stores it.
        bias: (filters,) or None.
        strides: an int or (sh, sw): how far the window moves each step.
        padding: "valid" (windows inside the image only) or "same" (zeros around the
            image, TensorFlow's rule: the output has ceil(size / stride) positions).

    Returns:
        (batch, oh, ow, filters).

    Raises:
        ValueError: for shapes that do not fit together, or bad strides or padding.
    """
    who = "conv2d"
    strides = pair(strides, "strides", who)
    padding = check_padding(padding, who)
    if kernel.ndim != 4 or x.ndim != 4 or x.shape[-1] != kernel.shape[2]:
        raise ValueError(
            f"{who}: expects x (batch, height, width, channels) and a kernel (kh, kw, channels, "
            f"filters) with the same channels, got shapes {x.shape} and {kernel.shape}"
        )
    kh, kw, channels, filters = kernel.shape
    if bias is not None and bias.shape != (filters,):
        raise ValueError(f"{who}: bias must have shape ({filters},), got {bias.shape}")
    windows = _windows(x, (kh, kw), strides, padding, 0.0, who)
    batch, out_height, out_width = windows.shape[:3]
    # The reshape copies the overlapping windows into one contiguous matrix: im2col.
    columns = windows.reshape(batch * out_height * out_width, kh * kw * channels)
    out = linear(columns, kernel.reshape(kh * kw * channels, filters), bias)
    return out.reshape(batch, out_height, out_width, filters)


def max_pool2d(
    x: Tensor,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """The largest value of each window of NHWC images, per channel.

    `strides` defaults to `pool_size` (windows side by side), as in Keras. "same"
    padding pads with -inf, so padding is never the maximum. The gradient of a
    window goes to its maximum; tied maxima split it evenly (as `Tensor.max`
    does), so each window passes on exactly the gradient it received.

    Returns:
        (batch, oh, ow, channels).
    """
    who = "max_pool2d"
    window = pair(pool_size, "pool_size", who)
    strides = window if strides is None else pair(strides, "strides", who)
    padding = check_padding(padding, who)
    return _windows(x, window, strides, padding, -np.inf, who).max(axis=(3, 4))


def avg_pool2d(
    x: Tensor,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """The mean of each window of NHWC images, per channel.

    With "same" padding a window at the border averages only the pixels inside
    the image (the padding is not counted), as TensorFlow and Keras do.

    Returns:
        (batch, oh, ow, channels).
    """
    who = "avg_pool2d"
    window = pair(pool_size, "pool_size", who)
    strides = window if strides is None else pair(strides, "strides", who)
    padding = check_padding(padding, who)
    sums = _windows(x, window, strides, padding, 0.0, who).sum(axis=(3, 4))
    if padding == "valid":
        return sums * (1.0 / (window[0] * window[1]))
    # How many real pixels each window holds: the same windows over ones padded with zeros.
    ones = np.ones((1, *x.shape[1:3], 1), dtype=x.dtype)
    top, bottom = same_padding(x.shape[1], window[0], strides[0])
    left, right = same_padding(x.shape[2], window[1], strides[1])
    ones = np.pad(ones, ((0, 0), (top, bottom), (left, right), (0, 0)))
    counts = window_view(ones, window, strides).sum(axis=(3, 4))
    return sums / constant_like(sums, counts)
