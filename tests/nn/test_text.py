"""Embedding and TextVectorization."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, keras, nn
from tinygrad_edu.keras.layers import TextVectorization
from tinygrad_edu.nn.saving import deserialize_object, serialize_object


def test_embedding_looks_up_rows_and_adds_gradients_of_repeated_ids():
    layer = nn.Embedding(5, 3, dtype="float64")
    ids = np.array([[1, 4, 1]])
    out = layer(ids)
    assert out.shape == (1, 3, 3)
    np.testing.assert_array_equal(out.numpy()[0, 0], layer.embeddings.numpy()[1])
    out.sum().backward()
    np.testing.assert_array_equal(layer.embeddings.grad.numpy()[:, 0], [0, 2, 0, 0, 1])


def test_embedding_mask_zero_and_float_ids_from_fit():
    layer = nn.Embedding(5, 2, mask_zero=True)
    ids = np.array([[3, 0, 2]], dtype=np.float32)  # fit hands over float arrays
    np.testing.assert_array_equal(layer.compute_mask(Tensor(ids)), [[True, False, True]])
    assert layer(ids).shape == (1, 3, 2)
    assert nn.Embedding(5, 2).compute_mask(Tensor(ids)) is None
    with pytest.raises(ValueError, match=r"ids must lie in \[0, input_dim=5\)"):
        layer(np.array([[5]]))
    with pytest.raises(ValueError, match="whole numbers"):
        layer(np.array([[1.5]]))


def test_text_vectorization_learns_keras_vocabulary_order():
    vectorize = TextVectorization()
    vectorize.adapt(["The cat sat.", "The dog, the CAT!", "a bird"])
    # most frequent first; ties: the larger string first (Keras's rule)
    assert vectorize.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat", "dog", "bird", "a"]
    ids = vectorize(["the cat flew", "a"])
    np.testing.assert_array_equal(ids.numpy(), [[2, 3, 1], [7, 0, 0]])
    assert ids.dtype == np.int64


def test_text_vectorization_max_tokens_length_and_round_trip():
    vectorize = TextVectorization(max_tokens=4, output_sequence_length=4)
    vectorize.adapt(["b b b a a c", "d"])
    assert vectorize.get_vocabulary() == ["", "[UNK]", "b", "a"]
    np.testing.assert_array_equal(vectorize(["a c b a d b"]).numpy(), [[3, 1, 2, 3]])
    copy = deserialize_object(serialize_object(vectorize))
    assert copy.get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_array_equal(copy(["a c"]).numpy(), vectorize(["a c"]).numpy())


def test_text_vectorization_errors():
    with pytest.raises(ValueError, match="output_mode must be one of"):
        TextVectorization(output_mode="one_hot")
    with pytest.raises(ValueError, match="pad_to_max_tokens=True needs max_tokens"):
        TextVectorization(output_mode="count", pad_to_max_tokens=True)
    with pytest.raises(ValueError, match="idf_weights are needed"):
        TextVectorization(output_mode="tf_idf", vocabulary=["a"])
    with pytest.raises(ValueError, match="a single string"):
        TextVectorization()("not a list")


CORPUS = ["a b b", "b c", "c c c d"]  # counts: c 4, b 3, d 1, a 1 (tie: "d" > "a" first)


def test_text_vectorization_multi_hot_and_count_rows():
    for mode, expected in [
        ("multi_hot", [[1, 0, 1, 0, 0], [0, 1, 0, 0, 1]]),
        ("count", [[1, 0, 2, 0, 0], [0, 1, 0, 0, 1]]),
    ]:
        vectorize = TextVectorization(output_mode=mode)
        vectorize.adapt(np.array(CORPUS))
        # no padding token outside "int": index 0 is "[UNK]", as in Keras
        assert vectorize.get_vocabulary() == ["[UNK]", "c", "b", "d", "a"]
        rows = vectorize(["b b e", "a c"]).numpy()
        assert rows.dtype == np.float32
        np.testing.assert_array_equal(rows, expected)


def test_text_vectorization_tf_idf_uses_keras_formula_and_pads():
    vectorize = TextVectorization(output_mode="tf_idf", max_tokens=7, pad_to_max_tokens=True)
    vectorize.adapt(CORPUS)
    # idf = log(1 + documents / (1 + documents holding the token)); "[UNK]" the mean
    idf_c = idf_b = np.log(1 + 3 / 3)
    idf_d = idf_a = np.log(1 + 3 / 2)
    unk = (idf_c + idf_b + idf_d + idf_a) / 4
    expected = [[unk, 0, 2 * idf_b, 0, 0, 0, 0], [0, idf_c, 0, 0, idf_a, 0, 0]]
    np.testing.assert_allclose(vectorize(["b b e", "a c"]).numpy(), expected, rtol=1e-6)
    copy = deserialize_object(serialize_object(vectorize))
    np.testing.assert_array_equal(copy(["b d"]).numpy(), vectorize(["b d"]).numpy())


def test_text_vectorization_max_tokens_counts_unk_outside_int_and_ngrams():
    vectorize = TextVectorization(output_mode="count", max_tokens=3)
    vectorize.adapt(CORPUS)
    assert vectorize.get_vocabulary() == ["[UNK]", "c", "b"]
    np.testing.assert_array_equal(vectorize(["a d c"]).numpy(), [[2, 1, 0]])
    pairs = TextVectorization(ngrams=2)
    pairs.adapt(["x y y"])
    assert pairs.get_vocabulary() == ["", "[UNK]", "y", "y y", "x y", "x"]
    np.testing.assert_array_equal(pairs(["x y"]).numpy(), [[5, 2, 4]])


def _text_model(vectorize: TextVectorization) -> keras.Sequential:
    model = keras.Sequential(
        [vectorize, keras.layers.Embedding(10, 3), keras.layers.GlobalAveragePooling1D()]
    )
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


def test_sequential_starting_with_text_vectorization_takes_strings(tmp_path):
    text = np.array(["good film", "bad film", "good good fun", "bad awful"])
    labels = np.array([1, 0, 1, 0])
    vectorize = TextVectorization(max_tokens=10, output_sequence_length=3)
    vectorize.adapt(text)
    model = _text_model(vectorize)
    assert model.predict(np.array(["some text"]), verbose=0).shape == (1, 1)
    history = model.fit(text, labels, epochs=2, batch_size=2, verbose=0)
    assert len(history.history["loss"]) == 2
    # the same as the model below the vectorizer given the ids
    ids = vectorize(text)
    below = model.layers[1:]
    expected = ids
    for layer in below:
        expected = layer(expected)
    np.testing.assert_allclose(model.predict(text, verbose=0), expected.numpy(), rtol=1e-6)
    model.save(tmp_path / "text.zip")
    loaded = keras.models.load_model(tmp_path / "text.zip")
    assert loaded.layers[0].get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(text, verbose=0), model.predict(text, verbose=0))


def test_a_model_without_text_vectorization_refuses_strings():
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="predict: x must hold numbers.*TextVectorization"):
        model.predict(np.array(["a", "b"]), verbose=0)
