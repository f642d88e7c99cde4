"""Losses: values against NumPy formulas, the logits path under softmax/sigmoid, errors."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, enable_grad, nn, no_grad
from tinygrad_edu.nn import activations, keras_ops, losses
from tinygrad_edu.nn.activations import logits_under
from tinygrad_edu.testing import gradcheck

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((6, 4))
LABELS = np.array([0, 3, 1, 1, 2, 0])
ONE_HOT = np.eye(4)[LABELS]
EPS = 1e-7


def np_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------- values
def test_sparse_categorical_crossentropy_from_probabilities() -> None:
    probabilities = np_softmax(LOGITS)
    expected = -np.mean(np.log(probabilities[np.arange(6), LABELS]))
    got = losses.sparse_categorical_crossentropy(LABELS, Tensor(probabilities))
    assert got.shape == () and got.item() == pytest.approx(expected, rel=1e-12)


def test_sparse_categorical_crossentropy_from_logits() -> None:
    expected = -np.mean(np_log_softmax(LOGITS)[np.arange(6), LABELS])
    got = losses.sparse_categorical_crossentropy(LABELS, Tensor(LOGITS), from_logits=True)
    assert got.item() == pytest.approx(expected, rel=1e-12)


def test_probabilities_are_renormalised_and_clipped_as_in_keras() -> None:
    probabilities = np.array([[0.0, 2.0, 2.0], [1.0, 1.0, 2.0]])  # rows don't sum to 1
    labels = np.array([0, 2])
    normalised = np.clip(probabilities / probabilities.sum(1, keepdims=True), EPS, 1 - EPS)
    expected = -np.mean(np.log(normalised[[0, 1], labels]))
    got = losses.sparse_categorical_crossentropy(labels, Tensor(probabilities))
    assert got.item() == pytest.approx(expected, rel=1e-12)
    expected_cce = -np.mean((np.eye(3)[labels] * np.log(normalised)).sum(1))
    got_cce = losses.categorical_crossentropy(np.eye(3)[labels], Tensor(probabilities))
    assert got_cce.item() == pytest.approx(expected_cce, rel=1e-12)


def test_categorical_crossentropy_with_soft_targets() -> None:
    targets = np_softmax(RNG.standard_normal((6, 4)))
    expected = -np.mean((targets * np_log_softmax(LOGITS)).sum(-1))
    from_logits = losses.categorical_crossentropy(targets, Tensor(LOGITS), from_logits=True)
    from_probs = losses.categorical_crossentropy(targets, Tensor(np_softmax(LOGITS)))
    assert from_logits.item() == pytest.approx(expected, rel=1e-12)
    assert from_probs.item() == pytest.approx(expected, rel=1e-9)


def test_binary_crossentropy_from_probabilities_and_logits() -> None:
    z = RNG.standard_normal((5, 3))
    y = (RNG.random((5, 3)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert losses.binary_crossentropy(y, Tensor(p)).item() == pytest.approx(expected, rel=1e-9)
    got = losses.binary_crossentropy(y, Tensor(z), from_logits=True)
    assert got.item() == pytest.approx(expected, rel=1e-12)


def test_binary_crossentropy_clips_probabilities() -> None:
    got = losses.binary_crossentropy(np.array([1.0, 0.0]), Tensor(np.array([0.0, 1.0])))
    assert got.item() == pytest.approx(-np.log(EPS), rel=1e-6)


def test_mean_squared_and_absolute_error() -> None:
    y_true, y_pred = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    mse = losses.mean_squared_error(y_true, Tensor(y_pred)).item()
    mae = losses.mean_absolute_error(y_true, Tensor(y_pred)).item()
    assert mse == pytest.approx(np.mean((y_true - y_pred) ** 2), rel=1e-12)
    assert mae == pytest.approx(np.mean(np.abs(y_true - y_pred)), rel=1e-12)
    assert losses.mse is losses.mean_squared_error and losses.mae is losses.mean_absolute_error


def test_a_trailing_axis_of_one_does_not_broadcast_to_a_matrix() -> None:
    y_true = np.array([1.0, 2.0, 3.0])
    y_pred = Tensor(np.array([[1.5], [2.0], [2.0]]))
    expected = np.mean([0.25, 0.0, 1.0])  # not the mean of a 3 x 3 broadcast
    assert losses.mse(y_true, y_pred).item() == pytest.approx(expected)
    assert losses.mse(y_true.reshape(3, 1), Tensor(y_pred.data.reshape(3))).item() == (
        pytest.approx(expected)
    )
    y = np.array([1.0, 0.0])
    assert losses.binary_crossentropy(y, Tensor(np.array([[0.9], [0.2]]))).item() == (
        pytest.approx(-np.mean(np.log([0.9, 0.8])))
    )


def test_sparse_labels_may_be_n_by_1_or_integer_valued_floats() -> None:
    expected = losses.sparse_categorical_crossentropy(LABELS, Tensor(LOGITS), True).item()
    for labels in (LABELS.reshape(-1, 1), LABELS.astype(np.float32), LABELS.astype(np.uint8)):
        got = losses.sparse_categorical_crossentropy(labels, Tensor(LOGITS), from_logits=True)
        assert got.item() == expected


def test_sparse_works_with_extra_leading_axes() -> None:
    logits = RNG.standard_normal((2, 3, 4))
    labels = np.array([[0, 1, 2], [3, 3, 0]])
    expected = -np.mean(np.take_along_axis(np_log_softmax(logits), labels[..., None], -1))
    got = losses.sparse_categorical_crossentropy(labels, Tensor(logits), from_logits=True)
    assert got.item() == pytest.approx(expected, rel=1e-12)


def test_targets_take_the_dtype_of_the_prediction() -> None:
    y_pred = Tensor(np_softmax(LOGITS).astype(np.float32), requires_grad=True)
    for loss in (losses.categorical_crossentropy, losses.mse, losses.binary_crossentropy):
        value = loss(ONE_HOT, y_pred)  # float64 targets
        assert value.dtype == np.float32
    assert losses.sparse_categorical_crossentropy(LABELS, y_pred).dtype == np.float32


def test_y_true_may_be_a_tensor() -> None:
    got = losses.mse(Tensor(np.ones(3)), Tensor(np.zeros(3)))
    assert got.item() == 1.0


# ---------------------------------------------------------------- the logits under softmax
def test_logits_under_finds_the_logits_an_activation_left_on_its_last_axis_output() -> None:
    logits = Tensor(np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]]), requires_grad=True)
    assert logits_under("softmax", activations.softmax(logits, axis=-1)) is logits
    assert logits_under("softmax", activations.softmax(logits, axis=1)) is logits
    assert logits_under("softmax", activations.softmax(logits, axis=0)) is None  # the wrong axis
    assert logits_under("softmax", logits.exp() / logits.exp().sum(axis=-1, keepdims=True)) is None
    assert logits_under("softmax", Tensor(np_softmax(logits.data))) is None  # plain values
    assert logits_under("sigmoid", activations.softmax(logits)) is None  # another activation
    assert logits_under("sigmoid", activations.sigmoid(logits)) is logits
    assert logits_under("softmax", keras_ops.softmax(logits)) is logits  # keras.ops too
    assert logits_under("sigmoid", keras_ops.sigmoid(logits)) is logits
    # the engine's own softmax leaves nothing: finding logits is the losses' business (nn)
    assert logits_under("softmax", logits.softmax()) is None
    with no_grad():  # no graph: the output still knows its logits
        assert logits_under("softmax", activations.softmax(logits)) is logits


def test_a_softmax_output_uses_the_logits_underneath() -> None:
    logits = Tensor(LOGITS, requires_grad=True)
    probabilities = activations.softmax(logits)
    loss = losses.sparse_categorical_crossentropy(LABELS, probabilities)
    # one fused softmax + cross-entropy node on the logits: the softmax node is not in
    # the loss's graph, and the whole gradient goes to the logits
    order = [t.grad_fn.name for t in _graph(loss) if t.grad_fn is not None]
    assert order == ["SparseSoftmaxCrossEntropy"]
    assert loss.grad_fn.inputs == (logits,)
    loss.backward()
    expected_grad = (np_softmax(LOGITS) - ONE_HOT) / 6
    np.testing.assert_allclose(logits.grad.data, expected_grad, rtol=1e-10, atol=1e-14)


def _graph(root: Tensor) -> list[Tensor]:
    from tinygrad_edu.viz.graph import topological_order

    def parents(tensor: Tensor) -> list[Tensor]:
        creator = tensor.grad_fn
        return [t for t in creator.inputs if t.requires_grad] if creator is not None else []

    return topological_order([root], parents)


@pytest.mark.parametrize(
    "loss, targets",
    [
        (losses.sparse_categorical_crossentropy, np.array([1, 0])),
        (losses.categorical_crossentropy, np.eye(3)[[1, 0]]),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_softmax_gives_finite_loss_and_gradient(loss, targets, dtype) -> None:
    logits = Tensor(np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]], dtype=dtype), True)
    value = loss(targets, activations.softmax(logits))
    value.backward()
    assert value.item() == pytest.approx(1000.0)  # -log_softmax is 1000 for both samples
    assert np.all(np.isfinite(logits.grad.data))
    expected_grad = (np_softmax(logits.data.astype(float)) - np.eye(3)[[1, 0]]) / 2
    np.testing.assert_allclose(logits.grad.data, expected_grad, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_sigmoid_gives_finite_binary_loss_and_gradient(dtype) -> None:
    logits = Tensor(np.array([1000.0, -1000.0, 1000.0, 0.0], dtype=dtype), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0, 1.0])
    value = losses.binary_crossentropy(y, activations.sigmoid(logits))
    value.backward()
    assert value.item() == pytest.approx((1000 + 1000 + 0 + np.log(2)) / 4)
    np.testing.assert_allclose(logits.grad.data, np.array([1, -1, 0, -0.5]) / 4, atol=1e-7)


def test_probabilities_not_made_by_a_softmax_or_sigmoid_are_clipped_instead() -> None:
    # Issue 15 changed this test: a softmax or sigmoid output now leads to its logits with
    # or without a graph (see the test below); clipping is for probabilities from elsewhere.
    logits = Tensor(np.array([[1000.0, 0.0, -1000.0]]), requires_grad=True)
    with no_grad():
        probabilities = Tensor(activations.softmax(logits).data)  # the values only, from nowhere
        value = losses.sparse_categorical_crossentropy(np.array([2]), probabilities)
        binary = losses.binary_crossentropy(
            np.array([1.0]), Tensor(activations.sigmoid(Tensor([-1000.0])).data)
        )
    assert value.item() == pytest.approx(-np.log(EPS))
    assert binary.item() == pytest.approx(-np.log(EPS), rel=1e-6)


@pytest.mark.parametrize("recorded", [True, False])
def test_a_softmax_or_sigmoid_output_gives_the_same_loss_with_or_without_a_graph(recorded) -> None:
    # Issue 15, kind 5: the loss reaches the logits under the output whether or not the
    # graph was recorded (validation and evaluate run under no_grad).
    logits = Tensor(np.array([[1000.0, 0.0, -1000.0]]), requires_grad=True)
    with enable_grad() if recorded else no_grad():
        sparse = losses.sparse_categorical_crossentropy(np.array([2]), activations.softmax(logits))
        dense = losses.categorical_crossentropy(
            np.array([[0.0, 0.0, 1.0]]), activations.softmax(logits)
        )
        binary = losses.binary_crossentropy(np.array([0.0]), activations.sigmoid(Tensor([45.0])))
    assert sparse.item() == pytest.approx(2000.0)
    assert dense.item() == pytest.approx(2000.0)
    assert binary.item() == pytest.approx(45.0)


def test_softmax_over_another_axis_is_not_taken_for_logits() -> None:
    logits = Tensor(LOGITS, requires_grad=True)
    probabilities = logits.softmax(axis=0)
    got = losses.categorical_crossentropy(ONE_HOT, probabilities).item()
    p = np_softmax(LOGITS.T).T
    expected = -np.mean((ONE_HOT * np.log(p / p.sum(1, keepdims=True))).sum(1))
    assert got == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- gradients through Dense
@pytest.mark.parametrize(
    "loss, targets, activation",
    [
        (losses.SparseCategoricalCrossentropy(), np.array([0, 2, 1, 2, 0]), "softmax"),
        (losses.SparseCategoricalCrossentropy(from_logits=True), np.array([0, 2, 1, 2, 0]), None),
        (losses.CategoricalCrossentropy(), np.eye(3)[[0, 2, 1, 2, 0]], "softmax"),
        (losses.CategoricalCrossentropy(from_logits=True), np.eye(3)[[1, 1, 0, 2, 0]], None),
        (losses.BinaryCrossentropy(), (np.arange(15).reshape(5, 3) % 2), "sigmoid"),
        (losses.BinaryCrossentropy(from_logits=True), (np.arange(15).reshape(5, 3) % 3 == 0), None),
        (losses.MeanSquaredError(), np.linspace(-1, 1, 15).reshape(5, 3), "tanh"),
        (losses.MeanAbsoluteError(), np.linspace(-1, 1, 15).reshape(5, 3) + 0.03, None),
    ],
)
def test_gradcheck_through_dense_and_each_loss(loss, targets, activation) -> None:
    layer = nn.Dense(3, activation=activation, input_shape=(4,), dtype="float64")
    rng = np.random.default_rng(4)

    def run(x: Tensor, kernel: Tensor, bias: Tensor) -> Tensor:
        layer.kernel, layer.bias = kernel, bias
        return loss(targets, layer(x))

    inputs = [rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)]
    assert gradcheck(run, inputs, atol=1e-7, rtol=1e-6)


def test_gradcheck_of_the_probability_path() -> None:
    probabilities = np_softmax(LOGITS)  # a leaf: no softmax node, so the clipped formula is used
    assert gradcheck(lambda p: losses.categorical_crossentropy(ONE_HOT, p), [probabilities])
    assert gradcheck(lambda p: losses.sparse_categorical_crossentropy(LABELS, p), [probabilities])
    binary_targets = (RNG.random((3, 2)) > 0.5).astype(float)
    p = RNG.uniform(0.1, 0.9, (3, 2))
    assert gradcheck(lambda p: losses.binary_crossentropy(binary_targets, p), [p])


# ---------------------------------------------------------------- lookup
def test_get_by_name_instance_class_or_function() -> None:
    assert isinstance(
        losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy
    )
    assert losses.get("mse").name == "mean_squared_error"
    assert losses.get("mae").name == "mean_absolute_error"
    instance = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.CategoricalCrossentropy), losses.CategoricalCrossentropy)
    assert losses.get(losses.mean_squared_error) is losses.mean_squared_error


def test_loss_objects_have_keras_names_and_settings() -> None:
    assert losses.SparseCategoricalCrossentropy.name == "sparse_categorical_crossentropy"
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert loss(LABELS, Tensor(LOGITS)).item() == pytest.approx(
        losses.sparse_categorical_crossentropy(LABELS, Tensor(LOGITS), from_logits=True).item()
    )
    assert repr(loss) == "SparseCategoricalCrossentropy(from_logits=True)"


def test_canonical_name() -> None:
    assert losses.canonical_name("mse") == "mean_squared_error"
    assert losses.canonical_name(losses.BinaryCrossentropy()) == "binary_crossentropy"
    assert losses.canonical_name(losses.categorical_crossentropy) == "categorical_crossentropy"
    assert losses.canonical_name(lambda y, p: p) is None


def test_unknown_loss_names_list_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="Unknown loss 'crossentropy'; valid names: binary_cro"):
        losses.get("crossentropy")
    with pytest.raises(TypeError, match="expected a loss name, a Loss or a callable, got int"):
        losses.get(1)


# ---------------------------------------------------------------- errors
SCCE = "sparse_categorical_crossentropy"


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 1, 4]), rf"{SCCE}: class indices must lie in \[0, 4\).*got \[4\]"),
        (np.array([0, -1, 2]), r"must lie in \[0, 4\).*got \[-1\]"),
        (np.array([0.0, 1.5, 2.0]), rf"{SCCE}: y_true must be whole-number class indices.*1.5"),
        (np.array([0.0, np.nan, 2.0]), "whole-number class indices, got \\[nan\\]"),
        (np.array([0, 1, 2, 3]), rf"{SCCE}: y_true has shape \(4,\) but y_pred has shape \(3, 4\)"),
        (np.eye(4)[[0, 1, 2]], "y_true looks one-hot: use categorical_crossentropy"),
    ],
)
def test_sparse_label_errors(labels: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        losses.sparse_categorical_crossentropy(labels, Tensor(LOGITS[:3]), from_logits=True)


def test_sparse_labels_of_the_wrong_kind() -> None:
    with pytest.raises(TypeError, match=f"{SCCE}: y_true must be integer class indices.*bool"):
        losses.sparse_categorical_crossentropy(np.array([True, False]), Tensor(LOGITS[:2]))
    with pytest.raises(TypeError, match="categorical_crossentropy: y_true must hold numbers"):
        losses.categorical_crossentropy(np.array([["a"] * 4] * 6), Tensor(LOGITS))


@pytest.mark.parametrize(
    "loss", [losses.categorical_crossentropy, losses.binary_crossentropy, losses.mse, losses.mae]
)
def test_shape_mismatch_names_the_loss_and_both_shapes(loss) -> None:
    with pytest.raises(
        ValueError,
        match=rf"{loss.__name__}: y_true has shape \(5, 4\) but "
        r"y_pred has shape \(6, 4\); expected the same shape",
    ):
        loss(np.ones((5, 4)), Tensor(LOGITS))


def test_categorical_with_integer_labels_suggests_the_sparse_loss() -> None:
    with pytest.raises(ValueError, match="looks like class indices: use sparse_categorical"):
        losses.categorical_crossentropy(LABELS, Tensor(LOGITS))


def test_an_empty_batch_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"mean_squared_error: y_pred is empty \(shape \(0, 3\)\)"):
        losses.mse(np.zeros((0, 3)), Tensor(np.zeros((0, 3))))


def test_integer_predictions_are_rejected() -> None:
    with pytest.raises(TypeError, match="mean_absolute_error: y_pred must hold floating-point"):
        losses.mae(np.ones(3), np.array([1, 2, 3]))


# ---------------------------------------------------------------- Dense on images (issue 15)
@pytest.mark.parametrize(
    "loss, y, units, activation",
    [
        ("sparse_categorical_crossentropy", np.zeros(4, np.int64), 10, "softmax"),
        ("categorical_crossentropy", np.eye(10)[[0, 1, 2, 3]], 10, "softmax"),
        ("binary_crossentropy", np.zeros((4, 1)), 1, "sigmoid"),
        ("mse", np.zeros(4), 1, None),
    ],
)
def test_dense_on_images_without_flatten_suggests_flatten(loss, y, units, activation) -> None:
    model = nn.Sequential([nn.Dense(units, activation=activation)])
    model.compile(optimizer="sgd", loss=loss)
    with pytest.raises(ValueError, match=r"put Flatten\(\) before the Dense layers") as error:
        model.fit(np.zeros((4, 28, 28), np.float32), y, verbose=0)
    assert "(4, 28," in str(error.value)
    assert "expected y_true of shape (4, 28)" not in str(error.value)  # not "reshape the labels"
