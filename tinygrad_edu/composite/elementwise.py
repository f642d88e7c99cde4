"""Elementwise functions composed from the primitives: rsqrt, logaddexp, lerp."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import constant_like

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def rsqrt(x: Tensor) -> Tensor:
    """1 / sqrt(x): inf at 0, NaN below."""
    return 1 / x.sqrt()


def logaddexp(a: Tensor, b: Tensor) -> Tensor:
    """log(exp(a) + exp(b)), without overflow: m + log(exp(a - m) + exp(b - m)), m = max(a, b).

    m is held constant (the identity holds for any m, so its own derivative would
    cancel); a larger exponent is then 0, never above, so nothing overflows.
    Where m is +-inf it is replaced by 0 (inf - inf would be NaN), which gives
    inf for an infinite input and -inf when both are -inf, as NumPy does.
    """
    largest = np.maximum(a.data, b.data)
    largest = np.where(np.isfinite(largest), largest, 0).astype(largest.dtype, copy=False)
    m = constant_like(a, largest)
    with np.errstate(divide="ignore"):  # log(0) = -inf when both are -inf: the right answer
        return ((a - m).exp() + (b - m).exp()).log() + m


def lerp(start: Tensor, end: Tensor, weight: Tensor | float) -> Tensor:
    """start + weight * (end - start): the point `weight` of the way from start to end."""
    return start + (end - start) * weight
