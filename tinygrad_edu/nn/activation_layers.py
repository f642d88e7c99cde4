"""Activations as layers with settings, and two layers that only scale or pass on:
ReLU, LeakyReLU, ELU, PReLU (a learned slope), Identity and Rescaling (Keras's).

Each is a few Tensor operations, so gradients come from the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.nn import activations, initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor, where


class ReLU(Layer):
    """Keras's ReLU layer: x from `threshold` up to `max_value`, max_value above it,
    negative_slope * (x - threshold) below the threshold.

    Args:
        max_value: the largest output (None: no cap; 6.0 gives ReLU6).
        negative_slope: >= 0, the slope below the threshold (0).
        threshold: where the ReLU bends (0).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a negative max_value or negative_slope.
    """

    supports_masking = True

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU: max_value must be >= 0, got {max_value!r}")
        if negative_slope < 0:
            raise ValueError(f"ReLU: negative_slope must be >= 0, got {negative_slope!r}")
        super().__init__(name, input_shape, dtype)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """The piecewise-linear function of the class docstring, of x's shape."""
        below = (x - self.threshold) * self.negative_slope
        out = where(x.data >= self.threshold, x, below)
        if self.max_value is not None:
            out = out.minimum(float(self.max_value))
        return out


class LeakyReLU(Layer):
    """x for x > 0, negative_slope * x otherwise (Keras's layer; its default slope 0.3).

    Args:
        negative_slope: the slope for negative inputs (0.3).
        input_shape, name, dtype: as for `Layer`.
    """

    supports_masking = True

    def __init__(
        self,
        negative_slope: float = 0.3,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.negative_slope = negative_slope
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """`activations.leaky_relu(x, negative_slope)`, of x's shape."""
        return activations.leaky_relu(x, self.negative_slope)


class ELU(Layer):
    """x for x > 0, alpha * (exp(x) - 1) otherwise (Clevert et al. 2016).

    Args:
        alpha: the negative saturation value's size (1.0).
        input_shape, name, dtype: as for `Layer`.
    """

    supports_masking = True

    def __init__(
        self,
        alpha: float = 1.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.alpha = alpha
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """`activations.elu(x, alpha)`, of x's shape."""
        return activations.elu(x, self.alpha)


class PReLU(Layer):
    """relu(x) - alpha * relu(-x) with a learned slope alpha per input entry
    (He et al. 2015, "Delving Deep into Rectifiers"); Keras's layer.

    `alpha` has the shape of one sample, with size 1 along each of `shared_axes`
    (e.g. shared_axes=[1, 2] for images: one slope per channel).

    Args:
        alpha_initializer: the slopes' starting values ("zeros": a ReLU at first).
        shared_axes: axes (counting the batch axis as 0) that share one slope.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a shared axis that is 0 or outside the input.
    """

    supports_masking = True

    def __init__(
        self,
        alpha_initializer: Any = "zeros",
        shared_axes: Sequence[int] | int | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.alpha_initializer = initializers.get(alpha_initializer)
        if isinstance(shared_axes, int):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]
        self.alpha: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `alpha`, of one sample's shape with shared axes of size 1.

        Raises:
            ValueError: a shared axis that is 0 or not an axis of the input, or an
                unknown size along an axis that is not shared.
        """
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"PReLU {self.name!r}: shared axis {axis} is not an axis of inputs shaped "
                    f"{tuple(input_shape)} (the batch axis 0 cannot be shared)"
                )
            shape[axis - 1] = 1
        if any(size is None for size in shape):
            raise ValueError(
                f"PReLU {self.name!r}: input shape {tuple(input_shape)} has an unknown size; "
                "share that axis with shared_axes"
            )
        self.add_weight("alpha", tuple(shape), self.alpha_initializer)
        super().build(input_shape)

    def forward(self, x: Tensor) -> Tensor:
        """relu(x) - alpha * relu(-x), of x's shape."""
        return x.relu() - self.alpha * (-x).relu()


class Identity(Layer):
    """Returns its input unchanged (Keras's `layers.Identity`, a placeholder)."""

    supports_masking = True

    def forward(self, x: Tensor) -> Tensor:
        """x itself."""
        return x


class Rescaling(Layer):
    """x * scale + offset: e.g. Rescaling(1 / 255) maps pixel values to [0, 1].

    Args:
        scale: the factor (a number).
        offset: added after scaling (0.0); Rescaling(1 / 127.5, offset=-1) gives [-1, 1].
        input_shape, name, dtype: as for `Layer`.
    """

    supports_masking = True

    def __init__(
        self,
        scale: float,
        offset: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.scale, self.offset = scale, offset
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """x * scale + offset, of x's shape."""
        return x * float(self.scale) + float(self.offset)


class Lambda(Layer):
    """Wrap a function of Tensors as a layer: Lambda(lambda x: x ** 2).

    The function must use Tensor operations (or `keras.ops`), so the engine
    differentiates it. It has no weights (a layer with weights should be a Layer
    subclass, as Keras advises).

    Saving: a function defined with `def` at a module's top level is saved by its
    name and found again on loading (pass it in `custom_objects` if it is yours); a
    `lambda` cannot be saved (Keras stores its bytecode, which this package never
    loads: running stored code is unsafe).

    Args:
        function: Tensor -> Tensor (called as function(x, **arguments)).
        output_shape: the shape of one output sample, without the batch axis; by
            default found by calling the function on zeros of the input's shape.
        mask: ignored unless None (Keras's masking argument; masks pass through).
        arguments: keyword arguments for the function, or None.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        TypeError: a function that is not callable.
        ValueError: a mask other than None.
    """

    def __init__(
        self,
        function: Any,
        output_shape: Sequence[int] | None = None,
        mask: Any = None,
        arguments: dict[str, Any] | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        if mask is not None:
            raise ValueError("Lambda: mask= is not supported in tinygrad_edu yet; leave it None")
        super().__init__(name, input_shape, dtype)
        self.function = function
        self.output_shape_given = None if output_shape is None else tuple(output_shape)
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, *output_shape) if given; otherwise the shape of the function's
        result on zeros of `input_shape` (unknown sizes taken as 1, the batch axis
        kept unknown)."""
        if self.output_shape_given is not None:
            return (input_shape[0], *self.output_shape_given)
        import numpy as np

        from tinygrad_edu.autograd import no_grad

        probe = Tensor(np.zeros([1 if size is None else size for size in input_shape], self.dtype))
        with no_grad():
            shape = self.function(probe, **self.arguments).shape
        return (input_shape[0], *shape[1:]) if len(shape) else tuple(shape)

    def forward(self, x: Tensor) -> Tensor:
        """function(x, **arguments)."""
        return self.function(x, **self.arguments)
