"""Operations that move or select elements without changing them."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.broadcasting import unbroadcast


class Reshape(Function):
    returns_view = True

    def forward(self, a, shape=()):
        return a.data.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.inputs[0].shape)


class Transpose(Function):
    returns_view = True

    def forward(self, a, axes=None):
        self.axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(axes)
        return a.data.transpose(self.axes)

    def backward(self, grad):
        return grad.transpose(tuple(np.argsort(self.axes)))


class BroadcastTo(Function):
    returns_view = True

    def forward(self, a, shape=()):
        return np.broadcast_to(a.data, shape)

    def backward(self, grad):
        return unbroadcast(grad, self.inputs[0].shape)


def is_basic_index(index) -> bool:
    """True for ints, slices, Ellipsis and None only: such a selection has no repeats."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


class GetItem(Function):
    """a[index]; backward scatters grad back into zeros of a's shape."""

    returns_view = True  # basic indexing gives a view

    def forward(self, a, index=None):
        self.index = index
        return a.data[index]

    def backward(self, grad):
        return ScatterAdd.apply(grad, index=self.index, shape=self.inputs[0].shape)


class ScatterAdd(Function):
    """zeros(shape) with grad added at index; repeated indices add up (np.add.at).

    It is GetItem's backward, and GetItem is its backward: that pair is what
    makes indexing twice-differentiable.
    """

    def forward(self, grad, index=None, shape=()):
        self.index = index
        out = np.zeros(shape, dtype=grad.dtype)
        if is_basic_index(index):
            out[index] = grad.data  # no repeats possible, so plain assignment is enough
        else:
            np.add.at(out, index, grad.data)
        return out

    def backward(self, grad):
        return grad[self.index]


class Concatenate(Function):
    def forward(self, *tensors, axis=0):
        self.axis = axis
        return np.concatenate([t.data for t in tensors], axis=axis)

    def backward(self, grad):
        axis = self.axis % grad.ndim
        grads, start = [], 0
        for tensor, needed in zip(self.inputs, self.needs_input_grad):
            stop = start + tensor.shape[axis]
            piece = (slice(None),) * axis + (slice(start, stop),)
            grads.append(grad[piece] if needed else None)
            start = stop
        return tuple(grads)
