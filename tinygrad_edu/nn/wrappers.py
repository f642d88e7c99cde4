"""Wrappers: layers that run another layer in a new way.

- `Bidirectional(LSTM(32))` reads each sequence forwards with one copy of the layer
  and backwards with another, and joins what the two found (Schuster & Paliwal 1997).
- `TimeDistributed(Dense(8))` applies a layer to every time step on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.recurrent import _RecurrentLayer
from tinygrad_edu.tensor import Tensor, concatenate

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Run a recurrent layer over the sequence forwards and a copy of it backwards.

    The copies are made from `layer`'s config (so they start unbuilt, as in Keras):
    `forward_layer`, named "forward_<name>", and `backward_layer` (the same with
    `go_backwards=True`), named "backward_<name>". With return_sequences the backward
    outputs are turned back into time order before the two are merged, so step t
    holds what both directions saw around t. Weights: the forward layer's, then the
    backward layer's (Keras's order).

    Args:
        layer: a SimpleRNN, LSTM or GRU (unbuilt).
        merge_mode: "concat" (default: (..., 2 units)), "sum", "mul", "ave", or None
            (return the two outputs as a list).
        backward_layer: a layer to use for the backward direction instead of a copy
            (it must have go_backwards=True).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        TypeError: layer is not a recurrent layer.
        ValueError: an unknown merge_mode, or a backward_layer that does not read backwards
            or differs in return_sequences/return_state.
    """

    supports_masking = True

    def __init__(
        self,
        layer: _RecurrentLayer,
        merge_mode: str | None = "concat",
        backward_layer: _RecurrentLayer | None = None,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if not isinstance(layer, _RecurrentLayer):
            raise TypeError(
                f"Bidirectional: expected a recurrent layer (SimpleRNN, LSTM, GRU), got "
                f"{type(layer).__name__}"
            )
        if merge_mode not in MERGE_MODES:
            raise ValueError(
                f"Bidirectional: merge_mode must be one of {MERGE_MODES}, got {merge_mode!r}"
            )
        super().__init__(name, input_shape, dtype)
        self.layer = layer
        self.merge_mode = merge_mode
        self.forward_layer = self._copy(layer, f"forward_{layer.name}", layer.go_backwards)
        if backward_layer is None:
            backward = self._copy(layer, f"backward_{layer.name}", not layer.go_backwards)
        else:
            backward = backward_layer
            same = all(
                getattr(backward, what) == getattr(layer, what)
                for what in ("return_sequences", "return_state")
            )
            if backward.go_backwards == layer.go_backwards or not same:
                raise ValueError(
                    "Bidirectional: backward_layer must read the other way (go_backwards) and "
                    "have the layer's return_sequences and return_state"
                )
        self.backward_layer = backward
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        # As Keras: with every step returned, a masked step outputs zeros in both directions.
        for direction in (self.forward_layer, self.backward_layer):
            direction.zero_output_for_mask = self.return_sequences
        self.build_if_shape_known()

    @staticmethod
    def _copy(layer: _RecurrentLayer, name: str, go_backwards: bool) -> _RecurrentLayer:
        config = {**layer.get_config(), "name": name, "go_backwards": go_backwards}
        return type(layer).from_config(config)

    def named_children(self) -> Any:
        """The two directions (the template `layer` holds no weights of its own)."""
        yield "forward_layer", self.forward_layer
        yield "backward_layer", self.backward_layer

    def build(self, input_shape: Shape) -> None:
        """Build both directions for (batch, steps, features) inputs."""
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(input_shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The layer's output shape, with the units doubled for "concat"."""
        shape = self.forward_layer.compute_output_shape(input_shape)
        if self.merge_mode == "concat":
            return (*shape[:-1], 2 * shape[-1])
        return shape

    def compute_mask(self, inputs: Tensor, mask: np.ndarray | None = None) -> np.ndarray | None:
        """The input's mask when every step is returned, else None."""
        return mask if self.return_sequences else None

    def forward(
        self,
        inputs: Tensor,
        mask: Any = None,
        initial_state: Sequence[Any] | None = None,
        training: bool | None = None,
    ) -> Any:
        """Both directions over `inputs` (batch, steps, features), merged.

        Args:
            inputs: the sequences.
            mask: (batch, steps) booleans, True for real steps.
            initial_state: the forward layer's states followed by the backward layer's.
            training: apply the layers' dropout.

        Returns:
            The merged output; with return_state `[output, *forward states, *backward
            states]`; with merge_mode None the two outputs (then the states) as a list.
        """
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        calls = (
            (self.forward_layer, forward_state),
            (self.backward_layer, backward_state),
        )
        results = [
            layer(inputs, mask=mask, initial_state=state, training=training)
            for layer, state in calls
        ]
        states: list[Tensor] = []
        if self.return_state:
            states = [*results[0][1:], *results[1][1:]]
            results = [results[0][0], results[1][0]]
        ahead, behind = results
        if self.return_sequences:  # the backward layer's steps come out last-first
            behind = behind[:, ::-1]
        if self.merge_mode == "concat":
            merged: Any = concatenate([ahead, behind], axis=-1)
        elif self.merge_mode == "sum":
            merged = ahead + behind
        elif self.merge_mode == "ave":
            merged = (ahead + behind) * 0.5
        elif self.merge_mode == "mul":
            merged = ahead * behind
        else:
            return [ahead, behind, *states]
        return [merged, *states] if self.return_state else merged

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"merge_mode={self.merge_mode!r}"


class TimeDistributed(Layer):
    """Apply `layer` to every time step of (batch, steps, ...) on its own, with shared weights.

    The steps are folded into the batch axis, the layer runs once on
    (batch * steps, ...), and the result is unfolded to (batch, steps, ...).

    Args:
        layer: any layer (a Dense, a Conv2D on a sequence of images, ...).
        input_shape, name, dtype: as for `Layer`.

    Raises:
        TypeError: layer is not a Module.
        ValueError: inputs with fewer than 3 axes.
    """

    supports_masking = True

    def __init__(
        self,
        layer: Module,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if not isinstance(layer, Module):
            raise TypeError(f"TimeDistributed: expected a layer, got {type(layer).__name__}")
        super().__init__(name, input_shape, dtype)
        self.layer = layer
        self.build_if_shape_known()

    def build(self, input_shape: Shape) -> None:
        """Build the inner layer for one step's shape (batch, ...).

        Raises:
            ValueError: input_shape has fewer than 3 axes.
        """
        if len(input_shape) < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r}: expected inputs (batch, steps, ...) with at "
                f"least 3 axes, got input_shape {tuple(input_shape)}"
            )
        if isinstance(self.layer, Layer) and not self.layer.built:
            self.layer.build((None, *input_shape[2:]))
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, steps) + the inner layer's output shape for one step."""
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def forward(self, inputs: Tensor) -> Tensor:
        """The layer on each step: (batch, steps, ...) -> (batch, steps, ...)."""
        if inputs.ndim < 3:
            raise ValueError(
                f"TimeDistributed {self.name!r}: expected inputs (batch, steps, ...), got shape "
                f"{inputs.shape}"
            )
        batch, steps = inputs.shape[:2]
        folded = self.layer(inputs.reshape(batch * steps, *inputs.shape[2:]))
        return folded.reshape(batch, steps, *folded.shape[1:])

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"layer={self.layer.name!r}"
