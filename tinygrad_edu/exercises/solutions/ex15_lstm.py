"""Exercise 15: an LSTM cell, and backpropagation through time from the engine.

Reference solution (for teachers; `exercises new` never copies it).
"""

from tinygrad_edu import zeros


def lstm_step(x, h, c, kernel, recurrent_kernel, bias):
    """One LSTM step: the new (h, c) from the input x and the previous (h, c).

    Args:
        x: (batch, features); h, c: (batch, units).
        kernel: (features, 4 units); recurrent_kernel: (units, 4 units); bias: (4 units,),
            each with the gates side by side in Keras's order i, f, c, o.
    Returns:
        (h, c), each (batch, units).
    """
    units = h.shape[-1]
    z = x @ kernel + h @ recurrent_kernel + bias  # all four gates at once: (batch, 4 units)
    i = z[:, :units].sigmoid()  # input gate
    f = z[:, units : 2 * units].sigmoid()  # forget gate
    g = z[:, 2 * units : 3 * units].tanh()  # candidate
    o = z[:, 3 * units :].sigmoid()  # output gate
    c = f * c + i * g
    h = o * c.tanh()
    return h, c


def lstm(x, kernel, recurrent_kernel, bias):
    """Run lstm_step over a sequence x (batch, steps, features) from zero states; the last h."""
    batch, units = x.shape[0], recurrent_kernel.shape[0]
    h = c = zeros(batch, units, dtype=x.dtype)
    for t in range(x.shape[1]):
        h, c = lstm_step(x[:, t, :], h, c, kernel, recurrent_kernel, bias)
    return h
