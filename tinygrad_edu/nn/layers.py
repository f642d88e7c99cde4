"""Layers: modules that create their weights from the shape of the first input they see.

As in Keras, `Dense(64)` does not need to know how many inputs it will get: the
first call (or `build(input_shape)`, or `input_shape=` given up front) reads the
size of the input's last axis and creates a kernel of that many rows.

Shapes in `input_shape` / `output_shape` have None for the batch axis, because
any batch size works: `Dense(3, input_shape=(4,)).output_shape == (None, 3)`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.functional import linear
from tinygrad_edu.fused.nodes import linear_relu
from tinygrad_edu.nn import activations, initializers, structures
from tinygrad_edu.nn.module import Module, training_mode
from tinygrad_edu.nn.serialization import check_and_assign
from tinygrad_edu.tensor import Tensor

Shape = tuple[int | None, ...]


class Layer(Module):
    """A Module that is *built* (creates its parameters) once its input shape is known.

    Subclasses override `build(input_shape)` to create parameters and end it with
    `super().build(input_shape)`, which records the shapes and sets `built`; they
    override `forward(x)` (or Keras's `call(x)`) for the computation and
    `compute_output_shape` if the shape changes.

    Args:
        input_shape: the shape of one sample, without the batch axis (e.g. (784,));
            given, the layer creates its weights at once.
        name: the layer's name (weights are named "<name>.kernel", ...); a unique
            one such as "dense_1" by default.
        dtype: of the weights and outputs, float32 by default; floating inputs are cast
            to it.

    Raises:
        ValueError: an input_shape that is not positive integers.
    """

    def __init__(
        self,
        name: str | None = None,
        input_shape: Sequence[int] | int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name)
        self.dtype = np.dtype(dtype)
        self.built = False
        self.output_shape: Shape | None = None
        # Like Keras, input_shape= leaves out the batch axis. Layers whose __init__
        # ends with `self.build_if_shape_known()` then create their weights at once.
        self.input_shape: Shape | None = None
        if input_shape is not None:
            self.input_shape = (None, *_as_shape(type(self).__name__, input_shape))

    # Regularizers (nn.regularizers): a layer taking kernel_regularizer=... sets these
    # with `set_regularizers`; `Module.losses` evaluates them on the current weights.
    kernel_regularizer: Any = None
    bias_regularizer: Any = None
    activity_regularizer: Any = None

    def set_regularizers(
        self, kernel: Any = None, bias: Any = None, activity: Any = None, **weights: Any
    ) -> None:
        """Keep the regularizers for `kernel`, `bias` and the output (names, instances or
        None; `regularizers.get` resolves them), and for other weights by attribute name:
        `set_regularizers(bias=..., recurrent_kernel=...)` for Keras's
        `recurrent_regularizer`, `gamma=...` for `gamma_regularizer`, and so on.

        Raises:
            ValueError, TypeError: from `regularizers.get`, for a name or object it cannot use.
        """
        from tinygrad_edu.nn import regularizers  # here: regularizers imports nothing of ours

        self.kernel_regularizer = regularizers.get(kernel)
        self.bias_regularizer = regularizers.get(bias)
        self.activity_regularizer = regularizers.get(activity)
        # weight attribute -> regularizer, for the weights other than kernel and bias
        self.other_regularizers = {
            attribute: regularizers.get(regularizer)
            for attribute, regularizer in weights.items()
            if regularizer is not None
        }

    def own_losses(self) -> list[Tensor]:
        """This layer's penalties (not its sub-layers'): each weight regularizer applied to
        its trainable weight now, and the activity regularizer's value from the last call.

        Keras 3's rules: only trainable weights are penalized; the activity penalty is
        divided by the batch size.
        """
        found = []
        if self.trainable:
            chosen = {"kernel": self.kernel_regularizer, "bias": self.bias_regularizer}
            chosen.update(self.__dict__.get("other_regularizers", {}))
            for attribute, regularizer in chosen.items():
                weight = getattr(self, attribute, None)
                if regularizer is not None and isinstance(weight, Tensor):
                    found.append(regularizer(weight))
        activity = self.__dict__.get("_activity_penalty")
        if activity is not None:
            found.append(activity)
        return found

    def build_if_shape_known(self) -> None:
        """Build now when `input_shape=` was given, so weights exist before any call."""
        if self.input_shape is not None and not self.built:
            self.build(self.input_shape)

    def build(self, input_shape: Shape) -> None:
        """Record the shapes and mark the layer built (subclasses create parameters first)."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The output's shape for an input of `input_shape` (None: any size)."""
        return tuple(input_shape)

    # Masks (Keras's): a layer such as Embedding(mask_zero=True) marks padded time steps;
    # Sequential hands the mask to each later layer whose forward takes `mask=` and asks
    # `compute_mask` what mask goes on. A layer that supports masking passes it through.
    supports_masking = False

    def compute_mask(self, inputs: Tensor, mask: np.ndarray | None = None) -> np.ndarray | None:
        """The mask of this layer's output, from its input and the input's mask.

        By default the input's mask passes through when the layer `supports_masking`
        and is dropped otherwise. The mask is a boolean array, True for real steps.
        """
        return mask if self.supports_masking else None

    def add_weight(
        self, attribute: str, shape: tuple[int, ...], initializer: Any, trainable: bool = True
    ) -> Tensor:
        """Create a weight named '<layer name>.<attribute>' and register it.

        Args:
            attribute: the attribute it is stored under ("kernel", "bias").
            shape: the weight's shape.
            initializer: a name ("glorot_uniform", "zeros"), an Initializer or a
                callable `(shape, dtype) -> ndarray`; the values have the layer's dtype.
            trainable: whether the optimizer updates it.

        Returns:
            The new Tensor (requires_grad=trainable, False while the layer is frozen).

        A trainable one is a parameter (the optimizer updates it); a non-trainable
        one (BatchNormalization's moving statistics) is saved and counted only.
        """
        values = initializers.get(initializer)(shape, dtype=self.dtype)
        weight = Tensor(values, requires_grad=trainable, name=f"{self.name}.{attribute}")
        if trainable:
            setattr(self, attribute, weight)  # registered as a parameter...
            weight.requires_grad = self.trainable  # ...and frozen if the layer is
        else:
            self.register_non_trainable(attribute, weight)
        return weight

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the layer's weight arrays in Keras's order (`weights`: e.g. kernel, bias).

        Raises:
            ValueError: the layer is not built yet, so it has no weights.
        """
        self._require_built("get_weights")
        return [weight.data.copy() for weight in self.weights]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Replace the layer's weight values (the order and shapes `get_weights` gives).

        All or nothing: every shape is checked before a value changes.

        Raises:
            ValueError: not built, a different number of arrays, or a shape that differs.
        """
        self._require_built("set_weights")
        check_and_assign(self.named_weights(), list(weights), f"{self.name}.set_weights")

    def _require_built(self, method: str) -> None:
        if not self.built:
            raise ValueError(
                f"{method}: layer {self.name!r} is not built yet, so it has no weights; "
                "call it on an input or call build(input_shape) first"
            )

    def count_params(self) -> int:
        """How many numbers the layer holds (non-trainable weights included, as in Keras).

        Raises:
            ValueError: the layer is not built yet, so it has no weights.
        """
        if not self.built:
            raise ValueError(
                f"count_params: layer {self.name!r} is not built yet, so it has no weights; "
                "call it on an input or call build(input_shape) first"
            )
        return sum(weight.size for _, weight in self.named_weights())

    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Tensor:
        """Build on first use, then run `forward` inside the layer's name scope.

        Floating-point inputs are cast to the layer's dtype, arrays and Tensors
        alike, as in Keras: a float64 Tensor into a float32 layer gives float32
        (the cast is recorded, so gradients flow back in the input's dtype).

        `training=True/False` runs this call (this layer and any inside it) in that
        mode, as in Keras; left out, the layer's own mode applies: inference mode
        after construction (as Keras's direct call), training mode inside `fit`'s
        steps or after `train()`.
        A `forward`/`call` with a `training` parameter receives the mode in effect.

        Args:
            inputs: a Tensor, or anything `np.asarray` takes, with the batch axis first.
            training: run in training mode (True) or inference mode (False) for this call.
            **kwargs: passed on to `forward`.

        Returns:
            The layer's output Tensor (its shape is `compute_output_shape`'s).

        Raises:
            ValueError: from `build` or `forward`, when the input's shape does not fit.
        """
        if training is not None and bool(training) != self.training:
            with training_mode(self, bool(training)):
                return self(inputs, **kwargs)
        if self.takes_training:
            kwargs["training"] = self.training
        if isinstance(inputs, Module):
            raise TypeError(
                f"{self.name}: called on a layer ({inputs.name}); call it on a tensor, e.g. "
                "keras.Input(shape=...), which returns one"
            )
        if structures.is_structure(inputs):  # merge layers take a list of tensors
            inputs = structures.map_structure(self._cast_input, inputs)
            shape = structures.map_structure(_batch_shape, inputs)
        else:
            inputs = self._cast_input(inputs)
            shape = _batch_shape(inputs)
        if not self.built:
            self.build(shape)
            if not self.built:  # a subclass's build forgot super().build(...)
                Layer.build(self, shape)
        outputs = super().__call__(inputs, **kwargs)
        if self.activity_regularizer is not None:
            # Keras 3: every output Tensor (an RNN's states too), each per sample of the batch
            penalty = None
            for output in structures.leaves(outputs):
                if not isinstance(output, Tensor):
                    continue
                each = self.activity_regularizer(output)
                if output.ndim > 0 and output.shape[0]:
                    each = each / output.shape[0]
                penalty = each if penalty is None else penalty + each
            # object.__setattr__: a Tensor attribute would be registered as a parameter
            object.__setattr__(self, "_activity_penalty", penalty)
        return outputs

    def _cast_input(self, inputs: Any) -> Tensor:
        """An input as a Tensor; floating point ones in the layer's dtype."""
        if not isinstance(inputs, Tensor):
            return Tensor(np.asarray(inputs), dtype=self.dtype)
        if inputs.data.dtype != self.dtype and inputs.data.dtype.kind == "f":
            return inputs.astype(self.dtype)
        return inputs

    # Keras's `layer.input` / `layer.output`: the KerasTensors of its first call in a
    # functional model (its first "inbound node").
    def _first_node(self, what: str) -> Any:
        nodes = self.__dict__.get("_inbound_nodes")
        if not nodes:
            raise AttributeError(
                f"{self.name}.{what}: the layer has not been called on a keras.Input yet, so it "
                "has no symbolic input or output"
            )
        return nodes[0]

    @property
    def input(self) -> Any:
        """The KerasTensor(s) the layer was first called on in a functional model.

        Raises:
            AttributeError: it never was.
        """
        node = self._first_node("input")
        if not node.inputs:  # an InputLayer: its input is its output
            return node.outputs
        return node.inputs[0] if len(node.inputs) == 1 else list(node.inputs)

    @property
    def output(self) -> Any:
        """The KerasTensor(s) the layer's first call in a functional model returned.

        Raises:
            AttributeError: it was never called on a keras.Input.
        """
        return self._first_node("output").outputs

    def forward(self, inputs: Tensor, **kwargs: Any) -> Tensor:
        """The layer's computation; by default Keras's `call(inputs)` if the subclass has one.

        Raises:
            NotImplementedError: the subclass defines neither `forward` nor `call`.
        """
        call = getattr(self, "call", None)
        if call is None:
            raise NotImplementedError(
                f"{type(self).__name__} must define forward(self, x) (or call(self, x), as in "
                "Keras) to say what the layer computes"
            )
        return call(inputs, **kwargs)


def _batch_shape(tensor: Tensor) -> Shape:
    """A Tensor's shape with None for the batch axis, as `build` takes it."""
    return (None, *tensor.shape[1:]) if tensor.ndim >= 2 else tuple(tensor.shape)


def _as_shape(who: str, shape: Sequence[int | None] | int) -> tuple[int | None, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not all(s is None or (isinstance(s, (int, np.integer)) and s > 0) for s in shape):
        raise ValueError(
            f"{who}: input_shape must be positive integers (or None for a size that may vary) "
            f"without the batch axis, e.g. (784,) or (None, 8), got {shape}"
        )
    return tuple(None if s is None else int(s) for s in shape)


class Dense(Layer):
    """A fully connected layer: activation(x @ kernel + bias).

    `kernel` has shape (inputs, units) and `bias` shape (units,). `x` may have any
    number of leading axes: only its last axis is multiplied by the kernel, so
    (N, inputs) -> (N, units). The sum runs through `functional.linear`, one node.

    Args:
        units: the number of outputs, a positive integer.
        activation: a name ("relu", "softmax", ...), a function Tensor -> Tensor, or
            None for no activation.
        use_bias: add a learned bias.
        kernel_initializer: Keras's default "glorot_uniform" (Glorot & Bengio 2010:
            uniform in +-sqrt(6 / (inputs + units))).
        bias_initializer: "zeros" by default.
        input_shape: the shape of one sample, without the batch axis (e.g. (784,));
            given, the layer creates its weights at once.
        name: the layer's name (weights are named "<name>.kernel", ...); a unique
            one such as "dense_1" by default.
        dtype: of the weights and outputs, float32 by default; floating inputs are cast
            to it.
        input_dim: Keras 2's `input_dim=784`, the same as `input_shape=(784,)`.
        kernel_regularizer, bias_regularizer, activity_regularizer: a penalty on the
            kernel, the bias or the output (`nn.regularizers`, e.g. "l2" or
            regularizers.l2(1e-4)), added to the training loss (see `Module.losses`).

    Raises:
        ValueError: units not a positive integer, an input whose last axis is unknown
            when building, or an input whose last axis is not the kernel's rows.
    """

    supports_masking = True  # works step by step, so a mask passes through

    def __init__(
        self,
        units: int,
        activation: str | Callable[[Tensor], Tensor] | None = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
        input_dim: int | None = None,
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        if input_dim is not None:  # Keras 2's spelling of input_shape=(input_dim,)
            if input_shape is not None:
                raise ValueError("Dense: give input_shape or input_dim, not both")
            input_shape = (input_dim,)
        super().__init__(name, input_shape, dtype)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(kernel_regularizer, bias_regularizer, activity_regularizer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create `kernel` (input_shape[-1], units) and `bias` (units,).

        Raises:
            ValueError: the last axis of input_shape is unknown (None) or missing.
        """
        features = input_shape[-1] if len(input_shape) else None
        if features is None:
            raise ValueError(
                f"Dense {self.name!r}: the last axis of the input must be known to create the "
                f"kernel, got input_shape {input_shape}"
            )
        self.add_weight("kernel", (features, self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """input_shape with its last axis replaced by `units`."""
        return (*input_shape[:-1], self.units)

    def forward(self, x: Tensor) -> Tensor:
        """activation(x @ kernel + bias) for x of shape (..., inputs): (..., units).

        Raises:
            ValueError: x's last axis is not the kernel's number of rows.
        """
        expected, shape = self.kernel.shape[0], x.shape
        if not shape or shape[-1] != expected:
            raise ValueError(
                f"Dense {self.name!r}: expected inputs whose last axis has size {expected} "
                f"(the kernel has shape {self.kernel.shape}), got input of shape {x.shape}"
            )
        if self.activation is activations.relu:  # one fused node (tinygrad_edu/fused/nodes.py)
            return linear_relu(x, self.kernel, self.bias)
        return self.activation(linear(x, self.kernel, self.bias))

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"units={self.units}, activation={activations.name_of(self.activation)!r}"


class Flatten(Layer):
    """Reshape each sample to one long vector, keeping the batch axis: (N, 28, 28) -> (N, 784).

    No weights; the values are not copied or changed, only seen in a new shape, in
    C (row-major) order as NumPy's reshape. Arguments as for `Layer`.
    """

    def __init__(
        self,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.build_if_shape_known()

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, product of the other axes), None if any of them is unknown."""
        rest = input_shape[1:]
        size = None if any(s is None for s in rest) else math.prod(rest)
        return (input_shape[0], size)

    def forward(self, x: Tensor) -> Tensor:
        """x of shape (N, ...) as (N, everything else).

        Raises:
            ValueError: x is a 0-d Tensor (no batch axis).
        """
        if x.ndim == 0:
            raise ValueError(f"Flatten {self.name!r}: needs a batch axis, got a 0-d input")
        return x.reshape(x.shape[0], -1)


class Dropout(Layer):
    """During training, zero each input with probability `rate` and scale the rest by
    1 / (1 - rate) ("inverted" dropout), so the expected value of every unit stays the
    same and nothing has to change at test time. In inference mode it passes inputs through.

    The mode is inference after construction, so a direct `layer(x)` or `model(x)`
    drops nothing, as in Keras; `fit` drops during its steps. To drop in a loop of
    your own, call `layer(x, training=True)` or `model.train()` first.
    The random mask comes from `tinygrad_edu.random.generator()` (see manual_seed).
    Source: Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks
    from Overfitting" (JMLR 2014); the rescaling at training time is Keras's.

    Args:
        rate: the fraction of inputs set to zero, in [0, 1).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: rate outside [0, 1) or not a number.
    """

    supports_masking = True  # works step by step, so a mask passes through

    def __init__(
        self,
        rate: float,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        valid = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
        if not valid or not 0.0 <= rate < 1.0:
            raise ValueError(
                f"Dropout: rate must be a number in [0, 1), the fraction of inputs set to zero, "
                f"got {rate!r}"
            )
        super().__init__(name, input_shape, dtype)
        self.rate = float(rate)
        self.build_if_shape_known()

    def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
        """x with dropout applied in training mode (a new mask each call); x itself otherwise.

        The output has x's shape and dtype; the mask is recorded as a constant, so the
        gradient is zero where an input was dropped and 1 / (1 - rate) elsewhere.
        """
        training = self.training if training is None else training
        if not training or self.rate == 0.0:
            return x
        keep = random.generator().random(x.shape, dtype=np.float32) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        return x * (keep * scale)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"rate={self.rate}"


class ActivityRegularization(Layer):
    """Pass the input through unchanged, adding l1 * sum(|x|) + l2 * sum(x^2) (divided by
    the batch size) to the training loss: Keras 3's layer, an activity regularizer on
    its own.

    Args:
        l1, l2: the factors, numbers >= 0 (0 by default, as Keras).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: a negative or non-numeric factor.
    """

    supports_masking = True

    def __init__(
        self,
        l1: float = 0.0,
        l2: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        from tinygrad_edu.nn.regularizers import L1L2

        penalty = L1L2(l1=l1, l2=l2)  # checks the factors
        super().__init__(name, input_shape, dtype)
        self.l1, self.l2 = penalty.l1, penalty.l2
        self.set_regularizers(activity=penalty)
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """x itself; `Layer.__call__` records the penalty of it."""
        return x


class Activation(Layer):
    """Apply an activation function (a name such as "relu", or a callable) as a layer.

    No weights; the output has the input's shape.

    Args:
        activation: a name such as "relu" or a function Tensor -> Tensor.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: an unknown activation name.
        TypeError: an activation that is neither a name nor callable.
    """

    supports_masking = True  # works step by step, so a mask passes through

    def __init__(
        self,
        activation: str | Callable[[Tensor], Tensor],
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.activation = activations.get(activation)
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """activation(x), of x's shape."""
        return self.activation(x)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"activation={activations.name_of(self.activation)!r}"


class Softmax(Layer):
    """softmax along `axis` as a layer (Keras's `layers.Softmax`): logits in, probabilities
    out, each row summing to 1. A crossentropy on its output works from the logits
    underneath (see `activations.softmax`).

    Args:
        axis: the axis the probabilities sum to 1 along (the last by default).
        input_shape, name, dtype: as for `Layer`.
    """

    def __init__(
        self,
        axis: int = -1,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.axis = int(axis)
        self.build_if_shape_known()

    def forward(self, x: Tensor) -> Tensor:
        """softmax(x) along `axis`, of x's shape."""
        return activations.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"axis={self.axis}"
