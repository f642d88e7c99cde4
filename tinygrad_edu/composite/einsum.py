"""einsum: products of tensors summed over letters, in Einstein's notation, from primitives.

"ij,jk->ik" names each axis of each operand with a letter; the output keeps the
letters after "->" and sums over the others. It is computed the way one would by
hand: take each operand's diagonal where a letter repeats ("ii->i"), line the
axes of all operands up by letter (transpose, and size-1 axes for missing
letters), multiply them by broadcasting, and sum each letter away as soon as no
operand still to come and not the output needs it. The gradient comes from
those primitives (GetItem, Transpose, Reshape, Mul, Sum).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


def parse(equation: str, ndims: Sequence[int]) -> tuple[list[str], str]:
    """The letters of each operand and of the output, with "..." spelled out as capitals.

    Without "->", the output is every letter used once, in alphabetical order
    (after the "..." axes), as in NumPy and PyTorch.

    Raises:
        ValueError: a malformed equation, or one that does not fit the operands.
    """
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(
            f"einsum: the equation {equation!r} has {len(terms)} operand(s), but "
            f"{len(ndims)} tensor(s) were given"
        )
    ellipsis_ndim = 0
    for term, ndim in zip(terms, ndims):
        if "..." in term:
            ellipsis_ndim = max(ellipsis_ndim, ndim - len(term.replace("...", "")))
    spare = "".join(c for c in string.ascii_uppercase if c not in equation)[:ellipsis_ndim]
    letters = []
    for term, ndim in zip(terms, ndims):
        plain = term.replace("...", "")
        if not plain.isalpha() and plain or term.count("...") > 1:
            raise ValueError(f"einsum: {term!r} must be letters, with at most one '...'")
        if "..." in term:
            term = term.replace("...", spare[ellipsis_ndim - (ndim - len(plain)) :])
        if len(term) != ndim:
            raise ValueError(f"einsum: {term!r} names {len(term)} axes, but its tensor has {ndim}")
        letters.append(term)
    if arrow:
        output = output.replace("...", spare)
        if not set(output) <= set("".join(letters)) or len(set(output)) != len(output):
            raise ValueError(
                f"einsum: the output {output!r} must use each input letter at most once"
            )
    else:
        used = "".join(letters)
        output = spare + "".join(sorted(c for c in set(used) - set(spare) if used.count(c) == 1))
    return letters, output


def diagonal_of(x: Tensor, letters: str) -> tuple[Tensor, str]:
    """x with each repeated letter's axes reduced to their diagonal ("ii" -> "i")."""
    while len(set(letters)) < len(letters):
        letter = next(c for c in letters if letters.count(c) > 1)
        first, second = (i for i, c in enumerate(letters) if c == letter)
        if x.shape[first] != x.shape[second]:
            raise ValueError(
                f"einsum: letter {letter!r} labels axes of sizes {x.shape[first]} and "
                f"{x.shape[second]}"
            )
        steps = np.arange(x.shape[first])
        # Advanced indices on two axes: the picked axis goes first, the rest keep order.
        index = tuple(steps if i in (first, second) else slice(None) for i in range(x.ndim))
        x = x[index]
        letters = letter + "".join(c for i, c in enumerate(letters) if i not in (first, second))
    return x, letters


def aligned(x: Tensor, letters: str, order: str) -> Tensor:
    """x with its axes in `order`'s letter order, size-1 axes for the letters it lacks."""
    present = [c for c in order if c in letters]
    x = x.transpose(tuple(letters.index(c) for c in present)) if x.ndim > 1 else x
    return x.reshape(tuple(x.shape[present.index(c)] if c in letters else 1 for c in order))


def einsum(equation: str, operands: Sequence[Tensor]) -> Tensor:
    """The sum over the letters missing from the output of the product of the operands.

    Raises:
        ValueError: a malformed equation, or sizes that differ for one letter.
    """
    letters, output = parse(equation, [t.ndim for t in operands])
    pieces = [diagonal_of(t, term) for t, term in zip(operands, letters)]
    order = "".join(dict.fromkeys(output + "".join(term for _, term in pieces)))
    sizes: dict[str, int] = {}
    for tensor, term in pieces:
        for letter, size in zip(term, tensor.shape):
            if sizes.setdefault(letter, size) != size and 1 not in (size, sizes[letter]):
                raise ValueError(
                    f"einsum: letter {letter!r} has size {sizes[letter]} in one operand and "
                    f"{size} in another"
                )
    result, result_order = None, order
    for position, (tensor, term) in enumerate(pieces):
        tensor = aligned(tensor, term, result_order)
        result = tensor if result is None else result * tensor
        still_needed = set(output).union(*(t for _, t in pieces[position + 1 :]))
        done = [i for i, c in enumerate(result_order) if c not in still_needed]
        if done:
            result = result.sum(axis=tuple(done))
            result_order = "".join(c for c in result_order if c in still_needed)
    return result  # its axes are the output's letters, in order (they lead `order`)
