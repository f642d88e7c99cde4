"""LayerNormalization: normalize each sample over its own features, then scale and shift.

    y = gamma * (x - mean) / sqrt(variance + epsilon) + beta

with the mean and variance taken over the feature axis (or axes) of each sample
alone, so unlike BatchNormalization it behaves the same in training and inference
and does not depend on the other samples in the batch: what a Transformer
uses after each block. Source: Ba, Kiros and Hinton, "Layer Normalization" (2016).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn import initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor


class LayerNormalization(Layer):
    """Layer normalization over `axis`, with Keras 3's arguments, defaults and weights.

    Args:
        axis: the axis (or list of axes) normalized over, -1 (the features) by default.
        epsilon: added to the variance before the square root (1e-3, as Keras).
        center: learn a shift `beta`, shaped like the normalized axes.
        scale: learn a factor `gamma`, shaped like the normalized axes.
        beta_initializer, gamma_initializer: "zeros" and "ones".
        beta_regularizer, gamma_regularizer, activity_regularizer: penalties on beta,
            gamma and the output (`nn.regularizers`), as Keras's.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: bad arguments, or an axis the input does not have.
    """

    supports_masking = True

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        activity_regularizer: Any = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
        if not axes or any(
            isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes
        ):
            raise ValueError(f"LayerNormalization: axis must be an int or ints, got {axis!r}")
        valid = isinstance(epsilon, numbers.Real) and not isinstance(epsilon, bool)
        if not valid or epsilon <= 0:
            raise ValueError(f"LayerNormalization: epsilon must be positive, got {epsilon!r}")
        super().__init__(name, input_shape, dtype)
        self.axis = axis if isinstance(axis, (int, np.integer)) else axes  # a list, as JSON has
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.set_regularizers(
            activity=activity_regularizer, beta=beta_regularizer, gamma=gamma_regularizer
        )
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self.build_if_shape_known()

    def _axes(self, ndim: int) -> tuple[int, ...]:
        axes = [self.axis] if isinstance(self.axis, (int, np.integer)) else list(self.axis)
        if any(not -ndim <= a < ndim for a in axes) or ndim < 2:
            raise ValueError(
                f"LayerNormalization {self.name!r}: axis {self.axis} does not fit inputs with "
                f"{ndim} axes (the batch axis included)"
            )
        return tuple(sorted(int(a) % ndim for a in axes))

    def build(self, input_shape: Shape) -> None:
        """Create gamma, then beta (Keras's order), shaped like the normalized axes."""
        axes = self._axes(len(input_shape))
        shape = tuple(int(input_shape[a]) for a in axes)
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer)
        super().build(input_shape)

    def forward(self, x: Tensor) -> Tensor:
        """x normalized over `axis` within each sample; the output has x's shape."""
        axes = self._axes(x.ndim)
        # gamma and beta line up with the normalized axes, ones elsewhere.
        broadcast = tuple(x.shape[a] if a in axes else 1 for a in range(x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        variance = x.var(axis=axes, keepdims=True)
        y = (x - mean) / (variance + self.epsilon).sqrt()
        if self.gamma is not None:
            y = y * self.gamma.reshape(broadcast)
        if self.beta is not None:
            y = y + self.beta.reshape(broadcast)
        return y

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"axis={self.axis}, epsilon={self.epsilon}"
