"""Nested inputs and outputs: a model may take or give a list or a dict of arrays.

Keras lets a model have several inputs and outputs, so `fit`'s x and y, a
batch, and a model's output can each be one array, a list (or tuple) of them,
or a dict of them by name. The training code treats all of these alike
through the three functions here: `leaves` lists the arrays inside,
`map_structure` makes the same structure with each array replaced, and
`is_structure` tells a list of arrays (several inputs) from a nested list of
numbers (one input written as a Python list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor


def _is_array_like(value: Any) -> bool:
    """An ndarray, a Tensor, or anything else that stands for one array (a KerasTensor)."""
    return isinstance(value, (np.ndarray, Tensor)) or getattr(value, "is_symbolic", False)


def is_structure(value: Any) -> bool:
    """True for a dict, or a list or tuple whose entries are arrays, Tensors or structures.

    `[x1, x2]` of arrays is two inputs; `[[1.0, 2.0]]` is one input written as a
    list; an empty list is neither (it is a leaf).
    """
    if isinstance(value, dict):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all(_is_array_like(item) or is_structure(item) for item in value)
    return False


def leaves(value: Any) -> list[Any]:
    """The arrays inside `value` in order (dicts in their own key order); [value] for a leaf."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if is_structure(value):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def map_structure(function: Callable[[Any], Any], value: Any) -> Any:
    """`value` with `function` applied to each leaf; lists stay lists, tuples tuples."""
    if isinstance(value, dict):
        return {key: map_structure(function, item) for key, item in value.items()}
    if is_structure(value):
        return type(value)(map_structure(function, item) for item in value)
    return function(value)


def first_leaf(value: Any) -> Any:
    """The first array inside `value` (what tells a batch's number of samples)."""
    return leaves(value)[0]


def batch_length(value: Any) -> int:
    """The number of samples in a batch that may be a structure: len of its first array."""
    return len(first_leaf(value))


def to_tensors(value: Any) -> Any:
    """Every array of numbers in `value` as a Tensor (Tensors, arrays of strings, for a
    TextVectorization layer, and other leaves stay as they are)."""

    def convert(leaf: Any) -> Any:
        if isinstance(leaf, np.ndarray) and leaf.dtype.kind not in "USO":
            return Tensor(leaf)
        return leaf

    return map_structure(convert, value)
