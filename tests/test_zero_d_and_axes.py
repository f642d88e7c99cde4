"""0-d tensors and axes (issue 20, item 8; issue 22's squeeze): PyTorch's answers, or a
clear error naming the op and the shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, functional
from tinygrad_edu.testing import gradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes

REDUCTIONS = {
    "sum": lambda t, axis: t.sum(axis=axis),
    "mean": lambda t, axis: t.mean(axis=axis),
    "var": lambda t, axis: t.var(axis=axis),
    "max": lambda t, axis: t.max(axis=axis),
    "min": lambda t, axis: t.min(axis=axis),
    "logsumexp": lambda t, axis: functional.logsumexp(t, axis=axis),
    "std": lambda t, axis: t.std(axis=axis),
    "prod": lambda t, axis: t.prod(axis=axis),
}


# ---------------------------------------------------------------- 0-d tensors
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_of_a_0d_tensor_is_one_and_log_softmax_zero(axis):
    x = Tensor(np.array(3.5), requires_grad=True)
    assert x.softmax(axis).shape == () and x.softmax(axis).item() == 1.0
    assert x.log_softmax(axis).item() == 0.0
    assert gradcheck(lambda t: t.softmax(axis), [np.array(3.5)])
    assert gradcheck(lambda t: t.log_softmax(axis), [np.array(-2.0)])


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [0, -1, (0,), None])
def test_reductions_of_a_0d_tensor_take_axis_0_and_minus_1_as_pytorch(name, axis):
    x = np.array(1.25)
    out = REDUCTIONS[name](Tensor(x), axis)
    expected = 0.0 if name in ("var", "std") else 1.25  # one value: that value (spread 0)
    assert out.shape == () and out.item() == pytest.approx(expected)
    if name != "std":  # sqrt's slope at a spread of 0 is infinite (NaN, as in PyTorch)
        assert gradcheck(lambda t: REDUCTIONS[name](t, axis), [x])


def test_argmax_and_argmin_of_a_0d_tensor_are_0():
    for axis in (None, 0, -1):
        assert Tensor(5.0).argmax(axis=axis).item() == 0
        assert Tensor(5.0).argmin(axis=axis).item() == 0


# ---------------------------------------------------------------- bad axes: clear errors
BAD_AXES = [
    ("sum", lambda t: t.sum(axis=2), r"Sum: axis 2 .*shape \(2, 3\)"),
    ("sum of 0-d", lambda t: t.sum().sum(axis=1), r"Sum: axis 1 .*shape \(\).*only 0 or -1"),
    ("mean", lambda t: t.mean(axis=-3), r"mean: axis -3 .*shape \(2, 3\)"),
    ("mean of 0-d", lambda t: t.sum().mean(axis=2), r"mean: axis 2 .*shape \(\)"),
    ("var", lambda t: t.var(axis=(0, 5)), r"var: axis 5 .*shape \(2, 3\)"),
    ("std", lambda t: t.std(axis=4), r"std: axis 4 .*shape \(2, 3\)"),
    ("prod", lambda t: t.prod(axis=4), r"Prod: axis 4 .*2-d"),
    ("max", lambda t: t.max(axis=3), r"Max: axis 3 .*shape \(2, 3\)"),
    ("min", lambda t: t.min(axis=3), r"Min: axis 3 .*shape \(2, 3\)"),
    ("argmax", lambda t: t.argmax(axis=2), r"argmax: axis 2 .*shape \(2, 3\)"),
    ("argmin", lambda t: t.argmin(axis=-3), r"argmin: axis -3 .*shape \(2, 3\)"),
    ("softmax", lambda t: t.softmax(axis=2), r"softmax: axis 2 .*shape \(2, 3\)"),
    ("softmax of 0-d", lambda t: t.sum().softmax(axis=1), r"softmax: axis 1 .*shape \(\)"),
    ("log_softmax", lambda t: t.log_softmax(axis=-3), r"log_softmax: axis -3 .*shape \(2, 3\)"),
    ("logsumexp", lambda t: functional.logsumexp(t, axis=4), r"axis 4 .*shape \(2, 3\)"),
    ("squeeze", lambda t: t.squeeze(2), r"squeeze: axis 2 .*shape \(2, 3\)"),
    ("flatten", lambda t: t.flatten(5), r"flatten: axis 5 .*shape \(2, 3\)"),
    ("expand_dims", lambda t: t.expand_dims(4), r"expand_dims of shape \(2, 3\): axis 4"),
    ("repeated", lambda t: t.sum(axis=(0, -2)), r"repeats an axis"),
]


@pytest.mark.parametrize(
    "call, pattern", [case[1:] for case in BAD_AXES], ids=[c[0] for c in BAD_AXES]
)
def test_a_bad_axis_is_an_error_naming_the_op_and_the_shape(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call(Tensor(np.ones((2, 3))))


def test_an_axis_that_is_not_an_int_is_a_type_error():
    with pytest.raises(TypeError, match=r"axis must be None, an int or a tuple of ints, got 0.5"):
        Tensor(np.ones(3)).sum(axis=0.5)
    with pytest.raises(TypeError, match=r"softmax: axis must be an int"):
        Tensor(np.ones(3)).softmax(axis=(0,))


def test_flatten_no_longer_wraps_an_axis_around():
    # flatten(5) of a 2-d tensor used to mean flatten(1) (5 % 2): a silently wrong shape
    with pytest.raises(ValueError, match="flatten"):
        Tensor(np.ones((2, 3))).flatten(5)
    assert Tensor(np.ones((2, 3))).flatten(-1).shape == (2, 3)
    assert Tensor(2.0).flatten().shape == (1,)  # as torch.flatten of a 0-d tensor


# ---------------------------------------------------------------- squeeze as PyTorch (issue 22)
@settings(max_examples=25, deadline=None)
@given(x=float_arrays(shapes(min_dims=1, max_dims=4, max_side=2)), data=st.data())
def test_squeeze_removes_only_the_named_axes_of_size_1(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    expected = np.squeeze(x, axis) if x.shape[axis] == 1 else x  # PyTorch's squeeze(dim)
    t = Tensor(x, requires_grad=True)
    squeezed = t.squeeze(axis)
    assert squeezed.shape == expected.shape
    np.testing.assert_array_equal(squeezed.data, expected)
    (squeezed * 2).sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.full(x.shape, 2.0))
