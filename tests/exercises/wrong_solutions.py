"""Typical wrong solutions, each the reference solution with one mistake students make.

Each entry: the exercise, what the mistake is, the text replaced in the reference
solution, its replacement, and words the grader's feedback must contain (in a
failed check's name, message or hint), so the feedback points at the mistake.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    exercise: str
    mistake: str
    old: str
    new: str
    feedback: str  # words a failed check's name, message or hint must contain

    def __str__(self) -> str:
        return f"{self.exercise}: {self.mistake}"


WRONG = [
    # ---------------------------------------------------------------- 1 add_mul
    Wrong(
        "add_mul",
        "Mul.backward without unbroadcast",
        "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
        "return grad * b, grad * a",
        "unbroadcast",
    ),
    Wrong(
        "add_mul",
        "Mul.backward multiplies by its own input",
        "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
        "return unbroadcast(grad * a, a.shape), unbroadcast(grad * b, b.shape)",
        "*other* input",
    ),
    Wrong(
        "add_mul",
        "unbroadcast sums the size-1 axes without keepdims",
        "grad = grad.sum(axis=stretched, keepdims=True)",
        "grad = grad.sum(axis=stretched)",
        "keepdims=True",
    ),
    Wrong(
        "add_mul",
        "unbroadcast forgets the axes of size 1",
        "    if stretched:\n        grad = grad.sum(axis=stretched, keepdims=True)\n",
        "",
        "size-1 axes",
    ),
    Wrong(
        "add_mul",
        "Mul.backward in NumPy (no second derivatives)",
        "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
        "return unbroadcast(grad * b.data, a.shape), unbroadcast(grad * a.data, b.shape)",
        "differentiated again",
    ),
    # ---------------------------------------------------------------- 2 elementwise
    Wrong(
        "elementwise",
        "Tanh.backward uses the input instead of the output",
        "y = self.output\n        return grad * (1 - y * y)",
        "(a,) = self.inputs\n        return grad * (1 - a * a)",
        "*output*",
    ),
    Wrong(
        "elementwise",
        "Sigmoid.backward from exp(-a), NaN at large inputs",
        "y = self.output\n        return grad * y * (1 - y)",
        "(a,) = self.inputs\n        e = (-a).exp()\n        return grad * e / ((1 + e) * (1 + e))",
        "overflow",
    ),
    Wrong(
        "elementwise",
        "Exp.backward forgets to multiply by exp(a)",
        "return grad * self.output",
        "return grad",
        "exp(a) itself",
    ),
    Wrong(
        "elementwise",
        "Log.backward in NumPy",
        "return grad / a",
        "return grad / a.data",
        "NumPy array",
    ),
    # ---------------------------------------------------------------- 3 matmul
    Wrong(
        "matmul",
        "grad @ b instead of grad @ b^T",
        "grad_a = grad @ matrix_transpose(b)",
        "grad_a = grad @ b",
        "b^T",
    ),
    Wrong(
        "matmul",
        ".T on a batch reverses the batch axes too",
        "grad_b = matrix_transpose(a) @ grad",
        "grad_b = a.T @ grad",
        "matrix_transpose",
    ),
    Wrong(
        "matmul",
        "no unbroadcast of broadcast batch axes",
        "return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)",
        "return grad_a, grad_b",
        "unbroadcast",
    ),
    Wrong(
        "matmul",
        "b's gradient in the wrong order",
        "grad_b = matrix_transpose(a) @ grad",
        "grad_b = matrix_transpose(grad @ a)",
        "a^T @ grad",
    ),
    # ---------------------------------------------------------------- 4 sum_mean
    Wrong(
        "sum_mean",
        "Sum.backward broadcasts without putting the summed axes back",
        "if not self.keepdims:",
        "if False:",
        "reshape grad",
    ),
    Wrong(
        "sum_mean",
        "mean divides by the size of the whole tensor",
        "count = math.prod(x.shape[axis] for axis in axes)",
        "count = x.size",
        "reduced",
    ),
    Wrong(
        "sum_mean",
        "mean divides by zero for an empty axis",
        "    if count == 0:\n        return total * math.nan\n",
        "",
        "empty axis",
    ),
    Wrong(
        "sum_mean",
        "Sum.backward returns grad unchanged",
        "return grad.broadcast_to(a.shape)",
        "return grad",
        "broadcast_to",
    ),
    # ---------------------------------------------------------------- 5 backward
    Wrong(
        "backward",
        "recursive walk that passes a shared node's running total on each time",
        "def backward(root, grad):",
        "def backward(root, grad):\n    return _recursive(root, grad, {})\n\n\n"
        "def _recursive(node, node_grad, seen):\n"
        "    total = seen.get(id(node))\n"
        "    total = node_grad if total is None else total + node_grad\n"
        "    seen[id(node)] = total\n"
        "    if node.grad_fn is None:\n"
        "        if node.requires_grad:\n"
        "            node.grad = node_grad if node.grad is None else node.grad + node_grad\n"
        "        return\n"
        "    grads = node.grad_fn.backward(total)\n"
        "    grads = grads if isinstance(grads, tuple) else (grads,)\n"
        "    for parent, g in zip(node.grad_fn.inputs, grads):\n"
        "        if g is not None and parent.requires_grad:\n"
        "            _recursive(parent, g, seen)\n\n\n"
        "def _unused(root, grad):",
        "shared nodes counted once",
    ),
    Wrong(
        "backward",
        "recursive topological sort (RecursionError on a deep network)",
        "def topological_order(root):",
        "def topological_order(root):\n    order, seen = [], set()\n\n"
        "    def visit(node):\n"
        "        if id(node) in seen:\n            return\n"
        "        seen.add(id(node))\n"
        "        for parent in parents(node):\n            visit(parent)\n"
        "        order.append(node)\n\n"
        "    visit(root)\n    return order\n\n\n"
        "def _unused(root):",
        "RecursionError",
    ),
    Wrong(
        "backward",
        "leaf .grad overwritten instead of accumulated",
        "node.grad = node_grad if node.grad is None else node.grad + node_grad",
        "node.grad = node_grad",
        "accumulate",
    ),
    Wrong(
        "backward",
        "walks the order forwards (leaves first)",
        "for node in reversed(topological_order(root)):",
        "for node in topological_order(root):",
        "reversed topological order",
    ),
]
