"""Composite functions built from the primitives, and the few fused nodes that earn their keep.

A fused node does the work of several primitives as one `Function`, for speed
or memory, or to keep a formula stable. Each has its backward written once,
with Tensor operations, so it differentiates twice like any primitive:

- `Linear` (x @ weight + bias for a batch of rows): every Dense layer's work.
  Its twin `linear_simple` is the same formula from primitives.
- `SparseSoftmaxCrossEntropy` (cross-entropy from logits and class indices):
  the last step of every classifier. Its twin is `sparse_cross_entropy_simple`.
- `Softmax` and `LogSoftmax`: the row maximum is subtracted first, so
  exp(1000) never overflows.

The tests hold each fused node and its twin equal in value, gradient and
gradient of gradient; the twins are the formulas to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.autograd import Function, constant_like
from tinygrad_edu.ops.elementwise import Where
from tinygrad_edu.ops.movement import Pad, SlidingWindows

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


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
        out = np.matmul(x_data, weight_data)
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


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight + bias: what a Dense layer computes before its activation.

    Args:
        x: inputs of shape (..., features); a float dtype.
        weight: shape (features, units), as Keras stores a kernel.
        bias: shape (units,), or None for no bias.
    Returns:
        Shape (..., units). For a 2-D `x` with a bias it is one fused `Linear`
        node; other shapes record MatMul and Add, with NumPy's matmul and
        broadcasting rules.
    Raises:
        ValueError: the shapes do not fit (x's last axis is not weight's first).
    """
    if bias is not None and x.ndim == 2:
        return Linear.apply(x, weight, bias)
    return linear_simple(x, weight, bias)


def linear_simple(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """`linear` from primitives (MatMul, then Add): the formula `Linear` fuses.

    Same arguments, result and gradients as `linear`, as one more node.
    """
    y = x @ weight
    return y if bias is None else y + bias


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
        _, exps, totals, _ = _row_exponentials(a.data, axis)
        exps /= totals
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

    Fused for speed, because it ends every classifier's step: written as
    log-softmax, indexing, mean and negation (`sparse_cross_entropy_simple`) it
    is four nodes forward and more backward. As one node its derivative is the
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


def _floating(x: Tensor) -> Tensor:
    """x itself if floating point, else as float32 (the default float): softmax of ints."""
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`; finite for any finite input.

    The output remembers its logits (`_keras_logits`, as Keras calls it), so a
    crossentropy loss can work from them whether or not a graph was recorded.
    """
    x = _floating(x)
    output = Softmax.apply(x, axis=axis)
    output._keras_logits = ("softmax", axis, x)
    return output


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """log(softmax(x)) without ever taking log(0): x - max - log(sum(exp(x - max)))."""
    return LogSoftmax.apply(_floating(x), axis=axis)


def logsumexp(x: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False):
    """log(sum(exp(x))) with the maximum subtracted first (it has no gradient of its own).

    Where the maximum is infinite nothing is subtracted (inf - inf would be NaN): a
    row of -inf only gives -inf, a row holding +inf gives +inf. float16 is worked in
    float32 and rounded back.
    """
    x = _floating(x)
    wide = x.astype(np.float32) if x.dtype == np.float16 else x  # float16: worked in float32
    biggest = wide.max(axis=axis, keepdims=True).data
    shift = constant_like(wide, np.where(np.isfinite(biggest), biggest, 0).astype(wide.dtype))
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer for a fully masked row
        result = (wide - shift).exp().sum(axis=axis, keepdims=True).log() + shift
    result = result.astype(x.dtype)
    return result if keepdims else result.squeeze(axis)


def sparse_cross_entropy_with_logits(logits: Tensor, labels: np.ndarray) -> Tensor:
    """Mean over the batch of -log softmax(logits)[i, labels[i]], as one fused node.

    Working from logits (log-softmax with the row maximum subtracted) keeps
    loss and gradient finite, even for logits such as 1000.

    Args:
        logits: shape (batch, classes), a float dtype.
        labels: integer class indices of shape (batch,), each in [0, classes).
    Returns:
        A 0-d tensor of the logits' dtype (nats per sample).
    Raises:
        ValueError: logits not 2-D, or labels not integers of shape (batch,).
        IndexError: a label outside [0, classes) (NumPy would take -1 as the last class).
    """
    labels = np.asarray(labels)
    _check_class_indices(logits, labels)
    return SparseSoftmaxCrossEntropy.apply(logits, labels=labels)


def sparse_cross_entropy_simple(logits: Tensor, labels: np.ndarray) -> Tensor:
    """`sparse_cross_entropy_with_logits` from primitives: the formula the fused node computes.

    log_softmax(z) = z - logsumexp(z), picked at each row's label, averaged and
    negated. Same arguments, value and gradients; the labels are not checked.
    """
    log_probabilities = logits - logsumexp(logits, axis=-1, keepdims=True)
    return -log_probabilities[np.arange(logits.shape[0]), np.asarray(labels)].mean()


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

    The one range check of class labels: the functional and the nn losses both
    use it, and each raises its own error. `labels` is an integer array of any
    shape; the result is a 1-D int64 array. One pass over the labels when all
    are fine: read as unsigned, a negative index is a huge number.
    """
    labels = labels.astype(np.int64, copy=False)
    if labels.view(np.uint64).max(initial=0) < classes:
        return np.empty(0, dtype=np.int64)
    return labels[(labels < 0) | (labels >= classes)]


def logits_under(activation: str, y: Tensor) -> Tensor | None:
    """The logits z if `y` is `activation`(z) over its last axis, else None.

    `softmax` (here and in nn.activations) and `Tensor.sigmoid` leave
    (activation, axis, z) on their output as `_keras_logits` (Keras's name for
    it), with or without a recorded graph. That is how a crossentropy loss finds
    the logits under a "softmax" or "sigmoid" output, to work from them as Keras
    does, so that it never takes log(0).
    """
    kind, axis, logits = getattr(y, "_keras_logits", None) or (None, None, None)
    if kind == activation and axis in (-1, y.ndim - 1) and logits.shape == y.shape:
        return logits
    return None


def cross_entropy_with_logits(logits: Tensor, targets: Tensor | np.ndarray) -> Tensor:
    """Mean over the batch of -sum(targets * log_softmax(logits)): cross-entropy from logits.

    A target of 0 contributes 0, even where the logit is -inf (a masked class,
    whose log-probability is -inf): 0 * -inf would make the loss NaN.

    Args:
        logits: shape (batch, classes) (or (..., classes)), a float dtype.
        targets: probabilities per class (one-hot or soft), broadcastable to the
            logits' shape; an array or Tensor (no gradient flows into an array).
    Returns:
        A 0-d tensor of the logits' dtype (nats per sample).
    Raises:
        ValueError: targets that do not broadcast against the logits.
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


def _padded(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    fill: float,
    who: str,
) -> Tensor:
    """x after "same" padding with `fill` (if any is needed); checks that a window fits."""
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
    return x


def _windows(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    fill: float,
    who: str,
) -> Tensor:
    """x's (kh, kw) windows, (N, oh, ow, kh, kw, C), after "same" padding with `fill` if asked."""
    x = _padded(x, window, strides, padding, fill, who)
    return SlidingWindows.apply(x, window=window, strides=strides)


def _pooling_windows(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    fill: float,
    who: str,
) -> tuple[Tensor, tuple[int, int]]:
    """x's (kh, kw) windows for a pooling, and the two axes that run across a window.

    Windows side by side (strides == window, the default) tile the image once
    "same" padding has made it a whole number of windows high and wide, or once
    "valid" pooling has cut off the rows and columns no window reaches. Then a
    reshape of (N, H, W, C) to (N, oh, kh, ow, kw, C) lines every window up
    without copying a number, and its gradient is a reshape back: windows
    across axes 2 and 4. Overlapping (or gapped) windows need the general
    strided view, SlidingWindows: (N, oh, ow, kh, kw, C), windows across axes 3
    and 4, whose gradient adds the windows back onto the image. Both give the
    same values and gradients (tests/test_conv.py holds them equal).
    """
    if strides != window:
        return _windows(x, window, strides, padding, fill, who), (3, 4)
    x = _padded(x, window, strides, padding, fill, who)
    (kh, kw), (height, width) = window, x.shape[1:3]
    out_height, out_width = height // kh, width // kw
    if (height, width) != (out_height * kh, out_width * kw):  # "valid": drop what no window uses
        x = x[:, : out_height * kh, : out_width * kw, :]
    tiles = x.reshape(x.shape[0], out_height, kh, out_width, kw, x.shape[3])
    return tiles, (2, 4)


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
    windows, window_axes = _pooling_windows(x, window, strides, padding, -np.inf, who)
    return windows.max(axis=window_axes)


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
    windows, window_axes = _pooling_windows(x, window, strides, padding, 0.0, who)
    sums = windows.sum(axis=window_axes)
    if padding == "valid":
        return sums * (1.0 / (window[0] * window[1]))
    # How many real pixels each window holds: the same windows over ones padded with zeros.
    ones = constant_like(x, np.ones((1, *x.shape[1:3], 1), dtype=x.dtype))
    return sums / _windows(ones, window, strides, padding, 0.0, who).sum(axis=(3, 4))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | np.ndarray | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value, with PyTorch's arguments.

    Each query position takes a weighted average of the values; the weights say
    how well the query matches each key. Source: Vaswani et al., "Attention Is
    All You Need" (2017), eq. 1.

    Args:
        query: (..., L, E): L positions asking.
        key: (..., S, E): S positions answering.
        value: (..., S, Ev): what each answering position hands over.
        attn_mask: broadcastable to (..., L, S). Boolean: True where a query may
            attend to a key (False positions get weight 0). Floating: added to the
            scores (use -inf or a large negative number to block a position).
        dropout_p: the probability of dropping each attention weight (inverted
            dropout, from `tinygrad_edu.random`); 0 for none.
        is_causal: position i attends only to keys 0..i (a lower-triangular mask),
            combined with `attn_mask` if both are given.
        scale: multiplies the scores; 1 / sqrt(E) by default.

    Returns:
        (..., L, Ev), of query's dtype. A query row whose keys are all masked by a
        boolean mask gives NaN, as in PyTorch.

    Raises:
        ValueError: query/key/value whose last axes do not fit, or a mask that does
            not broadcast to the scores' shape (..., L, S).
    """
    who = "scaled_dot_product_attention"
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"{who}: query, key and value need at least 2 axes (positions, features)")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"{who}: expected query (..., L, E), key (..., S, E) and value (..., S, Ev), got "
            f"query {query.shape}, key {key.shape}, value {value.shape}"
        )
    if scale is None:
        scale = 1.0 / np.sqrt(query.shape[-1])
    scores = (query @ key.transpose(*range(key.ndim - 2), key.ndim - 1, key.ndim - 2)) * scale
    length, source = scores.shape[-2], scores.shape[-1]
    allowed = None  # a boolean mask: True where attention may flow
    if is_causal:
        allowed = np.tril(np.ones((length, source), dtype=bool))
    if attn_mask is not None:
        is_tensor = isinstance(attn_mask, type(query))
        mask = attn_mask.data if is_tensor else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(
                f"{who}: attn_mask of shape {mask.shape} does not broadcast to the scores' "
                f"shape {scores.shape} (..., L, S)"
            ) from None
        if mask.dtype == bool:
            allowed = mask if allowed is None else allowed & mask
        else:  # an additive mask: a Tensor keeps its gradient
            scores = scores + (attn_mask if is_tensor else mask.astype(query.dtype))
    if allowed is not None:
        blocked = constant_like(scores, np.full((), -np.inf, dtype=scores.dtype))
        scores = Where.apply(scores, blocked, condition=np.broadcast_to(allowed, scores.shape))
    weights = softmax(scores, axis=-1)
    if dropout_p > 0.0:
        keep = random.generator().random(weights.shape) >= dropout_p
        weights = weights * constant_like(weights, (keep / (1.0 - dropout_p)).astype(weights.dtype))
    return weights @ value
