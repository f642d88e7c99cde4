"""Exercise 5: the backward walk.

Reference solution (for teachers; `exercises new` never copies it).
"""


def parents(tensor):
    """The tensors an op combined to make `tensor` (none for a leaf)."""
    return tensor.grad_fn.inputs if tensor.grad_fn is not None else ()


def topological_order(root):
    """Every tensor `root` depends on, each once, each after the tensors it was made from.

    Depth-first search with an explicit stack: each node is pushed twice, once
    to visit its parents and once (marked done) to be listed after them.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_listed = stack.pop()
        if parents_listed:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in parents(node) if id(parent) not in visited)
    return order


def backward(root, grad):
    """Add d(root)/d(leaf) to `.grad` of every leaf that requires grad; `grad` seeds root."""
    grads = {id(root): grad}
    for node in reversed(topological_order(root)):  # every user of a node comes before it
        node_grad = grads.pop(id(node), None)
        if node_grad is None or not node.requires_grad:
            continue
        if node.grad_fn is None:  # a leaf: its gradient is complete, keep it
            node.grad = node_grad if node.grad is None else node.grad + node_grad
            continue
        input_grads = node.grad_fn.backward(node_grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        for parent, parent_grad in zip(node.grad_fn.inputs, input_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            previous = grads.get(id(parent))
            grads[id(parent)] = parent_grad if previous is None else previous + parent_grad
