"""Resampling images and sequences: resizing (nearest, linear) and affine warps, channels last.

Both are composites of primitives, so gradients (and their gradients) come from
the engine: repeating a pixel is a broadcast (its gradient sums the copies
back), picking pixels is indexing (its gradient adds each back where it came
from), and linear interpolation is a weighted sum of two picked neighbours.
Images are (batch, height, width, channels), sequences (batch, steps, channels),
as in Keras. `affine_transform` (rotate, zoom, shift an image) is the same idea in
two dimensions: each output pixel is a weighted sum of the input pixels picked
around the point it maps back to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor

MODES = ("nearest", "linear", "bilinear")
UPSAMPLE_MODES = (*MODES, "bicubic")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")


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


def keys_cubic(distance: np.ndarray) -> np.ndarray:
    """Keys's cubic convolution kernel with a = -0.5, at |distance| (0 from 2 on).

    Source: R. G. Keys, "Cubic convolution interpolation for digital image processing",
    IEEE Trans. ASSP 29(6), 1981; the kernel JAX's (so Keras's) "bicubic" resize uses.
    """
    d = np.abs(distance)
    near = (1.5 * d - 2.5) * d * d + 1.0
    far = ((-0.5 * d + 2.5) * d - 4.0) * d + 2.0
    return np.where(d < 1.0, near, np.where(d < 2.0, far, 0.0))


def cubic_axis(x: Tensor, axis: int, size: int, scale: float) -> Tensor:
    """`axis` resized to `size` by bicubic interpolation, as jax.image.resize's "cubic".

    Output o sits at input coordinate c = (o + 0.5) * scale - 0.5 (half-pixel centres)
    and is sum_j w(c - j) x[j] over the inputs j within 2 of c, with w Keys's kernel;
    near the edges the taps that fall outside are left out and the rest divided by
    their sum (JAX's rule, no antialiasing). The weights are constants, so the resize
    is a matrix product along `axis` and its gradient is the engine's matmul backward.

    Args:
        x: any float tensor.
        axis: the axis to resize (non-negative).
        size: its new length.
        scale: input length / output length.
    """
    length = x.shape[axis]
    where = (np.arange(size) + 0.5) * scale - 0.5
    weights = keys_cubic(where[:, None] - np.arange(length)[None, :])  # (size, length)
    weights = weights / weights.sum(axis=1, keepdims=True)
    order = list(range(x.ndim))
    order[axis], order[-1] = order[-1], order[axis]
    moved = x.transpose(*order)  # the axis last, so a matmul resizes it
    resized = moved @ weights.T.astype(x.dtype)
    return resized.transpose(*order)


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
        interpolation: "nearest" (each entry repeated), "bilinear" (linear
            interpolation with half-pixel centres, PyTorch's align_corners=False;
            "linear" is the same) or "bicubic" (`cubic_axis`, Keras's on JAX).

    Returns:
        (batch, steps * size, channels) or (batch, height * sh, width * sw, channels).

    Raises:
        ValueError: x not 3-d or 4-d, a bad size or interpolation.
    """
    who = "upsample"
    axes = _spatial_axes(x, who)
    factors = _per_axis(size, axes, "size", who, int)
    if interpolation not in UPSAMPLE_MODES:
        raise ValueError(
            f"{who}: interpolation must be one of {UPSAMPLE_MODES}, got {interpolation!r}"
        )
    for axis, factor in enumerate(factors, start=1):
        if interpolation == "nearest":
            x = repeat_axis(x, axis, factor)
        elif interpolation == "bicubic":
            x = cubic_axis(x, axis, x.shape[axis] * factor, 1.0 / factor)
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


def _fold_index(index: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """Integer positions outside [0, size) brought back inside, as `fill_mode` says.

    reflect: about the edge, repeating it (d c b a | a b c d | d c b a); wrap: around
    (a b c d | a b c d); nearest: to the closest edge (a a | a b c d | d d); constant:
    clipped here only so indexing works (those pixels are replaced by the fill value).
    These are SciPy's ndimage modes of the same names, which Keras 3 uses.
    """
    if fill_mode == "reflect":
        period = 2 * size
        index = index % period  # NumPy's % is never negative for a positive period
        return np.where(index < size, index, period - 1 - index)
    if fill_mode == "wrap":
        return index % size
    return np.clip(index, 0, size - 1)


def _round_half_away_from_zero(values: np.ndarray) -> np.ndarray:
    return (np.sign(values) * np.floor(np.abs(values) + 0.5)).astype(np.int64)


def affine_transform(
    images: Tensor,
    transforms: np.ndarray,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
) -> Tensor:
    """Images warped by one affine map each (rotate, zoom, shift): Keras 3's affine_transform.

    Each row of `transforms` is [a0, a1, a2, b0, b1, b2, c0, c1] (TensorFlow's
    projective transform, c0 = c1 = 0): the output pixel at column x, row y takes
    its value from the input at column a0 x + a1 y + a2, row b0 x + b1 y + b2
    (pixel centres at whole numbers). "bilinear" weighs the four pixels around
    that point by their closeness, "nearest" takes the closest one (halves
    rounded away from zero). A point outside the image is folded back in by
    `fill_mode` ("reflect", "wrap", "nearest"), or "constant" uses `fill_value`
    for each neighbour that lies outside.

    The coordinates are constants; the picking is indexing and the weighting is
    multiplication, so the gradient flows back to `images` through the engine
    (each output adds its weights' share to the pixels it read).

    Args:
        images: (batch, height, width, channels), float.
        transforms: (batch, 8) or (batch, 6), or one row (8,) for every image.
        interpolation: "bilinear" or "nearest".
        fill_mode: "reflect", "wrap", "constant" or "nearest".
        fill_value: the value outside the image with fill_mode "constant".

    Returns:
        A Tensor of `images`' shape and dtype.

    Raises:
        ValueError: images not 4-d, transforms of the wrong shape, an unknown mode.
    """
    who = "affine_transform"
    if images.ndim != 4:
        raise ValueError(
            f"{who}: expects images (batch, height, width, channels), got shape {images.shape}"
        )
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(
            f"{who}: interpolation must be one of {AFFINE_INTERPOLATIONS}, got {interpolation!r}"
        )
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{who}: fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
    batch, height, width, _ = images.shape
    transforms = np.asarray(transforms, dtype=np.float64)
    if transforms.ndim == 1:
        transforms = np.broadcast_to(transforms, (batch, transforms.shape[0]))
    if transforms.ndim != 2 or transforms.shape[0] != batch or transforms.shape[1] not in (6, 8):
        raise ValueError(
            f"{who}: transforms must be (batch, 8) or (batch, 6) with batch {batch}, got shape "
            f"{transforms.shape}"
        )
    a0, a1, a2, b0, b1, b2 = (transforms[:, k, None, None] for k in range(6))
    rows, columns = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    source_x = a0 * columns + a1 * rows + a2  # (batch, height, width)
    source_y = b0 * columns + b1 * rows + b2
    if interpolation == "nearest":
        along_y = [(_round_half_away_from_zero(source_y), 1.0)]
        along_x = [(_round_half_away_from_zero(source_x), 1.0)]
    else:
        top, left = np.floor(source_y), np.floor(source_x)
        down, right = source_y - top, source_x - left  # how far past the top-left pixel
        top, left = top.astype(np.int64), left.astype(np.int64)
        along_y = [(top, 1.0 - down), (top + 1, down)]
        along_x = [(left, 1.0 - right), (left + 1, right)]
    which_image = np.arange(batch)[:, None, None]
    output = None
    outside_weight = np.zeros((batch, height, width))
    for row, row_weight in along_y:
        for column, column_weight in along_x:
            weight = np.broadcast_to(row_weight * column_weight, (batch, height, width))
            if fill_mode == "constant":
                inside = (row >= 0) & (row < height) & (column >= 0) & (column < width)
                outside_weight = outside_weight + np.where(inside, 0.0, weight)
                weight = np.where(inside, weight, 0.0)
            picked = images[
                which_image,
                _fold_index(row, height, fill_mode),
                _fold_index(column, width, fill_mode),
            ]
            term = picked * weight[..., None].astype(images.dtype)
            output = term if output is None else output + term
    if fill_mode == "constant" and fill_value != 0:
        output = output + (outside_weight[..., None] * fill_value).astype(images.dtype)
    return output
