"""BatchNormalization: normalize each feature over the batch, then scale and shift it.

During training (`fit`, or `layer(x, training=True)`) each feature (each channel
of an image) is normalized with the mean and variance of the batch in hand:

    y = gamma * (x - mean) / sqrt(variance + epsilon) + beta

and running averages of those statistics are kept, as Keras keeps them:

    moving = moving * momentum + batch_statistic * (1 - momentum)

`evaluate`, `predict` and a direct call `model(x)` (inference mode, the mode
after construction, as in Keras) use the moving averages instead, so a
prediction does not depend on the other samples in its batch. A loop of your own
that trains must ask for training mode: `model.train()` or `training=True`. gamma and beta
are learned; the moving statistics are non-trainable weights: saved with the
others and counted in `summary`, but never touched by the optimizer.
Source: Ioffe and Szegedy, "Batch Normalization" (2015), Algorithm 1.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor


class BatchNormalization(Layer):
    """Batch normalization of the `axis` features, with Keras's arguments and defaults.

    Batch statistics (and updates of the moving ones) only in training mode: inside
    `fit`, after `model.train()`, or with `training=True`; a direct `layer(x)` after
    construction runs in inference mode with the moving statistics, as in Keras.

    Args:
        axis: the feature axis (-1: channels, for NHWC images and for Dense outputs).
        momentum: how much of the moving statistics each batch keeps (0.99).
        epsilon: added to the variance before the square root (1e-3, as Keras).
        center: learn a shift `beta` of shape (features,).
        scale: learn a factor `gamma` of shape (features,).
        input_shape, name, dtype: as for `Layer`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: as Keras ("zeros", "ones", "zeros", "ones").
        beta_regularizer, gamma_regularizer, activity_regularizer: penalties on beta,
            gamma and the output (`nn.regularizers`), as Keras's.

    Raises:
        ValueError: for bad arguments, or inputs whose feature axis changed size.
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        activity_regularizer: Any = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"BatchNormalization: axis must be an int, got {axis!r}")
        for what, value in (("momentum", momentum), ("epsilon", epsilon)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise ValueError(f"BatchNormalization: {what} must be a number, got {value!r}")
        if not 0.0 <= momentum <= 1.0 or epsilon <= 0:
            raise ValueError(
                f"BatchNormalization: momentum must lie in [0, 1] and epsilon be positive, got "
                f"momentum={momentum!r}, epsilon={epsilon!r}"
            )
        super().__init__(name, input_shape, dtype)
        self.axis = int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.initializers = {
            "beta": beta_initializer,
            "gamma": gamma_initializer,
            "moving_mean": moving_mean_initializer,
            "moving_variance": moving_variance_initializer,
        }
        self.set_regularizers(
            activity=activity_regularizer, beta=beta_regularizer, gamma=gamma_regularizer
        )
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create gamma, beta (trainable) and the moving mean and variance, each (features,).

        Raises:
            ValueError: axis is the batch axis or out of range, or its size is unknown.
        """
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(
                f"BatchNormalization {self.name!r}: axis {self.axis} is not a feature axis of "
                f"inputs of shape {tuple(input_shape)} (axis 0 is the batch)"
            )
        features = input_shape[self.axis]
        if features is None:
            raise ValueError(
                f"BatchNormalization {self.name!r}: the size of axis {self.axis} must be known, "
                f"got input_shape {tuple(input_shape)}"
            )
        if self.scale:
            self.add_weight("gamma", (features,), self.initializers["gamma"])
        if self.center:
            self.add_weight("beta", (features,), self.initializers["beta"])
        for statistic in ("moving_mean", "moving_variance"):
            self.add_weight(statistic, (features,), self.initializers[statistic], trainable=False)
        super().build(input_shape)

    def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
        """x normalized per feature, then scaled and shifted; x's shape and dtype.

        In training mode the batch's own mean and (biased) variance are used, and the
        moving statistics are updated outside the graph; otherwise the moving ones are.

        Raises:
            ValueError: x has not the number of axes or features the layer was built for.
        """
        training = self.training if training is None else training
        # A frozen layer (trainable=False) runs in inference mode even in fit, as in Keras:
        # fine-tuning must not move the statistics the layer was trained with.
        training = training and self.trainable
        features = self.moving_mean.shape[0]
        ndim = len(self.input_shape)
        if x.ndim != ndim or x.shape[self.axis] != features:
            raise ValueError(
                f"BatchNormalization {self.name!r}: expects inputs of {ndim} axes with {features} "
                f"features on axis {self.axis} (it was built for {self.input_shape}), got an "
                f"input of shape {x.shape}"
            )
        axis = self.axis % ndim
        others = tuple(i for i in range(ndim) if i != axis)  # the axes averaged over
        # (1, ..., features, ..., 1): broadcasts a per-feature vector against x
        per_feature = tuple(features if i == axis else 1 for i in range(ndim))
        if training:
            mean = x.mean(axis=others, keepdims=True)
            centered = x - mean
            variance = (centered * centered).mean(axis=others, keepdims=True)  # biased, as Keras
            self._update_moving_statistics(mean.data, variance.data)
        else:
            centered = x - self.moving_mean.reshape(per_feature)
            variance = self.moving_variance.reshape(per_feature)
        y = centered / (variance + self.epsilon).sqrt()
        if self.scale:
            y = y * self.gamma.reshape(per_feature)
        if self.center:
            y = y + self.beta.reshape(per_feature)
        return y

    def _update_moving_statistics(self, mean: np.ndarray, variance: np.ndarray) -> None:
        """moving = moving * momentum + batch * (1 - momentum): values only, outside the graph."""
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            updated = moving.data * self.momentum + batch.reshape(-1) * (1.0 - self.momentum)
            moving.data = updated.astype(moving.dtype, copy=False)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"axis={self.axis}, momentum={self.momentum}, epsilon={self.epsilon}"
