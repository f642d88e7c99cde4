"""Merge layers: several tensors in, one out, where branches of a model meet.

    block_output = layers.add([x, block_input])                    # a residual connection
    features = layers.Concatenate()([title, text_body, tags])      # inputs side by side

Each takes a list of tensors of one shape (NumPy broadcasting allowed) and
combines them entry by entry, or joins them along an axis (`Concatenate`), or
takes dot products of pairs of samples (`Dot`). None has weights; each is a
few Tensor ops, so the gradient reaches every branch through the engine. The
lower-case functions (`add`, `concatenate`, ...) make the layer and call it at
once, as Keras's do.

Masks (Keras's, from `Embedding(mask_zero=True)`): a merge layer is given the
list of its inputs' masks (None for an input without one) and `compute_mask`
combines them as Keras 3 does: the entry-by-entry merges pass on the OR of the
masks when every input has one, `Concatenate` ORs them with an unmasked input
counting as all real steps (or joins them when it joins the steps), `Dot` passes
none. `Multiply`, `Maximum` and `Minimum` also leave masked steps out of the
result, as Keras's do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor, where
from tinygrad_edu.tensor import concatenate as join


class _Merge(Layer):
    """Base class: checks that it is given a list of tensors, then calls `merge(tensors)`.

    Args:
        name: the layer's name; dtype: of the outputs, float32 by default.

    Raises:
        ValueError: called on one tensor instead of a list, or on too few or too many.
    """

    #: How many tensors the layer takes: (at least, at most); None means no limit.
    arity: tuple[int, int | None] = (1, None)

    def __init__(self, name: str | None = None, dtype: Any = "float32") -> None:
        super().__init__(name, None, dtype)
        self.built = True  # no weights to make, and any shapes that fit together will do

    def _check(self, inputs: Any) -> list[Tensor]:
        kind = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"{kind} {self.name!r}: expects a list of tensors, e.g. {kind}()([x, y]), got "
                f"{type(inputs).__name__}"
            )
        low, high = self.arity
        if len(inputs) < low or (high is not None and len(inputs) > high):
            wanted = f"exactly {low}" if low == high else f"at least {low}"
            raise ValueError(f"{kind} {self.name!r}: expects {wanted} tensors, got {len(inputs)}")
        return list(inputs)

    supports_masking = True
    takes_mask_list = True  # a functional model hands it one mask per input

    def forward(self, inputs: Sequence[Tensor], mask: Sequence[Any] | None = None) -> Tensor:
        """The tensors merged into one (see the class).

        Args:
            inputs: the list of tensors.
            mask: Keras's masks, one per input (a bool array (batch, steps) or None).

        Raises:
            ValueError: not a list of the right length, or shapes that do not fit.
        """
        tensors = self._check(inputs)
        masks = _mask_list(self, mask, len(tensors))
        try:
            if any(m is not None for m in masks):
                return self.merge_masked(tensors, masks)
            return self.merge(tensors)
        except ValueError as error:
            shapes = ", ".join(str(tensor.shape) for tensor in tensors)
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: inputs of shapes {shapes}: {error}"
            ) from None

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """Combine the tensors (each subclass writes this).

        Raises:
            NotImplementedError: in the base class.
        """
        raise NotImplementedError

    def merge_masked(self, tensors: list[Tensor], masks: list[np.ndarray | None]) -> Tensor:
        """Combine the tensors when some carry masks: as `merge` unless a subclass says."""
        return self.merge(tensors)

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray | None:
        """Keras 3's rule for the entry-by-entry merges: the OR of the inputs' masks when
        every input has one, else None.

        Raises:
            ValueError: masks that are not one per input.
        """
        masks = _mask_list(self, mask, len(inputs) if isinstance(inputs, (list, tuple)) else 1)
        if not masks or any(m is None for m in masks):
            return None
        return np.logical_or.reduce([np.asarray(m, dtype=bool) for m in masks])

    def compute_output_shape(self, input_shape: Any) -> Shape:
        """The first input's shape: entry-by-entry merges keep it."""
        if (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        ):
            return tuple(input_shape[0])
        return tuple(input_shape)


class Add(_Merge):
    """The sum of the tensors, entry by entry (a residual connection: add([x, shortcut]))."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """tensors[0] + tensors[1] + ..."""
        total = tensors[0]
        for tensor in tensors[1:]:
            total = total + tensor
        return total


class Subtract(_Merge):
    """The first tensor minus the second, entry by entry (exactly two)."""

    arity = (2, 2)

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """tensors[0] - tensors[1]."""
        return tensors[0] - tensors[1]


class Multiply(_Merge):
    """The product of the tensors, entry by entry (a gate: multiply([x, sigmoid_gate]))."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """tensors[0] * tensors[1] * ..."""
        product = tensors[0]
        for tensor in tensors[1:]:
            product = product * tensor
        return product

    def merge_masked(self, tensors: list[Tensor], masks: list[np.ndarray | None]) -> Tensor:
        """As Keras 3: a masked step counts as 1 in the product; when every input has a
        mask, a step no input keeps is 0."""
        product = None
        for tensor, mask in zip(tensors, masks):
            if mask is not None:
                tensor = where(_feature_mask(mask, tensor), tensor, 1.0)
            product = tensor if product is None else product * tensor
        if all(mask is not None for mask in masks):
            kept = np.logical_or.reduce([_feature_mask(m, t) for m, t in zip(masks, tensors)])
            product = where(kept, product, 0.0)
        return product


class Average(_Merge):
    """The mean of the tensors, entry by entry."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """(tensors[0] + tensors[1] + ...) / len(tensors)."""
        return Add.merge(self, tensors) / float(len(tensors))


class Maximum(_Merge):
    """The largest of the tensors, entry by entry (a tie splits the gradient evenly)."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """max(tensors[0], tensors[1], ...) entry by entry."""
        result = tensors[0]
        for tensor in tensors[1:]:
            result = result.maximum(tensor)
        return result

    def merge_masked(self, tensors: list[Tensor], masks: list[np.ndarray | None]) -> Tensor:
        """The largest over the inputs that keep each step (see `_merge_skipping_masked`)."""
        return _merge_skipping_masked(Tensor.maximum, tensors, masks)


class Minimum(_Merge):
    """The smallest of the tensors, entry by entry."""

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """min(tensors[0], tensors[1], ...) entry by entry."""
        result = tensors[0]
        for tensor in tensors[1:]:
            result = result.minimum(tensor)
        return result

    def merge_masked(self, tensors: list[Tensor], masks: list[np.ndarray | None]) -> Tensor:
        """The smallest over the inputs that keep each step (see `_merge_skipping_masked`)."""
        return _merge_skipping_masked(Tensor.minimum, tensors, masks)


class Concatenate(_Merge):
    """The tensors joined along `axis` (the last by default); the other sizes must agree.

    Args:
        axis: the axis to join along (not the batch axis, 0).
        name, dtype: as for `_Merge`.
    """

    def __init__(self, axis: int = -1, name: str | None = None, dtype: Any = "float32") -> None:
        super().__init__(name, dtype)
        self.axis = int(axis)

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """`concatenate(tensors, axis)`."""
        return join(tensors, axis=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray | None:
        """Keras 3's rule: None if no input has a mask; otherwise each mask (all True for
        an input without one) spread over its input's shape, joined along `axis`, and
        any() over the last axis.

        Raises:
            ValueError: masks that are not one per input.
        """
        masks = _mask_list(self, mask, len(inputs))
        if all(m is None for m in masks):
            return None
        spread = []
        for tensor, m in zip(inputs, masks):
            shape = tensor.shape
            if m is None:
                spread.append(np.ones(shape, dtype=bool))
            else:
                m = np.asarray(m, dtype=bool)
                spread.append(np.broadcast_to(m[..., None], shape) if m.ndim < len(shape) else m)
        return np.concatenate(spread, axis=self.axis).any(axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Shape:
        """The shapes with their `axis` sizes added (None if any is None)."""
        shapes = [tuple(shape) for shape in input_shape]
        joined = list(shapes[0])
        sizes = [shape[self.axis] for shape in shapes]
        joined[self.axis] = None if None in sizes else sum(sizes)
        return tuple(joined)


class Dot(_Merge):
    """Dot products of pairs of samples: for (batch, n) inputs, (batch, 1) of sum(a * b).

    For (batch, n, d) and (batch, m, d) with axes=2 it gives (batch, n, m), the
    matrix product of each sample's rows (attention scores). `normalize=True`
    divides each vector by its L2 norm first, so the result is a cosine similarity.

    Args:
        axes: the axis of each input to sum over, one int for both or a pair.
        normalize: L2-normalize along `axes` before the product.
        name, dtype: as for `_Merge`.

    Raises:
        ValueError: the summed axes differ in size, or inputs of more than 3 axes.
    """

    arity = (2, 2)

    def __init__(
        self,
        axes: int | Sequence[int],
        normalize: bool = False,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, dtype)
        self.axes = axes if isinstance(axes, int) else [int(axis) for axis in axes]
        self.normalize = bool(normalize)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        """None: a dot product has no steps left to mask (Keras 3's rule)."""
        return None

    def merge(self, tensors: list[Tensor]) -> Tensor:
        """The batched dot product of the two tensors (see the class)."""
        a, b = tensors
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        axis_a, axis_b = axes[0] % a.ndim, axes[1] % b.ndim
        if a.shape[axis_a] != b.shape[axis_b]:
            raise ValueError(
                f"the summed axes must have one size, got {a.shape[axis_a]} (axis {axis_a}) "
                f"and {b.shape[axis_b]} (axis {axis_b})"
            )
        if self.normalize:
            a = a / (a * a).sum(axis=axis_a, keepdims=True).maximum(1e-12).sqrt()
            b = b / (b * b).sum(axis=axis_b, keepdims=True).maximum(1e-12).sqrt()
        if a.ndim == 2 and b.ndim == 2:
            return (a * b).sum(axis=-1, keepdims=True)
        if a.ndim == 3 and b.ndim == 3:
            a = a if axis_a == 2 else a.transpose(0, 2, 1)  # (batch, n, d)
            b = b if axis_b == 1 else b.transpose(0, 2, 1)  # (batch, d, m)
            return a @ b
        raise ValueError("Dot takes two inputs of 2 or 3 axes each (batch axis included)")


def _mask_list(layer: Layer, mask: Any, count: int) -> list[Any]:
    """The masks as a list with one entry per input (None: no masks at all).

    Raises:
        ValueError: a mask that is not a list of `count`.
    """
    if mask is None:
        return [None] * count
    if not isinstance(mask, (list, tuple)) or len(mask) != count:
        raise ValueError(
            f"{type(layer).__name__} {layer.name!r}: mask must be a list with one entry per "
            f"input ({count}), got {type(mask).__name__}"
        )
    return list(mask)


def _feature_mask(mask: np.ndarray, tensor: Tensor) -> np.ndarray:
    """A (batch, steps) mask spread over the tensor's feature axis."""
    return np.broadcast_to(np.asarray(mask, dtype=bool)[..., None], tensor.shape)


def _merge_skipping_masked(
    combine: Any, tensors: list[Tensor], masks: list[np.ndarray | None]
) -> Tensor:
    """Keras 3's masked Maximum / Minimum: input by input, a step masked in the new input
    takes the running result, a step masked in the running result takes the new input,
    so a masked step never wins; the running mask is the OR while every input has one."""
    output, output_mask = None, None
    for tensor, mask in zip(tensors, masks):
        mask = None if mask is None else _feature_mask(mask, tensor)
        if output is None:
            output, output_mask = tensor, mask
            continue
        if mask is not None:
            tensor = where(mask, tensor, output)
        if output_mask is not None:
            output = where(output_mask, output, tensor)
        output_mask = None if mask is None or output_mask is None else output_mask | mask
        output = combine(output, tensor)
    return output


def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Add(**kwargs)(inputs)`: the sum of the tensors (or KerasTensors), entry by entry."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Subtract(**kwargs)(inputs)`: inputs[0] - inputs[1]."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Multiply(**kwargs)(inputs)`: the product, entry by entry."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Average(**kwargs)(inputs)`: the mean, entry by entry."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Maximum(**kwargs)(inputs)`: the largest, entry by entry."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """`Minimum(**kwargs)(inputs)`: the smallest, entry by entry."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """`Concatenate(axis, **kwargs)(inputs)`: the tensors joined along `axis`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(
    inputs: Sequence[Any], axes: int | Sequence[int] = -1, normalize: bool = False, **kwargs: Any
) -> Any:
    """`Dot(axes, normalize, **kwargs)(inputs)`: batched dot products of two tensors."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
