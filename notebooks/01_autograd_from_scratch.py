# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1: autograd from scratch
#
# By the end of this lesson you will understand:
#
# - how a program can compute derivatives by *recording* the operations it runs
#   and walking that record backwards (reverse-mode automatic differentiation);
# - why the walk needs an order in which every node comes after all the nodes
#   that use it, and why a value used twice gets the *sum* of its gradients;
# - that `tinygrad_edu.Tensor` does the same thing for whole arrays, and how to use
#   its gradient to walk downhill on f(x) = x⁴ - 3x³ + 2.
#
# We first write a tiny engine for single numbers (about 40 lines), then check it
# against tinygrad-edu's, then use the real one for gradient descent.

# %% [markdown]
# ## A number that remembers where it came from
#
# Each `Scalar` holds a value, the scalars it was computed from, and the *local*
# derivative of itself with respect to each of them. `backward` walks the record
# newest first and applies the chain rule: the gradient reaching a node, times the
# local derivative, is added to each input's gradient.

# %%
# %matplotlib inline
import math


class Scalar:
    def __init__(self, value, inputs=(), local_grads=(), op=""):
        self.value = value
        self.grad = 0.0
        self.inputs = inputs  # the Scalars this one was computed from
        self.local_grads = local_grads  # d(self)/d(input), one per input
        self.op = op

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.value + other.value, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.value * other.value, (self, other), (other.value, self.value), "*")

    def __pow__(self, n):  # n a plain number
        return Scalar(self.value**n, (self,), (n * self.value ** (n - 1),), f"**{n}")

    def tanh(self):
        t = math.tanh(self.value)
        return Scalar(t, (self,), (1 - t * t,), "tanh")

    __radd__, __rmul__ = __add__, __mul__

    def backward(self):
        # Order the graph so that each node comes after everything it was made from
        # (an explicit stack, not recursion: deep graphs would hit Python's limit).
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((i, False) for i in node.inputs)
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):  # newest first: all users of a node ran before it
            for inp, local in zip(node.inputs, node.local_grads):
                inp.grad += node.grad * local  # += : a value used twice gets both shares


# %% [markdown]
# A small expression, where `a` is used twice:

# %%
a, b = Scalar(2.0), Scalar(-3.0)
c = a * b
d = (c + a) ** 2
d.backward()
print(f"d = {d.value}, dd/da = {a.grad}, dd/db = {b.grad}")

# %% [markdown]
# By hand: d = (ab + a)², so dd/da = 2(ab + a)(b + 1) = 2·(-4)·(-2) = 16 and
# dd/db = 2(ab + a)·a = 2·(-4)·2 = -16. If `+=` were `=`, `a` would keep only one
# of its two shares: that is the classic "why does the gradient accumulate?" question.

# %% [markdown]
# ## The same with tinygrad-edu
#
# `Tensor` records a node (a `Function`) for every operation and `backward()` walks
# them newest first, exactly like our `Scalar`, but on NumPy arrays of any shape.

# %%
import tinygrad_edu as tg

a = tg.Tensor(2.0, requires_grad=True)
b = tg.Tensor(-3.0, requires_grad=True)
d = (a * b + a) ** 2
d.backward()
print(f"d = {d.item()}, dd/da = {a.grad.item()}, dd/db = {b.grad.item()}")

# %% [markdown]
# Both engines agree with a numerical estimate, the central difference
# (f(x + h) - f(x - h)) / 2h, here on a tanh neuron:


# %%
def neuron(x1, x2, w1, w2, bias):
    return (x1 * w1 + x2 * w2 + bias).tanh()


values = dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, bias=6.88)
scalars = {name: Scalar(value) for name, value in values.items()}
neuron(**scalars).backward()


def output_at(changed):
    return neuron(**{name: Scalar(value) for name, value in changed.items()}).value


h = 1e-6
for name in values:
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    numeric = (output_at(up) - output_at(down)) / (2 * h)
    print(f"d out/d {name:5s}: ours {scalars[name].grad:+.6f}  numeric {numeric:+.6f}")

# %% [markdown]
# ## Gradient descent on f(x) = x⁴ - 3x³ + 2
#
# f'(x) = 4x³ - 9x² = x²(4x - 9), so the minimum is at x = 9/4 = 2.25. We let the
# engine find the slope, and step against it. The update happens under `no_grad()`,
# so the step itself is not recorded.

# %%
x = tg.Tensor(6.0, requires_grad=True)
learning_rate = 0.01
path = [x.item()]
while len(path) <= 10_000:
    x.grad = None  # forget the last step's gradient (backward adds to it)
    y = x**4 - 3 * x**3 + 2
    y.backward()
    with tg.no_grad():
        x -= learning_rate * x.grad
    path.append(x.item())
    if abs(path[-1] - path[-2]) < 1e-7:
        break
print(f"minimum near x = {x.item():.5f} after {len(path) - 1} steps (calculus: 2.25)")

# %%
import numpy as np
from matplotlib.figure import Figure

figure = Figure(figsize=(7, 3.5))
axes = figure.subplots()
grid = np.linspace(-1.5, 6.2, 300)
axes.plot(grid, grid**4 - 3 * grid**3 + 2, label="f(x) = x⁴ - 3x³ + 2")
steps = np.array(path[:40])
axes.plot(steps, steps**4 - 3 * steps**3 + 2, "o-", color="tab:red", ms=3, label="first 40 steps")
axes.set_ylim(-10, 120)
axes.set_xlabel("x")
axes.legend()
figure

# %% [markdown]
# The first step from x = 6 is huge (the slope there is 540) and overshoots; then the
# steps shrink as the slope flattens near the minimum.
#
# ## Exercises
#
# 1. Add `__sub__`, `__truediv__` and `exp` to `Scalar` (each needs its local
#    derivative only) and check them against `tg.Tensor`.
# 2. Replace `inp.grad += ...` with `inp.grad = ...` and find the smallest expression
#    whose gradient becomes wrong.
# 3. Call `d.backward()` twice on a `Scalar`. What happens to the gradients, and why do
#    frameworks ask you to zero them between steps?
# 4. Start the descent at x = -1, and at x = 6 with a learning rate of 0.05. Explain
#    what you see with the shape of f.
# 5. Lesson 7 shows the real engine's walk step by step: predict its order for
#    `(a * b + a) ** 2` before you look.
