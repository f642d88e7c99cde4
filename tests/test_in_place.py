"""In-place operators (`+= -= *= /= **= @=`): recorded like PyTorch's, never a dropped graph."""

from __future__ import annotations

import operator
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.testing import gradcheck
from tinygrad_edu.testing.strategies import float_arrays, shapes

IN_PLACE = {
    "+=": (operator.iadd, operator.add),
    "-=": (operator.isub, operator.sub),
    "*=": (operator.imul, operator.mul),
    "/=": (operator.itruediv, operator.truediv),
    "**=": (operator.ipow, operator.pow),
}


# ---------------------------------------------------------------- the examples
def test_adding_into_a_plain_tensor_records_the_operand():
    w = Tensor(2.0, requires_grad=True)
    total = Tensor(0.0)
    total += 3 * w
    assert total.requires_grad and not total.is_leaf
    (total + w * w).backward()
    assert w.grad.item() == 7.0  # 3 + 2 w, not the 4 of a dropped graph


def test_broadcast_add_into_a_tensor_sends_the_summed_gradient_back():
    a = tg.zeros(2, 3)
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    a += b
    np.testing.assert_array_equal(a.data, [[1, 2, 3], [1, 2, 3]])
    (a * Tensor([[1.0], [10.0]])).sum().backward()
    np.testing.assert_array_equal(b.grad.data, [11.0, 11.0, 11.0])


def test_multiplying_in_place_by_a_weight():
    w = Tensor(2.0, requires_grad=True)
    s = Tensor(3.0)
    s *= w
    s *= w  # twice: s = 3 w^2, the second op reads the value the first one left
    s.backward()
    assert s.item() == 12.0 and w.grad.item() == 12.0  # d(3 w^2)/dw = 6 w


def test_an_accumulator_loop_sums_every_term():
    w = Tensor(2.0, requires_grad=True)
    acc = Tensor(0.0)
    for x in [1.0, 2.0, 3.0, 4.0]:
        acc += x * w
    acc.backward()
    assert acc.item() == 20.0 and w.grad.item() == 10.0


# ---------------------------------------------------------------- every operator, as a property
@st.composite
def target_and_operand(draw):
    """Values in [0.5, 2] (safe for / and **) for a target and an operand broadcast into it."""
    target_shape = draw(shapes(max_dims=3, max_side=3))
    # what broadcasts *to* the target: its trailing axes, some of them of size 1
    trailing = target_shape[draw(st.integers(0, len(target_shape))) :]
    operand_shape = tuple(draw(st.sampled_from([size, 1])) for size in trailing)
    values = dict(min_value=0.5, max_value=2.0)
    return draw(float_arrays(target_shape, **values)), draw(float_arrays(operand_shape, **values))


@pytest.mark.parametrize("symbol", IN_PLACE)
@settings(max_examples=12, deadline=None)
@given(arrays=target_and_operand(), target_requires_grad=st.booleans())
def test_in_place_matches_the_out_of_place_op_in_value_and_gradient(
    symbol, arrays, target_requires_grad
):
    in_place, out_of_place = IN_PLACE[symbol]
    a_values, b_values = arrays

    def written_in_place(a, b):
        target = a * 1 if target_requires_grad else Tensor(a.data.copy())  # a non-leaf or a plain
        result = in_place(target, b)
        assert result is target  # the same tensor, changed
        return target

    def written_out_of_place(a, b):
        return out_of_place(a * 1 if target_requires_grad else Tensor(a.data.copy()), b)

    if target_requires_grad:
        gradcheck(written_in_place, [a_values, b_values])
    else:  # the target is a constant: only the operand is differentiated
        gradcheck(lambda b: written_in_place(Tensor(a_values), b), [b_values])
    a, b = Tensor(a_values, requires_grad=True), Tensor(b_values, requires_grad=True)
    a2, b2 = Tensor(a_values, requires_grad=True), Tensor(b_values, requires_grad=True)
    mine, expected = written_in_place(a, b), written_out_of_place(a2, b2)
    np.testing.assert_allclose(mine.data, expected.data, rtol=1e-12)
    cotangent = np.linspace(-1, 1, mine.size).reshape(mine.shape)
    (mine * cotangent).sum().backward()
    (expected * cotangent).sum().backward()
    np.testing.assert_allclose(b.grad.data, b2.grad.data, rtol=1e-12)
    if target_requires_grad:
        np.testing.assert_allclose(a.grad.data, a2.grad.data, rtol=1e-12)


def test_matmul_in_place_is_recorded():
    rng = np.random.default_rng(0)
    a_values, w_values = rng.standard_normal((2, 3)), rng.standard_normal((3, 3))

    def fn(a, w):
        target = a * 1
        target @= w
        return target

    assert gradcheck(fn, [a_values, w_values])
    target = Tensor(a_values.copy())
    w = Tensor(w_values, requires_grad=True)
    target @= w
    np.testing.assert_allclose(target.data, a_values @ w_values)
    with pytest.raises(ValueError, match=r"in-place @=.*shape \(2, 4\).*\(2, 3\)"):
        target @= np.ones((3, 4))


def test_ops_that_used_the_old_value_still_get_their_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], requires_grad=True)
    h = x * 1  # a non-leaf
    early = h.exp()  # Exp reads its output in backward: h's old value, kept aside
    doubled = h + h
    h += w
    (early.sum() + doubled.sum() + (h * h).sum()).backward()
    np.testing.assert_allclose(x.grad.data, np.exp([1.0, 2.0]) + 2 + 2 * np.array([4.0, 6.0]))
    np.testing.assert_allclose(w.grad.data, 2 * np.array([4.0, 6.0]))


# ---------------------------------------------------------------- refused, and fast
@pytest.mark.parametrize("symbol", [*IN_PLACE, "@="])
def test_in_place_on_a_leaf_that_requires_grad_is_refused_while_recording(symbol):
    w = Tensor(np.eye(2), requires_grad=True)
    op = operator.imatmul if symbol == "@=" else IN_PLACE[symbol][0]
    with pytest.raises(RuntimeError, match=rf"in-place {re.escape(symbol)}.*leaf.*no_grad"):
        op(w, Tensor(np.eye(2)))
    assert w.is_leaf and w.grad_fn is None


@pytest.mark.parametrize("symbol", [*IN_PLACE, "@="])
def test_under_no_grad_the_update_is_in_place_and_records_nothing(symbol):
    w = Tensor(np.full((2, 2), 2.0), requires_grad=True)
    memory = w.data
    op = operator.imatmul if symbol == "@=" else IN_PLACE[symbol][0]
    grad = Tensor(np.full((2, 2), 0.5), requires_grad=True)
    with no_grad():
        result = op(w, grad)
    assert result is w and w.data is memory and w.is_leaf and w.requires_grad
    expected = {"+=": 2.5, "-=": 1.5, "*=": 1.0, "/=": 4.0, "**=": 2**0.5, "@=": 2.0}[symbol]
    np.testing.assert_allclose(w.data, np.full((2, 2), expected))


def test_an_optimizer_style_update_keeps_the_parameter():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with no_grad():
        w -= 0.5 * w.grad
    assert w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(w.data, [0.0, 0.0])


def test_a_view_cannot_be_changed_in_place_while_recording():
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = Tensor([0.0, 0.0]) * 1.0
    view = h.reshape(2, 1)
    with pytest.raises(RuntimeError, match=r"in-place \+=.*shares its memory"):
        h += w
    assert view.shape == (2, 1)


def test_results_that_do_not_fit_are_clear_errors():
    ints = Tensor(np.array([1, 2], dtype=np.int32))
    with pytest.raises(TypeError, match=r"in-place /=.*float32.*int32"):
        ints /= 2
    with pytest.raises(TypeError, match=r"in-place \+=.*float32.*int32"):
        ints += Tensor([0.5, 0.5], requires_grad=True)
    row = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"in-place \+=.*\(2, 2\).*\(2,\)"):
        row += Tensor([[1.0], [2.0]])
    ints += 3  # a Python int stays int32
    assert ints.dtype == np.int32 and ints.data.tolist() == [4, 5]


def test_float64_operand_into_float32_keeps_float32_and_the_gradient():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)  # float64
    acc = tg.zeros(2)  # float32
    acc += w * 3
    assert acc.dtype == np.float32
    acc.sum().backward()
    assert w.grad.dtype == np.float64 and w.grad.data.tolist() == [3.0, 3.0]


def test_item_assignment_says_what_to_write_instead():
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"item assignment.*where.*x\.data\[index\]"):
        x[0] = 5.0
