"""An LSTM step as one fused node, beside its composite twin `lstm_step_simple`.

One LSTM step (see nn.recurrent.LSTM) is

    z = x @ kernel + h_prev @ recurrent_kernel + bias
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_c)
    c = f * c_prev + i * g
    h = o * tanh(c)

Written from primitives (`lstm_step_simple`, the twin) that is about 15 nodes a
step forward and 30 backward, each with the engine's fixed cost per op, a zeros
array per gate slice in backward, and four (batch, 4 units) arrays that the
graph keeps until backward. `lstm_step` does it as one node of the walk,
`LSTMStep`, which makes its gates with `LSTMGates` (the products and the four
activations, into one buffer) and then c and h side by side. `RecurrentLinear`
(the products alone) is `LSTMGates`'s base and serves LSTMs with other
activations. Every backward is written once, with Tensor operations, so it
differentiates twice. benchmarks/RESULTS.md (section lstm) gives what they
save; tests/test_fused_recurrent.py holds them equal to the twins.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd import Function, constant_like
from tinygrad_edu.fused import threads
from tinygrad_edu.fused.nodes import linear_simple
from tinygrad_edu.ops.movement import Concatenate, GetItem

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class RecurrentLinear(Function):
    """x @ kernel + h @ recurrent_kernel (+ bias): a recurrent step's gate inputs, as one node.

    Args (as Tensors to `apply`):
        x: (batch, features); kernel: (features, n); h: (batch, units);
        recurrent_kernel: (units, n); bias (optional): (n,).
    Options:
        transposed: None, or recurrent_kernel.T in memory of its own, (n, units) C-ordered,
            as a Tensor computed from recurrent_kernel (`transposed_copy`, made once per
            sequence). Backward then multiplies by it instead of by a transposed view of
            recurrent_kernel: the same numbers, and the BLAS library multiplies by a
            matrix stored row by row about a quarter faster. Not an input: no gradient
            comes to it from the walk, but a second derivative reaches recurrent_kernel
            through it.
    Returns:
        (batch, n).
    Raises:
        ValueError: shapes that do not chain as above, or `transposed` not (n, units).

    Written from primitives (`recurrent_linear_simple`) it is a Linear, a MatMul
    and an Add: three nodes and three (batch, n) arrays that the graph keeps
    until backward, at every time step. Here the second product is added into
    the first one's buffer: one node, one array. Backward is the composite's:
    four matrix products and the bias's sum.
    """

    def forward(self, x, kernel, h, recurrent_kernel, bias=None, transposed=None):
        n = kernel.shape[-1] if kernel.data.ndim == 2 else None
        shapes_chain = (
            x.data.ndim == 2
            and h.data.ndim == 2
            and n is not None
            and x.shape[1] == kernel.shape[0]
            and h.shape == (x.shape[0], recurrent_kernel.shape[0])
            and recurrent_kernel.shape[1:] == (n,)
            and (bias is None or bias.shape == (n,))
        )
        if not shapes_chain:
            shapes = [t.shape for t in (x, kernel, h, recurrent_kernel, bias) if t is not None]
            raise ValueError(
                "expects x (batch, features), kernel (features, n), h (batch, units), "
                f"recurrent_kernel (units, n) and bias (n,), got shapes {shapes}"
            )
        if transposed is not None and transposed.shape != recurrent_kernel.shape[::-1]:
            raise ValueError(
                f"expects transposed = recurrent_kernel.T of shape {recurrent_kernel.shape[::-1]}, "
                f"got {transposed.shape}"
            )
        self.save_for_backward(x, kernel, h, recurrent_kernel)
        out = threads.matmul(x.data, kernel.data)
        others = [] if bias is None else [bias.data]  # the order of the composite's sums
        others.append(threads.matmul(h.data, recurrent_kernel.data))
        for other in others:
            if np.result_type(out, other) == out.dtype:
                out += other  # in place: no new (batch, n) array
            else:
                out = out + other  # dtypes differ: let NumPy promote, as the composite would
        return out

    def backward(self, grad):
        x, kernel, h, recurrent_kernel = self.saved_tensors
        need = self.needs_input_grad
        transposed = self.options.get("transposed")
        if transposed is None:
            transposed = recurrent_kernel.T
        return (
            grad @ kernel.T if need[0] else None,
            x.T @ grad if need[1] else None,
            grad @ transposed if need[2] else None,
            h.T @ grad if need[3] else None,
        ) + ((grad.sum(axis=0) if need[4] else None,) if len(need) == 5 else ())


def recurrent_linear(
    x: Tensor, kernel: Tensor, h: Tensor, recurrent_kernel: Tensor, bias: Tensor | None = None
) -> Tensor:
    """x @ kernel + h @ recurrent_kernel + bias by the fused `RecurrentLinear` (bias optional).

    Same value and gradients as `recurrent_linear_simple`; shapes as `RecurrentLinear`.
    """
    return RecurrentLinear.apply(*_tensors(x, kernel, h, recurrent_kernel, bias))


def recurrent_linear_simple(
    x: Tensor, kernel: Tensor, h: Tensor, recurrent_kernel: Tensor, bias: Tensor | None = None
) -> Tensor:
    """`RecurrentLinear`'s twin, from primitives: Linear, MatMul, Add."""
    return linear_simple(x, kernel, bias) + h @ recurrent_kernel


def gate_activations(z: np.ndarray, units: int, out: np.ndarray | None = None) -> np.ndarray:
    """[sigmoid(z_i), sigmoid(z_f), tanh(z_c), sigmoid(z_o)] of z (batch, 4 units), as arrays.

    sigmoid(x) = (1 + tanh(x / 2)) / 2 (an identity): a = tanh(s z) s + t, with
    s = 1/2 and t = 1/2 on the sigmoid blocks, s = 1 and t = 0 on the candidate's,
    as four passes over the whole array (a block of columns is a strided slice,
    which NumPy walks row by row: several times slower for arrays this size). It
    cannot overflow, and is several times faster than exp(min(x, 0)) / (1 +
    exp(-|x|)), the engine's Sigmoid, which needs two exponentials and a division.
    """
    scale, shift = _activation_constants(units, z.dtype)
    a = np.multiply(z, scale, out=out)
    np.tanh(a, out=a)
    a *= scale
    a += shift
    return a


@functools.lru_cache(maxsize=16)
def _activation_constants(units: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """`gate_activations`'s s and t, (4 units,) each, made once per size (read-only)."""
    scale = np.full(4 * units, 0.5, dtype=dtype)
    scale[2 * units : 3 * units] = 1.0
    shift = 1.0 - scale
    scale.flags.writeable = shift.flags.writeable = False
    return scale, shift


class LSTMGates(RecurrentLinear):
    """The four gate activations [i, f, g, o] of x @ kernel + h @ recurrent_kernel + bias.

    Args and shapes as `RecurrentLinear`, with n = 4 units; the output is
    (batch, 4 units): sigmoid of the i, f and o blocks, tanh of the c block
    (`gate_activations`, in the products' own buffer, so a step keeps one
    (batch, 4 units) array where the twin keeps four).

    Backward from the output a: sigmoid' = a (1 - a) on the i, f, o blocks and
    tanh' = 1 - a^2 on the c block, written as one formula k + a (m - a), with
    k = 0, m = 1 on the sigmoid blocks and k = 1, m = 0 on the tanh block; then
    `RecurrentLinear`'s products.
    """

    def forward(self, x, kernel, h, recurrent_kernel, bias=None, transposed=None):
        z = super().forward(x, kernel, h, recurrent_kernel, bias, transposed)
        if z.shape[1] % 4:
            raise ValueError(f"expects 4 gates of units columns each, got {z.shape[1]} columns")
        return gate_activations(z, z.shape[1] // 4, out=z)

    def backward(self, grad):
        a = self.output
        return super().backward(grad * (a + _candidate_ones(a)) * (1.0 - a))


def _candidate_ones(a: Tensor) -> Tensor:
    """k (4 units,): 1 on the candidate's block, 0 on the gates', as a constant of a's class.

    With it the derivative of every block is one formula, (a + k)(1 - a): a(1 - a)
    for a sigmoid, (1 + a)(1 - a) = 1 - a^2 for tanh.
    """
    units = a.shape[1] // 4
    return constant_like(a, 1.0 - 2.0 * _activation_constants(units, a.data.dtype)[1])


class LSTMStep(Function):
    """One whole LSTM step as one node: the new state [h, c] from x, the weights and the old.

    Args (as Tensors to `apply`):
        x: (batch, features); kernel: (features, 4 units).
        state: (batch, 2 units), the previous state [h_prev, c_prev] side by side (h_prev
            after any recurrent dropout).
        recurrent_kernel: (units, 4 units); bias (optional): (4 units,).
    Returns:
        (batch, 2 units), the new state: h = o tanh(c) in the first `units` columns,
        c = f c_prev + i g in the rest.
    Raises:
        ValueError: shapes that do not fit together (the products' from `LSTMGates`, or a
            state that is not (batch, 2 units)).

    The state goes in and comes out as one tensor, so a layer can carry it from step
    to step without cutting it in two and joining the two gradients again. Forward
    makes the gates with `LSTMGates` (recorded as its own node, so that the formula
    below reads them as a Tensor, a function of the inputs, which a second derivative
    needs), then c and h side by side in one buffer. Backward walks that small graph
    by hand, so the engine's walk meets one node per time step: with dh and dc the
    two halves of the incoming gradient (tanh(c) taken again from the output's c),

        dc_total = dc + dh * o * (1 - tanh(c)^2)
        d_gates = [dc_total, dc_total, dc_total, dh] * [g, c_prev, i, tanh(c)]
        d_state = [d_h_prev, dc_total * f]

    where d_gates goes on through `LSTMGates.backward` (the activations' derivative,
    then the products) to x, the weights and h_prev.
    """

    def forward(self, x, kernel, state, recurrent_kernel, bias=None, transposed=None):
        units = recurrent_kernel.shape[0] if recurrent_kernel.data.ndim == 2 else -1
        if state.data.ndim != 2 or state.shape[1] != 2 * units:
            raise ValueError(
                f"expects the state [h, c] (batch, 2 units) for a recurrent_kernel (units, 4 "
                f"units), got state of shape {state.shape} and recurrent_kernel of shape "
                f"{recurrent_kernel.shape}"
            )
        h_prev = _columns(state, 0, units)  # recorded (if state wants a gradient): the gates' input
        gate_inputs = (x, kernel, h_prev, recurrent_kernel) + (() if bias is None else (bias,))
        gates = LSTMGates.apply(*gate_inputs, transposed=transposed)
        self.save_for_backward(gates, state)
        i, f, g, o = (gates.data[:, k * units : (k + 1) * units] for k in range(4))
        out = np.empty(state.shape, dtype=np.result_type(gates.data, state.data))
        h, c = out[:, :units], out[:, units:]
        np.multiply(f, state.data[:, units:], out=c)
        c += i * g
        np.tanh(c, out=h)
        h *= o
        return out

    def backward(self, grad):
        gates, state = self.saved_tensors
        units = state.shape[1] // 2
        i, f, g, o = (_columns(gates, k * units, (k + 1) * units) for k in range(4))
        dh, dc = _columns(grad, 0, units), _columns(grad, units, 2 * units)
        tanh_c = _columns(self.output, units, 2 * units).tanh()
        dc = dc + dh * o * (1.0 - tanh_c * tanh_c)
        c_prev = _columns(state, units, 2 * units)
        d_gates = Concatenate.apply(dc, dc, dc, dh, axis=1) * Concatenate.apply(
            g, c_prev, i, tanh_c, axis=1
        )
        # LSTMGates's own backward, on its node (recorded whenever this one is).
        d_x, d_kernel, d_h, d_recurrent, *d_bias = gates.grad_fn.backward(d_gates)
        d_state = None
        if self.needs_input_grad[2]:
            d_state = Concatenate.apply(d_h, dc * f, axis=1)
        return (d_x, d_kernel, d_state, d_recurrent, *d_bias)


def lstm_step(
    x: Tensor,
    kernel: Tensor,
    h_prev: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor | None,
    c_prev: Tensor,
) -> tuple[Tensor, Tensor]:
    """(h, c) of one LSTM step by the fused node `LSTMStep`, for states kept apart.

    Args:
        x: (batch, features); kernel: (features, 4 units); h_prev: (batch, units)
            (after any recurrent dropout); recurrent_kernel: (units, 4 units);
            bias: (4 units,) or None; c_prev: (batch, units).
    Returns:
        h and c, each (batch, units): what `lstm_step_simple` gives, with its gradients.
    Raises:
        ValueError: shapes that do not fit together (from the nodes, naming them).
    """
    x, kernel, h_prev, recurrent_kernel, c_prev, *bias = _tensors(
        x, kernel, h_prev, recurrent_kernel, c_prev, bias
    )
    state = Concatenate.apply(h_prev, c_prev, axis=1)
    hc = LSTMStep.apply(x, kernel, state, recurrent_kernel, *bias)
    units = hc.shape[1] // 2
    return hc[:, :units], hc[:, units:]


def lstm_state_step(
    x: Tensor,
    kernel: Tensor,
    state: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor | None,
    transposed: Tensor | None = None,
) -> Tensor:
    """The new state [h, c] (batch, 2 units) of one LSTM step from [h_prev, c_prev], by `LSTMStep`.

    What the LSTM layer runs over time: the state stays one tensor. Shapes as
    `LSTMStep`'s; `transposed` as `RecurrentLinear`'s option (None, or
    `transposed_copy(recurrent_kernel)`). Same value and gradients as
    `lstm_state_step_simple`.
    """
    inputs = _tensors(x, kernel, state, recurrent_kernel, bias)
    return LSTMStep.apply(*inputs, transposed=transposed)


def transposed_copy(matrix: Tensor) -> Tensor:
    """matrix.T in memory of its own, row by row (a recorded Transpose, then Clone)."""
    return matrix.T.clone()


def lstm_state_step_simple(
    x: Tensor,
    kernel: Tensor,
    state: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor | None,
    transposed: Tensor | None = None,
) -> Tensor:
    """`lstm_state_step`'s twin: `lstm_step_simple` on the two halves of the state, joined
    (`transposed` is not needed: the twin's backward multiplies by recurrent_kernel.T)."""
    units = state.shape[1] // 2
    h, c = lstm_step_simple(x, kernel, state[:, :units], recurrent_kernel, bias, state[:, units:])
    return Concatenate.apply(h, c, axis=1)


def lstm_step_simple(
    x: Tensor,
    kernel: Tensor,
    h_prev: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor | None,
    c_prev: Tensor,
    activation: Callable[[Tensor], Tensor] | None = None,
    recurrent_activation: Callable[[Tensor], Tensor] | None = None,
) -> tuple[Tensor, Tensor]:
    """`lstm_step`'s twin, from primitives: (h, c) of one LSTM step.

    Args:
        x, kernel, h_prev, recurrent_kernel, bias, c_prev: as `lstm_step`.
        activation: for the candidate and for c on the way out (tanh if None).
        recurrent_activation: for the gates (sigmoid if None).
    Returns:
        h and c, each (batch, units).
    """
    activation = activation or (lambda t: t.tanh())
    recurrent_activation = recurrent_activation or (lambda t: t.sigmoid())
    u = recurrent_kernel.shape[0]
    z = recurrent_linear_simple(x, kernel, h_prev, recurrent_kernel, bias)
    # The gates' activation runs once over all four blocks (one op, not three; the
    # candidate block's result is simply not used), then each gate is a slice.
    gates = recurrent_activation(z)
    i = gates[:, :u]
    f = gates[:, u : 2 * u]
    g = activation(z[:, 2 * u : 3 * u])
    o = gates[:, 3 * u :]
    c = f * c_prev + i * g
    h = o * activation(c)
    return h, c


def _columns(matrix: Tensor, start: int, stop: int) -> Tensor:
    """matrix[:, start:stop], recorded as Tensor indexing records it (a GetItem), without
    the general index's conversions: a step's backward cuts eight such blocks."""
    return GetItem.apply(matrix, index=(slice(None), slice(start, stop)))


def _tensors(*inputs: Any) -> list[Any]:
    """The inputs that are not None; an array among them (a state passed to a cell by
    hand) becomes a constant tensor."""
    inputs = [t for t in inputs if t is not None]
    like = next(t for t in inputs if hasattr(t, "requires_grad"))
    return [
        t if hasattr(t, "requires_grad") else constant_like(like, np.asarray(t)) for t in inputs
    ]
