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
    # ---------------------------------------------------------------- 6 max
    Wrong(
        "max",
        "ties all given to the first maximum (argmax)",
        "        ties = is_max.sum(axis=self.axes, keepdims=True)  # how many share each maximum\n",
        "        is_max = is_max & (is_max.cumsum(axis=self.axes[-1]) == 1)\n"
        "        ties = is_max.sum(axis=self.axes, keepdims=True)\n",
        "not all to the first",
    ),
    Wrong(
        "max",
        "each tied maximum gets the whole gradient",
        "share = (is_max / ties).astype(a.dtype)",
        "share = is_max.astype(a.dtype)",
        "divide by their count",
    ),
    Wrong(
        "max",
        "forgets keepdims: compares without putting the reduced axes back",
        "is_max = a.data == self.output.data.reshape(kept)",
        "is_max = a.data == self.output.data",
        "reshaped so the reduced axes line up",
    ),
    # ---------------------------------------------------------------- 7 softmax
    Wrong(
        "softmax",
        "softmax without the maximum subtracted",
        "def softmax(x, axis=-1):\n"
        '    """exp(x) / sum(exp(x)) along `axis`; finite for any finite x."""\n'
        "    shifted = x - x.max(axis=axis, keepdims=True).detach()",
        "def softmax(x, axis=-1):\n"
        '    """exp(x) / sum(exp(x)) along `axis`; finite for any finite x."""\n'
        "    shifted = x",
        "subtract each row's maximum",
    ),
    Wrong(
        "softmax",
        "cross-entropy as log(softmax(x))",
        "picked = log_softmax(logits, axis=-1)[np.arange(len(labels)), labels]",
        "picked = softmax(logits, axis=-1).log()[np.arange(len(labels)), labels]",
        "never log(softmax)",
    ),
    Wrong(
        "softmax",
        "cross-entropy summed over the batch instead of averaged",
        "return -picked.mean()",
        "return -picked.sum()",
        "mean over the batch",
    ),
    Wrong(
        "softmax",
        "softmax normalized without keepdims",
        "return exponentials / exponentials.sum(axis=axis, keepdims=True)",
        "return exponentials / exponentials.sum(axis=axis)",
        "keepdims=True",
    ),
    # ---------------------------------------------------------------- 8 dense
    Wrong(
        "dense",
        "Glorot limit sqrt(2 / (fan_in + fan_out)), the normal's standard deviation",
        "limit = math.sqrt(6.0 / (fan_in + fan_out))",
        "limit = math.sqrt(2.0 / (fan_in + fan_out))",
        "sqrt(6 / (fan_in + fan_out))",
    ),
    Wrong(
        "dense",
        "Glorot limit from fan_in only",
        "limit = math.sqrt(6.0 / (fan_in + fan_out))",
        "limit = math.sqrt(6.0 / fan_in)",
        "sqrt(6 / (fan_in + fan_out))",
    ),
    Wrong(
        "dense",
        "the bias is never added",
        "return self.activation(x @ self.kernel + self.bias)",
        "return self.activation(x @ self.kernel)",
        "add the bias",
    ),
    Wrong(
        "dense",
        "the activation is ignored",
        "return self.activation(x @ self.kernel + self.bias)",
        "return x @ self.kernel + self.bias",
        "then the activation",
    ),
    Wrong(
        "dense",
        "the kernel stored as (units, inputs)",
        'self.add_weight("kernel", (input_shape[-1], self.units), glorot_uniform)',
        'self.add_weight("kernel", (self.units, input_shape[-1]), glorot_uniform)',
        "(inputs, units)",
    ),
    # ---------------------------------------------------------------- 9 optimizers
    Wrong(
        "optimizers",
        "SGD momentum adds the step instead of subtracting it",
        "m[...] = self.momentum * m - lr * gradient",
        "m[...] = self.momentum * m + lr * gradient",
        "m = momentum * m - lr * g",
    ),
    Wrong(
        "optimizers",
        "SGD momentum kept in a local variable, forgotten each step",
        "m[...] = self.momentum * m - lr * gradient  # in place: the state must remember it",
        "m = self.momentum * m - lr * gradient",
        "in place",
    ),
    Wrong(
        "optimizers",
        "Adam without bias correction",
        "alpha = lr * math.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)",
        "alpha = lr",
        "bias correction",
    ),
    Wrong(
        "optimizers",
        "Adam's second moment from g instead of g * g",
        "v[...] = self.beta_2 * v + (1 - self.beta_2) * gradient * gradient",
        "v[...] = self.beta_2 * v + (1 - self.beta_2) * np.abs(gradient)",
        "running mean of g * g",
    ),
    # ---------------------------------------------------------------- 10 train_step
    Wrong(
        "train_step",
        "no zero_grad: gradients pile up",
        "    optimizer.zero_grad()  # first: backward adds to .grad, the last step's are there\n",
        "",
        "zero_grad",
    ),
    Wrong(
        "train_step",
        "the loss Tensor returned instead of a float",
        "return loss.item()",
        "return loss",
        "loss.item()",
    ),
    Wrong(
        "train_step",
        "the model called in inference mode",
        "y_pred = model(x, training=True)",
        "y_pred = model(x)",
        "training=True",
    ),
    Wrong(
        "train_step",
        "the optimizer steps before backward",
        "    loss.backward()\n    optimizer.step()\n",
        "    optimizer.step()\n    loss.backward()\n",
        "optimizer.step()",
    ),
    # ---------------------------------------------------------------- 11 conv2d
    Wrong(
        "conv2d",
        "the kernel flattened filters-first",
        "out = rows @ kernel.reshape(kh * kw * channels, filters)",
        "out = rows @ kernel.reshape(filters, kh * kw * channels).T",
        "don't transpose",
    ),
    Wrong(
        "conv2d",
        "the windows laid out (C, kh, kw) while the kernel is (kh, kw, C)",
        "rows = windows.reshape(batch * out_height * out_width, kh * kw * channels)",
        "rows = windows.transpose(0, 1, 2, 5, 3, 4).reshape(batch * out_height * out_width, -1)",
        "(kh, kw, C) order",
    ),
    Wrong(
        "conv2d",
        "strides ignored",
        "windows = sliding_windows(x, (kh, kw), (sh, sw))",
        "windows = sliding_windows(x, (kh, kw), (1, 1))",
        "strides",
    ),
    Wrong(
        "conv2d",
        "the bias forgotten",
        "    if bias is not None:\n        out = out + bias\n",
        "",
        "add the bias",
    ),
    # ---------------------------------------------------------------- 12 max_pool
    Wrong(
        "max_pool",
        "the max taken over the image axes instead of the window axes",
        "return sliding_windows(x, pool, strides).max(axis=(3, 4))",
        "return sliding_windows(x, pool, strides).max(axis=(1, 2))",
        "window axes (3, 4)",
    ),
    Wrong(
        "max_pool",
        "strides default to 1 instead of the pool size",
        "    if strides is None:\n        strides = pool\n",
        "    if strides is None:\n        strides = 1\n",
        "default to the pool size",
    ),
    Wrong(
        "max_pool",
        "a hand-made argmax mask gives ties all to the first",
        "return sliding_windows(x, pool, strides).max(axis=(3, 4))",
        "import numpy as np\n\n"
        "    windows = sliding_windows(x, pool, strides)\n"
        "    n, oh, ow, kh, kw, c = windows.shape\n"
        "    flat = windows.transpose(0, 1, 2, 5, 3, 4).reshape(n, oh, ow, c, kh * kw)\n"
        "    mask = np.eye(kh * kw)[flat.data.argmax(axis=-1)]\n"
        "    return (flat * mask).sum(axis=-1)",
        "ties all to",
    ),
    # ---------------------------------------------------------------- 13 batchnorm
    Wrong(
        "batchnorm",
        "the batch statistics used at inference too",
        "    if training:\n        axes",
        "    if True:\n        axes",
        "moving_mean and moving_variance",
    ),
    Wrong(
        "batchnorm",
        "momentum the wrong way round",
        "moving_mean[...] = moving_mean * momentum + mean.data * (1 - momentum)",
        "moving_mean[...] = moving_mean * (1 - momentum) + mean.data * momentum",
        "keep `momentum` of themselves",
    ),
    Wrong(
        "batchnorm",
        "the batch statistics as constants (no gradient through them)",
        "mean = x.mean(axis=axes)\n        variance = x.var(axis=axes)",
        "mean = x.detach().mean(axis=axes)\n        variance = x.detach().var(axis=axes)",
        "gradient flows through them",
    ),
    Wrong(
        "batchnorm",
        "epsilon added after the square root",
        "return gamma * (x - mean) / (variance + epsilon) ** 0.5 + beta",
        "return gamma * (x - mean) / (variance**0.5 + epsilon) + beta",
        "inside the square root",
    ),
    # ---------------------------------------------------------------- 14 dropout
    Wrong(
        "dropout",
        "the kept units not scaled",
        "return x * keep / (1 - rate)",
        "return x * keep",
        "divide the kept ones by (1 - rate)",
    ),
    Wrong(
        "dropout",
        "units dropped at inference too",
        "    if not training or rate == 0:\n        return x\n",
        "",
        "at inference dropout does nothing",
    ),
    Wrong(
        "dropout",
        "rate taken as the probability of keeping",
        "keep = random.generator().random(x.shape) >= rate",
        "keep = random.generator().random(x.shape) < rate",
        "probability 1 - rate",
    ),
    Wrong(
        "dropout",
        "a float64 mask makes float32 float64",
        "keep = random.generator().random(x.shape) >= rate",
        "keep = (random.generator().random(x.shape) >= rate).astype(float)",
        "boolean mask keeps the dtype",
    ),
    # ---------------------------------------------------------------- 15 lstm
    Wrong(
        "lstm",
        "the input and forget gates swapped",
        "    i = z[:, :units].sigmoid()  # input gate\n    f = z[:, units : 2 * units].sigmoid()",
        "    f = z[:, :units].sigmoid()  # input gate\n    i = z[:, units : 2 * units].sigmoid()",
        "Keras's order i, f, c, o",
    ),
    Wrong(
        "lstm",
        "h = o * c, without the tanh",
        "h = o * c.tanh()",
        "h = o * c",
        "h = o * tanh(c)",
    ),
    Wrong(
        "lstm",
        "the cell state not carried from step to step",
        "h, c = lstm_step(x[:, t, :], h, c, kernel, recurrent_kernel, bias)",
        "h, _ = lstm_step(x[:, t, :], h, c, kernel, recurrent_kernel, bias)",
        "carry both h and c",
    ),
    Wrong(
        "lstm",
        "the candidate squashed with sigmoid instead of tanh",
        "g = z[:, 2 * units : 3 * units].tanh()",
        "g = z[:, 2 * units : 3 * units].sigmoid()",
        "candidate, tanh",
    ),
]
