"""The primitive operations: the engine's whole calculus on one page.

Each primitive is a `Function` with its forward (on NumPy arrays) beside its
backward (on Tensors, so it can be differentiated again). In the table, `g` is
the gradient arriving from the output `y`, and `unbroadcast(t, a)` sums `t`
down to the shape of `a` (undoing NumPy broadcasting: ops/broadcasting.py).

    op           forward                     gradient sent to each input
    Add          y = a + b                   da = g;  db = g
    Sub          y = a - b                   da = g;  db = -g
    Mul          y = a * b                   da = g b;  db = g a
    Div          y = a / b                   da = g / b;  db = -g a / b^2
    Neg          y = -a                      da = -g
    Pow          y = a ** b                  da = g b a^(b-1);  db = g y log(a)
    Exp          y = exp(a)                  da = g y
    Log          y = log(a)                  da = g / a
    Sqrt         y = sqrt(a)                 da = g / (2 y)
    Abs          y = |a|                     da = g sign(a)          (0 at a = 0)
    Relu         y = max(a, 0)               da = g [y > 0]
    Sigmoid      y = 1 / (1 + exp(-a))       da = g y (1 - y)
    Tanh         y = tanh(a)                 da = g (1 - y^2)
    Maximum      y = max(a, b) elementwise   da = g ([a > b] + [a = b] / 2);  db = g - da
    Minimum      y = min(a, b) elementwise   da = g ([a < b] + [a = b] / 2);  db = g - da
    Clip         y = clip(a, low, high)      da = g [low <= a <= high]
    Where        y = c ? a : b (c fixed)     da = g c;  db = g (not c)
    Cast         y = a as another dtype      da = g cast back to a's dtype
    MatMul       y = a @ b                   da = g @ b^T;  db = a^T @ g
    Sum          y = sum of a over axes      da = g broadcast back over the summed axes
    Max, Min     y = max (min) over axes     da = g shared evenly by the entries equal to y
    Reshape      y = a in a new shape        da = g in a's shape
    Transpose    y = a, axes permuted        da = g, axes permuted back
    BroadcastTo  y = a broadcast to a shape  da = unbroadcast(g, a)
    GetItem      y = a[index]                da = ScatterAdd(g, index, a's shape)
    ScatterAdd   y = zeros; y[index] += a    da = g[index]   (GetItem's backward, and back)
    Concatenate  y = a1, a2, ... on an axis  da_i = the slice of g where a_i sits
    Pad          y = x with a border of 0s   dx = g[inside]  (the border sliced off)
    SlidingWindows  y = the windows of x     dx = AddWindows(g, x's shape, strides)
                    (a view, strides apart)       (each window's gradient added back)
    AddWindows   y = windows added back      dw = SlidingWindows(g, window, strides)

Every binary op's gradients also pass through `unbroadcast`, so each has the
shape its input had before NumPy broadcast it (for MatMul: the batch axes).

Everything else (mean, var, softmax, the losses, the layers) is composed from
these, or is one of the few fused nodes in tinygrad_edu.functional, each with
a composite twin beside it.

Tensor's methods look each op up in this package when they run (`ops.Mul.apply`,
never a name imported once), so `exercises.plugin.use_ops(Mul=...)` can swap in a
student's op for a while: keep calling ops that way.
"""

from tinygrad_edu.ops.broadcasting import unbroadcast
from tinygrad_edu.ops.elementwise import (
    Abs,
    Add,
    Cast,
    Clip,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Sqrt,
    Sub,
    Tanh,
    Where,
)
from tinygrad_edu.ops.linalg import MatMul
from tinygrad_edu.ops.movement import (
    AddWindows,
    BroadcastTo,
    Concatenate,
    GetItem,
    Pad,
    Reshape,
    ScatterAdd,
    SlidingWindows,
    Transpose,
)
from tinygrad_edu.ops.reduce import Max, Min, Sum

__all__ = [
    "unbroadcast",
    "Abs",
    "Add",
    "Cast",
    "Clip",
    "Div",
    "Exp",
    "Log",
    "Maximum",
    "Minimum",
    "Mul",
    "Neg",
    "Pow",
    "Relu",
    "Sigmoid",
    "Sqrt",
    "Sub",
    "Tanh",
    "Where",
    "MatMul",
    "BroadcastTo",
    "Concatenate",
    "GetItem",
    "Reshape",
    "ScatterAdd",
    "Transpose",
    "Pad",
    "SlidingWindows",
    "AddWindows",
    "Max",
    "Min",
    "Sum",
]
