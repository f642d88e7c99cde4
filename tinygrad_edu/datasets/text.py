"""Two small texts that ship with the package, for the sequence lessons (no download).

- `load_sentence_polarity()`: 10,662 movie-review snippets labelled positive (1) or
  negative (0): Pang and Lee's sentence polarity dataset v1.0 (2005), CC BY 4.0
  (see ``data/LICENSE-sentence-polarity.txt``). For text classification.
- `load_shakespeare()`: about 100,000 characters of Shakespeare's plays (public domain,
  ``data/LICENSE-shakespeare.txt``). For character-level language models.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
POLARITY_FILE = DATA / "sentence_polarity.tsv.gz"
SHAKESPEARE_FILE = DATA / "shakespeare.txt.gz"
POLARITY_SIZE = 10662


def load_sentence_polarity(
    test_size: float = 0.2, seed: int = 0
) -> tuple[tuple[list[str], np.ndarray], tuple[list[str], np.ndarray]]:
    """The snippets shuffled (fixed `seed`) and split, Keras-style.

    Returns:
        ((train_texts, train_labels), (test_texts, test_labels)): lists of str and
        int64 arrays of 0 (negative) / 1 (positive); the two classes are equal in size.

    Raises:
        ValueError: test_size outside (0, 1), or a damaged file.
    """
    if not 0 < test_size < 1:
        raise ValueError(f"load_sentence_polarity: test_size must be in (0, 1), got {test_size}")
    lines = gzip.decompress(POLARITY_FILE.read_bytes()).decode("utf-8").splitlines()
    if len(lines) != POLARITY_SIZE:
        raise ValueError(f"{POLARITY_FILE}: expected {POLARITY_SIZE} lines, found {len(lines)}")
    labels = np.array([int(line[0]) for line in lines], dtype=np.int64)
    texts = [line[2:] for line in lines]
    order = np.random.default_rng(seed).permutation(len(texts))
    test = int(round(len(texts) * test_size))
    train_part, test_part = order[test:], order[:test]
    return (
        ([texts[i] for i in train_part], labels[train_part]),
        ([texts[i] for i in test_part], labels[test_part]),
    )


def load_shakespeare() -> str:
    """The Shakespeare excerpt as one string (about 100,000 characters, 61 distinct)."""
    return gzip.decompress(SHAKESPEARE_FILE.read_bytes()).decode("utf-8")
