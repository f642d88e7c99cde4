"""Operations that move or select elements without changing them."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.broadcasting import unbroadcast
from tinygrad_edu.ops.reduce import wide_dtype


class Reshape(Function):
    returns_view = True

    def forward(self, a, shape=()):
        return a.data.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.inputs[0].shape)


class Transpose(Function):
    """a with its axes permuted; axes=None reverses them all (.T), which undoes itself."""

    returns_view = True

    def forward(self, a, axes=None):
        self.axes = axes
        return a.data.transpose(axes)

    def backward(self, grad):
        if self.axes is None:
            return grad.T
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
        if is_basic_index(index):
            out = np.zeros(shape, dtype=grad.dtype)
            out[index] = grad.data  # no repeats possible, so plain assignment is enough
            return out
        # Repeated indices add up: in float32 for float16, rounded back once.
        out = np.zeros(shape, dtype=wide_dtype(grad.dtype))
        np.add.at(out, index, grad.data)
        with np.errstate(over="ignore"):  # a total past float16's range is inf, rightly
            return out.astype(grad.dtype, copy=False)

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


# ---------------------------------------------------------------- padding and sliding windows
# Convolution and pooling are built from these three (see functional.conv2d). Pad and
# slicing are each other's adjoints, and so are SlidingWindows and AddWindows: each
# backward is the other op, applied to Tensors, so every derivative differentiates again.


class Pad(Function):
    """x with `value` added around it: pad_width is NumPy's ((before, after), ...) per axis.

    Backward slices the padding off the gradient again (a GetItem, so it differentiates).
    """

    def forward(self, a, pad_width=(), value=0.0):
        self.pad_width = tuple((int(before), int(after)) for before, after in pad_width)
        return np.pad(a.data, self.pad_width, constant_values=value)

    def backward(self, grad):
        inside = tuple(
            slice(before, size - after) for (before, after), size in zip(self.pad_width, grad.shape)
        )
        return grad[inside]


def window_view(array: np.ndarray, window: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    """Every (kh, kw) window of an NHWC array, as a read-only view: (N, oh, ow, kh, kw, C).

    No number is copied: the view steps through the same memory with strides, so
    windows that overlap share their entries. oh = (H - kh) // sh + 1, likewise ow.
    """
    batch, height, width, channels = array.shape
    (kh, kw), (sh, sw) = window, strides
    out_height, out_width = (height - kh) // sh + 1, (width - kw) // sw + 1
    if out_height < 1 or out_width < 1:
        raise ValueError(
            f"a {kh}x{kw} window does not fit in an input of height {height} and width {width}"
        )
    step_n, step_h, step_w, step_c = array.strides
    return np.lib.stride_tricks.as_strided(
        array,
        shape=(batch, out_height, out_width, kh, kw, channels),
        strides=(step_n, step_h * sh, step_w * sw, step_h, step_w, step_c),
        writeable=False,
    )


class SlidingWindows(Function):
    """(N, H, W, C) -> (N, oh, ow, kh, kw, C): the window under each output position.

    The forward is a strided view (nothing copied). An entry that lies in several
    windows is used several times, so its gradient is the sum of theirs: backward
    adds the windows back onto the input's grid (AddWindows).
    """

    returns_view = True

    def forward(self, a, window=(1, 1), strides=(1, 1)):
        if a.ndim != 4:
            raise ValueError(
                f"expects an input of shape (batch, height, width, channels), got {a.shape}"
            )
        self.window, self.strides = window, strides
        return window_view(a.data, window, strides)

    def backward(self, grad):
        return AddWindows.apply(grad, shape=self.inputs[0].shape, strides=self.strides)


class AddWindows(Function):
    """(N, oh, ow, kh, kw, C) -> zeros(shape) with every window added at its place ("col2im").

    SlidingWindows's backward; SlidingWindows is its backward in turn.
    """

    def forward(self, windows, shape=(), strides=(1, 1)):
        self.strides = strides
        grad = windows.data
        _, out_height, out_width, kh, kw, _ = grad.shape
        sh, sw = strides
        out = np.zeros(shape, dtype=wide_dtype(grad.dtype))  # float16 adds up in float32
        # One strided add per window offset (kh * kw of them), each over every window
        # at once: the entries under offset (i, j) of all windows form a strided grid.
        for i in range(kh):
            rows = slice(i, i + sh * (out_height - 1) + 1, sh)
            for j in range(kw):
                columns = slice(j, j + sw * (out_width - 1) + 1, sw)
                out[:, rows, columns, :] += grad[:, :, :, i, j, :]
        with np.errstate(over="ignore"):
            return out.astype(grad.dtype, copy=False)

    def backward(self, grad):
        kh, kw = self.inputs[0].shape[3:5]
        return SlidingWindows.apply(grad, window=(kh, kw), strides=self.strides)


class Clone(Function):
    """A copy of a with its own memory (PyTorch's clone); the gradient passes unchanged."""

    def forward(self, a):
        return a.data.copy()

    def backward(self, grad):
        return grad
