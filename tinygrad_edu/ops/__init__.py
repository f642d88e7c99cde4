"""The primitive operations. Each is a `Function` with forward and backward side by side.

Derivative table of the window ops (movement.py), each backward written with a Tensor op:

    Pad(x, pad_width)                 grad[inside]                     (slice the border off)
    SlidingWindows(x, window, strides) AddWindows(grad, x.shape, strides) (add windows back)
    AddWindows(w, shape, strides)     SlidingWindows(grad, window, strides)
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
