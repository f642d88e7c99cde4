"""Embedding and TextVectorization."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
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
    with pytest.raises(ValueError, match="only output_mode='int'"):
        TextVectorization(output_mode="tf_idf")
    with pytest.raises(ValueError, match="a single string"):
        TextVectorization()("not a list")
