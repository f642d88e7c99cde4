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
    Sin          y = sin(a)                  da = g cos(a)
    Cos          y = cos(a)                  da = -g sin(a)
    Tan          y = tan(a)                  da = g (1 + y^2)
    Asin         y = asin(a)                 da = g / sqrt(1 - a^2)
    Acos         y = acos(a)                 da = -g / sqrt(1 - a^2)
    Atan         y = atan(a)                 da = g / (1 + a^2)
    Sinh         y = sinh(a)                 da = g cosh(a)
    Cosh         y = cosh(a)                 da = g sinh(a)
    Log2, Log10  y = log2(a), log10(a)       da = g / (a ln 2), g / (a ln 10)
    Exp2         y = 2^a                     da = g y ln 2
    Floor, Ceil, Round, Trunc, Sign          da = 0  (flat between jumps; 0 at them too)
    FloorDivide  y = floor(a / b)            da = 0;  db = 0
    Remainder    y = a - b floor(a / b)      da = g;  db = -g floor(a / b)
    Fmod         y = a - b trunc(a / b)      da = g;  db = -g trunc(a / b)
    Clone        y = a copied                da = g
    MatMul       y = a @ b                   da = g @ b^T;  db = a^T @ g
    Softmax      y = exp(a) / sum(exp(a))    da = y (g - sum(g y))   (along one axis; the
    LogSoftmax   y = a - log(sum(exp(a)))    da = g - exp(y) sum(g)   row max subtracted first)
    Sum          y = sum of a over axes      da = g broadcast back over the summed axes
    Max, Min     y = max (min) over axes     da = g shared evenly by the entries equal to y
    Prod         y = product over axes       da = g (product of the other entries: y / a
                                                  where no entry is 0, multiplied out where one is)
    Cumsum       y_k = a_0 + ... + a_k       da_i = g_i + ... + g_last  (Cumsum of g reversed)
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

Everything else (mean, var, std, cumprod, sort, gather, einsum, softmax, the
losses, the layers) is composed from these (tinygrad_edu/composite/ holds the
Tensor ops), or is one of the few fused nodes of the speed seam
(tinygrad_edu/fused/), each with a composite twin beside it.

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
    Clone,
    Concatenate,
    GetItem,
    Pad,
    Reshape,
    ScatterAdd,
    SlidingWindows,
    Transpose,
)
from tinygrad_edu.ops.product import Prod
from tinygrad_edu.ops.reduce import Max, Min, Sum
from tinygrad_edu.ops.rounding import Ceil, Floor, FloorDivide, Fmod, Remainder, Round, Sign, Trunc
from tinygrad_edu.ops.scan import Cumsum
from tinygrad_edu.ops.softmax import LogSoftmax, Softmax
from tinygrad_edu.ops.trigonometric import (
    Acos,
    Asin,
    Atan,
    Cos,
    Cosh,
    Exp2,
    Log2,
    Log10,
    Sin,
    Sinh,
    Tan,
)

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
    "Prod",
    "Cumsum",
    "Softmax",
    "LogSoftmax",
    "Clone",
    "Sin",
    "Cos",
    "Tan",
    "Asin",
    "Acos",
    "Atan",
    "Sinh",
    "Cosh",
    "Log2",
    "Log10",
    "Exp2",
    "Floor",
    "Ceil",
    "Round",
    "Trunc",
    "Sign",
    "FloorDivide",
    "Remainder",
    "Fmod",
]
