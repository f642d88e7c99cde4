"""keras.utils.pad_sequences and normalize, against values from Keras 3."""

import numpy as np
import pytest

from tinygrad_edu import keras


def test_pad_sequences_as_keras():
    padded = keras.utils.pad_sequences([[1, 2], [3, 4, 5, 6], []], maxlen=3)
    assert padded.tolist() == [[0, 1, 2], [4, 5, 6], [0, 0, 0]]
    assert padded.dtype == np.int32
    post = keras.utils.pad_sequences(
        [[1, 2], [3, 4, 5, 6]], maxlen=3, padding="post", truncating="post", value=-1
    )
    assert post.tolist() == [[1, 2, -1], [3, 4, 5]]
    assert keras.utils.pad_sequences([[1], [2, 3]]).shape == (2, 2)  # longest by default
    steps = keras.utils.pad_sequences([np.ones((1, 2)), np.ones((3, 2))], dtype="float32")
    assert steps.shape == (2, 3, 2) and steps[0, 0].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        keras.utils.pad_sequences([[1]], padding="left")


def test_normalize_as_keras():
    result = keras.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(result, [[0.6, 0.8], [0.0, 0.0]])  # a zero row stays zero
    columns = keras.utils.normalize(np.array([[3.0, 4.0], [1.0, 1.0]]), axis=0, order=1)
    np.testing.assert_allclose(columns.sum(axis=0), [1.0, 1.0])
