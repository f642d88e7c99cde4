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
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import Tensor, grad
from tinygrad_edu.fused import threads
from tinygrad_edu.fused.convolution import convolution, convolution_simple
from tinygrad_edu.fused.nodes import fits_linear_node, linear_relu, sliding_windows, tile_windows
from tinygrad_edu.testing import gradcheck, gradgradcheck


# ---------------------------------------------------------------- Linear and LinearRelu
@pytest.mark.parametrize("x_shape", [(2, 3), (3,), (2, 2, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_and_linear_relu_take_their_fused_node_for_the_same_calls(x_shape, with_bias):
    # One condition (fits_linear_node) decides for both: Dense with and without relu
    # run the fused node for exactly the same inputs.
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal(x_shape))
    weight = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    bias = Tensor(rng.standard_normal(4), requires_grad=True) if with_bias else None
    fused = fits_linear_node(x, weight, bias)
    assert fused == (with_bias and len(x_shape) == 2)
    plain, relu = tg.functional.linear(x, weight, bias), linear_relu(x, weight, bias)
    assert (plain.grad_fn.name == "Linear") == fused
    assert (relu.grad_fn.name == "LinearRelu") == fused
    np.testing.assert_allclose(relu.data, np.maximum(plain.data, 0), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "weight_shape, bias_shape", [((3, 4), ()), ((3, 4), (1, 4)), ((3, 4), (1,)), ((3,), ())]
)
def test_linear_with_a_broadcast_bias_or_a_vector_weight_takes_the_twin(weight_shape, bias_shape):
    # A bias that only broadcasts, or a vector weight, is not the fused node's (units,) bias
    # of a matrix: functional.linear gives what x @ weight + bias gives, with its gradients.
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    weight = Tensor(rng.standard_normal(weight_shape), requires_grad=True)
    bias = Tensor(rng.standard_normal(bias_shape), requires_grad=True)
    assert not fits_linear_node(x, weight, bias)
    for function in (tg.functional.linear, linear_relu):
        out = function(x, weight, bias)
        expected = x.data @ weight.data + bias.data
        if function is linear_relu:
            expected = np.maximum(expected, 0)
        np.testing.assert_allclose(out.data, expected, rtol=1e-12)
        assert gradcheck(lambda a, w, b, f=function: f(a, w, b), (x, weight, bias))


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
    assume(kh <= height and kw <= width)  # the kernel fits the image
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
def _windows(x, kernel, strides=(1, 1), dilation=(1, 1)):
    """x's windows for `kernel`, as functional.conv2d makes them for the node (no padding)."""
    return tg.functional._windows(x, kernel.shape[:2], strides, "valid", 0.0, "test", dilation)


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
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    with_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_the_convolution_node_equals_its_twin_in_value_and_gradient(
    batch, height, width, channels, kh, kw, filters, strides, dilation, with_bias, seed
):
    spans = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    assume(spans[0] <= height and spans[1] <= width)  # the (dilated) kernel fits the image
    rng = np.random.default_rng(seed)
    x, kernel, bias = _convolution_inputs(rng, batch, height, width, channels, kh, kw, filters)
    bias = bias if with_bias else None
    fused = convolution(_windows(x, kernel, strides, dilation), kernel, bias)
    twin = convolution_simple(_windows(x, kernel, strides, dilation), kernel, bias)
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

    def conv(x, kernel, bias=None):
        return convolution(_windows(x, kernel, strides), kernel, bias)

    assert gradcheck(conv, inputs)
    assert gradgradcheck(conv, inputs)


@pytest.mark.parametrize("channels", [1, 4])
def test_the_convolution_node_s_second_order_equals_its_twin_s(channels):
    rng = np.random.default_rng(4)
    x, kernel, bias = _convolution_inputs(rng, 2, 5, 5, channels, 3, 3, 2)
    upstream = rng.standard_normal((2, 3, 3, 2))
    results = []
    for conv in (convolution, convolution_simple):
        out = conv(_windows(x, kernel), kernel, bias)
        g_x, g_kernel = grad((out * upstream).sum(), [x, kernel], create_graph=True)
        # a scalar of both first derivatives, differentiated again
        results.append(grad((g_x * g_x).sum() + (g_kernel**3).sum(), [x, kernel]))
    for fused, twin in zip(*results):
        np.testing.assert_allclose(fused.data, twin.data, rtol=1e-10, atol=1e-10)


def test_the_convolution_node_s_backward_reads_the_layout_forward_chose(monkeypatch):
    # The im2col matrix's layout (transposed below FEW_CHANNELS) is decided once, in
    # forward, and kept on the node: backward does not decide it again.
    from tinygrad_edu.fused import convolution as fused_convolution

    rng = np.random.default_rng(5)
    x, kernel, bias = _convolution_inputs(rng, 2, 5, 5, 2, 3, 3, 2)
    upstream = rng.standard_normal((2, 3, 3, 2))
    out = convolution(_windows(x, kernel), kernel, bias)
    assert out._creator.columns_transposed  # 2 channels: made offset by offset
    monkeypatch.setattr(fused_convolution, "FEW_CHANNELS", 1)  # changed before backward runs
    g_fused = grad((out * upstream).sum(), [x, kernel, bias])
    twin = convolution_simple(_windows(x, kernel), kernel, bias)
    g_twin = grad((twin * upstream).sum(), [x, kernel, bias])
    for a, b in zip(g_fused, g_twin):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-12, atol=1e-12)


def test_conv2d_runs_through_the_convolution_node():
    x = Tensor(np.ones((1, 4, 4, 2)), requires_grad=True)
    out = tg.functional.conv2d(x, Tensor(np.ones((3, 3, 2, 1))), Tensor(np.zeros(1)))
    assert out._creator.name == "Conv2D"
    np.testing.assert_array_equal(out.data, np.full((1, 2, 2, 1), 18.0))


def test_the_convolution_node_names_a_channel_mismatch():
    x = Tensor(np.ones((1, 4, 4, 2)))
    with pytest.raises(ValueError, match=r"Conv2D: expects windows \(batch, oh, ow, 3, 3, 3\)"):
        kernel = Tensor(np.ones((3, 3, 3, 1)))
        convolution(_windows(x, kernel), kernel)


# ---------------------------------------------------------------- BLAS threads
@pytest.fixture
def restore_threads(monkeypatch):
    """Put the limit back after the test; every core counts as free (other tests may be
    running on this machine: that is what free_cores would see)."""
    before = tg.get_num_threads()
    monkeypatch.setattr(threads, "free_cores", lambda: 2)
    yield
    tg.set_num_threads(before)


def blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


@settings(max_examples=30, deadline=None)
@given(
    shapes=st.sampled_from(
        [
            ((3, 4), (4, 5)),
            ((2, 3, 4), (4, 2)),
            ((5,), (5, 3)),
            ((4, 5), (5,)),
            ((4, 1, 2, 3), (5, 3, 2)),
        ]
    ),
    seed=st.integers(0, 2**16),
)
def test_matmul_gives_what_np_matmul_gives(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    np.testing.assert_array_equal(threads.matmul(a, b), np.matmul(a, b))


def test_small_products_get_one_thread_large_ones_the_limit(restore_threads):
    tg.set_num_threads(2)
    assert threads.threads_for((128, 512), (512, 10), free=lambda: 2) == 1  # 655,360 multiply-adds
    assert threads.threads_for((128, 784), (784, 512), free=lambda: 2) == 2  # 51 million
    assert threads.threads_for((128, 784), (784, 512), free=lambda: 1) == 1  # a core is taken
    assert (
        threads.threads_for((64, 100, 100), (100, 100), free=lambda: 2) == 2
    )  # batches count: 64 M
    assert threads.threads_for((784,), (784, 512), free=lambda: 2) == 1  # a vector
    threads.matmul(np.ones((128, 784), np.float32), np.ones((784, 512), np.float32))
    assert blas_threads() == 2
    threads.matmul(np.ones((4, 4)), np.ones((4, 4)))
    assert blas_threads() == 1
    tg.set_num_threads(1)
    assert threads.threads_for((128, 784), (784, 512), free=lambda: 2) == 1
    threads.matmul(np.ones((128, 784), np.float32), np.ones((784, 512), np.float32))
    assert blas_threads() == 1 and tg.get_num_threads() == 1


def test_the_engine_s_products_go_through_the_policy(restore_threads):
    tg.set_num_threads(2)
    x = Tensor(np.ones((256, 256), np.float32), requires_grad=True)
    y = x @ x  # 16.8 million multiply-adds: two threads
    assert blas_threads() == 2
    Tensor(np.ones((2, 2))) @ Tensor(np.ones((2, 2)))  # 8 multiply-adds: one thread
    assert blas_threads() == 1
    y.sum().backward()  # backward's products are MatMul ops too
    assert blas_threads() == 2


@pytest.mark.parametrize(
    ("running", "ours", "free"),
    [(1, 1, 2), (2, 2, 2), (2, 1, 1), (3, 2, 1), (9, 2, 1), (0, 1, 2), (None, 2, 2)],
)
def test_free_cores_are_those_no_other_program_wants(monkeypatch, running, ours, free):
    """With 2 cores: `running` threads machine-wide, `ours` of them this process's
    (this thread and the last product's BLAS threads, if still spinning)."""
    monkeypatch.setattr(threads, "_cores", 2)
    monkeypatch.setattr(threads, "our_running_threads", lambda: ours)
    monkeypatch.setattr(threads, "_looked_at", -1e9)
    monkeypatch.setattr(threads, "running_threads", lambda: running)
    assert threads.free_cores() == free
    monkeypatch.setattr(threads, "running_threads", lambda: 99)  # looked at again only later
    assert threads.free_cores() == free


def test_running_threads_reads_the_kernel_s_counts():
    everyone, ours = threads.running_threads(), threads.our_running_threads()
    assert everyone is None or everyone >= 1  # this test's own thread is running
    assert ours is None or ours >= 1


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


@pytest.mark.parametrize("value", ["0", "two", "-2"])
def test_a_bad_environment_variable_is_a_clear_error(value):
    code = "import tinygrad_edu as tg; tg.get_num_threads()"
    env = {"TINYGRAD_EDU_NUM_THREADS": value, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode != 0
    assert f"must be a whole number >= 1 or 'auto', got {value!r}" in out.stderr


def test_only_follow_load_lets_the_machine_s_load_choose(restore_threads, monkeypatch):
    """By default a large product always gets the limit, so results do not depend on the
    load; follow_load=True (or TINYGRAD_EDU_NUM_THREADS=auto) gives it the free cores."""
    monkeypatch.setattr(threads, "free_cores", lambda: 1)  # a busy machine
    tg.set_num_threads(2, follow_load=False)
    assert threads.threads_for((128, 784), (784, 512)) == 2
    tg.set_num_threads(2, follow_load=True)
    assert threads.threads_for((128, 784), (784, 512)) == 1
    tg.set_num_threads(2, follow_load=False)
    code = "from tinygrad_edu.fused import threads; print(threads._follow_load)"
    for value, expected in (("auto", "True"), ("AUTO", "True"), ("2", "False")):
        env = {"TINYGRAD_EDU_NUM_THREADS": value, "PATH": "/usr/bin:/bin"}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        assert out.stdout.strip() == expected, out.stderr
