"""The hand-written NumPy convnet that benchmarks/mnist_convnet.py measures tinygrad-edu against.

Its derivatives are typed in by hand, so they are checked here against central
differences in float64, and its convolution and pooling against direct loops: a
benchmark against a wrong reference would measure nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import numpy_reference_convnet as reference  # noqa: E402

from tests.benchmark_helpers import central_differences, run_script  # noqa: E402

# Small enough for central differences, shaped so that both poolings drop an odd
# row (15 -> 7, 6 -> 3) and the last conv still has a 2x2 output.
SMALL_INPUT = (17, 16, 2)
SMALL_CONVOLUTIONS = ((2, 3), (3, 2), (4, 2))


def small_float64_model(seed: int = 0) -> tuple[reference.NumpyConvnet, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = reference.initial_weights(rng, SMALL_INPUT, SMALL_CONVOLUTIONS, classes=3)
    weights = [w.astype(np.float64) for w in weights]
    for index in (1, 3, 5, 7):  # nonzero biases, so their gradients are exercised
        weights[index] = rng.normal(scale=0.1, size=weights[index].shape)
    x = rng.normal(size=(3, *SMALL_INPUT))
    labels = np.array([0, 2, 1])
    return reference.NumpyConvnet(weights), x, labels


def test_reference_convnet_gradients_match_central_differences():
    model, x, labels = small_float64_model()
    _, _, analytic = model.forward_backward(x, labels)
    numerical = central_differences(model, x, labels)
    names = ["kernel1", "bias1", "kernel2", "bias2", "kernel3", "bias3", "dense", "dense_bias"]
    for name, mine, expected, weight in zip(names, analytic, numerical, model.parameters()):
        assert mine.shape == weight.shape, name
        assert np.abs(expected).max() > 1e-6, f"{name}: the check would pass with zeros"
        np.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-8, err_msg=name)


def direct_convolution(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The definition, by loops: out[n, i, j, f] = sum of x[n, i+a, j+b, c] * k[a, b, c, f]."""
    batch, height, width, _ = x.shape
    kh, kw, _, filters = kernel.shape
    out = np.zeros((batch, height - kh + 1, width - kw + 1, filters))
    for n in range(batch):
        for i in range(height - kh + 1):
            for j in range(width - kw + 1):
                window = x[n, i : i + kh, j : j + kw, :]
                out[n, i, j] = np.tensordot(window, kernel, axes=3)
    return out


def test_im2col_times_the_kernel_is_the_direct_convolution():
    rng = np.random.default_rng(1)
    x, kernel = rng.normal(size=(2, 6, 5, 3)), rng.normal(size=(3, 2, 3, 4))
    columns = reference.im2col(x, 3, 2)
    assert columns.shape == (2 * 4 * 4, 3 * 2 * 3)
    out = (columns @ kernel.reshape(-1, 4)).reshape(2, 4, 4, 4)
    np.testing.assert_allclose(out, direct_convolution(x, kernel), rtol=1e-12)


def test_col2im_is_the_transpose_of_im2col():
    # <im2col(x), g> == <x, col2im(g)> for every x and g: col2im adds each window back.
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 6, 3))
    grad = rng.normal(size=(2 * 3 * 4, 3 * 3 * 3))
    left = np.sum(reference.im2col(x, 3, 3) * grad)
    right = np.sum(x * reference.col2im(grad, x.shape, 3, 3))
    assert left == pytest.approx(right, rel=1e-12)


def test_max_pool_drops_the_odd_edge_and_splits_the_gradient_among_ties():
    x = np.array([[1.0, 5.0, 0.0], [5.0, 2.0, 9.0], [7.0, 7.0, 7.0]]).reshape(1, 3, 3, 1)
    pooled = reference.max_pool(x)
    assert pooled.shape == (1, 1, 1, 1) and pooled.item() == 5.0
    grad = reference.max_pool_backward(np.full((1, 1, 1, 1), 2.0), x, pooled)
    # two tied maxima share the window's gradient; the dropped row and column get none
    expected = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]).reshape(1, 3, 3, 1)
    np.testing.assert_array_equal(grad, expected)


def test_the_book_model_has_kerass_shapes_and_parameter_count():
    shapes = reference.layer_shapes()
    assert shapes == [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (3, 3, 128)]
    weights = reference.initial_weights(np.random.default_rng(0))
    assert [w.size for w in weights] == [288, 32, 18432, 64, 73728, 128, 11520, 10]
    assert sum(w.size for w in weights) == 104_202  # as Keras's summary() says
    assert {w.dtype for w in weights} == {np.dtype(np.float32)}
    limit = np.sqrt(6.0 / (3 * 3 * 32 + 3 * 3 * 64))  # glorot: fans count the 3x3 field
    assert 0.9 * limit < np.abs(weights[2]).max() <= limit


def test_layer_shapes_refuses_an_input_too_small():
    with pytest.raises(ValueError, match=r"input \(14, 14, 1\) is too small"):
        reference.layer_shapes((14, 14, 1))


def test_reference_convnet_stays_in_float32_and_learns():
    rng = np.random.default_rng(3)
    weights = reference.initial_weights(rng, SMALL_INPUT, SMALL_CONVOLUTIONS, classes=3)
    settings = reference.RMSpropSettings(learning_rate=0.01)
    model = reference.NumpyConvnet(weights, settings)
    x = rng.random((8, *SMALL_INPUT), dtype=np.float32)
    labels = rng.integers(0, 3, size=8)
    first, _ = model.train_step(x, labels)
    _, _, gradients = model.forward_backward(x, labels)
    arrays = [*gradients, *model.parameters(), *model.velocities]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}
    for _ in range(30):
        last, _ = model.train_step(x, labels)
    assert last < 0.5 * first  # it fits eight samples: the steps go downhill
    probabilities = model.predict_proba(x)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_flops_of_the_book_model():
    # forward products per sample: 676*9*32 + 121*288*64 + 9*576*128 + 1152*10 multiply-adds
    forward = 676 * 9 * 32 + 121 * 288 * 64 + 9 * 576 * 128 + 1152 * 10
    backward = 676 * 9 * 32 + 2 * (121 * 288 * 64 + 9 * 576 * 128 + 1152 * 10)
    assert reference.flops_per_sample() == 2 * (forward + backward)


# ---------------------------------------------------------------- benchmarks/mnist_convnet.py
def test_the_step_products_are_the_flops_the_reference_counts():
    import mnist_convnet

    products = mnist_convnet.step_products(batch=64)
    assert len(products) == 11  # 3 + 3 + 2 for the convs (the first needs no input gradient)
    assert 2 * sum(m * k * n for m, k, n, _ in products) == 64 * reference.flops_per_sample()


def test_the_pytorch_figure_not_measured_here_is_labelled_as_an_outside_figure():
    import mnist_convnet

    step_ms, source = mnist_convnet.torch_step_ms({"rows": [{"name": "fit", "step_ms": 30.0}]})
    assert step_ms == pytest.approx(15.8)
    assert "outside figure" in source and "issue 16" in source and "install torch" in source
    measured = {"rows": [{"name": "torch", "step_ms": 12.5}]}
    assert mnist_convnet.torch_step_ms(measured) == (12.5, "measured in this run")


def test_results_and_readme_figures_name_no_machine_paths_or_bare_issue_figures():
    root = Path(__file__).resolve().parent.parent
    # The README's figures moved to the documentation site's pages.
    for name in ("docs/convolutional-networks.md", "docs/benchmarks.md", "benchmarks/RESULTS.md"):
        text = (root / name).read_text()
        commands = [line for line in text.splitlines() if "--data-dir" in line]
        assert commands, name
        for line in commands:  # a folder every reader has, not this machine's
            assert "/work/" not in line and "shared/datasets" not in line, line
        assert "issue 16 gives" not in text, name


def test_one_engine_step_equals_one_reference_step():
    """From the same weights on the same batch, `fit`, the functional loop and the
    reference make the same step (the benchmark would otherwise time different work)."""
    import mnist_convnet

    weights = mnist_convnet.initial_weights(seed=3)
    x, y = mnist_convnet.load_data(None, 16, seed=3)
    agreement = mnist_convnet.check_agreement(weights, x, y)
    for name in ("fit", "functional"):
        assert agreement[f"{name}_loss"] == pytest.approx(agreement["reference_loss"], rel=1e-5)
        assert agreement["max_weight_difference"][name] < 1e-5
    assert agreement["largest_update"] > 1e-4  # the step moved the weights: the check can fail
    assert agreement["engine_dtypes"] == ["float32"]


def test_mnist_convnet_quick_runs_every_contender(tmp_path):
    figures_path = tmp_path / "figures.json"
    done = run_script("mnist_convnet.py", "--quick", "--json", str(figures_path))
    for expected in ("vs numpy", "GFLOP/s", "step MiB", "matrix products alone", "PyTorch", "goes"):
        assert expected in done.stdout
    figures = json.loads(figures_path.read_text())
    rows = {row["name"]: row for row in figures["rows"]}
    assert list(rows)[:3] == ["fit", "functional", "numpy"]
    for name, row in rows.items():
        assert row["step_ms"] > 0 and row["gflops"] > 0
        if name != "torch":
            assert row["step_peak_bytes"] > 1_000_000  # a step of 64 images makes megabytes
    assert max(figures["agreement"]["max_weight_difference"].values()) < 1e-5
    assert figures["settings"]["steps"] == 3
    parts = figures["parts"]  # each layer's forward and backward alone, engine vs reference
    assert [part["part"] for part in parts] == [
        "conv 1 + relu", "max pool 1", "conv 2 + relu", "max pool 2", "conv 3 + relu",
    ]  # fmt: skip
    assert parts[2]["input_shape"] == [64, 13, 13, 32]
    assert all(part["engine_ms"] > 0 and part["numpy_ms"] > 0 for part in parts)
    assert done.stdout.count(" met") + done.stdout.count("NOT met") >= 3  # the three targets
    import mnist_convnet

    assert "runs differ" not in mnist_convnet.report(figures)  # one round: nothing to compare
    figures["rows"][0]["times_s"] = [1.0, 2.0]  # as when other work starts mid-run
    assert "runs differ by 2.0x between rounds" in mnist_convnet.report(figures)


def test_the_reference_gets_numpy_s_own_blas_threads_back():
    # The engine holds OpenBLAS to one thread in its process; the benchmark gives the
    # reference the count the engine found (its limit) while it runs.
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import mnist_convnet

    from tinygrad_edu import Tensor
    from tinygrad_edu.fused import threads

    Tensor(np.ones((2, 2))) @ Tensor(np.ones((2, 2)))  # the engine starts its policy

    def blas_threads() -> set[int]:
        return {
            info["num_threads"]
            for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas"
        }

    assert blas_threads() == {1}
    with mnist_convnet.reference_threads():
        assert blas_threads() == {threads.get_num_threads()}
    assert blas_threads() == {1}


def test_codelab_convnet_runs_quick_and_fit_agrees_with_its_reference(tmp_path):
    """The codelab convnet's benchmark: one step of fit and of the hand-written reference
    agree before anything is timed (the script exits with an error otherwise)."""
    figures_path = tmp_path / "codelab.json"
    done = run_script("codelab_convnet.py", "--quick", "--no-torch", "--json", str(figures_path))
    assert done.returncode == 0, done.stderr
    figures = json.loads(figures_path.read_text())
    assert set(figures["rows"]) == {"fit", "numpy"}
    agreement = figures["agreement"]
    assert abs(agreement["fit_loss"] - agreement["reference_loss"]) < 1e-4
    assert agreement["max_weight_difference"] < 1e-3 * agreement["largest_update"]
    assert "the NumPy reference, paired" in done.stdout


def test_the_codelab_reference_pads_as_keras_does():
    import codelab_convnet

    # out = ceil(size / stride); the odd padding goes after, as TensorFlow pads "same"
    assert codelab_convnet.same_padding(28, 6, 1) == (2, 3)
    assert codelab_convnet.same_padding(28, 5, 2) == (1, 2)
    assert codelab_convnet.same_padding(14, 4, 2) == (1, 1)
