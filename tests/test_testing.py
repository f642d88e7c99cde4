"""tinygrad_edu.testing: gradcheck, gradgradcheck and the hypothesis strategies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Function, Tensor, no_grad
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import (
    broadcastable_shapes,
    distinct_arrays,
    float_arrays,
    positive_arrays,
    shapes,
    tensors,
)


# ---------------------------------------------------------------- deliberately wrong ops
class WrongSquare(Function):
    """x^2 with a backward that says 3x instead of 2x."""

    def forward(self, x):
        self.save_for_backward(x)
        return x.data**2

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * x * 3


class FrozenSquare(Function):
    """x^2 whose backward is right once but computed on raw arrays: nothing is recorded,
    so its own derivative (the second derivative of x^2) comes out as zero."""

    def forward(self, x):
        self.save_for_backward(x)
        return x.data**2

    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad * Tensor(2 * x.data)


class WrongSecondInput(Function):
    """a * b with the gradient of b off by a sign."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a.data * b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        return grad * b, -grad * a


# ---------------------------------------------------------------- gradcheck
def test_gradcheck_passes_on_correct_functions():
    x = np.array([[0.3, -1.2, 2.0], [0.5, 0.1, -0.7]])
    assert gradcheck(lambda t: (t * t).sum(), [x])  # scalar output
    assert gradcheck(lambda t: t.tanh() * t, [x])  # non-scalar output
    assert gradcheck(lambda a, b: a @ b, [x, x.T])
    assert gradcheck(lambda t: t.exp(), x)  # a single input need not be in a list


def test_gradcheck_reports_input_index_analytic_and_numerical():
    with pytest.raises(AssertionError) as failure:
        gradcheck(lambda t: WrongSquare.apply(t), [np.array([1.0, 2.0])])
    message = str(failure.value)
    for expected in ("gradcheck", "input 0", "index (0,)", "analytic", "numerical", "atol="):
        assert expected in message
    assert "2 of 2 entries differ" in message


def test_gradcheck_names_the_wrong_input_position():
    with pytest.raises(AssertionError, match=r"input 1 .*index \(1,\)"):
        gradcheck(
            lambda a, b: WrongSecondInput.apply(a, b),
            [np.array([0.0, 2.0]), np.array([1.0, 3.0])],  # a[0] = 0: b[0]'s gradient is 0 anyway
        )


def test_gradcheck_values_in_the_message_are_the_real_ones():
    with pytest.raises(AssertionError) as failure:
        gradcheck(lambda t: WrongSquare.apply(t), [np.array(2.0)])
    found = re.search(r"analytic ([-+.\de]+), numerical ([-+.\de]+)", str(failure.value))
    assert float(found[1]) == 6.0  # a one-element output is not weighted: backward says 3x
    assert float(found[2]) == pytest.approx(4.0, rel=1e-6)  # the true slope 2x


def test_gradcheck_can_return_false_instead_of_raising():
    assert not gradcheck(lambda t: WrongSquare.apply(t), [np.array([1.0])], raise_exception=False)


def test_gradcheck_needs_a_tensor_output():
    with pytest.raises(TypeError, match=r"gradcheck.*Tensor.*ndarray"):
        gradcheck(lambda t: t.data * 2, [np.array([1.0])])
    with pytest.raises(TypeError, match=r"gradgradcheck.*Tensor.*float"):
        gradgradcheck(lambda t: 1.0, [np.array([1.0])])


def test_gradcheck_refuses_inputs_that_are_not_numbers():
    with pytest.raises(TypeError, match=r"input 0.*bool"):
        gradcheck(lambda t: t * 2, [np.array([True])])


def test_gradcheck_works_on_float64_copies_and_leaves_the_inputs_alone():
    x = Tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    seen = []

    def fn(t):
        seen.append((t.dtype, t.requires_grad))
        return t.sigmoid()

    assert gradcheck(fn, [x])
    assert set(seen) == {(np.dtype(np.float64), True)}
    assert x.grad is None and x.dtype == np.float32
    np.testing.assert_array_equal(x.data, np.array([0.5, 1.5], dtype=np.float32))


def test_gradcheck_handles_unused_inputs_and_constant_outputs():
    assert gradcheck(lambda a, b: a * 2, [np.ones(2), np.ones(3)])  # b unused: zero gradient
    assert gradcheck(lambda a: Tensor(np.ones(3)), [np.ones(2)])  # no graph at all
    assert gradcheck(lambda a: a.argmax(), [np.array([1.0, 3.0])])


def test_gradcheck_works_inside_no_grad():
    with no_grad():
        assert gradcheck(lambda t: t * t, [np.array([1.0, 2.0])])


def test_gradcheck_reports_an_output_whose_shape_changes():
    with pytest.raises(ValueError, match="shape changed"):
        gradcheck(lambda t: t[t.data > 0], [np.array([0.0, 1.0])])


def test_gradcheck_does_not_disturb_numpy_global_random_state():
    np.random.seed(0)
    expected = np.random.random(2)
    np.random.seed(0)
    gradcheck(lambda t: t * t, [np.ones((2, 2))])
    np.testing.assert_array_equal(np.random.random(2), expected)


# ---------------------------------------------------------------- gradgradcheck
def test_gradgradcheck_passes_on_correct_functions():
    x = np.array([0.3, -1.2, 2.0])
    assert gradgradcheck(lambda t: t.tanh(), [x])
    assert gradgradcheck(lambda a, b: (a * b).exp(), [x, x[::-1].copy()])
    assert gradgradcheck(lambda t: t * 3.0, [x])  # linear: second derivative zero
    assert gradgradcheck(lambda t: FrozenSquare.apply(t).sum() * 0 + t.sum(), [x])


def test_gradcheck_misses_what_gradgradcheck_catches():
    x = np.array([1.0, -2.0])
    assert gradcheck(lambda t: FrozenSquare.apply(t), [x])
    with pytest.raises(AssertionError) as failure:
        gradgradcheck(lambda t: FrozenSquare.apply(t), [x])
    message = str(failure.value)
    for expected in ("gradgradcheck", "second-order", "input 0", "index (0,)", "analytic 0.0"):
        assert expected in message
    assert "numerical" in message
    assert not gradgradcheck(lambda t: FrozenSquare.apply(t), [x], raise_exception=False)


# ---------------------------------------------------------------- strategies
@given(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
def test_shapes_respect_their_bounds(shape):
    assert 1 <= len(shape) <= 3 and all(2 <= side <= 4 for side in shape)


@given(broadcastable_shapes(3, max_dims=3, max_side=4))
def test_broadcastable_shapes_broadcast_together(shape_tuple):
    assert len(shape_tuple) == 3
    np.broadcast_shapes(*shape_tuple)  # raises if they do not


@given(float_arrays(shapes(max_dims=2), dtype=np.float32, min_value=-2.0, max_value=1.0))
def test_float_arrays_are_bounded_and_finite(array):
    assert array.dtype == np.float32
    assert np.all(np.isfinite(array)) and np.all((-2.0 <= array) & (array <= 1.0))


@given(float_arrays((20,), avoid=(0.0, 1.0), margin=0.1))
def test_float_arrays_keep_away_from_kinks(array):
    assert np.all(np.abs(array) >= 0.1) and np.all(np.abs(array - 1.0) >= 0.1)


@given(positive_arrays((3, 3)))
def test_positive_arrays(array):
    assert np.all(array >= 0.1)


def test_positive_arrays_refuse_a_non_positive_minimum():
    with pytest.raises(ValueError, match="min_value"):
        positive_arrays((2,), min_value=0.0)


@given(distinct_arrays(shapes(max_dims=2, max_side=5), spacing=0.05))
def test_distinct_arrays_keep_entries_apart(array):
    values = np.sort(array.ravel())
    assert np.all(np.diff(values) >= 0.05 - 1e-12)


@given(tensors(shapes(max_dims=2), requires_grad=True), st.booleans())
def test_tensors_strategy(t, flag):
    assert isinstance(t, Tensor) and t.requires_grad and t.dtype == np.float64
    assert np.all(np.abs(t.data) <= 3.0)


def test_testing_imports_without_hypothesis():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import numpy as np\n"
        "from tinygrad_edu.testing import gradcheck\n"
        "assert gradcheck(lambda t: t * t, [np.ones(2)])\n"
        "try:\n"
        "    import tinygrad_edu.testing.strategies\n"
        "except ImportError:\n"
        "    print('strategies need hypothesis')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,  # the repository root
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "strategies need hypothesis" in done.stdout


# ---------------------------------------------------------------- below float64 (issue 20, item 10)
def test_gradcheck_refuses_a_float32_layer_and_says_how_to_build_it_in_float64():
    from tinygrad_edu.nn import Dense

    x = np.random.default_rng(0).standard_normal((2, 4))
    layer = Dense(3)
    with pytest.raises(TypeError, match=r"computes in float32.*dtype='float64'.*Dense"):
        gradcheck(lambda t: layer(t), [x])
    with pytest.raises(TypeError, match=r"computes in float32"):
        gradgradcheck(lambda t: layer(t).tanh(), [x])
    wide = Dense(3, dtype="float64")
    assert gradcheck(lambda t: wide(t), [x])


@pytest.mark.parametrize(
    "fn, where",
    [
        (lambda t: t.astype("float32") * 2, r"the output of Cast"),
        (lambda t: (t.float() * 2).double(), r"the output of Cast"),
        (lambda t: t.half().sum(), r"float16"),
        (lambda t: t * Tensor(np.ones(3, np.float32), requires_grad=True), r"a tensor it closes"),
    ],
)
def test_gradcheck_names_the_first_tensor_below_float64(fn, where):
    with pytest.raises(TypeError, match=where):
        gradcheck(fn, [np.arange(3.0)])


def test_a_float32_constant_does_not_lower_the_precision():
    constant = np.array([0.5, 2.0, 3.0], dtype=np.float32)
    assert gradcheck(lambda t: t * Tensor(constant), [np.arange(3.0)])


def test_the_failure_message_lets_a_student_reproduce_both_numbers():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 1.5, -1.0]])
    with pytest.raises(AssertionError) as failure:
        gradcheck(lambda t: WrongSquare.apply(t), [x])
    message = str(failure.value)
    assert "analytic is what backward gives" in message
    assert "numerical is (s(x + eps) - s(x - eps)) / (2 * eps)" in message
    found = re.search(r"index \((\d+), (\d+)\): analytic (\S+), numerical (\S+) ", message)
    index = (int(found[1]), int(found[2]))
    analytic, numerical = float(found[3]), float(found[4])
    # By hand, as the message says: v from the seed it names, s = sum(fn(x) * v).
    seed = int(re.search(r"default_rng\((\d+)\)", message)[1])
    v = np.random.default_rng(seed).standard_normal(x.shape)
    assert analytic == pytest.approx((3 * x * v)[index])  # what the wrong backward says
    eps = 1e-6
    up, down = x.copy(), x.copy()
    up[index] += eps
    down[index] -= eps
    by_hand = ((up**2 * v).sum() - (down**2 * v).sum()) / (2 * eps)
    assert numerical == pytest.approx(by_hand, rel=1e-6)
    assert numerical == pytest.approx((2 * x * v)[index], rel=1e-4)  # the true slope
