"""Our conv, pooling and resizing layers against real Keras 3, through stored golden files.

tests/fixtures/conv_golden.npz holds, for each case, the input, Keras's weights
(in its order), Keras's float64 output and Keras's gradients of a weighted sum of
the output; tests/fixtures/make_conv_golden.py
made it with Keras 3 on JAX and says how to rerun it. No Keras is needed here.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

from tinygrad_edu import Tensor, keras, nn

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "fixtures" / "conv_golden.npz")
CASES = sorted({key.split("/")[0] for key in GOLDEN.files})


def stored(case):
    layer = str(GOLDEN[f"{case}/layer"])
    arguments = json.loads(str(GOLDEN[f"{case}/arguments"]))
    weights = []
    while f"{case}/weights_{len(weights)}" in GOLDEN.files:
        weights.append(GOLDEN[f"{case}/weights_{len(weights)}"])
    return layer, arguments, GOLDEN[f"{case}/x"], weights, GOLDEN[f"{case}/y"]


def test_the_golden_file_covers_every_new_layer():
    layers = {stored(case)[0] for case in CASES}
    assert layers >= {
        "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
        "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
        "GlobalMaxPooling2D", "ZeroPadding2D", "Cropping2D", "UpSampling2D", "ZeroPadding1D",
        "Cropping1D", "UpSampling1D",
    }  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_our_layer_with_keras_weights_gives_keras_output(case):
    layer_name, arguments, x, weights, expected = stored(case)
    layer = getattr(keras.layers, layer_name)(**arguments, dtype="float64")
    model = nn.Sequential([layer])
    model.build((None, *x.shape[1:]))
    # the same weights, in the same order and shapes, as Keras's get_weights()
    assert [w.shape for w in model.get_weights()] == [w.shape for w in weights]
    model.set_weights(weights)
    mask = GOLDEN[f"{case}/mask"] if f"{case}/mask" in GOLDEN.files else None
    out = layer(x) if mask is None else layer(x, mask=mask)
    assert out.shape == expected.shape and layer.output_shape[1:] == expected.shape[1:]
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_our_gradients_are_keras_gradients(case):
    layer_name, arguments, x, weights, _ = stored(case)
    layer = getattr(keras.layers, layer_name)(**arguments, dtype="float64")
    nn.Sequential([layer]).build((None, *x.shape[1:]))
    for (_, weight), value in zip(layer.named_weights(), weights):
        weight.data[...] = value
    x = Tensor(x, requires_grad=True)
    mask = GOLDEN[f"{case}/mask"] if f"{case}/mask" in GOLDEN.files else None
    out = layer(x) if mask is None else layer(x, mask=mask)
    (out * GOLDEN[f"{case}/cotangent"]).sum().backward()
    np.testing.assert_allclose(x.grad.data, GOLDEN[f"{case}/grad_x"], rtol=1e-10, atol=1e-12)
    for number, (name, weight) in enumerate(layer.named_weights()):
        expected = GOLDEN[f"{case}/grad_weights_{number}"]
        np.testing.assert_allclose(weight.grad.data, expected, rtol=1e-10, atol=1e-12, err_msg=name)
