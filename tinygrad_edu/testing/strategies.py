"""Hypothesis strategies for shapes, arrays and tensors (needs the `test` extra: hypothesis).

Property-based tests draw many random inputs and shrink a failure to the
smallest example, which is how broadcasting and edge-case bugs get found:

    from hypothesis import given
    from tinygrad_edu.testing import gradcheck
    from tinygrad_edu.testing.strategies import float_arrays, shapes

    @given(float_arrays(shapes(max_dims=3)))
    def test_tanh_gradient(x):
        assert gradcheck(lambda t: t.tanh(), [x])

Values are bounded and finite by default (-3 to 3), where float64 central
differences are accurate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu.tensor import Tensor

Shape = tuple[int, ...]


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5
) -> st.SearchStrategy[Shape]:
    """Array shapes such as (), (3,), (2, 1, 4)."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(
    num_shapes: int = 2,
    min_dims: int = 0,
    max_dims: int = 4,
    min_side: int = 1,
    max_side: int = 5,
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """`num_shapes` shapes that broadcast together, e.g. ((3, 1), (4,)) or ((), (2, 2))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    ).map(lambda drawn: drawn.input_shapes)


def float_arrays(
    shape: Shape | st.SearchStrategy[Shape],
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 1e-3,
) -> st.SearchStrategy[np.ndarray]:
    """Finite floats in [min_value, max_value], kept at least `margin` away from each
    value in `avoid` (use it for kinks: avoid=(0,) for relu and abs)."""
    dtype = np.dtype(dtype)
    elements = st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
        width=8 * dtype.itemsize,
    )
    if avoid:
        kinks = tuple(float(k) for k in avoid)
        elements = elements.filter(lambda v: all(abs(v - k) >= margin for k in kinks))
    return hnp.arrays(dtype, shape, elements=elements)


def positive_arrays(
    shape: Shape | st.SearchStrategy[Shape],
    dtype: Any = np.float64,
    min_value: float = 0.1,
    max_value: float = 3.0,
) -> st.SearchStrategy[np.ndarray]:
    """Floats bounded away from zero, for the domains of log, sqrt and a divisor."""
    if min_value <= 0:
        raise ValueError(f"positive_arrays: min_value must be > 0, got {min_value}")
    return float_arrays(shape, dtype=dtype, min_value=min_value, max_value=max_value)


def distinct_arrays(
    shape: Shape | st.SearchStrategy[Shape],
    dtype: Any = np.float64,
    spacing: float = 0.01,
    min_value: float = -3.0,
    max_value: float = 3.0,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays whose entries differ pairwise by at least `spacing`.

    Max, min and sorting have kinks where two entries tie; keeping entries
    apart (not merely unequal) keeps central differences off those kinks. The
    values lie on a grid with step `spacing`, so an array can hold at most
    (max_value - min_value) / spacing + 1 entries.
    """
    low, high = int(np.ceil(min_value / spacing)), int(np.floor(max_value / spacing))
    elements = st.integers(low, high).map(lambda step: step * spacing)
    return hnp.arrays(np.dtype(dtype), shape, elements=elements, unique=True)


def tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    requires_grad: bool = True,
    min_value: float = -3.0,
    max_value: float = 3.0,
) -> st.SearchStrategy[Tensor]:
    """Tensors holding `float_arrays` values (any shape from `shapes()` when none is given)."""
    arrays = float_arrays(
        shapes() if shape is None else shape,
        dtype=dtype,
        min_value=min_value,
        max_value=max_value,
    )
    return arrays.map(lambda array: Tensor(array, requires_grad=requires_grad))
