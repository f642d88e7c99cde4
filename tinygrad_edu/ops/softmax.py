"""Softmax and log-softmax along one axis, as primitives: stable at any input.

Written from Exp, Sum and Div they would overflow at exp(1000); as their own
nodes the row maximum is subtracted first, and the backward is one formula:

    Softmax      y = exp(a) / sum(exp(a))      da = y (g - sum(g y))
    LogSoftmax   y = a - log(sum(exp(a)))      da = g - exp(y) sum(g)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import Function

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def _wide(grad: Tensor) -> Tensor:
    """grad in float32 if it is float16 (a backward's sums and differences lose too much
    in float16), else grad itself; the result is rounded back once."""
    return grad.astype(np.float32) if grad.dtype == np.float16 else grad


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
        out, wide = self.output, _wide(grad)  # float16: in float32 (g - sum cancels)
        out_wide = out.astype(wide.dtype)
        result = out_wide * (wide - (wide * out_wide).sum(axis=self.axis, keepdims=True))
        return result.astype(grad.dtype)


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
        wide = _wide(grad)  # float16: in float32, as the forward
        softmax = self.output.astype(wide.dtype).exp()
        return (wide - softmax * wide.sum(axis=self.axis, keepdims=True)).astype(grad.dtype)
