"""Numbers into arrays of a given dtype, with an error that says what did not fit.

NumPy refuses a Python int that an integer dtype cannot hold (300 as uint8, -1 as
uint8, 2**70 as int64) with a bare "OverflowError: Python integer 300 out of
bounds for uint8", which names neither the operation nor a fix. Every place
that turns a Python number into an array of a chosen dtype (Tensor._lift for
`x + 300`, the Tensor constructor, `full`) goes through here.
"""

from __future__ import annotations

import reprlib
import sys
from typing import Any

import numpy as np


def does_not_fit(op: str, value: Any, dtype: Any) -> OverflowError:
    """The error for `value` that `dtype` cannot hold, naming the operation `op`."""
    dtype = np.dtype(dtype)
    span, wider = "", "float64" if dtype.itemsize >= 8 else "int64"
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        span = f" (it holds {info.min} to {info.max})"
    return OverflowError(
        f"{op}: {reprlib.repr(value)} does not fit in {dtype}{span}; use a value in range, "
        f"or cast to a wider dtype first (e.g. x.astype('{wider}'))"
    )


def scalar_array(value: Any, dtype: Any, op: str | None = None) -> np.ndarray:
    """np.asarray(value, dtype=dtype), or a clear OverflowError if a number does not fit.

    Args:
        value: a Python or NumPy number.
        dtype: the dtype to hold it.
        op: the operation's name for the message; None names the Tensor method that
            called (found only when the error happens, so the usual path costs nothing).

    Raises:
        OverflowError: the number is outside the dtype's range, naming op, value and dtype.
    """
    try:
        return np.asarray(value, dtype=dtype)
    except OverflowError:
        raise does_not_fit(op or _calling_op(), value, dtype) from None


def _calling_op() -> str:
    """The name of the operation that converted a number: the first caller past the
    conversion helpers (Tensor._lift, Tensor._pair), e.g. "Tensor.__add__"."""
    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_code.co_name in ("_lift", "_pair"):
        frame = frame.f_back
    name = frame.f_code.co_name
    owner = frame.f_locals.get("self")
    return f"{type(owner).__name__}.{name}" if owner is not None else name
