"""The speed seam (tinygrad_edu/fused/): each shortcut gives what its twin gives.

Linear and SparseSoftmaxCrossEntropy are held equal to their twins in
tests/test_functional.py, the few-entry reductions in tests/ops/test_reduce.py,
tiled pooling also through the pooling layers in tests/test_conv.py; here the
windows directly and the BLAS thread policy.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor, grad
from tinygrad_edu.fused import threads
from tinygrad_edu.fused.convolution import convolution, convolution_simple
from tinygrad_edu.fused.nodes import sliding_windows, tile_windows
from tinygrad_edu.testing import gradcheck, gradgradcheck


# ---------------------------------------------------------------- pooling windows
@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 2),
    height=st.integers(1, 7),
    width=st.integers(1, 7),
    channels=st.integers(1, 3),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_tile_windows_equals_its_twin_in_value_and_gradient(
    batch, height, width, channels, kh, kw, seed
):
    if kh > height or kw > width:
        return
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((batch, height, width, channels)), requires_grad=True)
    tiled, twin = tile_windows(x, (kh, kw)), sliding_windows(x, (kh, kw))
    assert tiled.shape == twin.shape
    np.testing.assert_array_equal(tiled.data, twin.data)
    upstream = rng.standard_normal(tiled.shape)
    (g_tiled,) = grad((tiled * upstream).sum(), [x])
    (g_twin,) = grad((twin * upstream).sum(), [x])
    np.testing.assert_allclose(g_tiled.data, g_twin.data, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- convolution
def _convolution_inputs(rng, batch, height, width, channels, kh, kw, filters):
    x = Tensor(rng.standard_normal((batch, height, width, channels)), requires_grad=True)
    kernel = Tensor(rng.standard_normal((kh, kw, channels, filters)), requires_grad=True)
    bias = Tensor(rng.standard_normal(filters), requires_grad=True)
    return x, kernel, bias


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 2),
    height=st.integers(1, 6),
    width=st.integers(1, 6),
    channels=st.integers(1, 5),  # below 4 the im2col matrix is made offset by offset
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    filters=st.integers(1, 3),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    with_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_the_convolution_node_equals_its_twin_in_value_and_gradient(
    batch, height, width, channels, kh, kw, filters, strides, with_bias, seed
):
    if kh > height or kw > width:
        return
    rng = np.random.default_rng(seed)
    x, kernel, bias = _convolution_inputs(rng, batch, height, width, channels, kh, kw, filters)
    bias = bias if with_bias else None
    fused = convolution(x, kernel, bias, strides)
    twin = convolution_simple(x, kernel, bias, strides)
    assert fused.shape == twin.shape
    np.testing.assert_allclose(fused.data, twin.data, rtol=1e-12, atol=1e-12)
    upstream = rng.standard_normal(fused.shape)
    wrt = [x, kernel] + ([bias] if with_bias else [])
    for g_fused, g_twin in zip(
        grad((fused * upstream).sum(), wrt), grad((twin * upstream).sum(), wrt)
    ):
        np.testing.assert_allclose(g_fused.data, g_twin.data, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("strides", "channels"), [((1, 1), 1), ((2, 1), 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_the_convolution_node_differentiates_twice(strides, channels, with_bias):
    rng = np.random.default_rng(3)
    x, kernel, bias = _convolution_inputs(rng, 2, 5, 4, channels, 3, 2, 3)
    inputs = [x.data, kernel.data] + ([bias.data] if with_bias else [])

    def conv(*tensors):
        return (
            convolution(*tensors, strides=strides)
            if with_bias
            else convolution(tensors[0], tensors[1], None, strides)
        )

    assert gradcheck(conv, inputs)
    assert gradgradcheck(conv, inputs)


@pytest.mark.parametrize("channels", [1, 4])
def test_the_convolution_node_s_second_order_equals_its_twin_s(channels):
    rng = np.random.default_rng(4)
    x, kernel, bias = _convolution_inputs(rng, 2, 5, 5, channels, 3, 3, 2)
    upstream = rng.standard_normal((2, 3, 3, 2))
    results = []
    for conv in (convolution, convolution_simple):
        out = conv(x, kernel, bias, (1, 1))
        g_x, g_kernel = grad((out * upstream).sum(), [x, kernel], create_graph=True)
        # a scalar of both first derivatives, differentiated again
        results.append(grad((g_x * g_x).sum() + (g_kernel**3).sum(), [x, kernel]))
    for fused, twin in zip(*results):
        np.testing.assert_allclose(fused.data, twin.data, rtol=1e-10, atol=1e-10)


def test_conv2d_runs_through_the_convolution_node():
    x = Tensor(np.ones((1, 4, 4, 2)), requires_grad=True)
    out = tg.functional.conv2d(x, Tensor(np.ones((3, 3, 2, 1))), Tensor(np.zeros(1)))
    assert out._creator.name == "Conv2D"
    np.testing.assert_array_equal(out.data, np.full((1, 2, 2, 1), 18.0))


def test_the_convolution_node_names_a_channel_mismatch():
    x = Tensor(np.ones((1, 4, 4, 2)))
    with pytest.raises(ValueError, match=r"Conv2D: expects windows \(batch, oh, ow, 3, 3, 3\)"):
        convolution(x, Tensor(np.ones((3, 3, 3, 1))))


# ---------------------------------------------------------------- threads
@pytest.fixture
def restore_threads():
    """Put the limit back after the test."""
    before = tg.get_num_threads()
    yield
    tg.set_num_threads(before)


def blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


SHAPES = [
    ((3, 4), (4, 5)),
    ((2, 3, 4), (4, 2)),
    ((5,), (5, 3)),
    ((4, 5), (5,)),
    ((4, 1, 2, 3), (5, 3, 2)),
    ((70, 300), (300, 200)),  # 4.2 million multiply-adds: cut along the rows
    ((3, 40, 200), (200, 200)),  # 4.8 million: cut along the batch axis
    ((50, 40), (3, 40, 700)),  # 4.2 million, the batch axis only in b
    ((3, 1, 40, 200), (2, 200, 200)),  # 9.6 million, a broadcast along b's batch axis
]


@settings(max_examples=30, deadline=None)
@given(shapes=st.sampled_from(SHAPES), limit=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_matmul_gives_what_np_matmul_gives(shapes, limit, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    expected = np.matmul(a, b)
    before = tg.get_num_threads()
    tg.set_num_threads(limit)
    try:
        got = threads.matmul(a, b)
    finally:
        tg.set_num_threads(before)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_a_large_product_is_cut_into_at_most_the_limit_in_pieces(restore_threads):
    tg.set_num_threads(2)
    assert threads.pieces_for((128, 512), (512, 10)) == 1  # 655,360 multiply-adds
    assert threads.pieces_for((128, 784), (784, 512)) == 2  # 51 million: two pieces
    assert threads.pieces_for((20, 784), (784, 512)) == 1  # 8 M, but too few rows to share
    assert threads.pieces_for((64, 100, 100), (100, 100)) == 2  # batches count: 64 M
    assert threads.pieces_for((784,), (784, 512)) == 1  # a vector
    tg.set_num_threads(8)
    assert threads.pieces_for((128, 784), (784, 512)) == 8  # 16 rows each
    assert threads.pieces_for((9, 7744, 64), (9, 64, 32)) == 8  # along the 9 kernel offsets
    tg.set_num_threads(1)
    assert threads.pieces_for((128, 784), (784, 512)) == 1


def test_the_pieces_give_the_same_numbers_at_once_as_one_after_another(restore_threads):
    # What keeps results from depending on the machine's load: the cut depends on the shapes
    # and the limit only, and each piece is the same one-thread BLAS call wherever it runs.
    tg.set_num_threads(3)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((128, 784), np.float32), rng.standard_normal((784, 512), np.float32)
    at_once = threads.matmul(a, b)
    one_after_another = np.concatenate([a[s:e] @ b for s, e in ((0, 42), (42, 85), (85, 128))])
    np.testing.assert_array_equal(at_once, one_after_another)
    assert blas_threads() == 1  # the BLAS library itself runs one thread


def test_the_engine_s_products_go_through_the_policy(restore_threads, monkeypatch):
    tg.set_num_threads(2)
    cut = []
    monkeypatch.setattr(threads, "_in_pieces", lambda a, b, n: cut.append(n) or np.matmul(a, b))
    x = Tensor(np.ones((256, 256), np.float32), requires_grad=True)
    y = x @ x  # 16.8 million multiply-adds: two pieces
    assert cut == [2]
    Tensor(np.ones((2, 2))) @ Tensor(np.ones((2, 2)))  # 8 multiply-adds: not cut
    assert cut == [2]
    y.sum().backward()  # backward's products are MatMul ops too
    assert cut == [2, 2, 2]


def test_a_piece_s_error_reaches_the_caller(restore_threads):
    tg.set_num_threads(2)
    with pytest.raises(ValueError):
        threads.matmul(np.ones((64, 300)), np.ones((299, 300)))


def test_a_forked_child_makes_its_own_pool(restore_threads):
    # A fork copies the pool's bookkeeping but none of its threads: the child must not wait
    # forever for pieces nobody runs.
    tg.set_num_threads(2)
    a = np.ones((128, 784), np.float32)
    threads.matmul(a, a.T)  # the parent's pool exists now
    code = (
        "import os, sys, numpy as np, tinygrad_edu as tg\n"
        "from tinygrad_edu.fused import threads\n"
        "tg.set_num_threads(2)\n"
        "a = np.ones((128, 784), np.float32)\n"
        "threads.matmul(a, a.T)\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if threads.matmul(a, a.T)[0, 0] == 784 else 1)\n"
        "sys.exit(os.waitpid(pid, 0)[1] >> 8)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", None])
def test_set_num_threads_refuses_what_is_not_a_count(bad):
    with pytest.raises(ValueError, match=r"set_num_threads: threads must be an int >= 1, got"):
        tg.set_num_threads(bad)


@pytest.mark.parametrize(("value", "expected"), [("1", "1"), (" 3 ", "3"), ("", None)])
def test_the_environment_variable_sets_the_limit(value, expected):
    code = "import tinygrad_edu as tg, os; print(tg.get_num_threads())"
    env = {"TINYGRAD_EDU_NUM_THREADS": value, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    if expected is not None:
        assert out.stdout.strip() == expected
    else:
        assert int(out.stdout) >= 1  # unset: the BLAS library's own count


@pytest.mark.parametrize("value", ["0", "two", "-2", "auto"])
def test_a_bad_environment_variable_is_a_clear_error(value):
    code = "import tinygrad_edu as tg; tg.get_num_threads()"
    env = {"TINYGRAD_EDU_NUM_THREADS": value, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode != 0
    assert f"must be a whole number >= 1, got {value!r}" in out.stderr
