"""Exercise 15: an LSTM cell, and backpropagation through time from the engine.

A recurrent network reads a sequence one step at a time, carrying a state.
Hochreiter & Schmidhuber's LSTM (1997, with Gers et al.'s forget gate, 2000)
carries two: h, the output, and c, a cell that gates decide to keep, forget or
add to. With z = x @ kernel + h_prev @ recurrent_kernel + bias cut into four
blocks of `units` in Keras's order i, f, c, o:

    i = sigmoid(z_i)    input gate: how much of the candidate to add
    f = sigmoid(z_f)    forget gate: how much of the old cell to keep
    g = tanh(z_c)       the candidate
    o = sigmoid(z_o)    output gate
    c = f * c_prev + i * g
    h = o * tanh(c)

The cell adds to c rather than multiplying it by a matrix at every step, so
gradients can travel back over many steps without vanishing.

`lstm` runs the step over the sequence in a Python loop. That loop records
one long graph, and `backward()` walking it newest first *is* backpropagation
through time: you write no derivative. The grader checks your cell and loop
against the engine's `nn.LSTM` layer with the same weights.

Grade it: tinygrad-edu exercises grade . lstm
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
    # TODO: z, the four gates from its four blocks (z[:, :units] is z_i), then c and h.
    raise NotImplementedError("exercise 15: write lstm_step")


def lstm(x, kernel, recurrent_kernel, bias):
    """Run lstm_step over a sequence x (batch, steps, features) from zero states; the last h."""
    batch, units = x.shape[0], recurrent_kernel.shape[0]
    # TODO: h and c start as zeros(batch, units, dtype=x.dtype); step through x[:, t, :].
    raise NotImplementedError("exercise 15: write lstm")
