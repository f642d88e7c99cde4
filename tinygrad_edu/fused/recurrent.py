"""An LSTM step as two fused nodes, beside its composite twin `lstm_step_simple`.

One LSTM step (see nn.recurrent.LSTM) is

    z = x @ kernel + h_prev @ recurrent_kernel + bias
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_c)
    c = f * c_prev + i * g
    h = o * tanh(c)

Written from primitives (`lstm_step_simple`, the twin) that is about 15 nodes a
step forward and 30 backward, each with the engine's fixed cost per op, a zeros
array per gate slice in backward, and four (batch, 4 units) arrays that the
graph keeps until backward. `lstm_step` does it as two nodes: `LSTMGates` (the
products and the four activations, into one buffer) and `LSTMCellUpdate` (c
and h side by side). `RecurrentLinear` (the products alone) is `LSTMGates`'s
base and serves LSTMs with other activations. Every backward is written once,
with Tensor operations, so it differentiates twice. benchmarks/RESULTS.md
(section lstm) gives what they save; tests/test_fused_recurrent.py holds them
equal to the twins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_edu.autograd import Function, constant_like
from tinygrad_edu.fused import threads
from tinygrad_edu.fused.nodes import linear_simple
from tinygrad_edu.ops.movement import Concatenate

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class RecurrentLinear(Function):
    """x @ kernel + h @ recurrent_kernel (+ bias): a recurrent step's gate inputs, as one node.

    Args (as Tensors to `apply`):
        x: (batch, features); kernel: (features, n); h: (batch, units);
        recurrent_kernel: (units, n); bias (optional): (n,).
    Returns:
        (batch, n).
    Raises:
        ValueError: shapes that do not chain as above.

    Written from primitives (`recurrent_linear_simple`) it is a Linear, a MatMul
    and an Add: three nodes and three (batch, n) arrays that the graph keeps
    until backward, at every time step. Here the second product is added into
    the first one's buffer: one node, one array. Backward is the composite's:
    four matrix products and the bias's sum.
    """

    def forward(self, x, kernel, h, recurrent_kernel, bias=None):
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
        return (
            grad @ kernel.T if need[0] else None,
            x.T @ grad if need[1] else None,
            grad @ recurrent_kernel.T if need[2] else None,
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

    sigmoid(x) = (1 + tanh(x / 2)) / 2 (an identity): one tanh over all four
    blocks in one new array, then a scale and shift of the three sigmoid blocks.
    It cannot overflow, and is several times faster than exp(min(x, 0)) / (1 +
    exp(-|x|)), the engine's Sigmoid, which needs two exponentials and a division.
    """
    sig = (slice(None, 2 * units), slice(3 * units, None))  # the i, f and o blocks
    a = np.empty_like(z) if out is None else out
    for block in sig:
        np.multiply(z[:, block], 0.5, out=a[:, block])
    if a is not z:
        a[:, 2 * units : 3 * units] = z[:, 2 * units : 3 * units]  # the candidate: tanh(z_c)
    np.tanh(a, out=a)
    for block in sig:
        part = a[:, block]
        part *= 0.5
        part += 0.5
    return a


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

    def forward(self, x, kernel, h, recurrent_kernel, bias=None):
        z = super().forward(x, kernel, h, recurrent_kernel, bias)
        if z.shape[1] % 4:
            raise ValueError(f"expects 4 gates of units columns each, got {z.shape[1]} columns")
        return gate_activations(z, z.shape[1] // 4, out=z)

    def backward(self, grad):
        a = self.output
        k, m = _derivative_constants(a)
        return super().backward(grad * (k + a * (m - a)))


def _derivative_constants(a: Tensor) -> tuple[Tensor, Tensor]:
    units = a.shape[1] // 4
    k = np.zeros(4 * units, dtype=a.dtype)
    k[2 * units : 3 * units] = 1.0
    return constant_like(a, k), constant_like(a, 1.0 - k)


class LSTMCellUpdate(Function):
    """One LSTM step's cell update: [h, c] (batch, 2 units) from the gates and c_prev.

    Args (as Tensors to `apply`):
        gates: (batch, 4 units), the activations i, f, g, o (`LSTMGates`).
        c_prev: (batch, units), the previous cell state.
    Returns:
        (batch, 2 units): h = o tanh(c) in the first `units` columns, c = f c_prev + i g
        in the rest.
    Raises:
        ValueError: gates not (batch, 4 * units) for c_prev of shape (batch, units).

    Backward, with dh and dc the two halves of the incoming gradient (tanh(c) is
    taken again from the output's c):

        dc_total = dc + dh * o * (1 - tanh(c)^2)
        d_gates = [dc_total * g, dc_total * c_prev, dc_total * i, dh * tanh(c)]
        dc_prev = dc_total * f
    """

    def forward(self, gates, c_prev):
        batch, units = c_prev.shape if c_prev.data.ndim == 2 else (None, None)
        if units is None or gates.shape != (batch, 4 * units):
            raise ValueError(
                f"expects gates (batch, 4 * units) and c_prev (batch, units), got shapes "
                f"{gates.shape} and {c_prev.shape}"
            )
        self.save_for_backward(gates, c_prev)
        i, f, g, o = (gates.data[:, k * units : (k + 1) * units] for k in range(4))
        out = np.empty((batch, 2 * units), dtype=np.result_type(gates.data, c_prev.data))
        h, c = out[:, :units], out[:, units:]
        np.multiply(f, c_prev.data, out=c)
        c += i * g
        np.tanh(c, out=h)
        h *= o
        return out

    def backward(self, grad):
        gates, c_prev = self.saved_tensors
        units = c_prev.shape[1]
        i, f, g, o = (gates[:, k * units : (k + 1) * units] for k in range(4))
        dh, dc = grad[:, :units], grad[:, units:]
        tanh_c = self.output[:, units:].tanh()
        dc = dc + dh * o * (1.0 - tanh_c * tanh_c)
        need_gates, need_c = self.needs_input_grad
        d_gates = None
        if need_gates:
            d_gates = Concatenate.apply(dc * g, dc * c_prev, dc * i, dh * tanh_c, axis=1)
        return d_gates, (dc * f if need_c else None)


def lstm_step(
    x: Tensor,
    kernel: Tensor,
    h_prev: Tensor,
    recurrent_kernel: Tensor,
    bias: Tensor | None,
    c_prev: Tensor,
) -> tuple[Tensor, Tensor]:
    """(h, c) of one LSTM step by the fused nodes `LSTMGates` and `LSTMCellUpdate`.

    Args:
        x: (batch, features); kernel: (features, 4 units); h_prev: (batch, units)
            (after any recurrent dropout); recurrent_kernel: (units, 4 units);
            bias: (4 units,) or None; c_prev: (batch, units).
    Returns:
        h and c, each (batch, units): what `lstm_step_simple` gives, with its gradients.
    Raises:
        ValueError: shapes that do not fit together (from the nodes, naming them).
    """
    *gate_inputs, c_prev = _tensors(x, kernel, h_prev, recurrent_kernel, bias, c_prev)
    gates = LSTMGates.apply(*gate_inputs)
    hc = LSTMCellUpdate.apply(gates, c_prev)
    units = c_prev.shape[1]
    return hc[:, :units], hc[:, units:]


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


def _tensors(*inputs: Any) -> list[Any]:
    """The inputs that are not None; an array among them (a state passed to a cell by
    hand) becomes a constant tensor."""
    inputs = [t for t in inputs if t is not None]
    like = next(t for t in inputs if hasattr(t, "requires_grad"))
    return [
        t if hasattr(t, "requires_grad") else constant_like(like, np.asarray(t)) for t in inputs
    ]
