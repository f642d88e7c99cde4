"""Sequential and Model: naming, building, calling, predict, evaluate, summary, weights."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, manual_seed, nn


def book_model(**first_layer_options):
    """The first model of the Keras book (MNIST digits)."""
    return nn.Sequential(
        [
            nn.Dense(512, activation="relu", **first_layer_options),
            nn.Dense(10, activation="softmax"),
        ]
    )


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


# ---------------------------------------------------------------- naming and building
def test_sequential_names_layers_per_model_by_type_from_1():
    model = nn.Sequential(
        [nn.Flatten(), nn.Dense(8), nn.Dropout(0.5), nn.Dense(2), nn.Dense(2, name="out")]
    )
    assert [layer.name for layer in model.layers] == [
        "flatten_1",
        "dense_1",
        "dropout_1",
        "dense_2",
        "out",
    ]
    # A second model counts from 1 again.
    other = nn.Sequential([nn.Dense(3)])
    assert other.layers[0].name == "dense_1"


def test_parameters_are_named_after_the_layers():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,)), nn.Dense(2, name="out")])
    names = [name for name, _ in model.named_parameters()]
    assert names == ["dense_1.kernel", "dense_1.bias", "out.kernel", "out.bias"]
    assert [p.name for p in model.parameters()] == names
    assert [p.shape for p in model.parameters()] == [(3, 4), (4,), (4, 2), (2,)]


def test_duplicate_layer_names_and_non_layers_are_refused():
    with pytest.raises(ValueError, match="'a' is already in the model"):
        nn.Sequential([nn.Dense(2, name="a"), nn.Dense(2, name="a")])
    layer = nn.Dense(2)
    with pytest.raises(ValueError, match="already in this model"):
        nn.Sequential([layer, layer])
    with pytest.raises(TypeError, match="expected a layer"):
        nn.Sequential([lambda x: x])


def test_sequential_builds_at_once_when_the_first_layer_knows_its_input_shape():
    assert book_model(input_shape=(784,)).built
    model = book_model()
    assert not model.built
    model.build((None, 784))
    assert model.built
    assert model.count_params() == 407_050


def test_add_and_pop():
    model = nn.Sequential()
    model.add(nn.Dense(4, input_shape=(3,)))
    assert model.built and model.count_params() == 16
    model.add(nn.Dense(2))  # built straight away: the input shape is known
    assert model.count_params() == 16 + 10
    assert model.predict(np.ones((5, 3)), verbose=0).shape == (5, 2)
    with pytest.raises(ValueError, match="Dense"):
        model.add(nn.Dense(2, input_shape=(7,)))  # does not fit after dense_2's 2 outputs
    assert len(model.layers) == 2
    removed = model.pop()
    assert removed.name == "dense_2"
    assert [layer.name for layer in model.layers] == ["dense_1"]
    assert model.count_params() == 16
    with pytest.raises(IndexError, match="no layers"):
        nn.Sequential().pop()


def test_build_needs_the_batch_axis_and_known_sizes():
    with pytest.raises(ValueError, match=r"e\.g\. \(None, 784\)"):
        book_model().build((784,))
    with pytest.raises(ValueError, match="no layers"):
        nn.Sequential().build((None, 3))


def test_unbuilt_model_gives_a_clear_error():
    model = book_model()
    for method in (model.count_params, model.get_weights, model.summary):
        with pytest.raises(ValueError, match="does not know its input shape"):
            method()


def test_calling_a_model_on_numpy_arrays_of_any_numeric_dtype():
    model = nn.Sequential([nn.Dense(2, input_shape=(3,))])
    images = np.arange(6, dtype=np.uint8).reshape(2, 3)
    output = model(images)
    assert isinstance(output, Tensor) and output.dtype == np.float32
    expected = images.astype(np.float32) @ model.layers[0].kernel.data + model.layers[0].bias.data
    np.testing.assert_allclose(output.data, expected, rtol=1e-6)


# ---------------------------------------------------------------- subclassing
class KerasStyle(nn.Model):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Dense(8, activation="relu")
        self.out = nn.Dense(3)

    def call(self, x):
        return self.out(self.hidden(x))


class TorchStyle(nn.Model):
    def __init__(self):
        super().__init__(name="torch_style")
        self.hidden = nn.Dense(8, activation="relu")
        self.out = nn.Dense(3)

    def forward(self, x):
        return self.out(self.hidden(x))


@pytest.mark.parametrize("model_class", [KerasStyle, TorchStyle])
def test_subclassed_models_register_their_layers(model_class):
    model = model_class()
    assert not model.built
    model.build((None, 4))
    assert model.built
    names = [name for name, _ in model.named_parameters()]
    assert names == ["hidden.kernel", "hidden.bias", "out.kernel", "out.bias"]
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3
    assert model.predict(np.zeros((5, 4)), verbose=0).shape == (5, 3)
    assert model.layers == [model.hidden, model.out]


def test_subclassed_model_is_built_by_its_first_call():
    model = KerasStyle()
    model(np.zeros((2, 4), dtype=np.float32))
    assert model.built
    lines = summary_lines(model)
    assert any("(Dense)" in line and "(None, 8)" in line and "40" in line for line in lines)
    assert "Total params: 67 " in "\n".join(lines)


def test_a_model_without_call_or_forward_says_what_to_override():
    class Empty(nn.Model):
        pass

    with pytest.raises(NotImplementedError, match=r"override call\(x\).*forward\(x\)"):
        Empty()(np.zeros((1, 2)))


def test_weights_made_in_init_need_no_build():
    class Linear(nn.Model):
        def __init__(self):
            super().__init__()
            self.w = Tensor(np.ones((2, 1), dtype=np.float32), requires_grad=True)

        def call(self, x):
            return x @ self.w

    model = Linear()
    assert model.count_params() == 2
    assert [w.shape for w in model.get_weights()] == [(2, 1)]


# ---------------------------------------------------------------- summary
def test_summary_of_the_keras_book_model(capsys):
    model = book_model(input_shape=(784,))
    assert model.summary() is None
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0] == f'Model: "{model.name}"'
    header = next(line for line in lines if "Layer (type)" in line)
    assert "Output Shape" in header and "Param #" in header
    dense_1 = next(line for line in lines if "dense_1 (Dense)" in line)
    dense_2 = next(line for line in lines if "dense_2 (Dense)" in line)
    assert "(None, 512)" in dense_1 and dense_1.endswith("401,920")
    assert "(None, 10)" in dense_2 and dense_2.endswith("5,130")
    # The columns line up under the header.
    assert dense_1.index("(None, 512)") == header.index("Output Shape")
    assert dense_1.index("401,920") == header.index("Param #")
    assert "Total params: 407,050 (1.55 MB)" in lines
    assert "Trainable params: 407,050 (1.55 MB)" in lines
    assert "Non-trainable params: 0 (0.00 B)" in lines
    assert summary_lines(model) == lines  # print_fn gets the same lines


def test_summary_counts_frozen_parameters_as_non_trainable():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,)), nn.Dense(2)])
    model.layers[0].kernel.requires_grad = False
    text = "\n".join(summary_lines(model))
    assert "Total params: 26 " in text
    assert "Trainable params: 14 " in text
    assert "Non-trainable params: 12 " in text


def test_summary_shows_layers_without_parameters():
    model = nn.Sequential([nn.Flatten(input_shape=(28, 28)), nn.Dense(10)])
    lines = summary_lines(model)
    flatten = next(line for line in lines if "flatten_1 (Flatten)" in line)
    assert "(None, 784)" in flatten and flatten.endswith(" 0")


# ---------------------------------------------------------------- predict and evaluate
def small_classifier():
    manual_seed(0)
    model = nn.Sequential(
        [nn.Dense(16, activation="relu", input_shape=(4,)), nn.Dropout(0.5), nn.Dense(3)]
    )
    model.compile(
        optimizer="sgd",
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_predict_returns_an_array_the_same_for_any_batch_size():
    model = small_classifier()
    x = np.random.default_rng(1).normal(size=(10, 4)).astype(np.float32)
    whole = model.predict(x, batch_size=100, verbose=0)
    assert isinstance(whole, np.ndarray) and whole.shape == (10, 3)
    np.testing.assert_allclose(model.predict(x, batch_size=3, verbose=0), whole, atol=1e-6)


def test_predict_and_evaluate_run_in_eval_mode_without_a_graph_and_restore_the_mode():
    model = small_classifier()
    x = np.ones((8, 4), dtype=np.float32)
    y = np.zeros(8, dtype=np.int64)
    model.train()  # so that putting the mode back is seen
    first = model.predict(x, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), first)  # Dropout is off
    assert model.training and all(m.training for m in model.modules())
    model.evaluate(x, y, verbose=0)
    assert model.training
    assert all(p.grad is None for p in model.parameters())
    model.eval()
    model.predict(x, verbose=0)
    assert not any(m.training for m in model.modules())


def test_evaluate_returns_a_float_or_a_list_with_metrics():
    model = small_classifier()
    x = np.random.default_rng(2).normal(size=(10, 4)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    loss, accuracy = model.evaluate(x, y, batch_size=10, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]
    logits = model.predict(x, verbose=0)
    expected_loss = np.mean(np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(10), y])
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy == pytest.approx(np.mean(logits.argmax(axis=1) == y))
    # Batch-size-weighted means: uneven batches (3, 3, 3, 1) give the same numbers.
    assert model.evaluate(x, y, batch_size=3, verbose=0) == pytest.approx([loss, accuracy])
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        {"loss": loss, "accuracy": accuracy}
    )
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.evaluate(x, np.zeros((10, 3)), verbose=0), float)


def test_evaluate_and_predict_print_a_progress_line(capsys):
    model = small_classifier()
    x, y = np.zeros((10, 4)), np.zeros(10, dtype=int)
    model.evaluate(x, y, batch_size=4)
    out = capsys.readouterr().out
    assert out.startswith("3/3 [==============================] - ")
    assert "- loss: " in out and "- accuracy: " in out and "\r" not in out
    model.predict(x, batch_size=5)
    assert capsys.readouterr().out.startswith("2/2 [")
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- input checks
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda m: m.predict(np.ones((3, 5))),
            r"predict: the model expects inputs of shape "
            r"\(None, 4\).*x has shape \(3, 5\)",
        ),
        (lambda m: m.predict(np.ones((0, 4))), r"predict: x is empty"),
        (lambda m: m.predict(np.array([[1.0, np.nan, 0, 0]])), r"predict: x .*NaN"),
        (
            lambda m: m.predict(np.ones((3, 4)), batch_size=0),
            r"predict: batch_size must be at "
            r"least 1, got 0",
        ),
        (
            lambda m: m.evaluate(np.ones((3, 4)), np.ones(2)),
            r"evaluate: x and y must have the "
            r"same number of samples.*\(3, 4\).*\(2,\)",
        ),
        (lambda m: m.evaluate(np.ones((3, 4)), None), r"evaluate: y is required"),
        (lambda m: m.predict(np.array([["a"] * 4])), r"predict: x must hold numbers"),
        (lambda m: m.predict(np.ones((3, 4)), verbose=3), r"verbose must be 0, 1, 2"),
    ],
)
def test_bad_inputs_get_clear_errors(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(small_classifier())


def huge_but_finite_batch():
    """float32 inputs whose squares overflow (1e60 > 3.4e38) though every value is finite."""
    x = np.ones((6, 4), dtype=np.float32)
    x[::2] = 1e30
    with np.errstate(over="ignore"):
        assert np.isinf((x * x).sum()) and np.isfinite(x).all()
    return x, np.array([0, 1, 2, 0, 1, 2])


def test_huge_but_finite_values_are_accepted():
    x, y = huge_but_finite_batch()
    model = small_classifier()
    model.compile(  # learning rate 0: only the input checks are under test here
        optimizer=nn.optimizers.SGD(learning_rate=0.0),
        loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    assert np.isfinite(model.predict(x, verbose=0)).all()
    assert np.isfinite(model.evaluate(x, y, verbose=0))
    assert np.isfinite(model.fit(x, y, epochs=1, verbose=0).history["loss"]).all()


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinity_among_huge_values_is_refused_at_its_index(method, bad):
    x, y = huge_but_finite_batch()
    x[3, 2] = bad
    x[5, 0] = np.nan
    model = small_classifier()
    call = {
        "fit": lambda: model.fit(x, y, epochs=1, verbose=0),
        "evaluate": lambda: model.evaluate(x, y, verbose=0),
        "predict": lambda: model.predict(x, verbose=0),
    }[method]
    before = model.get_weights()
    message = (
        rf"^{method}: x \(shape \(6, 4\)\) contains NaN or infinity \(2 values, the first at "
        rf"index \(3, 2\): {bad}\); clean the data first$"
    )
    with pytest.raises(ValueError, match=message):
        call()
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_nan_in_float_targets_is_refused_at_its_index(method):
    model = nn.Sequential([nn.Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = huge_but_finite_batch()
    targets = np.full((6, 1), 1e30, dtype=np.float32)
    targets[4, 0] = np.nan
    with pytest.raises(ValueError, match=rf"^{method}: y \(shape \(6, 1\)\).*index \(4, 0\): nan"):
        getattr(model, method)(x, targets, verbose=0)


def test_evaluate_needs_compile():
    model = nn.Sequential([nn.Dense(2, input_shape=(3,))])
    with pytest.raises(RuntimeError, match="evaluate: the model must be compiled"):
        model.evaluate(np.ones((2, 3)), np.ones((2, 2)))
    # predict does not.
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 2)


# ---------------------------------------------------------------- get/set weights
def test_get_weights_are_copies_in_parameter_order_and_set_weights_checks_shapes():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,)), nn.Dense(2)])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 4), (4,), (4, 2), (2,)]
    weights[0][...] = 7.0
    assert not np.any(model.layers[0].kernel.data == 7.0)
    model.set_weights(weights)
    np.testing.assert_array_equal(model.layers[0].kernel.data, 7.0)
    weights[0][...] = 8.0  # set_weights copied: no aliasing either
    np.testing.assert_array_equal(model.layers[0].kernel.data, 7.0)

    wrong = [w.T for w in weights]
    with pytest.raises(
        ValueError,
        match=r"weight 0 \('dense_1.kernel'\) has shape \(3, 4\) in "
        r"the model but the given array has shape \(4, 3\)",
    ):
        model.set_weights(wrong)
    np.testing.assert_array_equal(model.layers[0].kernel.data, 7.0)  # nothing changed
    with pytest.raises(ValueError, match="the model has 4 weight arrays but 3 were given"):
        model.set_weights(weights[:3])
    model.set_weights([w.astype(np.float64) for w in weights])
    assert all(p.dtype == np.float32 for p in model.parameters())


# ---------------------------------------------------------------- Keras's weight attributes
def test_weights_trainable_and_non_trainable_weights_are_properties_of_tensors():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,)), nn.BatchNormalization()])
    dense, norm = model.layers
    same = lambda got, expected: [id(w) for w in got] == [id(w) for w in expected]  # noqa: E731
    everything = [dense.kernel, dense.bias, norm.gamma, norm.beta]
    everything += [norm.moving_mean, norm.moving_variance]
    assert same(model.weights, everything)  # get_weights's order, the Tensors themselves
    assert all(isinstance(w, Tensor) for w in model.weights)
    assert same(model.trainable_weights, everything[:4])
    assert same(model.non_trainable_weights, everything[4:])
    assert same(norm.weights, everything[2:]) and same(dense.non_trainable_weights, [])
    assert same(norm.non_trainable_weights, [norm.moving_mean, norm.moving_variance])
    dense.bias.requires_grad = False  # frozen: no longer trainable
    assert same(model.trainable_weights, [dense.kernel, norm.gamma, norm.beta])
    assert same(dense.non_trainable_weights, [dense.bias])
    assert [w.data for w in model.weights][0] is dense.kernel.data


def test_sequential_input_and_output_shape_as_in_keras():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,)), nn.Dense(2)])
    assert model.input_shape == (None, 3) and model.output_shape == (None, 2)
    later = nn.Sequential([nn.Flatten(), nn.Dense(5)])
    with pytest.raises(AttributeError, match="input_shape: not known yet"):
        later.input_shape  # noqa: B018
    with pytest.raises(AttributeError, match="output_shape: the model is not built yet"):
        later.output_shape  # noqa: B018
    later(np.zeros((2, 3, 4), dtype=np.float32))
    assert later.input_shape == (None, 3, 4) and later.output_shape == (None, 5)


def test_a_subclassed_model_names_unnamed_layers_after_their_attributes():
    class TwoDense(nn.Model):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Dense(3)
            self.head = nn.Dense(2, name="out")  # a name given is kept
            self.blocks = [nn.Dense(3), nn.Dense(3)]

        def call(self, x):
            return self.head(self.encoder(x))

    model = TwoDense()
    model.build((None, 4))
    assert [layer.name for layer in model.layers] == ["encoder", "out", "blocks_0", "blocks_1"]
    names = [weight.name for weight in model.weights]
    assert names[:4] == ["encoder.kernel", "encoder.bias", "out.kernel", "out.bias"]
    text = "\n".join(summary_lines(model))
    assert " encoder (Dense) " in text and " out (Dense) " in text
    y = model(np.ones((1, 4), dtype=np.float32), training=False)
    assert y.grad_fn.scope == ("two_dense", "out")
    plain = nn.Dense(3)
    assert plain.name == "dense" and nn.Sequential([plain]).layers[0].name == "dense_1"
