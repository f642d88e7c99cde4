"""Reshaping and copying into a new layout: pad, repeat, tile, split, chunk, unflatten.

Each is a reshape, a broadcast, slices or an index, so its gradient is theirs:
a padded border's gradient is dropped, a repeated entry's is summed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu import ops

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _border_source(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of a padded axis, the position of the input it copies."""
    positions = np.arange(-before, size + after)
    if mode == "reflect":  # mirror at the end entries, which are not repeated: 2 1 | 0 1 2 | 1 0
        period = 2 * (size - 1)
        folded = np.abs(positions) % period
        return np.where(folded < size, folded, period - folded)
    if mode == "replicate":  # the end entries repeated: 0 0 | 0 1 2 | 2 2
        return np.clip(positions, 0, size - 1)
    return positions % size  # circular: wrap around: 1 2 | 0 1 2 | 0 1


def pad(x: Tensor, widths: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """PyTorch's F.pad: `widths` = (left, right) of the last axis, then (top, bottom) of the
    one before it, and so on; a negative width in "constant" mode removes entries instead.

    Modes: "constant" (`value` around), "reflect" (mirrored, the end entry not
    repeated: needs a width below the axis's size), "replicate" (the end entry
    repeated) and "circular" (wrapped around: a width up to the size).

    Raises:
        ValueError: an odd number of widths, more pairs than axes, an unknown mode,
            a negative width outside "constant" mode, or a width too large for the mode.
    """
    widths = [int(w) for w in widths]
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(
            f"pad: needs an even number of widths, two per axis from the last, for at most "
            f"{x.ndim} axes; got {tuple(widths)} for shape {x.shape}"
        )
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode must be one of {', '.join(PAD_MODES)}, got {mode!r}")
    pairs = [(0, 0)] * x.ndim
    for i in range(len(widths) // 2):
        pairs[x.ndim - 1 - i] = (widths[2 * i], widths[2 * i + 1])
    if mode == "constant":
        # Negative widths crop: slice those first, then pad what is positive.
        crop = tuple(slice(max(-b, 0), size - max(-a, 0)) for (b, a), size in zip(pairs, x.shape))
        if any(b < 0 or a < 0 for b, a in pairs):
            x = x[crop]
        positive = [(max(b, 0), max(a, 0)) for b, a in pairs]
        if not any(b or a for b, a in positive):
            return x
        return ops.Pad.apply(x, pad_width=positive, value=value)
    for axis, (before, after) in enumerate(pairs):
        if not before and not after:
            continue
        size = x.shape[axis]
        limit = size - 1 if mode == "reflect" else size
        if min(before, after) < 0 or max(before, after) > limit or size == 0:
            raise ValueError(
                f"pad: {mode} padding of ({before}, {after}) on an axis of size {size} needs "
                f"widths from 0 to {limit}"
            )
        x = x[(slice(None),) * axis + (_border_source(size, before, after, mode),)]
    return x


def repeat(x: Tensor, counts: Sequence[int]) -> Tensor:
    """x copied counts[i] times along axis i (PyTorch's repeat, NumPy's tile).

    With more counts than axes, x gets new leading axes of size 1 first. Each axis
    of size s becomes a pair (count, s) by broadcasting, then merges to count * s.

    Raises:
        ValueError: fewer counts than x has axes, or a negative count.
    """
    counts = tuple(int(c) for c in counts)
    if len(counts) < x.ndim or any(c < 0 for c in counts):
        raise ValueError(
            f"repeat: needs one count >= 0 for each of the {x.ndim} axes of shape {x.shape} "
            f"(more counts add leading axes), got {counts}"
        )
    shape = (1,) * (len(counts) - x.ndim) + x.shape
    paired = x.reshape(tuple(v for size in shape for v in (1, size)))
    spread = paired.broadcast_to(tuple(v for c, size in zip(counts, shape) for v in (c, size)))
    return spread.reshape(tuple(c * size for c, size in zip(counts, shape)))


def tile(x: Tensor, counts: Sequence[int]) -> Tensor:
    """PyTorch's tile: repeat, with fewer counts than axes read as ones in front."""
    counts = tuple(counts)
    return repeat(x, (1,) * (x.ndim - len(counts)) + counts)


def split(x: Tensor, sizes: int | Sequence[int], axis: int) -> tuple[Tensor, ...]:
    """Pieces along `axis`: of `sizes` entries each (the last may be smaller), or of the
    listed sizes, which must add up to the axis's length (PyTorch's split).

    Raises:
        ValueError: a size below 1, or listed sizes that do not add up.
    """
    length = x.shape[axis]
    if isinstance(sizes, (int, np.integer)):
        if sizes < 1:
            raise ValueError(f"split: the piece size must be at least 1, got {sizes}")
        sizes = [min(sizes, length - start) for start in range(0, length, sizes)] or [0]
    elif sum(sizes) != length or any(s < 0 for s in sizes):
        raise ValueError(
            f"split: sizes {tuple(sizes)} must be >= 0 and add up to {length}, the size of "
            f"dimension {axis}"
        )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(x[(slice(None),) * axis + (slice(start, start + size),)])
        start += size
    return tuple(pieces)


def chunk(x: Tensor, chunks: int, axis: int) -> tuple[Tensor, ...]:
    """At most `chunks` pieces of ceil(length / chunks) entries along `axis` (PyTorch's chunk:
    fewer pieces when the length runs out first, e.g. 6 entries in 4 chunks gives 3 of 2).

    Raises:
        ValueError: chunks below 1.
    """
    if chunks < 1:
        raise ValueError(f"chunk: the number of chunks must be at least 1, got {chunks}")
    return split(x, max(math.ceil(x.shape[axis] / chunks), 1), axis)


def unflatten(x: Tensor, axis: int, sizes: Sequence[int]) -> Tensor:
    """Axis `axis` split into several of `sizes` (one may be -1); the inverse of flatten.

    Raises:
        ValueError: the sizes do not multiply to the axis's length.
    """
    sizes = tuple(int(s) for s in sizes)
    known = math.prod(s for s in sizes if s != -1)
    length = x.shape[axis]
    if (
        sizes.count(-1) > 1
        or (-1 not in sizes and known != length)
        or (-1 in sizes and (known == 0 or length % known))
    ):
        raise ValueError(
            f"unflatten: sizes {sizes} do not multiply to {length}, the size of dimension {axis}"
        )
    return x.reshape(x.shape[:axis] + sizes + x.shape[axis + 1 :])
