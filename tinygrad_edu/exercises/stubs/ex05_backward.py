"""Exercise 5: the backward walk.

Each op knows its local derivative (exercises 1 to 4). The walk chains them:
starting from the loss with gradient `grad`, it calls each node's
`grad_fn.backward(node_grad)` to get the gradients of that node's inputs
(`grad_fn.inputs`), passes them on, and at the end stores the leaves' totals
in `.grad`.

Three things to get right:

1. Order. A node may only pass its gradient on once it has received all of
   it: after every node that used it. Reversed topological order (each
   node after the tensors it was made from) guarantees that. Build it with a
   loop and a list used as a stack, not recursion: a deep network is a chain
   of thousands of nodes, and Python stops recursion at 1,000.
2. A tensor used twice (y = x * x, or a shared layer) gets the *sum* of the
   gradients from each use, and passes that sum on exactly once.
3. Leaves. `.grad` is set on leaves only (tensors with `grad_fn is None`) that
   require grad, and it is *added to* what is there already, so that
   gradients accumulate over two backward calls until `zero_grad`.

`backward` returns a tuple with one gradient per input, or a single
Tensor for a one-input op, and None for an input that needs none.

While graded, `loss.backward()` anywhere in the engine runs your walk.

Grade it: tinygrad-edu exercises grade . backward
"""


def parents(tensor):
    """The tensors an op combined to make `tensor` (none for a leaf)."""
    return tensor.grad_fn.inputs if tensor.grad_fn is not None else ()


def topological_order(root):
    """Every tensor `root` depends on, each once, each after the tensors it was made from.

    The root comes last, the leaves early. Use a loop with an explicit stack.
    Tensors are compared with `is` / `id()`: `==` on Tensors compares values.
    """
    # TODO: depth-first search with a stack of (node, parents_done) pairs.
    raise NotImplementedError("exercise 5: write topological_order")


def backward(root, grad):
    """Add d(root)/d(leaf) to `.grad` of every leaf that requires grad; `grad` seeds root."""
    # TODO: walk reversed(topological_order(root)), keeping each node's gradient so far
    # in a dict keyed by id(node); call grad_fn.backward once per node; fill the leaves.
    raise NotImplementedError("exercise 5: write backward")
