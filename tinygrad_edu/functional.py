"""Composite functions built from the primitives: what layers and losses call.

Softmax and LogSoftmax are primitives of their own (ops/softmax.py: the row
maximum is subtracted first, so exp(1000) never overflows). Some calls here
reach the speed seam (tinygrad_edu/fused/), which does the same work with fewer
nodes or arrays: `linear` (the Linear node, twin `linear_simple`),
`sparse_cross_entropy_with_logits` (SparseSoftmaxCrossEntropy, twin
`sparse_cross_entropy_simple`), `conv2d` with groups 1 (the Conv2D node, twin
`convolution_simple`) and the pooling functions, whose side-by-side windows are
a reshape (`tile_windows`, twin `sliding_windows`). Read the twins for the formulas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.autograd import constant_like
from tinygrad_edu.fused.convolution import convolution
from tinygrad_edu.fused.nodes import (
    Linear,
    SparseSoftmaxCrossEntropy,
    fits_linear_node,
    linear_simple,
    tile_windows,
)
from tinygrad_edu.ops.elementwise import Where
from tinygrad_edu.ops.movement import AddWindows, Pad, ScatterAdd, SlidingWindows
from tinygrad_edu.ops.reduce import single_axis
from tinygrad_edu.ops.softmax import LogSoftmax, Softmax
from tinygrad_edu.resampling import interpolate, upsample  # noqa: F401 (functional.upsample)

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


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
    if fits_linear_node(x, weight, bias):
        return Linear.apply(x, weight, bias)
    return linear_simple(x, weight, bias)


def _floating(x: Tensor) -> Tensor:
    """x itself if floating point, else as float32 (the default float): softmax of ints."""
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis` (PyTorch's `dim`); finite for any finite input."""
    x = _floating(x)
    axis = axis if dim is None else dim
    if single_axis(axis, x.ndim, x.shape, "softmax") is None:  # 0-d: one entry, probability 1
        return Softmax.apply(x.reshape(1), axis=0).reshape(())
    return Softmax.apply(x, axis=axis)


def log_softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """log(softmax(x)) without ever taking log(0): x - max - log(sum(exp(x - max))).
    `dim` is PyTorch's name for `axis`.

    Raises:
        ValueError: the axis is out of range (a 0-d tensor takes 0 or -1, giving 0).
    """
    x = _floating(x)
    axis = axis if dim is None else dim
    if single_axis(axis, x.ndim, x.shape, "log_softmax") is None:  # 0-d: log(1) = 0
        return LogSoftmax.apply(x.reshape(1), axis=0).reshape(())
    return LogSoftmax.apply(x, axis=axis)


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
# (kh, kw, in_channels, filters), as in Keras; sequences are NWC (batch, steps,
# channels) and are worked as images one pixel high. Everything here is a
# composite of primitives: Pad, SlidingWindows (a strided view of every window),
# GetItem, Reshape, Transpose, matmul, Max and Sum. So every gradient, and every
# gradient of a gradient, comes from the primitives' own backward formulas.

# What `padding` may be: "valid", "same", or explicit zeros around the image.
Padding = str | int | Sequence[int] | Sequence[Sequence[int]]
# Explicit padding of the two image axes: ((top, bottom), (left, right)).
PadWidths = tuple[tuple[int, int], tuple[int, int]]


def pair(value: int | Sequence[int], what: str, who: str) -> tuple[int, int]:
    """An int or a pair of positive ints as (height, width): 3 -> (3, 3).

    Raises:
        ValueError: anything else, naming `who` and `what`.
    """
    if isinstance(value, (int, np.integer)):
        values = (value, value)
    elif isinstance(value, (str, bytes)) or not isinstance(value, Sequence | np.ndarray):
        values = ()  # 2.5, "3", None: not a pair of ints (refused below)
    else:
        values = tuple(value)
    if len(values) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        raise ValueError(f"{who}: {what} must be a positive int or a pair of them, got {value!r}")
    return int(values[0]), int(values[1])


def check_padding(padding: str, who: str) -> str:
    """'valid' or 'same' (any case), lower-cased.

    Raises:
        ValueError: anything else, naming `who`.
    """
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{who}: padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()


def _is_count(value: Any) -> bool:
    """A non-negative int (not a bool): an amount of padding or cropping."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0


def pad_widths(amount: int | Sequence[Any], what: str, who: str) -> PadWidths:
    """Zeros (or a crop) around an image as ((top, bottom), (left, right)).

    As Keras's ZeroPadding2D reads it: an int n is n on every side; a pair (h, w)
    is h above and below, w left and right; a pair of pairs is given as is.

    Raises:
        ValueError: anything else, or a negative amount.
    """
    if _is_count(amount):
        return (int(amount), int(amount)), (int(amount), int(amount))
    parts = tuple(amount) if isinstance(amount, Sequence) else ()
    if len(parts) == 2 and all(_is_count(p) for p in parts):
        return (int(parts[0]), int(parts[0])), (int(parts[1]), int(parts[1]))
    if len(parts) == 2 and all(
        isinstance(p, Sequence) and len(p) == 2 and all(_is_count(v) for v in p) for p in parts
    ):
        return (int(parts[0][0]), int(parts[0][1])), (int(parts[1][0]), int(parts[1][1]))
    raise ValueError(
        f"{who}: {what} must be a non-negative int, a pair (height, width) of them, or "
        f"((top, bottom), (left, right)), got {amount!r}"
    )


def side_widths(amount: int | Sequence[int], what: str, who: str) -> tuple[int, int]:
    """Zeros (or a crop) at the two ends of a sequence as (left, right): n -> (n, n).

    Raises:
        ValueError: not a non-negative int or a pair of them.
    """
    if _is_count(amount):
        return int(amount), int(amount)
    parts = tuple(amount) if isinstance(amount, Sequence) else ()
    if len(parts) == 2 and all(_is_count(p) for p in parts):
        return int(parts[0]), int(parts[1])
    raise ValueError(
        f"{who}: {what} must be a non-negative int or a pair (left, right) of them, got {amount!r}"
    )


def conv_padding(padding: Padding, who: str) -> str | PadWidths:
    """'valid' / 'same' (lower-cased), or explicit zeros as ((top, bottom), (left, right)).

    An int n pads n on every side, a pair (h, w) pads h above and below and w
    left and right (PyTorch's conv2d reads an int or pair the same way).

    Raises:
        ValueError: any other string or shape of numbers.
    """
    if isinstance(padding, str):
        return check_padding(padding, who)
    try:
        return pad_widths(padding, "padding", who)
    except ValueError:
        raise ValueError(
            f"{who}: padding must be 'valid', 'same', a non-negative int, a pair (height, width) "
            f"or ((top, bottom), (left, right)), got {padding!r}"
        ) from None


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same" padding of one axis: (before, after).

    The output has ceil(size / stride) positions; the total padding that needs is
    max((out - 1) * stride + window - size, 0), and an odd pixel goes after
    (bottom or right). Source: TensorFlow's guide to convolution padding
    (tf.nn.convolution, "SAME"). A dilated window counts its full span here.
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def dilated(window: int, dilation: int) -> int:
    """How many pixels a window of `window` taps, `dilation` apart, spans: (k - 1) * d + 1."""
    return (window - 1) * dilation + 1


def output_size(
    size: int | None,
    window: int,
    stride: int,
    padding: str | tuple[int, int],
    dilation: int = 1,
) -> int | None:
    """Positions along one axis after a window op (0 or less: the window does not fit).

    ceil(n / s) for "same", (n + padding - span) // s + 1 otherwise, where span =
    (k - 1) * d + 1.

    Args:
        size: the input's length n; None (unknown) stays None.
        window: the kernel's or pool's size k.
        stride: s.
        padding: "same", "valid" or (before, after).
        dilation: d, the distance between a window's taps.
    """
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    added = 0 if padding == "valid" else sum(padding)
    return (size + added - dilated(window, dilation)) // stride + 1


def _padded(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str | PadWidths,
    fill: float,
    who: str,
    spans: str = "",
) -> Tensor:
    """x after its padding ("same" or explicit) with `fill`; checks that a window fits.

    `window` is the span a window covers (a dilated kernel's full span); `spans`
    says so in the error, as " (a 3x3 kernel, dilated)".
    """
    if x.ndim != 4:
        raise ValueError(
            f"{who}: expects images of shape (batch, height, width, channels), got shape {x.shape}"
        )
    height, width = x.shape[1:3]
    if padding == "same":
        padding = (
            same_padding(height, window[0], strides[0]),
            same_padding(width, window[1], strides[1]),
        )
    if padding != "valid":
        (top, bottom), (left, right) = padding
        if top or bottom or left or right:
            pad_width = ((0, 0), (top, bottom), (left, right), (0, 0))
            x = Pad.apply(x, pad_width=pad_width, value=fill)
    if x.shape[1] < window[0] or x.shape[2] < window[1]:
        padded = "" if padding == "valid" else f" (padded to {x.shape[1]}x{x.shape[2]})"
        raise ValueError(
            f"{who}: a {window[0]}x{window[1]} window{spans} does not fit in an image of "
            f"{height}x{width} with padding={padding!r}{padded}; use padding='same', more "
            "padding or a smaller window"
        )
    return x


def _windows(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str | PadWidths,
    fill: float,
    who: str,
    dilation: tuple[int, int] = (1, 1),
) -> Tensor:
    """x's (kh, kw) windows, (N, oh, ow, kh, kw, C), after padding with `fill` if asked.

    A dilated window (taps `dilation` apart) is every d-th entry of the plain
    window that spans it: the windows of the full span, then a strided slice
    (GetItem, whose backward scatters the gradient back into the span).
    """
    span = dilated(window[0], dilation[0]), dilated(window[1], dilation[1])
    spans = "" if span == window else f" (a {window[0]}x{window[1]} kernel, dilated {dilation})"
    x = _padded(x, span, strides, padding, fill, who, spans)
    windows = SlidingWindows.apply(x, window=span, strides=strides)
    if dilation != (1, 1):
        every = slice(None)
        windows = windows[every, every, every, :: dilation[0], :: dilation[1], every]
    return windows


def _pooling_windows(
    x: Tensor,
    window: tuple[int, int],
    strides: tuple[int, int],
    padding: str,
    fill: float,
    who: str,
    dilation: tuple[int, int] = (1, 1),
) -> tuple[Tensor, tuple[int, int]]:
    """x's (kh, kw) windows for a pooling, and the two axes that run across a window.

    In general the strided view SlidingWindows: (N, oh, ow, kh, kw, C), windows
    across axes 3 and 4, whose gradient adds the windows back onto the image.
    Windows side by side (strides == window, the default) tile the image, and the
    speed seam lines them up by a reshape instead (fused.nodes.tile_windows:
    (N, oh, kh, ow, kw, C), windows across axes 2 and 4); the same values and
    gradients, held equal by tests/test_fused.py.
    """
    if strides == window and dilation == (1, 1):
        return tile_windows(_padded(x, window, strides, padding, fill, who), window), (2, 4)
    return _windows(x, window, strides, padding, fill, who, dilation), (3, 4)


def _positive_int(value: Any, what: str, who: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{who}: {what} must be a positive int, got {value!r}")
    return int(value)


def conv2d(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | None = None,
    strides: int | Sequence[int] = 1,
    padding: Padding = "valid",
    dilation_rate: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in every framework) of NHWC images.

    Built as im2col: every window of x is copied once into one contiguous row of a
    (batch * oh * ow, kh * kw * in_channels) matrix, which one matrix product with
    the kernel, seen as (kh * kw * in_channels, filters), turns into every output.
    With groups, the channels are cut into `groups` blocks that each have their
    own filters (Keras's and PyTorch's rule: filter f reads block
    f // (filters / groups)): one batched matrix product, one product per block.

    Args:
        x: (batch, height, width, in_channels), float.
        kernel: (kh, kw, in_channels / groups, filters), as Keras stores it.
        bias: (filters,) or None.
        strides: an int or (sh, sw): how far the window moves each step.
        padding: "valid" (windows inside the image only), "same" (zeros around the
            image, TensorFlow's rule: the output has ceil(size / stride)
            positions), or explicit zeros: an int (every side), a pair (height,
            width), or ((top, bottom), (left, right)).
        dilation_rate: an int or (dh, dw): the kernel's taps are this far apart,
            so a 3x3 kernel with dilation 2 spans 5x5 (an "atrous" convolution).
        groups: how many blocks the channels are cut into; groups ==
            in_channels is a depthwise convolution.

    Returns:
        (batch, oh, ow, filters).

    Raises:
        ValueError: for shapes that do not fit together, or bad strides, padding,
            dilation or groups.
    """
    return _conv2d(x, kernel, bias, strides, padding, dilation_rate, groups, "conv2d")


def _conv2d(x, kernel, bias, strides, padding, dilation_rate, groups, who) -> Tensor:
    """conv2d, with `who` naming the caller (conv2d or conv1d) in its errors."""
    strides = pair(strides, "strides", who)
    dilation = pair(dilation_rate, "dilation_rate", who)
    groups = _positive_int(groups, "groups", who)
    padding = conv_padding(padding, who)
    if kernel.ndim != 4 or x.ndim != 4 or x.shape[-1] != kernel.shape[2] * groups:
        same = "the same channels" if groups == 1 else f"channels = kernel's 3rd axis * {groups}"
        raise ValueError(
            f"{who}: expects x (batch, height, width, channels) and a kernel (kh, kw, channels "
            f"/ groups, filters) with {same}, got shapes {x.shape} and {kernel.shape}"
        )
    kh, kw, channels, filters = kernel.shape
    if filters % groups:
        raise ValueError(
            f"{who}: the kernel's {filters} filters do not split into groups={groups} equal "
            f"blocks (kernel shape {kernel.shape})"
        )
    if bias is not None and bias.shape != (filters,):
        raise ValueError(f"{who}: bias must have shape ({filters},), got {bias.shape}")
    windows = _windows(x, (kh, kw), strides, padding, 0.0, who, dilation)  # (N, oh, ow, kh, kw, C)
    if groups == 1:
        # im2col: each window copied into a row of one matrix, times the kernel as a
        # (kh * kw * channels, filters) matrix. The speed seam does it as one node
        # (fused.convolution; its twin, convolution_simple, spells out the steps).
        return convolution(windows, kernel, bias)
    batch, out_height, out_width = windows.shape[:3]
    rows = batch * out_height * out_width
    # One im2col matrix per block of channels, (groups, rows, kh * kw * channels),
    # and one kernel matrix per block, (groups, kh * kw * channels, filters / groups).
    columns = windows.reshape(rows, kh, kw, groups, channels).transpose((3, 0, 1, 2, 4))
    columns = columns.reshape(groups, rows, kh * kw * channels)
    per_block = filters // groups
    weights = kernel.reshape(kh, kw, channels, groups, per_block).transpose((3, 0, 1, 2, 4))
    weights = weights.reshape(groups, kh * kw * channels, per_block)
    out = (columns @ weights).transpose((1, 0, 2))  # (rows, groups, per_block): filter order
    out = out.reshape(batch, out_height, out_width, filters)
    return out if bias is None else out + bias


def _sequence_padding(padding: Padding, span: int, who: str) -> str | PadWidths:
    """A 1-D padding as the 2-D padding of a one-pixel-high image.

    "causal" puts all of (span - 1) zeros before the sequence, so output t sees
    inputs up to t only (WaveNet's rule, Keras's Conv1D padding="causal").
    """
    if isinstance(padding, str) and padding.lower() == "causal":
        return (0, 0), (span - 1, 0)
    if isinstance(padding, str):
        return check_padding(padding, who)
    try:
        return (0, 0), side_widths(padding, "padding", who)
    except ValueError:
        raise ValueError(
            f"{who}: padding must be 'valid', 'same', 'causal', a non-negative int or a pair "
            f"(left, right), got {padding!r}"
        ) from None


def _check_sequences(x: Tensor, who: str) -> None:
    if x.ndim != 3:
        raise ValueError(
            f"{who}: expects sequences of shape (batch, steps, channels), got shape {x.shape}"
        )


def conv1d(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | None = None,
    strides: int = 1,
    padding: Padding = "valid",
    dilation_rate: int = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution of sequences (batch, steps, channels), as Keras's Conv1D.

    Worked as `conv2d` of images one pixel high: x becomes (batch, 1, steps,
    channels) and the kernel (1, k, channels / groups, filters).

    Args:
        x: (batch, steps, in_channels), float.
        kernel: (k, in_channels / groups, filters), as Keras stores it.
        bias: (filters,) or None.
        strides, dilation_rate: positive ints.
        padding: "valid", "same", "causal" (all (k - 1) * dilation zeros before the
            sequence, so step t sees steps up to t only), an int (both ends) or a
            pair (left, right).
        groups: as for conv2d.

    Returns:
        (batch, out_steps, filters).

    Raises:
        ValueError: for shapes that do not fit, or bad arguments.
    """
    who = "conv1d"
    _check_sequences(x, who)
    if kernel.ndim != 3:
        raise ValueError(
            f"{who}: expects a kernel of shape (k, channels / groups, filters), got {kernel.shape}"
        )
    stride = _positive_int(strides, "strides", who)
    dilation = _positive_int(dilation_rate, "dilation_rate", who)
    if x.shape[-1] != kernel.shape[1] * _positive_int(groups, "groups", who):
        raise ValueError(
            f"{who}: expects x (batch, steps, channels) and a kernel (k, channels / groups, "
            f"filters) with groups={groups}, got shapes {x.shape} and {kernel.shape}"
        )
    padding = _sequence_padding(padding, dilated(kernel.shape[0], dilation), who)
    batch, steps, channels = x.shape
    images = x.reshape(batch, 1, steps, channels)
    out = _conv2d(
        images, kernel.reshape(1, *kernel.shape), bias, (1, stride), padding, (1, dilation),
        groups, who,
    )  # fmt: skip
    return out.reshape(batch, out.shape[2], out.shape[3])


def transpose_output_size(
    size: int | None,
    window: int,
    stride: int,
    padding: str,
    output_padding: int | None = None,
    dilation: int = 1,
) -> int | None:
    """Positions along one axis after a transposed convolution (Keras's rule).

    "valid": (n - 1) * s + max(span, s); "same": n * s; with output_padding p:
    (n - 1) * s + span - 2 * (span // 2 for "same", else 0) + p. span is the
    dilated kernel's (k - 1) * d + 1.

    Args:
        size: the input's length n; None (unknown) stays None.
        window: the kernel's size k.
        stride: s.
        padding: "valid" or "same".
        output_padding: p, or None.
        dilation: d.
    """
    if size is None:
        return None
    span = dilated(window, dilation)
    if output_padding is None:
        return (size - 1) * stride + max(span, stride) if padding == "valid" else size * stride
    cut = 2 * (span // 2) if padding == "same" else 0
    return (size - 1) * stride + span - cut + output_padding


def _transpose_crop(size: int, span: int, stride: int, padding: str, extra: int | None) -> int:
    """How many leading positions of the full transposed output are cut off.

    The full output, every window added back, has (n - 1) * s + span positions.
    Keras (its rule for JAX's conv_transpose) pads the stride-dilated input with
    `left` zeros, left = min(ceil(total / 2), span - 1) for "same", where total
    is s + span - 2 (or span + span % 2 - 2 + output_padding); a full
    convolution would pad span - 1, so span - 1 - left positions are cut off.
    "valid" cuts nothing.
    """
    if padding == "valid":
        return 0
    total = stride + span - 2 if extra is None else span + span % 2 - 2 + extra
    return span - 1 - min(total // 2 + total % 2, span - 1)


def conv2d_transpose(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | None = None,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    output_padding: int | Sequence[int] | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> Tensor:
    """Transposed convolution of NHWC images (Keras's Conv2DTranspose; "deconvolution").

    Each input pixel spreads its value over a kh x kw patch of the output, weighted
    by the kernel; patches `strides` apart overlap and add up. That is the
    adjoint of conv2d: one matrix product makes every patch, (N, H, W, kh, kw,
    filters), and AddWindows (col2im) adds them onto the output grid. The full
    grid is then cropped (or padded) to Keras's output size.

    Args:
        x: (batch, height, width, in_channels), float.
        kernel: (kh, kw, filters, in_channels), as Keras's Conv2DTranspose stores it.
        bias: (filters,) or None.
        strides: an int or (sh, sw): how far apart the patches of neighbouring
            input pixels land.
        padding: "valid" (output (n - 1) * s + max(k, s)) or "same" (n * s).
        output_padding: None, or an int or pair (each less than its stride) that
            picks the output size (n - 1) * s + k - 2 * pad + output_padding,
            pad = k // 2 for "same" and 0 for "valid".
        dilation_rate: an int or (dh, dw): the kernel's taps are this far apart.

    Returns:
        (batch, out_height, out_width, filters); sizes by `transpose_output_size`.

    Raises:
        ValueError: shapes that do not fit, or bad arguments.
    """
    who = "conv2d_transpose"
    strides = pair(strides, "strides", who)
    dilation = pair(dilation_rate, "dilation_rate", who)
    padding = check_padding(padding, who)
    extras: tuple[int | None, int | None] = (None, None)
    if output_padding is not None:
        extras = (output_padding,) * 2 if _is_count(output_padding) else tuple(output_padding)
        if len(extras) != 2 or not all(
            _is_count(e) and e < s for e, s in zip(extras, strides)
        ):  # fmt: skip
            raise ValueError(
                f"{who}: output_padding must be None or non-negative ints each less than its "
                f"stride (strides {strides}), got {output_padding!r}"
            )
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[-1] != kernel.shape[3]:
        raise ValueError(
            f"{who}: expects x (batch, height, width, channels) and a kernel (kh, kw, filters, "
            f"channels) with the same channels, got shapes {x.shape} and {kernel.shape}"
        )
    kh, kw, filters, channels = kernel.shape
    if bias is not None and bias.shape != (filters,):
        raise ValueError(f"{who}: bias must have shape ({filters},), got {bias.shape}")
    batch, height, width, _ = x.shape
    # Every input pixel's patch: (N * H * W, C) @ (C, kh * kw * filters).
    weights = kernel.transpose((3, 0, 1, 2)).reshape(channels, kh * kw * filters)
    patches = (x.reshape(batch * height * width, channels) @ weights).reshape(
        batch, height, width, kh, kw, filters
    )
    spans = dilated(kh, dilation[0]), dilated(kw, dilation[1])
    if dilation != (1, 1):  # taps `dilation` apart: the patch spread over its full span
        every = slice(None)
        taps = (every, every, every, slice(None, None, dilation[0]), slice(None, None, dilation[1]))
        patches = ScatterAdd.apply(
            patches, index=taps, shape=(batch, height, width, *spans, filters)
        )
    full_size = [(n - 1) * s + span for n, s, span in zip((height, width), strides, spans)]
    out = AddWindows.apply(patches, shape=(batch, *full_size, filters), strides=strides)
    # Crop the full grid to Keras's size; where that reaches past its end, pad zeros.
    selection, pad_width = [slice(None)], [(0, 0)]
    for n, span, s, extra, full in zip((height, width), spans, strides, extras, full_size):
        start = _transpose_crop(n, span, s, padding, extra)
        size = transpose_output_size(n, span, s, padding, extra)
        selection.append(slice(start, min(start + size, full)))
        pad_width.append((0, max(start + size - full, 0)))
    out = out[tuple(selection)]
    if any(after for _, after in pad_width):
        out = Pad.apply(out, pad_width=(*pad_width, (0, 0)), value=0.0)
    return out if bias is None else out + bias


def max_pool2d(
    x: Tensor,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    dilation_rate: int | Sequence[int] = 1,
) -> Tensor:
    """The largest value of each window of NHWC images, per channel.

    `strides` defaults to `pool_size` (windows side by side), as in Keras. "same"
    padding pads with -inf, so padding is never the maximum. The gradient of a
    window goes to its maximum; tied maxima split it evenly (as `Tensor.max`
    does), so each window passes on exactly the gradient it received.
    `dilation_rate` spaces a window's taps apart, as PyTorch's max_pool2d
    `dilation` does (with padding="valid" only).

    Args:
        x: (batch, height, width, channels), float.
        pool_size: an int or (ph, pw), the window.
        strides: an int or (sh, sw); None (the default) means pool_size.
        padding: "valid" or "same".
        dilation_rate: an int or (dh, dw): the taps this far apart.

    Returns:
        (batch, oh, ow, channels).

    Raises:
        ValueError: x not 4-d, bad arguments, or a window that does not fit.
    """
    who = "max_pool2d"
    window = pair(pool_size, "pool_size", who)
    strides = window if strides is None else pair(strides, "strides", who)
    dilation = pair(dilation_rate, "dilation_rate", who)
    padding = check_padding(padding, who)
    _check_dilated_pooling(padding, dilation, who)
    windows, window_axes = _pooling_windows(x, window, strides, padding, -np.inf, who, dilation)
    return windows.max(axis=window_axes)


def _check_dilated_pooling(padding: str, dilation: tuple[int, int], who: str) -> None:
    """Dilated max pooling with "valid" padding only: with "same" padding a window's taps
    may all fall on the padding (a maximum of -inf). PyTorch forbids that case too."""
    if padding == "same" and dilation != (1, 1):
        raise ValueError(
            f"{who}: dilation_rate {dilation} needs padding='valid' (with 'same' a dilated "
            "window could hold padding only)"
        )


def avg_pool2d(
    x: Tensor,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """The mean of each window of NHWC images, per channel.

    With "same" padding a window at the border averages only the pixels inside
    the image (the padding is not counted), as TensorFlow and Keras do.

    Args:
        x: (batch, height, width, channels), float.
        pool_size: an int or (ph, pw), the window.
        strides: an int or (sh, sw); None (the default) means pool_size.
        padding: "valid" or "same".

    Returns:
        (batch, oh, ow, channels).

    Raises:
        ValueError: x not 4-d, bad arguments, or a window that does not fit.
    """
    return _avg_pool2d(x, pool_size, strides, padding, "avg_pool2d")


def _avg_pool2d(x, pool_size, strides, padding, who) -> Tensor:
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


# ---------------------------------------------------------------- PyTorch's functional ops
# The activations live in composite/activations.py (Keras's names in nn.activations
# call the same functions); pad, nll_loss, cross_entropy (composite/losses.py) and one_hot
# follow torch.nn.functional.
from tinygrad_edu.composite import activations as _activations  # noqa: E402
from tinygrad_edu.composite.indexing import one_hot as _one_hot  # noqa: E402
from tinygrad_edu.composite.losses import cross_entropy  # noqa: E402, F401 (F.cross_entropy)
from tinygrad_edu.composite.shaping import pad as _pad  # noqa: E402

silu = swish = _activations.silu
selu = _activations.selu
relu6 = _activations.relu6
hardsigmoid = hard_sigmoid = _activations.hardsigmoid
hardswish = hard_swish = hard_silu = _activations.hardswish
mish = _activations.mish
softsign = _activations.softsign
logsigmoid = log_sigmoid = _activations.logsigmoid

NLL_REDUCTIONS = ("mean", "sum", "none")


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """PyTorch's F.pad: `pad` = (left, right) for the last axis, then (top, bottom) for the
    one before, ...; e.g. F.pad(x, (1, 1, 2, 0)) pads width by 1 and height by 2 on top.

    Modes "constant" (`value`; negative widths crop), "reflect", "replicate" and
    "circular" (see composite/shaping.py). The border's gradient is dropped;
    copied entries (reflect, ...) get theirs summed.

    Raises:
        ValueError: an odd number of widths, more pairs than axes, an unknown mode,
            or a width the mode cannot give.
    """
    return _pad(x, pad, mode, value)


def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """(..., num_classes) int64 tensor, 1 at each label, as F.one_hot (no graph).

    num_classes=-1 takes one more than the largest label.

    Raises:
        TypeError: labels are not integers.
        ValueError: a label is negative or not below num_classes.
    """
    from tinygrad_edu.tensor import Tensor

    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    return Tensor(_one_hot(labels, num_classes))


def nll_loss(
    input: Tensor,  # noqa: A002 (PyTorch's name)
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood loss of PyTorch's F.nll_loss: -weight[t] * input[n, t].

    `input` holds log-probabilities (e.g. from log_softmax), classes on axis 1, as
    in PyTorch: (N, C), or (N, C, d1, ...) with targets (N, d1, ...), or (C,) with
    a single target. The gradient reaches only the picked entries.

    Args:
        input: log-probabilities, (N, C, ...) or (C,).
        target: class indices (int), (N, ...) or a single one.
        weight: (C,) weights per class (None: all 1).
        ignore_index: targets equal to it add nothing, neither to the loss nor to the
            mean's denominator.
        reduction: "mean" (divided by the summed weights of the targets counted),
            "sum" or "none" (one loss per target).
    Raises:
        ValueError: an unknown reduction, shapes that do not fit, or a target out of range.
        TypeError: targets that are not integers.
    """
    from tinygrad_edu.tensor import Tensor

    if reduction not in NLL_REDUCTIONS:
        raise ValueError(f"nll_loss: reduction must be one of {NLL_REDUCTIONS}, got {reduction!r}")
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target must hold class indices (integers), got {target.dtype}")
    single = input.ndim == 1
    if single:  # one example: (C,) with a single target
        input, target = input.reshape((1,) + input.shape), target.reshape(1)
    classes = input.shape[1] if input.ndim >= 2 else 0
    if input.ndim < 2 or target.shape != input.shape[:1] + input.shape[2:]:
        raise ValueError(
            f"nll_loss: input of shape {input.shape} (N, C, ...) needs target of shape "
            f"{input.shape[:1] + input.shape[2:]}, got {target.shape}"
        )
    counted = target != ignore_index
    if ((target < 0) | (target >= classes))[counted].any():
        raise ValueError(
            f"nll_loss: targets must be in 0 to {classes - 1} (or ignore_index={ignore_index}), "
            f"got values from {target[counted].min()} to {target[counted].max()}"
        )
    safe_target = np.where(counted, target, 0)
    # input[n, t[n, ...], ...]: the class axis indexed by the target, the others by position.
    grid = np.indices(target.shape, sparse=True)
    picked = input[(grid[0], safe_target, *grid[1:])]
    weights = np.ones(classes) if weight is None else np.asarray(getattr(weight, "data", weight))
    target_weights = np.where(counted, weights[safe_target], 0).astype(input.dtype)
    losses = -picked * target_weights
    if reduction == "none":
        return losses.reshape(()) if single else losses
    total = losses.sum()
    if reduction == "sum":
        return total
    return total / target_weights.sum()  # no counted target: 0 / 0, NaN, as in PyTorch


def max_pool1d(
    x: Tensor,
    pool_size: int = 2,
    strides: int | None = None,
    padding: str = "valid",
    dilation_rate: int = 1,
) -> Tensor:
    """The largest value of each window of sequences (batch, steps, channels), per channel.

    As `max_pool2d` on images one pixel high (Keras's MaxPooling1D): strides
    default to pool_size; "same" pads with -inf; `dilation_rate` spaces the taps.

    Args:
        x: (batch, steps, channels), float.
        pool_size: an int, the window.
        strides: an int; None (the default) means pool_size.
        padding: "valid" or "same".
        dilation_rate: an int: the taps this many steps apart.

    Returns:
        (batch, out_steps, channels).

    Raises:
        ValueError: x not 3-d, bad arguments, or a window that does not fit.
    """
    who = "max_pool1d"
    _check_sequences(x, who)
    window = _positive_int(pool_size, "pool_size", who)
    stride = window if strides is None else _positive_int(strides, "strides", who)
    dilation = _positive_int(dilation_rate, "dilation_rate", who)
    padding = check_padding(padding, who)
    _check_dilated_pooling(padding, (1, dilation), who)
    images = x.reshape(x.shape[0], 1, *x.shape[1:])
    windows, window_axes = _pooling_windows(
        images, (1, window), (1, stride), padding, -np.inf, who, (1, dilation)
    )
    out = windows.max(axis=window_axes)
    return out.reshape(out.shape[0], out.shape[2], out.shape[3])


def avg_pool1d(
    x: Tensor, pool_size: int = 2, strides: int | None = None, padding: str = "valid"
) -> Tensor:
    """The mean of each window of sequences (batch, steps, channels), per channel.

    As `avg_pool2d` on images one pixel high (Keras's AveragePooling1D): with
    "same" padding a border window averages only the steps inside.

    Args:
        x: (batch, steps, channels), float.
        pool_size: an int, the window.
        strides: an int; None (the default) means pool_size.
        padding: "valid" or "same".

    Returns:
        (batch, out_steps, channels).

    Raises:
        ValueError: x not 3-d, bad arguments, or a window that does not fit.
    """
    who = "avg_pool1d"
    _check_sequences(x, who)
    window = _positive_int(pool_size, "pool_size", who)
    stride = window if strides is None else _positive_int(strides, "strides", who)
    images = x.reshape(x.shape[0], 1, *x.shape[1:])
    out = _avg_pool2d(images, (1, window), (1, stride), padding, who)
    return out.reshape(out.shape[0], out.shape[2], out.shape[3])


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
