"""The LSTM's gate arithmetic as one node, beside its composite twin `lstm_cell_simple`.

One LSTM step is z = x @ kernel + h_prev @ recurrent_kernel + bias (matrix
products, recorded as usual), then the elementwise part this file fuses:

    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_c)
    c = f * c_prev + i * g
    h = o * tanh(c)

Written from primitives (`lstm_cell_simple`, the twin) that is about 12 nodes a
step forward and 30 backward, each with the engine's fixed cost per op, and a
zeros array per gate slice in backward. `LSTMCellUpdate` does it as one node whose
output is h and c side by side; its backward is written once, with Tensor
operations, so it differentiates twice. benchmarks/RESULTS.md (section lstm)
gives what it saves; tests/test_fused_recurrent.py holds it equal to the twin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_edu.autograd import Function, constant_like
from tinygrad_edu.fused.nodes import linear_simple
from tinygrad_edu.fused.threads import matmul
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
        out = matmul(x.data, kernel.data)
        others = [] if bias is None else [bias.data]  # the order of the composite's sums
        others.append(matmul(h.data, recurrent_kernel.data))
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
    inputs = (x, kernel, h, recurrent_kernel) + ((bias,) if bias is not None else ())
    # an input given as an array (a state passed to a cell by hand) is a constant
    like = next(t for t in inputs if hasattr(t, "requires_grad"))
    inputs = [
        t if hasattr(t, "requires_grad") else constant_like(like, np.asarray(t)) for t in inputs
    ]
    return RecurrentLinear.apply(*inputs)


def recurrent_linear_simple(
    x: Tensor, kernel: Tensor, h: Tensor, recurrent_kernel: Tensor, bias: Tensor | None = None
) -> Tensor:
    """`RecurrentLinear`'s twin, from primitives: Linear, MatMul, Add."""
    return linear_simple(x, kernel, bias) + h @ recurrent_kernel


def gate_activations(z: np.ndarray, units: int) -> np.ndarray:
    """[sigmoid(z_i), sigmoid(z_f), tanh(z_c), sigmoid(z_o)] of z (batch, 4 units), as arrays.

    sigmoid(x) = (1 + tanh(x / 2)) / 2 (an identity): one tanh over all four
    blocks in one new array, then a scale and shift of the three sigmoid blocks.
    It cannot overflow, and is several times faster than exp(min(x, 0)) / (1 +
    exp(-|x|)), the engine's Sigmoid, which needs two exponentials and a division.
    """
    sig = (slice(None, 2 * units), slice(3 * units, None))  # the i, f and o blocks
    a = np.multiply(z, 0.5)
    a[:, 2 * units : 3 * units] = z[:, 2 * units : 3 * units]  # the candidate: tanh(z_c)
    np.tanh(a, out=a)
    for block in sig:
        part = a[:, block]
        part *= 0.5
        part += 0.5
    return a


class LSTMGateActivations(Function):
    """The four gate activations of z (batch, 4 units) as one node (see `gate_activations`).

    Backward from the output a: sigmoid' = a (1 - a) on the i, f, o blocks and
    tanh' = 1 - a^2 on the c block, written as one formula k + a (m - a), with
    k = 0, m = 1 on the sigmoid blocks and k = 1, m = 0 on the tanh block.
    """

    def forward(self, z):
        return gate_activations(z.data, z.shape[1] // 4)

    def backward(self, grad):
        a = self.output
        k, m = _derivative_constants(a)
        return grad * (k + a * (m - a))


def _derivative_constants(a: Tensor) -> tuple[Tensor, Tensor]:
    units = a.shape[1] // 4
    k = np.zeros(4 * units, dtype=a.dtype)
    k[2 * units : 3 * units] = 1.0
    return constant_like(a, k), constant_like(a, 1.0 - k)


class LSTMCellUpdate(Function):
    """One LSTM step's elementwise part: [h, c] (batch, 2 units) from z and c_prev.

    Args (as Tensors to `apply`):
        z: (batch, 4 units), the gates' inputs in Keras's order i, f, c, o.
        c_prev: (batch, units), the previous cell state.
    Returns:
        (batch, 2 units): h in the first `units` columns, c in the rest.
    Raises:
        ValueError: z not (batch, 4 * units) for c_prev of shape (batch, units).

    Forward records the gate activations as an `LSTMGateActivations` node of z (as
    SparseSoftmaxCrossEntropy records its log-probabilities), so backward can use
    them as a function of z and gradients of gradients come out right; tanh(c)
    is taken again from the output's c in backward. Backward, with dh and dc the
    two halves of the incoming gradient:

        dc_total = dc + dh * o * (1 - tanh(c)^2)
        dz = [dc_total * g, dc_total * c_prev, dc_total * i, dh * tanh(c)] * gates'
        dc_prev = dc_total * f
    """

    def forward(self, z, c_prev):
        batch, units = c_prev.shape if c_prev.data.ndim == 2 else (None, None)
        if units is None or z.shape != (batch, 4 * units):
            raise ValueError(
                f"expects z (batch, 4 * units) and c_prev (batch, units), got shapes {z.shape} "
                f"and {c_prev.shape}"
            )
        if self._recording:
            gates = LSTMGateActivations.apply(z)  # recorded when z requires grad: a function of z
            self.save_for_backward(gates, c_prev)
            a = gates.data
        else:
            a = gate_activations(z.data, units)
        i, f, g, o = (a[:, k * units : (k + 1) * units] for k in range(4))
        out = np.empty((batch, 2 * units), dtype=np.result_type(a, c_prev.data))
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
        d_gates = Concatenate.apply(dc * g, dc * c_prev, dc * i, dh * tanh_c, axis=1)
        k, m = _derivative_constants(gates)
        need_z, need_c = self.needs_input_grad
        return (
            d_gates * (k + gates * (m - gates)) if need_z else None,
            dc * f if need_c else None,
        )


def lstm_cell(z: Tensor, c_prev: Tensor) -> tuple[Tensor, Tensor]:
    """(h, c) by the fused `LSTMCellUpdate`: z (batch, 4 units), c_prev (batch, units).

    The same numbers and gradients as `lstm_cell_simple` with tanh and sigmoid.
    """
    if not isinstance(c_prev, type(z)):  # a state given as an array: a constant
        c_prev = constant_like(z, np.asarray(c_prev))
    units = c_prev.shape[1]
    hc = LSTMCellUpdate.apply(z, c_prev)
    return hc[:, :units], hc[:, units:]


def lstm_cell_simple(
    z: Tensor,
    c_prev: Tensor,
    activation: Callable[[Tensor], Tensor] | None = None,
    recurrent_activation: Callable[[Tensor], Tensor] | None = None,
) -> tuple[Tensor, Tensor]:
    """`LSTMCellUpdate`'s twin, from primitives: (h, c) from z (batch, 4 units) and c_prev.

    Args:
        z: the gates' inputs, blocks i, f, c, o of `units` columns each.
        c_prev: (batch, units).
        activation: for the candidate and for c on the way out (tanh if None).
        recurrent_activation: for the gates (sigmoid if None).
    Returns:
        h and c, each (batch, units).
    """
    activation = activation or (lambda t: t.tanh())
    recurrent_activation = recurrent_activation or (lambda t: t.sigmoid())
    u = c_prev.shape[1]
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
