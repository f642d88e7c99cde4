"""Exercise 1: Add and Mul backward, with broadcasting.

Every op in the engine is a `Function`: `forward` computes the output from the
inputs' NumPy arrays (`a.data`), and `backward(grad)` gets the gradient of the
final result with respect to the output (`grad`, a Tensor of the output's
shape) and returns one gradient per input, each of that input's shape.

Write them with Tensor operations (`grad * b`, `grad.sum(axis=...)`), not
NumPy: then the engine can differentiate your backward again (second
derivatives), and the grader checks that it can.

Broadcasting is the catch. `x + bias` with x of shape (32, 10) and bias of
shape (10,) uses each bias entry 32 times, so the bias's gradient is the sum
of those 32 gradients, of shape (10,). `unbroadcast` does that summing; both
backwards need it. Inputs and grads stay in their dtype: float32 in, float32 out.

When the grader runs, your Add and Mul replace the engine's: every `a + b`
and `a * b` in the package runs your code.

Grade it: tinygrad-edu exercises grade . add_mul
"""

from tinygrad_edu.autograd import Function


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`, the shape an input had before NumPy broadcast it.

    Broadcasting copies an input along new leading axes and along axes of size 1.
    Each copy received its own share of the gradient, so the input's gradient is
    the sum of the shares: sum over the new leading axes, then over every axis
    where the input had size 1 (keeping it, so the shape comes out right).

    Args:
        grad: a Tensor of the broadcast (output) shape.
        shape: the input's shape, e.g. (3,) for a bias added to a (batch, 3) array.
    Returns:
        A Tensor of `shape`.
    """
    # TODO: sum over the leading axes grad has and shape lacks, then over each
    # axis where shape has size 1 but grad does not (grad.sum(axis=..., keepdims=True)).
    raise NotImplementedError("exercise 1: write unbroadcast")


class Add(Function):
    """y = a + b with broadcasting. Each input's gradient is the output's, unbroadcast."""

    def forward(self, a, b):
        return a.data + b.data

    def backward(self, grad):
        a, b = self.inputs
        # TODO: return the gradient for a and the gradient for b.
        raise NotImplementedError("exercise 1: write Add.backward")


class Mul(Function):
    """y = a * b with broadcasting. da = grad * b, db = grad * a, each unbroadcast."""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a.data * b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        # TODO: return the gradient for a and the gradient for b.
        raise NotImplementedError("exercise 1: write Mul.backward")
