"""Conv2D, and conv models in summary, plot_model and draw_graph, as Keras shows them."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, functional, manual_seed, nn
from tinygrad_edu.datasets import digits
from tinygrad_edu.testing import gradcheck


def book_convnet():
    """The Keras book's MNIST convnet (Deep Learning with Python, chapter 8)."""
    return nn.Sequential(
        [
            nn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
            nn.MaxPooling2D(2),
            nn.Conv2D(64, 3, activation="relu"),
            nn.MaxPooling2D(2),
            nn.Conv2D(128, 3, activation="relu"),
            nn.Flatten(),
            nn.Dense(10, activation="softmax"),
        ]
    )


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def test_summary_of_the_book_convnet_matches_keras():
    lines = summary_lines(book_convnet())
    rows = [line for line in lines if "(None" in line]
    names = [row.split()[0] for row in rows]
    counts = [row.split()[-1] for row in rows]
    assert names == [
        "conv2d_1",
        "max_pooling2d_1",
        "conv2d_2",
        "max_pooling2d_2",
        "conv2d_3",
        "flatten_1",
        "dense_1",
    ]
    assert counts == ["320", "0", "18,496", "0", "73,856", "0", "11,530"]
    assert "(None, 3, 3, 128)" in rows[4] and "(None, 13, 13, 32)" in rows[1]
    text = "\n".join(lines)
    assert "Total params: 104,202 " in text and "Non-trainable params: 0 " in text
    # the columns stay aligned although max_pooling2d_1 (MaxPooling2D) is a long label
    assert len({row.index("(None") for row in rows}) == 1


def test_plot_model_and_draw_graph_show_the_conv_layers():
    pytest.importorskip("graphviz")
    from tinygrad_edu.viz import draw_graph, plot_model

    model = book_convnet()
    dot = plot_model(model).source
    assert "conv2d_3\\nConv2D (relu)\\nparams: 73,856" in dot
    assert "(None, 5, 5, 64) | (None, 3, 3, 128)" in dot
    assert "max_pooling2d_1\\nMaxPooling2D" in dot and "104,202 parameters" in dot
    loss = model(np.zeros((2, 28, 28, 1), dtype=np.float32)).sum()
    graph = draw_graph(loss).source
    assert "SlidingWindows" in graph and "conv2d_1" in graph and "max_pooling2d_2" in graph


def test_conv2d_computes_activation_of_conv2d_plus_bias():
    manual_seed(0)
    layer = nn.Conv2D(3, (2, 3), strides=(1, 2), padding="same", activation="tanh")
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 4)).astype(np.float32)
    out = layer(x)
    assert layer.kernel.shape == (2, 3, 4, 3) and layer.bias.shape == (3,)
    assert out.shape == (2, 5, 3, 3) == (2, *layer.output_shape[1:])
    expected = functional.conv2d(Tensor(x), layer.kernel, layer.bias, (1, 2), "same").tanh()
    np.testing.assert_allclose(out.data, expected.data)


def test_conv2d_gradients_reach_kernel_and_bias():
    layer = nn.Conv2D(2, 2, input_shape=(4, 4, 1), dtype="float64")
    x = np.random.default_rng(1).standard_normal((2, 4, 4, 1))
    assert gradcheck(lambda k, b: functional.conv2d(Tensor(x), k, b), [layer.kernel, layer.bias])
    layer(x).sum().backward()
    assert layer.kernel.grad.shape == (2, 2, 1, 2) and layer.bias.grad.shape == (2,)


def test_conv2d_kernel_uses_glorot_fans_of_the_window():
    manual_seed(0)
    layer = nn.Conv2D(64, 3, input_shape=(11, 11, 32))
    limit = np.sqrt(6 / (3 * 3 * 32 + 3 * 3 * 64))  # fan_in + fan_out count the window
    values = layer.kernel.data
    assert values.min() >= -limit and values.max() <= limit and values.max() > 0.9 * limit
    np.testing.assert_array_equal(layer.bias.data, 0.0)


def test_conv2d_given_flat_rows_says_how_to_reshape():
    model = nn.Sequential([nn.Conv2D(8, 3, activation="relu"), nn.Flatten(), nn.Dense(10)])
    with pytest.raises(ValueError, match=r"conv2d_1.*\(None, 784\).*\(batch, 28, 28, 1\)"):
        model.predict(np.zeros((4, 784), dtype=np.float32), verbose=0)
    layer = nn.Conv2D(8, 3, input_shape=(28, 28, 1))
    with pytest.raises(ValueError, match=r"Conv2D.*\(batch, height, width, 1\).*\(4, 28, 28\)"):
        layer(np.zeros((4, 28, 28), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Conv2D.*5x5 kernel does not fit.*\(None, 4, 4, 1\)"):
        nn.Conv2D(2, 5, input_shape=(4, 4, 1))


def test_conv2d_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Conv2D: filters must be a positive integer"):
        nn.Conv2D(0, 3)
    with pytest.raises(ValueError, match="Conv2D: kernel_size must be a positive int"):
        nn.Conv2D(4, (3, 3, 3))
    with pytest.raises(ValueError, match="Conv2D: padding must be 'valid' or 'same'"):
        nn.Conv2D(4, 3, padding="causal")


def test_conv2d_get_config_gives_the_constructor_arguments():
    config = nn.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="c").get_config()
    # the arguments as given (derived in one place, saving.recorded_config), dtype included
    assert config == {
        "name": "c",
        "filters": 8,
        "kernel_size": 3,
        "strides": 2,
        "padding": "same",
        "activation": "relu",
    }
    assert nn.Conv2D(8, 3, dtype="float64", bias_initializer="ones").get_config() == {
        "name": "conv2d",
        "filters": 8,
        "kernel_size": 3,
        "bias_initializer": "ones",
        "dtype": "float64",
    }


def test_a_small_convnet_learns_the_digits():
    manual_seed(0)
    (x_train, y_train), _ = digits.load_data()
    x = (x_train[:300] / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)
    y = y_train[:300].astype(np.int64)
    model = nn.Sequential(
        [
            nn.Conv2D(8, 3, activation="relu", padding="same", input_shape=(8, 8, 1)),
            nn.MaxPooling2D(2),
            nn.Flatten(),
            nn.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=nn.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy"
    )
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert after < 0.6 * before
