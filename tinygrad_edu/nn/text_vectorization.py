"""TextVectorization: turn sentences into rows of integer token ids, as Keras does.

    vectorize = TextVectorization(max_tokens=1000, output_sequence_length=20)
    vectorize.adapt(training_sentences)          # learn the vocabulary
    ids = vectorize(["the film was great"])      # Tensor of shape (1, 20), int64

Each sentence is standardized (lower case, punctuation removed), split on
whitespace, and each word replaced by its index in the vocabulary. Index 0 is
padding ("") and 1 the out-of-vocabulary token ("[UNK]"); then come the words of
`adapt`'s text, the most frequent first (ties: the larger string first, Keras's rule).

The other output modes give one row of width `vocabulary_size()` per sentence (no
padding token there: index 0 is "[UNK]", as in Keras): "multi_hot" (1 where a token
occurs), "count" (how often) and "tf_idf" (count times the token's inverse document
frequency from `adapt`, log(1 + documents / (1 + documents holding the token)), Keras's
formula; "[UNK]" gets the mean of the learned ones).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor

PADDING, OUT_OF_VOCABULARY = "", "[UNK]"
#: Keras's punctuation for "strip_punctuation" (ASCII punctuation, as tf.strings sees it).
PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
#: Keras lower-cases with tf.strings.lower, which changes ASCII letters only.
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")


class TextVectorization(Module):
    """Sentences to integer ids through a vocabulary learned by `adapt` (output_mode "int").

    Keras's `keras.layers.TextVectorization` in what it computes and its arguments. It
    has no weights (the vocabulary is not trained). Call it on the text and give the
    result to a model, or put it first in a `Sequential` model, which then takes strings
    in `fit`, `evaluate` and `predict` (as in Keras).

    Args:
        max_tokens: the vocabulary's size, padding and "[UNK]" included (None: no limit).
        standardize: "lower_and_strip_punctuation" (default), "lower",
            "strip_punctuation", or None.
        split: "whitespace" (runs of whitespace separate words) or None (each string is
            one token).
        output_mode: "int" (ids, shape (N, length)), "multi_hot", "count" or "tf_idf"
            (shape (N, vocabulary_size()), float32).
        output_sequence_length: ("int" only) pad with 0 or cut each row to this length;
            None pads to the longest row of the call.
        pad_to_max_tokens: (not "int") make rows max_tokens wide, however small the
            vocabulary (zeros at the end).
        ngrams: None, n (tokens and their runs of 2..n, joined by a space) or a tuple
            of widths, e.g. (2,).
        vocabulary: a list of tokens to use instead of `adapt` (leading special tokens,
            "" and "[UNK]" for "int", "[UNK]" otherwise, are accepted and skipped).
        idf_weights: ("tf_idf" with a vocabulary) one weight per token of `vocabulary`.
        name: the layer's name.

    Raises:
        ValueError: an unknown standardize, split or output_mode, max_tokens too small,
            pad_to_max_tokens without max_tokens, or bad ngrams.
    """

    takes_text = True  # a model that starts with this layer is given strings

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: str | None = "lower_and_strip_punctuation",
        split: str | None = "whitespace",
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        ngrams: int | tuple[int, ...] | None = None,
        vocabulary: Sequence[str] | None = None,
        idf_weights: Sequence[float] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        if standardize not in STANDARDIZE:
            raise ValueError(f"TextVectorization: standardize must be one of {STANDARDIZE}")
        if split not in ("whitespace", None):
            raise ValueError(
                f"TextVectorization: split must be 'whitespace' or None, got {split!r}"
            )
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(
                f"TextVectorization: output_mode must be one of {OUTPUT_MODES}, got {output_mode!r}"
            )
        # special tokens in front: "" and "[UNK]" for ids, "[UNK]" alone for the others
        self._specials = (
            [PADDING, OUT_OF_VOCABULARY] if output_mode == "int" else [OUT_OF_VOCABULARY]
        )
        least = len(self._specials) + 1
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < least):
            raise ValueError(
                f"TextVectorization: max_tokens must be at least {least} for "
                f"output_mode={output_mode!r}, got {max_tokens!r}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("TextVectorization: pad_to_max_tokens=True needs max_tokens")
        if isinstance(ngrams, int):
            ngrams = tuple(range(1, ngrams + 1))
        if ngrams is not None and not (
            isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) and n > 0 for n in ngrams)
        ):
            raise ValueError(
                f"TextVectorization: ngrams must be None, an int or a tuple of ints, got {ngrams!r}"
            )
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = pad_to_max_tokens
        self.ngrams = None if ngrams is None else tuple(ngrams)
        self._vocabulary: list[str] = list(self._specials)
        self._index: dict[str, int] = {}
        self._idf: np.ndarray | None = None  # per index, tf_idf only
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    def tokens(self, text: str) -> list[str]:
        """One string standardized and split: the words `adapt` counts and `__call__` looks up."""
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(ASCII_LOWER)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = PUNCTUATION.sub("", text)
        words = text.split() if self.split == "whitespace" else [text]
        if self.ngrams is None:
            return words
        # each width in turn, as tf.strings.ngrams does: all 1-grams, then all 2-grams...
        return [
            " ".join(words[start : start + n])
            for n in self.ngrams
            for start in range(len(words) - n + 1)
        ]

    def adapt(self, data: Any) -> None:
        """Learn the vocabulary from `data` (a list or 1-D array of strings): the most
        frequent tokens first; for "tf_idf" also each token's inverse document frequency.

        Raises:
            ValueError: data that is not strings of shape (N,) or (N, 1).
        """
        documents = [self.tokens(text) for text in _strings(data)]
        counts = Counter(token for words in documents for token in words)
        for special in (PADDING, OUT_OF_VOCABULARY):
            counts.pop(special, None)
        ordered = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[: self.max_tokens - len(self._specials)]
        idf = None
        if self.output_mode == "tf_idf":
            holding = Counter(token for words in documents for token in set(words))
            held = np.array([holding[token] for token in ordered], dtype=np.float64)
            idf = np.log(1.0 + len(documents) / (1.0 + held))  # Keras's formula
        self.set_vocabulary(ordered, idf)

    def set_vocabulary(
        self, vocabulary: Sequence[str], idf_weights: Sequence[float] | None = None
    ) -> None:
        """Use `vocabulary` (most useful first), cut to max_tokens, special tokens in front.

        Args:
            vocabulary: the tokens; a leading "" and "[UNK]" ("int") or "[UNK]" are skipped.
            idf_weights: for "tf_idf" only and then needed: one weight per token given
                (special ones included if given); "[UNK]" gets their mean if not given.

        Raises:
            ValueError: a token that appears twice, or idf_weights missing, unwanted or
                of the wrong length.
        """
        tokens = list(vocabulary)
        given_specials = tokens[: len(self._specials)] == self._specials
        if given_specials:
            tokens = tokens[len(self._specials) :]
        if len(set(tokens)) != len(tokens):
            raise ValueError("TextVectorization: the vocabulary has a repeated token")
        if (self.output_mode == "tf_idf") != (idf_weights is not None):
            raise ValueError(
                "TextVectorization: idf_weights are needed with output_mode='tf_idf' and "
                f"only then (output_mode={self.output_mode!r})"
            )
        if idf_weights is not None:
            weights = np.asarray(idf_weights, dtype=np.float64).reshape(-1)
            if len(weights) != len(vocabulary):
                raise ValueError(
                    f"TextVectorization: {len(weights)} idf_weights for a vocabulary of "
                    f"{len(vocabulary)} tokens"
                )
            if not given_specials:  # "[UNK]" has no document count: the mean, as Keras
                weights = np.concatenate([[weights.mean() if len(weights) else 0.0], weights])
        if self.max_tokens is not None:
            tokens = tokens[: self.max_tokens - len(self._specials)]
        self._vocabulary = [*self._specials, *tokens]
        self._index = {
            token: i for i, token in enumerate(self._vocabulary) if i >= len(self._specials)
        }
        self._idf = None if idf_weights is None else weights[: len(self._vocabulary)]

    def get_vocabulary(self) -> list[str]:
        """The tokens by index: "", "[UNK]" ("[UNK]" alone if not "int"), then the learned ones."""
        return list(self._vocabulary)

    def vocabulary_size(self) -> int:
        """How many ids the output can hold (padding and "[UNK]" included)."""
        return len(self._vocabulary)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        """(batch, output_sequence_length) for "int" (None if not fixed), else
        (batch, output_width())."""
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self.output_width())

    def output_width(self) -> int:
        """The width of a "multi_hot", "count" or "tf_idf" row."""
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        return self.vocabulary_size()

    def forward(self, inputs: Any) -> Tensor:
        """Ids of shape (number of strings, length), int64, for "int"; otherwise rows of
        shape (number of strings, `output_width()`), float32.

        Raises:
            ValueError: inputs that are not strings, or of shape (N, k) with k > 1.
        """
        unknown = self._vocabulary.index(OUT_OF_VOCABULARY)
        rows = [
            [self._index.get(token, unknown) for token in self.tokens(t)] for t in _strings(inputs)
        ]
        if self.output_mode != "int":
            return Tensor(self._encode(rows))
        length = self.output_sequence_length
        if length is None:
            length = max((len(row) for row in rows), default=0)
        ids = np.zeros((len(rows), length), dtype=np.int64)
        for i, row in enumerate(rows):
            row = row[:length]
            ids[i, : len(row)] = row
        return Tensor(ids)

    def _encode(self, rows: list[list[int]]) -> np.ndarray:
        """Token ids per sentence to multi-hot, count or tf-idf rows."""
        counts = np.zeros((len(rows), self.output_width()), dtype=np.float32)
        for i, row in enumerate(rows):
            np.add.at(counts[i], np.asarray(row, dtype=np.int64), 1.0)
        if self.output_mode == "multi_hot":
            return np.minimum(counts, 1.0)
        if self.output_mode == "tf_idf":
            if self._idf is None:
                raise RuntimeError("TextVectorization(output_mode='tf_idf'): call adapt first")
            idf = np.zeros(counts.shape[1])
            idf[: len(self._idf)] = self._idf  # zeros past the vocabulary (pad_to_max_tokens)
            return (counts * idf).astype(np.float32)
        return counts

    def get_config(self) -> dict[str, Any]:
        """The arguments, with the learned vocabulary (so a saved one keeps it)."""
        return {
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "ngrams": None if self.ngrams is None else list(self.ngrams),
            "vocabulary": self.get_vocabulary(),
            "idf_weights": None if self._idf is None else self._idf.tolist(),
            "name": self.name,
        }

    def extra_repr(self) -> str:
        return f"vocabulary_size={self.vocabulary_size()}, output_mode={self.output_mode!r}"


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
