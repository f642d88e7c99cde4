"""Layers: building from the first input, Dense, Flatten, Dropout, Activation."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.testing import gradcheck


def test_dense_builds_from_the_first_input() -> None:
    layer = nn.Dense(3)
    assert not layer.built and layer.kernel is None
    y = layer(Tensor(np.ones((5, 4), dtype=np.float32)))
    assert layer.built
    assert layer.kernel.shape == (4, 3) and layer.bias.shape == (3,)
    assert layer.kernel.requires_grad and layer.bias.requires_grad
    assert (layer.kernel.name, layer.bias.name) == ("dense.kernel", "dense.bias")
    assert layer.kernel.dtype == np.float32
    assert layer.input_shape == (None, 4) and layer.output_shape == (None, 3)
    assert y.shape == (5, 3)
    assert layer.count_params() == 4 * 3 + 3


def test_dense_with_input_shape_is_built_at_once() -> None:
    layer = nn.Dense(3, input_shape=(4,))
    assert layer.built and layer.kernel.shape == (4, 3)
    assert layer.input_shape == (None, 4) and layer.output_shape == (None, 3)


def test_dense_computes_activation_of_x_kernel_plus_bias() -> None:
    layer = nn.Dense(3, activation="relu", bias_initializer="ones", input_shape=(4,))
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    expected = np.maximum(x @ layer.kernel.data + 1.0, 0.0)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-6)


def test_dense_accepts_any_number_of_leading_axes_and_arrays() -> None:
    layer = nn.Dense(5, input_shape=(4,))
    x = np.random.default_rng(1).standard_normal((2, 3, 4)).astype(np.float32)
    y = layer(x)  # a plain array works too
    assert y.shape == (2, 3, 5)
    np.testing.assert_allclose(y.data, x @ layer.kernel.data + layer.bias.data, rtol=1e-6)
    assert layer.compute_output_shape((None, 3, 4)) == (None, 3, 5)


def test_dense_without_bias() -> None:
    layer = nn.Dense(2, use_bias=False, input_shape=(3,))
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["kernel"]
    assert layer.count_params() == 6


def test_dense_wrong_feature_size_names_layer_expected_and_got() -> None:
    layer = nn.Dense(3, input_shape=(4,), name="hidden")
    with pytest.raises(ValueError, match=r"Dense 'hidden'.*size 4.*\(4, 3\).*\(2, 5\)"):
        layer(Tensor(np.ones((2, 5), dtype=np.float32)))


@pytest.mark.parametrize("units", [0, -1, 2.5, True, "3"])
def test_dense_units_must_be_a_positive_integer(units: object) -> None:
    with pytest.raises(ValueError, match="units must be a positive integer"):
        nn.Dense(units)


def test_input_shape_must_be_positive_integers() -> None:
    with pytest.raises(ValueError, match=r"input_shape must be positive integers.*\(0,\)"):
        nn.Dense(3, input_shape=(0,))


def test_initializers_are_used_by_name_and_seeded() -> None:
    manual_seed(3)
    first = nn.Dense(4, kernel_initializer="he_normal", input_shape=(5,)).kernel.data.copy()
    manual_seed(3)
    second = nn.Dense(4, kernel_initializer="he_normal", input_shape=(5,)).kernel.data
    np.testing.assert_array_equal(first, second)
    ones = nn.Dense(2, kernel_initializer="ones", input_shape=(2,))
    np.testing.assert_array_equal(ones.kernel.data, np.ones((2, 2)))


def test_gradcheck_through_dense_for_input_kernel_and_bias() -> None:
    layer = nn.Dense(3, activation="tanh", input_shape=(4,), dtype="float64")
    rng = np.random.default_rng(2)

    def run(x: Tensor, kernel: Tensor, bias: Tensor) -> Tensor:
        layer.kernel, layer.bias = kernel, bias
        return layer(x)

    assert gradcheck(
        run,
        [rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)],
        atol=1e-7,
        rtol=1e-6,
    )


def test_dense_on_a_batch_of_rows_records_one_linear_node() -> None:
    x = Tensor(np.ones((2, 4), dtype=np.float32))
    layer = nn.Dense(3, bias_initializer="ones")
    y = layer(x)
    node = y.grad_fn
    assert node.name == "Linear" and node.scope == ("dense",)
    assert node.inputs == (x, layer.kernel, layer.bias)
    np.testing.assert_allclose(y.data, x.data @ layer.kernel.data + 1.0, rtol=1e-6)

    relu_layer = nn.Dense(3, activation="relu")
    hidden = relu_layer(x)  # one fused LinearRelu node (the speed seam)
    assert hidden.grad_fn.name == "LinearRelu" and hidden.grad_fn.scope == (relu_layer.name,)
    assert hidden.grad_fn.inputs == (x, relu_layer.kernel, relu_layer.bias)
    expected = np.maximum(x.data @ relu_layer.kernel.data + relu_layer.bias.data, 0)
    np.testing.assert_allclose(hidden.data, expected, rtol=1e-6)
    on_sequences = relu_layer(Tensor(np.ones((2, 5, 4), dtype=np.float32)))  # not 2-D: its twin
    assert on_sequences.grad_fn.name == "Relu"
    assert on_sequences.grad_fn.inputs[0].grad_fn.name == "Add"
    other = nn.Dense(3, activation="tanh")(x)  # other activations stay nodes of their own
    assert other.grad_fn.name == "Tanh" and other.grad_fn.inputs[0].grad_fn.name == "Linear"


def test_dense_records_matmul_and_add_where_linear_does_not_fit() -> None:
    sequences = nn.Dense(3)(Tensor(np.ones((2, 5, 4), dtype=np.float32)))
    assert sequences.grad_fn.name == "Add"
    assert sequences.grad_fn.inputs[0].grad_fn.name == "MatMul"
    no_bias = nn.Dense(3, use_bias=False)(Tensor(np.ones((2, 4), dtype=np.float32)))
    assert no_bias.grad_fn.name == "MatMul"


def test_count_params_of_an_unbuilt_layer_is_an_error() -> None:
    with pytest.raises(ValueError, match="'dense' is not built yet"):
        nn.Dense(3).count_params()


def test_flatten_keeps_the_batch_axis() -> None:
    layer = nn.Flatten()
    y = layer(Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4)))
    assert y.shape == (2, 12)
    np.testing.assert_array_equal(y.data[1], np.arange(12, 24))
    assert layer.output_shape == (None, 12)
    assert nn.Flatten(input_shape=(28, 28)).output_shape == (None, 784)
    assert layer.parameters() == [] and layer.count_params() == 0


def test_flatten_passes_gradients_back_in_the_input_shape() -> None:
    x = Tensor(np.ones((2, 3, 4), dtype=np.float32), requires_grad=True)
    nn.Flatten()(x).sum().backward()
    assert x.grad.shape == (2, 3, 4)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1, 1.5, "0.5", True, None])
def test_dropout_rate_must_be_in_zero_one(rate: object) -> None:
    with pytest.raises(ValueError, match=r"Dropout: rate must be a number in \[0, 1\)"):
        nn.Dropout(rate)


def test_dropout_zeroes_about_rate_and_scales_the_rest() -> None:
    manual_seed(0)
    layer = nn.Dropout(0.3)
    x = np.ones((200, 500), dtype=np.float32)
    y = layer(Tensor(x), training=True).data
    assert y.dtype == np.float32
    kept = y != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.01  # inverted dropout keeps the expected value


def test_dropout_gradient_is_the_same_mask_and_scale() -> None:
    manual_seed(1)
    x = Tensor(np.full((4, 50), 2.0, dtype=np.float32), requires_grad=True)
    y = nn.Dropout(0.5)(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, y.data / 2.0)


def test_dropout_passes_through_in_eval_mode_or_with_training_false() -> None:
    layer = nn.Dropout(0.5)
    x = Tensor(np.ones((3, 4), dtype=np.float32))
    assert layer.eval()(x) is x
    assert layer.train()(x, training=False) is x
    assert nn.Dropout(0.0)(x) is x
    layer.eval()
    assert (layer(x, training=True).data != 1).any()


def test_dropout_masks_are_reproducible_with_manual_seed() -> None:
    x = Tensor(np.ones((10, 10), dtype=np.float32))
    manual_seed(42)
    first = nn.Dropout(0.5)(x, training=True).data
    manual_seed(42)
    second = nn.Dropout(0.5)(x, training=True).data
    third = nn.Dropout(0.5)(x, training=True).data
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(second, third)


def test_activation_layer_by_name_or_callable() -> None:
    x = Tensor(np.array([[-1.0, 2.0]], dtype=np.float32))
    np.testing.assert_array_equal(nn.Activation("relu")(x).data, [[0.0, 2.0]])
    np.testing.assert_array_equal(nn.Activation(lambda t: t * 2)(x).data, [[-2.0, 4.0]])
    assert nn.Activation("tanh", input_shape=(2,)).output_shape == (None, 2)
    with pytest.raises(ValueError, match="Unknown activation 'rellu'.*relu"):
        nn.Activation("rellu")


def test_dense_with_unknown_activation_lists_valid_names() -> None:
    with pytest.raises(
        ValueError,
        match="valid names: elu, gelu, hard_sigmoid, hard_silu, hard_swish, leaky_relu, linear",
    ):
        nn.Dense(3, activation="sigmoidd")


def test_a_keras_style_custom_layer_with_build_and_call() -> None:
    class Scale(nn.Layer):
        def build(self, input_shape):
            self.add_weight("scale", (input_shape[-1],), "ones")
            # no super().build(): the layer is still marked built

        def call(self, x):
            return x * self.scale

    layer = Scale()
    y = layer(Tensor(np.full((2, 3), 2.0, dtype=np.float32)))
    np.testing.assert_array_equal(y.data, np.full((2, 3), 2.0))
    assert layer.built and layer.count_params() == 3 and layer.scale.name == "scale.scale"
    assert layer.output_shape == (None, 3)


def test_a_layer_without_forward_or_call_says_so() -> None:
    with pytest.raises(NotImplementedError, match=r"forward\(self, x\) \(or call"):
        nn.Layer()(Tensor(np.ones((1, 2))))


# ---------------------------------------------------------------- input dtype (issue 15)
class TwoDense(nn.Model):
    def __init__(self, first):
        super().__init__()
        self.first, self.second = first, nn.Dense(1)

    def call(self, x):
        return self.second(self.first(x))


@pytest.mark.parametrize("container", ["layer", "sequential", "subclassed model"])
@pytest.mark.parametrize("input_dtype", [np.float64, np.float16, np.float32])
def test_layers_cast_floating_inputs_to_their_dtype_whatever_the_container(container, input_dtype):
    # Keras casts floating inputs to the layer's dtype: a float64 Tensor into a float32 model
    # gives float32, exactly as the same values as an ndarray do.
    manual_seed(0)
    layer = nn.Dense(2, input_shape=(3,))
    model = {
        "layer": lambda: layer,
        "sequential": lambda: nn.Sequential([layer, nn.Dense(1)]),
        "subclassed model": lambda: TwoDense(layer),
    }[container]()
    values = np.arange(6.0).reshape(2, 3).astype(input_dtype)
    x = Tensor(values, requires_grad=True)
    from_tensor, from_array = model(x), model(values)
    assert from_tensor.dtype == from_array.dtype == np.float32
    np.testing.assert_array_equal(from_tensor.data, from_array.data)
    from_tensor.sum().backward()
    assert x.grad.dtype == input_dtype  # the cast's gradient goes back in the input's dtype


def test_a_float64_layer_keeps_float64_inputs_and_casts_float32_ones():
    layer = nn.Dense(2, input_shape=(3,), dtype="float64")
    assert layer(Tensor(np.ones((1, 3), dtype=np.float32))).dtype == np.float64
