"""TextVectorization: turn sentences into rows of integer token ids, as Keras does.

    vectorize = TextVectorization(max_tokens=1000, output_sequence_length=20)
    vectorize.adapt(training_sentences)          # learn the vocabulary
    ids = vectorize(["the film was great"])      # Tensor of shape (1, 20), int64

Each sentence is standardized (lower case, punctuation removed), split on
whitespace, and each word replaced by its index in the vocabulary. Index 0 is
padding ("") and 1 the out-of-vocabulary token ("[UNK]"); then come the words of
`adapt`'s text, the most frequent first (ties: the larger string first, Keras's rule).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor

PADDING, OUT_OF_VOCABULARY = "", "[UNK]"
#: Keras's punctuation for "strip_punctuation" (ASCII punctuation, as tf.strings sees it).
PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
#: Keras lower-cases with tf.strings.lower, which changes ASCII letters only.
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")


class TextVectorization:
    """Sentences to integer ids through a vocabulary learned by `adapt` (output_mode "int").

    Keras's `keras.layers.TextVectorization` in what it computes and its arguments. Here
    it is a preprocessing step, not a `Layer`: it takes strings, has no weights and
    does not go inside a model: call it on the text, then give the ids to the model.

    Args:
        max_tokens: the vocabulary's size, padding and "[UNK]" included (None: no limit).
        standardize: "lower_and_strip_punctuation" (default), "lower",
            "strip_punctuation", or None.
        split: "whitespace" (runs of whitespace separate words) or None (each string is
            one token).
        output_mode: "int" only.
        output_sequence_length: pad with 0 or cut each row to this length; None pads to
            the longest row of the call.
        vocabulary: a list of tokens to use instead of `adapt` (a leading "" and
            "[UNK]" are accepted and skipped).
        name: the layer's name.

    Raises:
        ValueError: an unknown standardize, split or output_mode, or max_tokens < 3.
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | None = "lower_and_strip_punctuation",
        split: str | None = "whitespace",
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        vocabulary: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        if standardize not in STANDARDIZE:
            raise ValueError(f"TextVectorization: standardize must be one of {STANDARDIZE}")
        if split not in ("whitespace", None):
            raise ValueError(
                f"TextVectorization: split must be 'whitespace' or None, got {split!r}"
            )
        if output_mode != "int":
            raise ValueError(
                f"TextVectorization: only output_mode='int' is implemented, got {output_mode!r}"
            )
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 3):
            raise ValueError(
                f"TextVectorization: max_tokens must be at least 3, got {max_tokens!r}"
            )
        self.name = name or "text_vectorization"
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self._vocabulary: list[str] = [PADDING, OUT_OF_VOCABULARY]
        self._index: dict[str, int] = {}
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    def tokens(self, text: str) -> list[str]:
        """One string standardized and split: the words `adapt` counts and `__call__` looks up."""
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(ASCII_LOWER)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = PUNCTUATION.sub("", text)
        return text.split() if self.split == "whitespace" else [text]

    def adapt(self, data: Iterable[str]) -> None:
        """Learn the vocabulary from `data` (strings): the most frequent tokens first."""
        counts = Counter(token for text in _strings(data) for token in self.tokens(text))
        counts.pop(PADDING, None)
        counts.pop(OUT_OF_VOCABULARY, None)
        ordered = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        self.set_vocabulary(ordered)

    def set_vocabulary(self, vocabulary: Sequence[str]) -> None:
        """Use `vocabulary` (most useful first), cut to max_tokens with "" and "[UNK]" in front.

        Raises:
            ValueError: a token that appears twice.
        """
        tokens = list(vocabulary)
        if tokens[:2] == [PADDING, OUT_OF_VOCABULARY]:
            tokens = tokens[2:]
        if len(set(tokens)) != len(tokens):
            raise ValueError("TextVectorization: the vocabulary has a repeated token")
        if self.max_tokens is not None:
            tokens = tokens[: self.max_tokens - 2]
        self._vocabulary = [PADDING, OUT_OF_VOCABULARY, *tokens]
        self._index = {token: i for i, token in enumerate(self._vocabulary) if i >= 2}

    def get_vocabulary(self) -> list[str]:
        """The tokens by index: "", "[UNK]", then the learned ones."""
        return list(self._vocabulary)

    def vocabulary_size(self) -> int:
        """How many ids the output can hold (padding and "[UNK]" included)."""
        return len(self._vocabulary)

    def __call__(self, inputs: Any) -> Tensor:
        """Ids of shape (number of strings, length), int64.

        Raises:
            ValueError: inputs that are not strings, or of shape (N, k) with k > 1.
        """
        rows = [[self._index.get(token, 1) for token in self.tokens(t)] for t in _strings(inputs)]
        length = self.output_sequence_length
        if length is None:
            length = max((len(row) for row in rows), default=0)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        for i, row in enumerate(rows):
            row = row[:length]
            ids[i, : len(row)] = row
        return Tensor(ids)

    def get_config(self) -> dict[str, Any]:
        """The arguments, with the learned vocabulary (so a saved one keeps it)."""
        return {
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "vocabulary": self.get_vocabulary(),
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorization:
        """A new TextVectorization from `get_config()`'s result."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"TextVectorization(name={self.name!r}, vocabulary_size={self.vocabulary_size()})"


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        raise ValueError("TextVectorization: expected a list of strings, got a single string")
    array = np.asarray(data, dtype=object)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or not all(isinstance(s, (str, bytes)) for s in array):
        raise ValueError(
            f"TextVectorization: expected strings of shape (N,) or (N, 1), got shape {array.shape}"
        )
    return [s.decode("utf-8") if isinstance(s, bytes) else s for s in array]
