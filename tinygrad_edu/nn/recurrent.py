"""Recurrent layers: SimpleRNN, LSTM and GRU, as a Python loop over time steps.

A recurrent layer reads a sequence (batch, steps, features) one step at a time,
carrying a state from step to step:

    state = initial state (zeros)
    for t in 0, 1, ..., steps - 1:
        output, state = step(inputs[:, t], state)

Each step is a handful of the engine's ops (matrix products, sigmoid, tanh), so the
loop records one long graph, and `backward()` walking it newest first *is*
backpropagation through time: nothing here computes a derivative.

Everything follows Keras 3: the names, arguments and defaults, the weight layouts
(one `kernel` (features, gates * units) and one `recurrent_kernel` (units, gates *
units) with the gates side by side: LSTM i, f, c, o; GRU z, r, h), `go_backwards`
(read the sequence from its end; the returned sequence is in reading order),
`return_sequences`, `return_state`, and masking: where the mask is False for a
sample at a step, that step is skipped for it (its state is carried over, and its
output repeats the previous one, or is zero with `zero_output_for_mask`).
Sources: Elman (1990) for SimpleRNN; Hochreiter & Schmidhuber (1997) and Gers et al.
(2000) for the LSTM and its forget gate; Cho et al. (2014) for the GRU.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.functional import linear
from tinygrad_edu.nn import activations, initializers
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor, stack, where


class _RecurrentLayer(Layer):
    """What SimpleRNN, LSTM and GRU share: the loop over time, masks, dropout, states.

    A subclass creates its weights in `build` and writes `step(x_t, states)`, one
    time step: it returns the step's output and the new states (a list).

    Args:
        units: the size of the state (and of each output step).
        return_sequences: return every step's output (batch, steps, units), not only
            the last (batch, units).
        return_state: return `[output, *final states]` instead of the output alone.
        go_backwards: read the sequence from its last step to its first.
        zero_output_for_mask: a masked step outputs zeros instead of the previous output.
        dropout: the fraction of the inputs dropped in training (one mask per sequence,
            the same at every step, as Keras does).
        recurrent_dropout: the same for the state going into the recurrent product.
        input_shape, name, dtype: as for `Layer`.

    Raises:
        ValueError: units not a positive integer, dropout outside [0, 1).
    """

    supports_masking = True
    #: How many state tensors the layer carries (LSTM: 2, h and c).
    state_count = 1

    def __init__(
        self,
        units: int,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        zero_output_for_mask: bool = False,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        who = type(self).__name__
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{who}: units must be a positive integer, got {units!r}")
        for what, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
                raise ValueError(f"{who}: {what} must be a number in [0, 1), got {rate!r}")
        super().__init__(name, input_shape, dtype)
        self.units = int(units)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.recurrent_dropout_mask: np.ndarray | None = None  # drawn per call, in training

    def check_sequence_shape(self, input_shape: Shape) -> int:
        """The number of features of a (batch, steps, features) input shape.

        Raises:
            ValueError: the shape does not have 3 axes or its features are unknown.
        """
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: expected sequences of shape (batch, steps, "
                f"features), got input_shape {tuple(input_shape)}"
            )
        return int(input_shape[-1])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, steps, units) with return_sequences, else (batch, units)."""
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def compute_mask(self, inputs: Tensor, mask: np.ndarray | None = None) -> np.ndarray | None:
        """The input's mask when every step is returned; None for the last output alone."""
        return mask if self.return_sequences else None

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """One time step: (output, new states) from the step's input (batch, features).

        Raises:
            NotImplementedError: in the base class.
        """
        raise NotImplementedError

    def forward(
        self,
        inputs: Tensor,
        mask: Any = None,
        initial_state: Sequence[Any] | None = None,
        training: bool | None = None,
    ) -> Tensor | list[Tensor]:
        """Run the loop over the steps of `inputs` (batch, steps, features).

        Args:
            inputs: the sequences.
            mask: (batch, steps) booleans, True for the steps to read (or None).
            initial_state: the starting states, each (batch, units) (zeros if None).
            training: apply dropout (set by the layer's mode when left out).

        Returns:
            The output ((batch, steps, units) or (batch, units)), or with
            return_state `[output, *states]`.

        Raises:
            ValueError: inputs not 3-D or of the wrong features, a mask or initial
                state of the wrong shape.
        """
        who = f"{type(self).__name__} {self.name!r}"
        features = self.check_sequence_shape((None, *inputs.shape[1:]))
        if features != self.kernel.shape[0]:
            raise ValueError(
                f"{who}: expected {self.kernel.shape[0]} features per step, got input of shape "
                f"{inputs.shape}"
            )
        batch, steps = inputs.shape[0], inputs.shape[1]
        states = self._initial_states(batch, initial_state, who)
        keep = self._step_mask(mask, batch, steps, who)
        training = self.training if training is None else training
        input_dropout = self._dropout_mask(training, self.dropout, (batch, features))
        self.recurrent_dropout_mask = self._dropout_mask(
            training, self.recurrent_dropout, (batch, self.units)
        )
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        for t in order:
            x = inputs[:, t, :]
            if input_dropout is not None:
                x = x * input_dropout
            output, new_states = self.step(x, states)
            if keep is not None:
                # Where a sample's step is masked, its state stays and its output repeats
                # the previous one (Keras: the previous state h), or is zero.
                here = keep[:, t : t + 1]
                skipped = output * 0.0 if self.zero_output_for_mask else states[0]
                output = where(here, output, skipped)
                new_states = [where(here, new, old) for new, old in zip(new_states, states)]
            states = new_states
            outputs.append(output)
        result = stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return [result, *states] if self.return_state else result

    def recurrent_input(self, h: Tensor) -> Tensor:
        """The state going into the recurrent product, with recurrent dropout in training."""
        if self.recurrent_dropout_mask is None:
            return h
        return h * self.recurrent_dropout_mask

    def _initial_states(self, batch: int, given: Any, who: str) -> list[Tensor]:
        if given is None:
            zeros = np.zeros((batch, self.units), dtype=self.dtype)
            return [Tensor(zeros) for _ in range(self.state_count)]
        given = [given] if isinstance(given, (Tensor, np.ndarray)) else list(given)
        states = [s if isinstance(s, Tensor) else Tensor(np.asarray(s, self.dtype)) for s in given]
        if len(states) != self.state_count or any(s.shape != (batch, self.units) for s in states):
            raise ValueError(
                f"{who}: initial_state must be {self.state_count} tensor(s) of shape "
                f"({batch}, {self.units}), got shapes {[s.shape for s in states]}"
            )
        return states

    @staticmethod
    def _step_mask(mask: Any, batch: int, steps: int, who: str) -> np.ndarray | None:
        if mask is None:
            return None
        keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
        if keep.shape != (batch, steps):
            raise ValueError(
                f"{who}: the mask must have shape (batch, steps) = {(batch, steps)}, got "
                f"{keep.shape}"
            )
        return keep

    def _dropout_mask(self, training: bool, rate: float, shape: tuple[int, int]) -> Any:
        if not training or rate == 0.0:
            return None
        kept = random.generator().random(shape) >= rate
        return (kept / (1.0 - rate)).astype(self.dtype)

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"units={self.units}, return_sequences={self.return_sequences}"


class SimpleRNN(_RecurrentLayer):
    """The plainest recurrent layer: h_t = activation(x_t @ W + h_{t-1} @ U + bias).

    W is `kernel` and U `recurrent_kernel`.

    The output of each step is its state h_t. Weights as Keras's: `kernel`
    (features, units), `recurrent_kernel` (units, units), `bias` (units,).

    Args:
        units: the size of the state and output.
        activation: "tanh" by default.
        use_bias: add a learned bias.
        kernel_initializer: "glorot_uniform"; recurrent_initializer: "orthogonal";
            bias_initializer: "zeros" (Keras's defaults).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer: penalties on the kernels, the bias and the output
            (`nn.regularizers`), as Keras's.
        return_sequences, return_state, go_backwards, zero_output_for_mask, dropout,
            recurrent_dropout, input_shape, name, dtype: as for `_RecurrentLayer`.
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        zero_output_for_mask: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(
            units, return_sequences, return_state, go_backwards, zero_output_for_mask,
            dropout, recurrent_dropout, input_shape, name, dtype,
        )  # fmt: skip
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            recurrent_kernel=recurrent_regularizer,
        )
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create kernel (features, units), recurrent_kernel (units, units), bias (units,)."""
        features = self.check_sequence_shape(input_shape)
        self.add_weight("kernel", (features, self.units), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (self.units, self.units), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)
        super().build(input_shape)

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)."""
        (h_prev,) = states
        h = self.activation(
            linear(x, self.kernel, self.bias) + self.recurrent_input(h_prev) @ self.recurrent_kernel
        )
        return h, [h]


class LSTM(_RecurrentLayer):
    """Long short-term memory: a cell state c that gates decide to keep, forget or add to.

    One step, with z = x @ kernel + h_prev @ recurrent_kernel + bias cut into four
    blocks of `units` in Keras's order i, f, c, o:

        i = sigmoid(z_i)    input gate: how much of the new candidate to add
        f = sigmoid(z_f)    forget gate: how much of the old cell to keep
        g = tanh(z_c)       the candidate
        o = sigmoid(z_o)    output gate
        c = f * c_prev + i * g
        h = o * tanh(c)     the output and the state passed on

    Weights: `kernel` (features, 4 units), `recurrent_kernel` (units, 4 units),
    `bias` (4 units,). States: [h, c].

    Args:
        units: the size of h and c.
        activation: "tanh" (for g and for c on the way out); recurrent_activation:
            "sigmoid" (the gates).
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer: as SimpleRNN.
        unit_forget_bias: start the forget gate's bias at 1 (remember by default), as
            Keras does (Jozefowicz et al. 2015).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer: penalties on the kernels, the bias and the output
            (`nn.regularizers`), as Keras's.
        return_sequences, return_state, go_backwards, zero_output_for_mask, dropout,
            recurrent_dropout, input_shape, name, dtype: as for `_RecurrentLayer`.
    """

    state_count = 2

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        zero_output_for_mask: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(
            units, return_sequences, return_state, go_backwards, zero_output_for_mask,
            dropout, recurrent_dropout, input_shape, name, dtype,
        )  # fmt: skip
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            recurrent_kernel=recurrent_regularizer,
        )
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create kernel (features, 4u), recurrent_kernel (u, 4u), bias (4u,)."""
        features, units = self.check_sequence_shape(input_shape), self.units
        self.add_weight("kernel", (features, 4 * units), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (units, 4 * units), self.recurrent_initializer)
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:  # i: initializer, f: ones, c and o: initializer

                def initializer(shape: Any, dtype: Any = "float32") -> np.ndarray:
                    parts = [
                        self.bias_initializer((units,), dtype=dtype),
                        np.ones((units,), dtype=dtype),
                        self.bias_initializer((2 * units,), dtype=dtype),
                    ]
                    return np.concatenate(parts)

            self.add_weight("bias", (4 * units,), initializer)
        super().build(input_shape)

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """[h, c] from x (batch, features) and the previous [h, c]; see the class docstring."""
        h_prev, c_prev = states
        u = self.units
        z = linear(x, self.kernel, self.bias) + self.recurrent_input(h_prev) @ self.recurrent_kernel
        # The three gates' activation runs once over all four blocks (one op, not three;
        # the candidate block's result is simply not used), then each gate is a slice.
        gates = self.recurrent_activation(z)
        i = gates[:, :u]
        f = gates[:, u : 2 * u]
        g = self.activation(z[:, 2 * u : 3 * u])
        o = gates[:, 3 * u :]
        c = f * c_prev + i * g
        h = o * self.activation(c)
        return h, [h, c]


class GRU(_RecurrentLayer):
    """Gated recurrent unit: an update gate z mixes the old state with a candidate.

    With x @ kernel cut into blocks z, r, h (Keras's order) and the same for the
    recurrent product:

        z = sigmoid(x_z + h_prev @ R_z)              update gate
        r = sigmoid(x_r + h_prev @ R_r)              reset gate
        reset_after=True (Keras 3's default, cuDNN's form):
            candidate = tanh(x_h + r * (h_prev @ R_h + recurrent bias_h))
        reset_after=False (the original paper's form):
            candidate = tanh(x_h + (r * h_prev) @ R_h)
        h = z * h_prev + (1 - z) * candidate

    Weights: `kernel` (features, 3 units), `recurrent_kernel` (units, 3 units), and
    `bias` of shape (2, 3 units) with reset_after (row 0 for the input, row 1 for the
    recurrent product) or (3 units,) without.

    Args:
        units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer: as LSTM.
        reset_after: apply the reset gate after the recurrent product (True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer: penalties on the kernels, the bias and the output
            (`nn.regularizers`), as Keras's.
        return_sequences, return_state, go_backwards, zero_output_for_mask, dropout,
            recurrent_dropout, input_shape, name, dtype: as for `_RecurrentLayer`.
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        zero_output_for_mask: bool = False,
        reset_after: bool = True,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(
            units, return_sequences, return_state, go_backwards, zero_output_for_mask,
            dropout, recurrent_dropout, input_shape, name, dtype,
        )  # fmt: skip
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.reset_after = reset_after
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            recurrent_kernel=recurrent_regularizer,
        )
        self.bias: Tensor | None = None
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Create kernel (features, 3u), recurrent_kernel (u, 3u), bias (2, 3u) or (3u,)."""
        features, units = self.check_sequence_shape(input_shape), self.units
        self.add_weight("kernel", (features, 3 * units), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (units, 3 * units), self.recurrent_initializer)
        if self.use_bias:
            shape = (2, 3 * units) if self.reset_after else (3 * units,)
            self.add_weight("bias", shape, self.bias_initializer)
        super().build(input_shape)

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """[h] from x (batch, features) and the previous [h]; see the class docstring."""
        (h_prev,) = states
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            input_bias, recurrent_bias = (
                (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
            )
        x_all = linear(x, self.kernel, input_bias)
        h_in = self.recurrent_input(h_prev)
        if self.reset_after:
            inner = linear(h_in, self.recurrent_kernel, recurrent_bias)
        else:
            inner = h_in @ self.recurrent_kernel[:, : 2 * u]
        z = self.recurrent_activation(x_all[:, :u] + inner[:, :u])
        r = self.recurrent_activation(x_all[:, u : 2 * u] + inner[:, u : 2 * u])
        if self.reset_after:
            recurrent_h = r * inner[:, 2 * u :]
        else:
            recurrent_h = (r * h_in) @ self.recurrent_kernel[:, 2 * u :]
        candidate = self.activation(x_all[:, 2 * u :] + recurrent_h)
        h = z * h_prev + (1.0 - z) * candidate
        return h, [h]
