"""Recurrent layers: a cell's step, run over time by one Python loop.

A recurrent layer reads a sequence (batch, steps, features) one step at a time,
carrying a state from step to step. The step is a *cell*; the loop is
`run_over_time`, the only loop over time steps in the package:

    states = initial states (zeros)
    for t in 0, 1, ..., steps - 1:
        output, states = step(inputs[:, t], states)

Each step is a handful of the engine's ops (matrix products, sigmoid, tanh), so the
loop records one long graph, and `backward()` walking it newest first *is*
backpropagation through time: nothing here computes a derivative.

As in Keras 3 there are cells (`SimpleRNNCell`, `LSTMCell`, `GRUCell`, or your own
Layer with a `state_size` and `call(inputs, states)`), the generic `RNN(cell)` that
runs one over time, and the layers `SimpleRNN`, `LSTM`, `GRU`, which are that loop
around their cell's step with the weights held by the layer itself (so a layer's
weights are named "lstm.kernel", not "lstm.cell.kernel"). The step of a cell and of
its layer is one piece of code (`_LSTMStep`, ...), shared by both classes.

Everything follows Keras 3: the names, arguments and defaults, the weight layouts
(one `kernel` (features, gates * units) and one `recurrent_kernel` (units, gates *
units) with the gates side by side: LSTM i, f, c, o; GRU z, r, h), `go_backwards`
(read the sequence from its end; the returned sequence is in reading order),
`return_sequences`, `return_state`, `stateful` (the last states of one batch are the
first of the next), and masking: where the mask is False for a sample at a step,
that step is skipped for it (its state is carried over, and its output repeats the
previous one, or is zero with `zero_output_for_mask`).
Sources: Elman (1990) for SimpleRNN; Hochreiter & Schmidhuber (1997) and Gers et al.
(2000) for the LSTM and its forget gate; Cho et al. (2014) for the GRU.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.autograd import is_grad_enabled
from tinygrad_edu.functional import linear
from tinygrad_edu.fused.recurrent import (
    lstm_state_step,
    lstm_step,
    lstm_step_simple,
    transposed_copy,
)
from tinygrad_edu.nn import activations, initializers, symbolic
from tinygrad_edu.nn.layers import Layer, Shape
from tinygrad_edu.tensor import Tensor, concatenate, stack, where

#: A step: (input of one time step (batch, features), states) -> (output, new states).
Step = Callable[[Tensor, list[Tensor]], tuple[Tensor, list[Tensor]]]


def run_over_time(
    step: Step,
    inputs: Tensor,
    states: list[Tensor],
    keep: np.ndarray | None = None,
    go_backwards: bool = False,
    zero_output_for_mask: bool = False,
    output_state: int = 0,
) -> tuple[list[Tensor], list[Tensor]]:
    """Run `step` over the time steps of `inputs`: the loop every recurrent layer shares.

    Args:
        step: one time step, `(x_t (batch, features), states) -> (output, new states)`.
        inputs: the sequences, (batch, steps, features).
        states: the states before the first step read, each (batch, size).
        keep: (batch, steps) booleans, False where a sample's step is masked (or None).
        go_backwards: read from the last step to the first.
        zero_output_for_mask: a masked step outputs zeros, not the previous output.
        output_state: which state is the previous output (for a masked step's output).

    Returns:
        (the outputs of the steps in reading order, the final states).
    """
    order = range(inputs.shape[1] - 1, -1, -1) if go_backwards else range(inputs.shape[1])
    outputs = []
    for t in order:
        output, new_states = step(inputs[:, t, :], states)
        if keep is not None:
            # Where a sample's step is masked, its states stay and its output repeats the
            # previous one (Keras: the previous state h, the output), or is zero.
            here = keep[:, t : t + 1]
            skipped = output * 0.0 if zero_output_for_mask else states[output_state]
            output = where(here, output, skipped)
            new_states = [where(here, new, old) for new, old in zip(new_states, states)]
        states = new_states
        outputs.append(output)
    return outputs, states


def _check_rate(who: str, what: str, rate: Any) -> float:
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
        raise ValueError(f"{who}: {what} must be a number in [0, 1), got {rate!r}")
    return float(rate)


def _check_units(who: str, units: Any) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(f"{who}: units must be a positive integer, got {units!r}")
    return int(units)


class _RecurrentLayer(Layer):
    """What every recurrent layer shares: the loop over time, masks, states, statefulness.

    A subclass says what one step is: `step(x_t, states)` (returning the step's output
    and its new states), `state_sizes` and `output_size`, `build_weights(features)`,
    and, for dropout, `start_sequence`/`end_sequence` around the loop.

    Args:
        return_sequences: return every step's output (batch, steps, units), not only
            the last (batch, units).
        return_state: return `[output, *final states]` instead of the output alone.
        go_backwards: read the sequence from its last step to its first.
        stateful: the final states of a batch are the initial states of the next
            (sample i of a batch continues sample i of the one before); the batch size
            must then stay the same, and `reset_states()` starts again from zeros.
        unroll: accepted for Keras code; the loop here is always a Python loop over
            the steps, which is what Keras calls unrolled.
        zero_output_for_mask: a masked step outputs zeros instead of the previous output.
        input_shape, name, dtype: as for `Layer`.
    """

    supports_masking = True

    def __init__(
        self,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, input_shape, dtype)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        #: With stateful=True: the states the next call starts from (None before the first).
        self.states: list[Tensor] | None = None

    # What a subclass says about its step.
    state_sizes: list[int]
    output_size: int
    #: Which state holds the step's output (h): a masked step outputs it again.
    output_state = 0

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """One time step: (output, new states) from the step's input (batch, features).

        Raises:
            NotImplementedError: in the base class.
        """
        raise NotImplementedError

    def build_weights(self, features: int) -> None:
        """Create the weights for steps of `features` inputs (subclasses do)."""

    def start_sequence(self, batch: int, features: int, training: bool) -> None:
        """Prepare for a sequence (draw dropout masks); nothing by default."""

    def end_sequence(self) -> None:
        """Forget what `start_sequence` prepared; nothing by default."""

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

    def build(self, input_shape: Shape) -> None:
        """Create the weights for (batch, steps, features) inputs.

        Raises:
            ValueError: input_shape is not (batch, steps, features).
        """
        self.build_weights(self.check_sequence_shape(input_shape))
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, steps, output size) with return_sequences, else (batch, output size)."""
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.output_size)
        return (input_shape[0], self.output_size)

    def compute_mask(self, inputs: Tensor, mask: np.ndarray | None = None) -> np.ndarray | None:
        """The input's mask when every step is returned; None for the last output alone."""
        return mask if self.return_sequences else None

    def forward(
        self,
        inputs: Tensor,
        mask: Any = None,
        initial_state: Sequence[Any] | None = None,
        training: bool | None = None,
    ) -> Tensor | list[Tensor]:
        """Run the step over the time steps of `inputs` (batch, steps, features).

        Args:
            inputs: the sequences.
            mask: (batch, steps) booleans, True for the steps to read (or None).
            initial_state: the starting states, each (batch, size) (zeros if None, or
                the last call's final states with stateful=True).
            training: apply dropout (set by the layer's mode when left out).

        Returns:
            The output ((batch, steps, units) or (batch, units)), or with
            return_state `[output, *states]`.

        Raises:
            ValueError: inputs not 3-D or of the wrong features, a mask or initial
                state of the wrong shape, a stateful layer given another batch size.
        """
        who = f"{type(self).__name__} {self.name!r}"
        features = self.check_sequence_shape((None, *inputs.shape[1:]))
        if features != self.input_shape[-1]:
            raise ValueError(
                f"{who}: expected {self.input_shape[-1]} features per step, got input of shape "
                f"{inputs.shape}"
            )
        batch, steps = inputs.shape[0], inputs.shape[1]
        # A stateful layer carries its states across calls, except through the calls that
        # only probe shapes on zeros (a model's build, keras.Input): those start from zeros.
        stateful = self.stateful and not symbolic.is_sampling_shapes()
        if initial_state is None and stateful:
            states = self._carried_states(batch, who)
        else:
            states = self._initial_states(batch, initial_state, who)
        keep = self._step_mask(mask, batch, steps, who)
        self.start_sequence(batch, features, self.training if training is None else training)
        try:
            outputs, states = self.run_steps(inputs, states, keep)
        finally:
            self.end_sequence()
        if stateful:
            # Carried as values: the next batch's graph does not reach back into this one.
            self.states = [Tensor(state.data.copy()) for state in states]
        result = stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return [result, *states] if self.return_state else result

    def run_steps(
        self, inputs: Tensor, states: list[Tensor], keep: np.ndarray | None
    ) -> tuple[list[Tensor], list[Tensor]]:
        """`run_over_time` with this layer's step and settings: (outputs, final states)."""
        return run_over_time(
            self.step, inputs, states, keep, self.go_backwards, self.zero_output_for_mask,
            self.output_state,
        )  # fmt: skip

    def reset_states(self) -> None:
        """With stateful=True: start the next batch from zero states (Keras's reset_states).

        Raises:
            AttributeError: the layer is not stateful.
        """
        if not self.stateful:
            raise AttributeError(
                f"{type(self).__name__} {self.name!r}: reset_states() is for stateful layers; "
                "make it with stateful=True"
            )
        if self.states is not None:
            self.states = [Tensor(np.zeros_like(state.data)) for state in self.states]

    def reset_state(self) -> None:
        """Keras 3's newer name for `reset_states`."""
        self.reset_states()

    def _zero_states(self, batch: int) -> list[Tensor]:
        return [Tensor(np.zeros((batch, size), dtype=self.dtype)) for size in self.state_sizes]

    def _carried_states(self, batch: int, who: str) -> list[Tensor]:
        if self.states is None:
            fixed = self.input_shape[0] if self.input_shape else None
            if fixed is not None and fixed != batch:
                self._wrong_batch(who, fixed, batch)
            self.states = self._zero_states(batch)
        elif self.states[0].shape[0] != batch:
            self._wrong_batch(who, self.states[0].shape[0], batch)
        return self.states

    @staticmethod
    def _wrong_batch(who: str, expected: int, got: int) -> None:
        raise ValueError(
            f"{who}: a stateful layer needs the same batch size in every call (each sample "
            f"continues the one at its place in the batch before): expected {expected}, got "
            f"{got}. Give fit/predict a batch_size that divides the number of samples, or "
            "make the layer without stateful=True"
        )

    def _initial_states(self, batch: int, given: Any, who: str) -> list[Tensor]:
        if given is None:
            return self._zero_states(batch)
        given = [given] if isinstance(given, (Tensor, np.ndarray)) else list(given)
        states = [s if isinstance(s, Tensor) else Tensor(np.asarray(s, self.dtype)) for s in given]
        expected = [(batch, size) for size in self.state_sizes]
        if [s.shape for s in states] != expected:
            raise ValueError(
                f"{who}: initial_state must be {len(expected)} tensor(s) of shape(s) "
                f"{', '.join(map(str, expected))}, got shapes {[s.shape for s in states]}"
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

    def extra_repr(self) -> str:
        """The settings shown inside repr's parentheses."""
        return f"units={self.output_size}, return_sequences={self.return_sequences}"


# ------------------------------------------------------------------ cells
def _check_cell(who: str, cell: Any) -> None:
    if not isinstance(cell, Layer):
        raise TypeError(f"{who}: expected a cell (a Layer), got {type(cell).__name__}")
    size = getattr(cell, "state_size", None)
    sizes = size if isinstance(size, (list, tuple)) else [size]
    if not sizes or not all(isinstance(s, (int, np.integer)) and s > 0 for s in sizes):
        raise ValueError(
            f"{who}: the cell {type(cell).__name__} needs a state_size, a positive integer or "
            f"a list of them (one per state), got {size!r}"
        )
    if "call" not in dir(cell) and type(cell).forward is Layer.forward:
        raise ValueError(f"{who}: the cell {type(cell).__name__} needs a call(inputs, states)")


def _state_sizes(cell: Any) -> list[int]:
    size = cell.state_size
    return [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)]


class _Step:
    """What the built-in steps share: units, dropout masks, and Keras's state_size.

    Mixed into a cell (`LSTMCell`) and into its layer (`LSTM`), which both hold the
    weights the step uses. Dropout follows Keras: one mask per sequence, the same
    at every step, for the inputs (`dropout`) and for the state going into the
    recurrent product (`recurrent_dropout`), drawn only in training.
    """

    #: How many state tensors the step carries (LSTM: 2, h and c).
    state_count = 1
    units: int
    dropout: float
    recurrent_dropout: float
    dtype: np.dtype

    def _keep_units_and_dropout(self, units: Any, dropout: Any, recurrent_dropout: Any) -> None:
        who = type(self).__name__
        self.units = _check_units(who, units)
        self.dropout = _check_rate(who, "dropout", dropout)
        self.recurrent_dropout = _check_rate(who, "recurrent_dropout", recurrent_dropout)
        self.input_dropout_mask: np.ndarray | None = None  # drawn per sequence, in training
        self.recurrent_dropout_mask: np.ndarray | None = None

    @property
    def state_sizes(self) -> list[int]:
        """The size of each state (a list, as the loop uses it)."""
        return [self.units] * self.state_count

    @property
    def state_size(self) -> int | list[int]:
        """Keras's state_size: an int for one state, a list for several."""
        return self.units if self.state_count == 1 else self.state_sizes

    @property
    def output_size(self) -> int:
        """The size of each step's output."""
        return self.units

    def get_initial_state(self, batch_size: int) -> list[Tensor]:
        """Zero states for a batch, each (batch_size, units)."""
        return [Tensor(np.zeros((batch_size, size), self.dtype)) for size in self.state_sizes]

    def start_sequence(self, batch: int, features: int, training: bool) -> None:
        """Draw this sequence's dropout masks (in training, when a rate is set)."""
        self.input_dropout_mask = self._dropout_mask(training, self.dropout, (batch, features))
        self.recurrent_dropout_mask = self._dropout_mask(
            training, self.recurrent_dropout, (batch, self.units)
        )

    def end_sequence(self) -> None:
        """Forget the masks: the next sequence draws new ones."""
        self.input_dropout_mask = self.recurrent_dropout_mask = None

    def _dropout_mask(self, training: bool, rate: float, shape: tuple[int, int]) -> Any:
        if not training or rate == 0.0:
            return None
        kept = random.generator().random(shape) >= rate
        return (kept / (1.0 - rate)).astype(self.dtype)

    def dropped_input(self, x: Tensor) -> Tensor:
        """The step's input, with input dropout while a training sequence runs."""
        return x if self.input_dropout_mask is None else x * self.input_dropout_mask

    def recurrent_input(self, h: Tensor) -> Tensor:
        """The state going into the recurrent product, with recurrent dropout in training."""
        return h if self.recurrent_dropout_mask is None else h * self.recurrent_dropout_mask


class _Cell(Layer):
    """A cell as a Layer of its own (Keras's SimpleRNNCell, ...): one step, called as
    `cell(x_t, states)` -> `(output, new_states)`; `RNN(cell)` runs it over time."""

    def build(self, input_shape: Shape) -> None:
        """Create the weights for step inputs of shape (batch, features)."""
        self.build_weights(int(input_shape[-1]))
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """(batch, units)."""
        return (input_shape[0], self.output_size)

    def call(
        self, inputs: Tensor, states: Any, training: bool | None = None
    ) -> tuple[Tensor, list[Tensor]]:
        """One step: `(output, new_states)` from `inputs` (batch, features) and `states`.

        Dropout applies when an RNN runs the cell in training (it draws the masks for
        the whole sequence); a cell called on its own drops nothing.
        """
        states = [states] if isinstance(states, Tensor) else list(states)
        return self.step(inputs, states)

    def __call__(self, inputs: Any, states: Any = None, **kwargs: Any) -> Any:
        """`cell(x_t, states)`: Keras's positional call, mapped onto `Layer.__call__`.

        Raises:
            ValueError: no states given.
        """
        if states is None:
            raise ValueError(f"{type(self).__name__}: call the cell as cell(inputs, states)")
        return super().__call__(inputs, states=states, **kwargs)


class RNN(_RecurrentLayer):
    """Run any cell over time (Keras's generic `RNN`): `RNN(LSTMCell(8))` is an LSTM(8).

    A cell is a Layer with `state_size` (an int, or a list with one size per state),
    optionally `output_size` (else the first state's size), and
    `call(inputs, states)` returning `(output, new_states)` for one step, with
    `inputs` (batch, features) and `states` a list of (batch, size) tensors. The
    cell's weights are its own (named "<cell name>.kernel"); a list of cells is run
    as `StackedRNNCells`.

    Args:
        cell: the cell (or a list of cells).
        return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype: as for `_RecurrentLayer`.

    Raises:
        TypeError: cell is not a Layer.
        ValueError: the cell has no usable state_size or no call.
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(list(cell))
        _check_cell("RNN", cell)
        super().__init__(
            return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype,
        )  # fmt: skip
        self.cell = cell
        self.build_if_shape_known()

    @property
    def state_sizes(self) -> list[int]:  # type: ignore[override]
        """The cell's state sizes, as a list."""
        return _state_sizes(self.cell)

    @property
    def output_size(self) -> int:  # type: ignore[override]
        """The cell's output_size, or its first state's size."""
        return int(getattr(self.cell, "output_size", None) or self.state_sizes[0])

    @property
    def output_state(self) -> int:  # type: ignore[override]
        """Which of the cell's states is its output (the first, but for stacked cells)."""
        return int(getattr(self.cell, "output_state", 0))

    def build_weights(self, features: int) -> None:
        """Build the cell for step inputs (batch, features)."""
        if not self.cell.built:
            self.cell.build((None, features))
            if not self.cell.built:  # a user cell's build that forgot super().build(...)
                Layer.build(self.cell, (None, features))

    def start_sequence(self, batch: int, features: int, training: bool) -> None:
        """Let the cell draw its dropout masks, if it has any."""
        start = getattr(self.cell, "start_sequence", None)
        if start is not None:
            start(batch, features, training)

    def end_sequence(self) -> None:
        """Let the cell forget its dropout masks."""
        end = getattr(self.cell, "end_sequence", None)
        if end is not None:
            end()

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """The cell's step; new states as a list even when the cell returns one tensor."""
        # states= by name: a Layer's own __call__ takes `training` second.
        output, new_states = self.cell(x, states=states)
        if isinstance(new_states, Tensor):
            new_states = [new_states]
        return output, list(new_states)


class StackedRNNCells(_Cell):
    """Several cells as one (Keras's StackedRNNCells): each step runs the cells in turn,
    each reading the output of the one before. The states are every cell's states,
    the first cell's first.

    Args:
        cells: the cells, first to last.
        name: as for `Layer`.
        dtype: of the inputs it takes; the first cell's by default.

    Raises:
        TypeError, ValueError: a cell that is not a Layer with state_size and call.
    """

    def __init__(self, cells: Sequence[Any], name: str | None = None, dtype: Any = None) -> None:
        for cell in cells:
            _check_cell("StackedRNNCells", cell)
        if dtype is None:  # the cells' own
            dtype = cells[0].dtype if cells else "float32"
        super().__init__(name, None, dtype)
        self.cells = list(cells)

    @property
    def state_size(self) -> list[int]:
        """Every cell's state sizes, one after another (a flat list)."""
        return [size for cell in self.cells for size in _state_sizes(cell)]

    @property
    def output_state(self) -> int:
        """The first state of the last cell, which is its output (as Keras takes it)."""
        return len(self.state_size) - len(_state_sizes(self.cells[-1]))

    @property
    def output_size(self) -> int:
        """The last cell's output size."""
        last = self.cells[-1]
        return int(getattr(last, "output_size", None) or _state_sizes(last)[0])

    def build_weights(self, features: int) -> None:
        """Build each cell for the output size of the one before."""
        for cell in self.cells:
            if not cell.built:
                cell.build((None, features))
            features = int(getattr(cell, "output_size", None) or _state_sizes(cell)[0])

    def start_sequence(self, batch: int, features: int, training: bool) -> None:
        """Each cell draws its dropout masks for its own input size."""
        for cell in self.cells:
            start = getattr(cell, "start_sequence", None)
            if start is not None:
                start(batch, features, training)
            features = int(getattr(cell, "output_size", None) or _state_sizes(cell)[0])

    def end_sequence(self) -> None:
        """Each cell forgets its masks."""
        for cell in self.cells:
            end = getattr(cell, "end_sequence", None)
            if end is not None:
                end()

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """Run the cells in turn on x; the new states of all of them, in order."""
        new_states: list[Tensor] = []
        for cell in self.cells:
            count = len(_state_sizes(cell))
            mine, states = states[:count], states[count:]
            x, theirs = cell(x, states=mine)
            new_states.extend([theirs] if isinstance(theirs, Tensor) else theirs)
        return x, new_states


# ------------------------------------------------------------------ SimpleRNN
class _SimpleRNNStep(_Step):
    """SimpleRNN's weights and step, shared by SimpleRNNCell and the SimpleRNN layer."""

    def _keep_arguments(
        self,
        units: Any,
        activation: Any,
        use_bias: bool,
        kernel_initializer: Any,
        recurrent_initializer: Any,
        bias_initializer: Any,
        dropout: Any,
        recurrent_dropout: Any,
    ) -> None:
        self._keep_units_and_dropout(units, dropout, recurrent_dropout)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias: Tensor | None = None

    def build_weights(self, features: int) -> None:
        """Create kernel (features, units), recurrent_kernel (units, units), bias (units,)."""
        self.add_weight("kernel", (features, self.units), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (self.units, self.units), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)."""
        (h_prev,) = states
        x = self.dropped_input(x)
        h = self.activation(
            linear(x, self.kernel, self.bias) + self.recurrent_input(h_prev) @ self.recurrent_kernel
        )
        return h, [h]


class SimpleRNNCell(_SimpleRNNStep, _Cell):
    """One step of SimpleRNN (Keras's SimpleRNNCell): `RNN(SimpleRNNCell(4))` is
    `SimpleRNN(4)`. Arguments, weights and step as `SimpleRNN`'s, without the
    sequence arguments and activity_regularizer; `state_size` is units."""

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
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, None, dtype)
        self._keep_arguments(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, dropout, recurrent_dropout,
        )  # fmt: skip
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            None,
            recurrent_kernel=recurrent_regularizer,
        )


class SimpleRNN(_SimpleRNNStep, _RecurrentLayer):
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
        dropout: the fraction of the inputs dropped in training (one mask per sequence,
            the same at every step, as Keras does); recurrent_dropout: the same for the
            state going into the recurrent product.
        return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype: as for `_RecurrentLayer`.

    Raises:
        ValueError: units not a positive integer, dropout outside [0, 1).
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
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(
            return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype,
        )  # fmt: skip
        self._keep_arguments(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, dropout, recurrent_dropout,
        )  # fmt: skip
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            recurrent_kernel=recurrent_regularizer,
        )
        self.build_if_shape_known()


# ------------------------------------------------------------------ LSTM
class _LSTMStep(_Step):
    """The LSTM's weights and step, shared by LSTMCell and the LSTM layer."""

    state_count = 2

    def _keep_arguments(
        self,
        units: Any,
        activation: Any,
        recurrent_activation: Any,
        use_bias: bool,
        kernel_initializer: Any,
        recurrent_initializer: Any,
        bias_initializer: Any,
        unit_forget_bias: bool,
        dropout: Any,
        recurrent_dropout: Any,
    ) -> None:
        self._keep_units_and_dropout(units, dropout, recurrent_dropout)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.unit_forget_bias = unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias: Tensor | None = None

    def build_weights(self, features: int) -> None:
        """Create kernel (features, 4u), recurrent_kernel (u, 4u), bias (4u,)."""
        units = self.units
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

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """[h, c] from x (batch, features) and the previous [h, c]; see `LSTM`."""
        h_prev, c_prev = states
        x = self.dropped_input(x)
        weights = (self.kernel, self.recurrent_input(h_prev), self.recurrent_kernel, self.bias)
        if self.default_activations():
            # Keras's default activations: the step as one fused node (for speed only;
            # read its twin, fused.recurrent.lstm_step_simple, for the maths).
            h, c = lstm_step(x, *weights, c_prev)
        else:
            h, c = lstm_step_simple(x, *weights, c_prev, self.activation, self.recurrent_activation)
        return h, [h, c]

    def default_activations(self) -> bool:
        """True with Keras's default activations (tanh, sigmoid): the fused step's case."""
        return (
            self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid
        )


class LSTMCell(_LSTMStep, _Cell):
    """One step of the LSTM (Keras's LSTMCell): `RNN(LSTMCell(8))` is `LSTM(8)`, with
    the same weights. Arguments, weights and step as `LSTM`'s, without the sequence
    arguments and activity_regularizer; `state_size` is [units, units] (h, c)."""

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
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, None, dtype)
        self._keep_arguments(
            units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, unit_forget_bias, dropout,
            recurrent_dropout,
        )  # fmt: skip
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            None,
            recurrent_kernel=recurrent_regularizer,
        )


class LSTM(_LSTMStep, _RecurrentLayer):
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
        dropout, recurrent_dropout: as SimpleRNN.
        return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype: as for `_RecurrentLayer`.

    Raises:
        ValueError: units not a positive integer, dropout outside [0, 1).
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
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(
            return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype,
        )  # fmt: skip
        self._keep_arguments(
            units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, unit_forget_bias, dropout,
            recurrent_dropout,
        )  # fmt: skip
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            recurrent_kernel=recurrent_regularizer,
        )
        self.build_if_shape_known()

    def run_steps(
        self, inputs: Tensor, states: list[Tensor], keep: np.ndarray | None
    ) -> tuple[list[Tensor], list[Tensor]]:
        """The loop over time. With Keras's default activations and no mask it is the fused
        `LSTMStep`'s: the state travels as one tensor [h, c] (no halves to cut and join at
        every step), the bias rides in the kernel, and h is cut from the state only where
        an output is read. The same numbers as the plain loop of `step` (tests hold them)."""
        if keep is not None or not self.default_activations():
            return super().run_steps(inputs, states, keep)
        units = self.units
        # Recurrent dropout drops h on its way into the product, never c. The state is one
        # tensor, so its mask is [mask, ones]: c times 1 stays c, and one multiply of the
        # whole state is one node, where masking h alone would cut and join it every step.
        state_mask = None
        if self.recurrent_dropout_mask is not None:
            ones = np.ones_like(self.recurrent_dropout_mask)
            state_mask = np.concatenate([self.recurrent_dropout_mask, ones], axis=1)
        # The bias as one more row of the kernel, met by a feature that is always 1: the
        # product adds it, and its gradient comes out of the kernel's product (no sum and
        # no bias gradient to add up at every step). Made once per sequence.
        kernel, input_mask = self.kernel, self.input_dropout_mask
        if self.bias is not None:
            kernel = concatenate([kernel, self.bias.reshape(1, -1)], axis=0)
            ones = np.ones((*inputs.shape[:2], 1), dtype=inputs.dtype)
            inputs = concatenate([inputs, Tensor(ones)], axis=2)
            if input_mask is not None:
                input_mask = np.concatenate([input_mask, ones[:, 0]], axis=1)
        joined = [concatenate(states, axis=1)]
        # recurrent_kernel.T stored row by row, for backward's product (see RecurrentLinear).
        # Only backward reads it, so it is made only when the steps are recorded: not under
        # no_grad (predict, evaluate), nor when nothing here wants a gradient.
        recorded = is_grad_enabled() and any(
            t.requires_grad for t in (inputs, kernel, joined[0], self.recurrent_kernel)
        )
        transposed = transposed_copy(self.recurrent_kernel) if recorded else None

        def step(x: Tensor, carried: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
            state = carried[0] if state_mask is None else carried[0] * state_mask
            x = x if input_mask is None else x * input_mask
            state = lstm_state_step(x, kernel, state, self.recurrent_kernel, None, transposed)
            return state, [state]  # the output h is cut from it below, only where used

        outputs, (state,) = run_over_time(step, inputs, joined, None, self.go_backwards)
        if not self.return_sequences:  # only the last step's output is read
            outputs = outputs[-1:]
        return [output[:, :units] for output in outputs], [state[:, :units], state[:, units:]]


# ------------------------------------------------------------------ GRU
class _GRUStep(_Step):
    """The GRU's weights and step, shared by GRUCell and the GRU layer."""

    def _keep_arguments(
        self,
        units: Any,
        activation: Any,
        recurrent_activation: Any,
        use_bias: bool,
        kernel_initializer: Any,
        recurrent_initializer: Any,
        bias_initializer: Any,
        dropout: Any,
        recurrent_dropout: Any,
        reset_after: bool,
    ) -> None:
        self._keep_units_and_dropout(units, dropout, recurrent_dropout)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.reset_after = reset_after
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias: Tensor | None = None

    def build_weights(self, features: int) -> None:
        """Create kernel (features, 3u), recurrent_kernel (u, 3u), bias (2, 3u) or (3u,)."""
        units = self.units
        self.add_weight("kernel", (features, 3 * units), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (units, 3 * units), self.recurrent_initializer)
        if self.use_bias:
            shape = (2, 3 * units) if self.reset_after else (3 * units,)
            self.add_weight("bias", shape, self.bias_initializer)

    def step(self, x: Tensor, states: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        """[h] from x (batch, features) and the previous [h]; see `GRU`."""
        (h_prev,) = states
        u = self.units
        input_bias = recurrent_bias = None
        if self.use_bias:
            input_bias, recurrent_bias = (
                (self.bias[0], self.bias[1]) if self.reset_after else (self.bias, None)
            )
        x_all = linear(self.dropped_input(x), self.kernel, input_bias)
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


class GRUCell(_GRUStep, _Cell):
    """One step of the GRU (Keras's GRUCell): `RNN(GRUCell(8))` is `GRU(8)`, with the
    same weights. Arguments, weights and step as `GRU`'s, without the sequence
    arguments and activity_regularizer; `state_size` is units."""

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
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(name, None, dtype)
        self._keep_arguments(
            units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, dropout, recurrent_dropout, reset_after,
        )  # fmt: skip
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            None,
            recurrent_kernel=recurrent_regularizer,
        )


class GRU(_GRUStep, _RecurrentLayer):
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
            recurrent_initializer, bias_initializer, dropout, recurrent_dropout: as LSTM.
        reset_after: apply the reset gate after the recurrent product (True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer: penalties on the kernels, the bias and the output
            (`nn.regularizers`), as Keras's.
        return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype: as for `_RecurrentLayer`.

    Raises:
        ValueError: units not a positive integer, dropout outside [0, 1).
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
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        reset_after: bool = True,
        input_shape: Sequence[int] | int | None = None,
        name: str | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(
            return_sequences, return_state, go_backwards, stateful, unroll,
            zero_output_for_mask, input_shape, name, dtype,
        )  # fmt: skip
        self._keep_arguments(
            units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, dropout, recurrent_dropout, reset_after,
        )  # fmt: skip
        self.set_regularizers(
            kernel_regularizer,
            bias_regularizer,
            activity_regularizer,
            recurrent_kernel=recurrent_regularizer,
        )
        self.build_if_shape_known()
