"""Resizing images and sequences: nearest-neighbour and linear upsampling, channels last.

Both are composites of primitives, so gradients (and their gradients) come from
the engine: repeating a pixel is a broadcast (its gradient sums the copies
back), picking pixels is indexing (its gradient adds each back where it came
from), and linear interpolation is a weighted sum of two picked neighbours.
Images are (batch, height, width, channels), sequences (batch, steps, channels),
as in Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor

MODES = ("nearest", "linear", "bilinear")


def repeat_axis(x: Tensor, axis: int, times: int) -> Tensor:
    """Each entry along `axis` repeated `times` times in a row: [a, b] -> [a, a, b, b].

    A new axis of size 1 after `axis` is broadcast to `times` and merged into
    `axis`, so the gradient of each copy is summed back by the broadcast's own
    backward. Source of the idea: NumPy's np.repeat.
    """
    if times == 1:
        return x
    shape = x.shape
    spread = x.expand_dims(axis + 1).broadcast_to((*shape[: axis + 1], times, *shape[axis + 1 :]))
    return spread.reshape((*shape[:axis], shape[axis] * times, *shape[axis + 1 :]))


def _pick(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    """x's entries at positions `index` along `axis` (GetItem: its gradient adds them back)."""
    return x[(slice(None),) * axis + (index,)]


def nearest_axis(x: Tensor, axis: int, size: int, scale: float) -> Tensor:
    """`axis` resized to `size` by taking, for output o, input floor(o * scale).

    As PyTorch's mode="nearest" does; for a whole-number factor that repeats each entry.

    Args:
        x: any float tensor.
        axis: the axis to resize (non-negative).
        size: its new length.
        scale: input length / output length (or 1 / scale_factor).
    """
    index = np.minimum(np.floor(np.arange(size) * scale).astype(np.int64), x.shape[axis] - 1)
    return _pick(x, axis, index)


def linear_axis(
    x: Tensor, axis: int, size: int, scale: float, align_corners: bool = False
) -> Tensor:
    """`axis` resized to `size` by linear interpolation between the two nearest inputs.

    Half-pixel centres (PyTorch's align_corners=False, TensorFlow's and JAX's
    resize): output o sits at input coordinate (o + 0.5) * scale - 0.5, clamped
    to [0, n - 1] at the edges, and is (1 - t) x[i] + t x[i + 1] with i its floor
    and t the fraction. With align_corners=True the first and last outputs sit
    on the first and last inputs: coordinate o * (n - 1) / (size - 1).

    Args:
        x: any float tensor.
        axis: the axis to resize (non-negative).
        size: its new length.
        scale: input length / output length (or 1 / scale_factor).
        align_corners: PyTorch's argument of that name.
    """
    length = x.shape[axis]
    if align_corners:
        where = np.arange(size) * ((length - 1) / (size - 1) if size > 1 else 0.0)
    else:
        where = (np.arange(size) + 0.5) * scale - 0.5
    where = np.clip(where, 0, length - 1)
    low = np.floor(where).astype(np.int64)
    high = np.minimum(low + 1, length - 1)
    shape = [1] * x.ndim
    shape[axis] = size
    fraction = (where - low).astype(x.dtype).reshape(shape)
    return _pick(x, axis, low) * (1 - fraction) + _pick(x, axis, high) * fraction


def _spatial_axes(x: Tensor, who: str) -> int:
    """How many spatial axes x has: 1 for (batch, steps, channels), 2 for images."""
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{who}: expects sequences (batch, steps, channels) or images (batch, height, width, "
            f"channels), got shape {x.shape}"
        )
    return x.ndim - 2


def _per_axis(value, count: int, what: str, who: str, kind: type) -> tuple:
    values = (value,) * count if isinstance(value, (int, float, np.number)) else tuple(value)
    if len(values) != count or not all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and v > 0 for v in values
    ):
        raise ValueError(
            f"{who}: {what} must be a positive number or {count} of them (one per spatial "
            f"axis), got {value!r}"
        )
    if kind is int and not all(float(v).is_integer() for v in values):
        raise ValueError(f"{who}: {what} must be whole numbers, got {value!r}")
    return tuple(kind(v) for v in values)


def upsample(x: Tensor, size: int | Sequence[int] = 2, interpolation: str = "nearest") -> Tensor:
    """Sequences or images made `size` times longer / larger, as Keras's UpSampling1D/2D.

    Args:
        x: (batch, steps, channels) or (batch, height, width, channels), float.
        size: a positive int (every spatial axis) or one per spatial axis.
        interpolation: "nearest" (each entry repeated) or "bilinear" (linear
            interpolation with half-pixel centres, PyTorch's align_corners=False;
            "linear" is the same).

    Returns:
        (batch, steps * size, channels) or (batch, height * sh, width * sw, channels).

    Raises:
        ValueError: x not 3-d or 4-d, a bad size or interpolation.
    """
    who = "upsample"
    axes = _spatial_axes(x, who)
    factors = _per_axis(size, axes, "size", who, int)
    if interpolation not in MODES:
        raise ValueError(f"{who}: interpolation must be one of {MODES}, got {interpolation!r}")
    for axis, factor in enumerate(factors, start=1):
        if interpolation == "nearest":
            x = repeat_axis(x, axis, factor)
        else:
            x = linear_axis(x, axis, x.shape[axis] * factor, 1.0 / factor)
    return x


def interpolate(
    x: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Resize sequences or images to a size or by a factor: PyTorch's interpolate, channels last.

    Args:
        x: (batch, steps, channels) or (batch, height, width, channels), float
            (PyTorch puts channels second; here they stay last, as in Keras).
        size: the output's spatial size (an int, or one per spatial axis).
        scale_factor: or a factor per axis; the size is floor(n * factor).
        mode: "nearest" (input floor(o * n / out), PyTorch's "nearest"), or
            "linear" / "bilinear" (half-pixel centres: align_corners=False).
        align_corners: for the linear modes, True puts the corner outputs on the
            corner inputs (PyTorch's meaning); None or False: half-pixel centres.

    Returns:
        x resized along its spatial axes, channels kept.

    Raises:
        ValueError: not exactly one of size and scale_factor, or bad values.
    """
    who = "interpolate"
    axes = _spatial_axes(x, who)
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{who}: give exactly one of size and scale_factor")
    if mode not in MODES:
        raise ValueError(f"{who}: mode must be one of {MODES}, got {mode!r}")
    if align_corners is not None and mode == "nearest":
        raise ValueError(f"{who}: align_corners can only be set with mode 'linear' or 'bilinear'")
    lengths = x.shape[1:-1]
    if size is not None:
        sizes = _per_axis(size, axes, "size", who, int)
        scales = [n / out for n, out in zip(lengths, sizes)]
    else:
        factors = _per_axis(scale_factor, axes, "scale_factor", who, float)
        sizes = tuple(int(np.floor(n * f)) for n, f in zip(lengths, factors))
        scales = [1.0 / f for f in factors]
        if min(sizes) < 1:
            raise ValueError(f"{who}: scale_factor {scale_factor!r} leaves no entries of {x.shape}")
    for axis, (out, scale) in enumerate(zip(sizes, scales), start=1):
        if out == x.shape[axis]:
            continue
        if mode == "nearest":
            x = nearest_axis(x, axis, out, scale)
        else:
            x = linear_axis(x, axis, out, scale, bool(align_corners))
    return x
