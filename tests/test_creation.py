"""Constructors (zeros, ones, full, rand, randn, uniform, arange, eye, *_like) and manual_seed."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda **kw: tg.zeros(2, 3, **kw), np.zeros((2, 3))),
        (lambda **kw: tg.zeros((2, 3), **kw), np.zeros((2, 3))),
        (lambda **kw: tg.ones(4, **kw), np.ones(4)),
        (lambda **kw: tg.ones((), **kw), np.ones(())),
        (lambda **kw: tg.full((2, 2), 7.5, **kw), np.full((2, 2), 7.5)),
        (lambda **kw: tg.full(3, -1.0, **kw), np.full(3, -1.0)),
        (lambda **kw: tg.arange(5, **kw), np.arange(5)),
        (lambda **kw: tg.arange(1, 2, 0.25, **kw), np.arange(1, 2, 0.25)),
        # One bound and a step, as numpy.arange(10, step=2): the bound is the stop.
        (lambda **kw: tg.arange(10, step=2, **kw), np.arange(10, step=2)),
        (lambda **kw: tg.arange(3, step=0.5, **kw), np.arange(3, step=0.5)),
        (lambda **kw: tg.eye(3, **kw), np.eye(3)),
        (lambda **kw: tg.eye(2, 3, **kw), np.eye(2, 3)),
    ],
)
def test_deterministic_constructors(make, expected):
    default = make()
    integers = expected.dtype.kind == "i"  # arange of ints: int64, as in PyTorch
    assert default.dtype == (np.int64 if integers else np.float32) and not default.requires_grad
    np.testing.assert_array_equal(default.data, expected)
    wide = make(dtype=np.float64, requires_grad=True)
    assert wide.dtype == np.float64 and wide.requires_grad and wide.is_leaf
    np.testing.assert_array_equal(wide.data, expected)


@pytest.mark.parametrize("make", [tg.zeros_like, tg.ones_like])
def test_like_constructors_copy_shape_and_dtype(make):
    for source in (Tensor(np.ones((2, 3))), np.ones((2, 3), dtype=np.float64)):
        made = make(source)
        assert made.shape == (2, 3) and made.dtype == np.float64
    float32 = make(Tensor(np.ones(2, dtype=np.float32)), requires_grad=True)
    assert float32.dtype == np.float32 and float32.requires_grad
    assert make(Tensor(np.ones(2)), dtype=np.float16).dtype == np.float16
    fill = 0.0 if make is tg.zeros_like else 1.0
    np.testing.assert_array_equal(make(np.empty((3,))).data, [fill] * 3)


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: tg.rand(3, 4, **kw),
        lambda **kw: tg.randn((3, 4), **kw),
        lambda **kw: tg.uniform(-2.0, 5.0, (3, 4), **kw),
    ],
    ids=["rand", "randn", "uniform"],
)
def test_random_constructors_dtype_shape_and_grad(make):
    t = make()
    assert t.shape == (3, 4) and t.dtype == np.float32 and not t.requires_grad
    t = make(dtype=np.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad


def test_random_values_lie_in_their_ranges():
    tg.manual_seed(0)
    assert 0.0 <= tg.rand(1000).data.min() and tg.rand(1000).data.max() < 1.0
    u = tg.uniform(-2.0, 5.0, 1000, dtype=np.float64).data
    assert -2.0 <= u.min() and u.max() < 5.0 and u.std() > 1.0
    normal = tg.randn(10_000, dtype=np.float64).data
    assert abs(normal.mean()) < 0.05 and abs(normal.std() - 1.0) < 0.05


@pytest.mark.parametrize(
    "draw",
    [lambda: tg.rand(5), lambda: tg.randn(5), lambda: tg.uniform(0.0, 3.0, 5)],
    ids=["rand", "randn", "uniform"],
)
def test_manual_seed_makes_random_constructors_reproducible(draw):
    tg.manual_seed(42)
    first = draw().data.copy()
    tg.manual_seed(42)
    again = draw().data.copy()
    tg.manual_seed(43)
    other = draw().data.copy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_manual_seed_does_not_touch_numpy_global_random_state():
    np.random.seed(5)
    expected = np.random.random(3)
    np.random.seed(5)
    tg.manual_seed(1)
    tg.randn(10)
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_bad_arguments_are_reported():
    with pytest.raises(ValueError, match="negative"):
        tg.zeros(2, -1)
    with pytest.raises(ValueError, match=r"uniform.*low.*high"):
        tg.uniform(1.0, 0.0, 3)
    with pytest.raises(TypeError, match="floating-point"):
        tg.zeros(2, dtype=np.int64, requires_grad=True)


@pytest.mark.parametrize(
    "call",
    [lambda: tg.uniform((2,)), lambda: tg.uniform(0.0, [1.0, 2.0]), lambda: tg.uniform(None)],
    ids=["shape-first", "array-high", "none"],
)
def test_uniform_with_a_shape_where_a_bound_goes_names_the_signature(call):
    with pytest.raises(
        TypeError, match=r"uniform\(low, high, shape\): (low|high) must be a number"
    ):
        call()
    assert tg.uniform(np.float32(0.0), 1, shape=(2,)).shape == (2,)  # NumPy numbers are numbers


# ---------------------------------------------------------------- PyTorch's other constructors
def test_linspace_includes_both_ends():
    values = tg.linspace(0, 1, 5)
    assert values.dtype == np.float32 and values.data.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert tg.linspace(2, 3, 1).data.tolist() == [2.0]
    with pytest.raises(ValueError, match="steps must be >= 0"):
        tg.linspace(0, 1, -1)


def test_full_like_takes_shape_and_dtype():
    like = tg.full_like(np.zeros((2, 3), np.float64), 7.5)
    assert like.shape == (2, 3) and like.dtype == np.float64 and (like.data == 7.5).all()
    assert tg.full_like(tg.ones(2), 1, dtype="int64").dtype == np.int64


def test_randint_takes_pytorchs_signatures_and_is_seeded():
    tg.manual_seed(3)
    first = tg.randint(10, (100,))
    tg.manual_seed(3)
    assert np.array_equal(first.data, tg.randint(10, (100,)).data)
    assert first.dtype == np.int64 and 0 <= first.data.min() and first.data.max() < 10
    ranged = tg.randint(-2, 3, size=(4, 50))
    assert ranged.shape == (4, 50) and set(np.unique(ranged.data)) <= {-2, -1, 0, 1, 2}
    with pytest.raises(TypeError, match="randint\\(high, size\\)"):
        tg.randint(5)
    with pytest.raises(ValueError, match="low \\(3\\) must be below high \\(3\\)"):
        tg.randint(3, 3, (2,))


def test_multinomial_draws_in_proportion_and_without_repeats():
    tg.manual_seed(0)
    weights = tg.Tensor([1.0, 0.0, 3.0])
    draws = tg.multinomial(weights, 4000, replacement=True)
    assert draws.dtype == np.int64 and draws.shape == (4000,)
    share = np.bincount(draws.data, minlength=3) / 4000
    assert share[1] == 0 and abs(share[2] - 0.75) < 0.04
    rows = weights.multinomial(2)  # without replacement: both nonzero indices, once each
    assert sorted(rows.data.tolist()) == [0, 2]
    assert tg.multinomial(np.ones((3, 5)), 5).shape == (3, 5)
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement"):
        weights.multinomial(3)
    with pytest.raises(ValueError, match=">= 0"):
        tg.multinomial([1.0, -1.0], 1)
