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
# # Lesson 6: testing your own op with gradcheck and hypothesis
#
# By the end of this lesson you will understand:
#
# - how to add an operation to the engine: a `Function` with `forward` on arrays and
#   `backward` written with Tensor operations;
# - how `gradcheck` compares your backward with float64 central differences, and what
#   its message says when they disagree;
# - why `gradgradcheck` matters (gradients of gradients), and how hypothesis finds the
#   shapes and values where a formula breaks, then shrinks them to the smallest case.

# %%
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Function, Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck
from tinygrad_edu.testing.strategies import broadcastable_shapes, float_arrays, shapes

# %% [markdown]
# ## An op of our own: softplus
#
# softplus(x) = log(1 + eˣ), a smooth ReLU. Its derivative is the sigmoid:
# d/dx log(1 + eˣ) = eˣ / (1 + eˣ) = σ(x). Written in the stable form
# max(x, 0) + log(1 + e^-|x|), so large inputs do not overflow.


# %%
class Softplus(Function):
    def forward(self, x):  # Tensors in, a NumPy array out
        self.save_for_backward(x)
        return np.maximum(x.data, 0) + np.log1p(np.exp(-np.abs(x.data)))

    def backward(self, grad):  # Tensors in and out: it can be differentiated again
        (x,) = self.saved_tensors
        return grad * x.sigmoid()


x = Tensor([-2.0, 0.0, 3.0], requires_grad=True)
y = Softplus.apply(x)
y.sum().backward()
print("softplus:", y.numpy().round(4), " gradient:", x.grad.numpy().round(4))

# %% [markdown]
# ## gradcheck
#
# `gradcheck(fn, inputs)` runs `fn` on float64 copies of the inputs, gets the gradients
# from the engine, and compares them with (f(x + h) - f(x - h)) / 2h for every entry.

# %%
rng = np.random.default_rng(0)
print(gradcheck(lambda t: Softplus.apply(t), [rng.standard_normal((3, 4))]))
print(gradgradcheck(lambda t: Softplus.apply(t), [rng.standard_normal((3, 4))]))

# %% [markdown]
# Now a classic mistake: forgetting the chain rule's `grad *` (the gradient arriving
# from above). With a plain `sum()` on top the arriving gradient is all ones, so a
# hand check would miss it; `gradcheck` weighs the output with random numbers first.


# %%
class BrokenSoftplus(Softplus):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return x.sigmoid()  # forgot `grad *`


try:
    gradcheck(lambda t: BrokenSoftplus.apply(t), [rng.standard_normal((2, 3))])
except AssertionError as error:
    print("gradcheck caught it:\n", error)

# %% [markdown]
# ## gradgradcheck: backward must be differentiable too
#
# A backward written with NumPy arrays gives right first derivatives, but records
# nothing, so second derivatives (`create_graph=True`) come out wrong or missing.


# %%
class NumpyBackwardSoftplus(Softplus):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return grad.data / (1 + np.exp(-x.data))  # right values, but no graph


f = lambda t: NumpyBackwardSoftplus.apply(t)  # noqa: E731
print("first derivatives:", gradcheck(f, [rng.standard_normal(4)]))
try:
    gradgradcheck(f, [rng.standard_normal(4)])
except (AssertionError, RuntimeError) as error:
    print("second derivatives:", type(error).__name__, str(error)[:200])

# %% [markdown]
# ## Properties with hypothesis
#
# One point is a weak test. `@given` draws many inputs (shapes from `shapes()`, values
# from `float_arrays()`), and when one fails it *shrinks* it to the simplest failing
# example. Here: softplus is positive, above ReLU, and its gradient checks on any shape.


# %%
@settings(max_examples=40, deadline=None)
@given(float_arrays(shapes(max_dims=3)))
def softplus_properties(x):
    y = Softplus.apply(Tensor(x)).numpy()
    assert np.all(y > 0) and np.all(y >= np.maximum(x, 0))
    assert gradcheck(lambda t: Softplus.apply(t), [x])


softplus_properties()
print("40 random shapes and values: all properties hold")

# %% [markdown]
# Binary ops must also handle broadcasting: the gradient of a (3, 1) input used with a
# (4,) input has to be summed back to (3, 1). `broadcastable_shapes()` draws such pairs.


# %%
@settings(max_examples=30, deadline=None)
@given(broadcastable_shapes(2, max_dims=3).flatmap(
    lambda pair: st.tuples(float_arrays(pair[0]), float_arrays(pair[1]))
))  # fmt: skip
def softplus_of_a_sum(arrays):
    a, b = arrays
    assert gradcheck(lambda s, t: Softplus.apply(s + t), [a, b])


softplus_of_a_sum()
print("30 pairs of broadcastable shapes: gradients check")

# %% [markdown]
# And a property that *fails*, to see the shrinking: "softplus stays within 0.1 of
# ReLU". Hypothesis finds a counterexample and reports the simplest one it can.


# %%
@settings(max_examples=200, deadline=None, database=None)
@given(st.floats(min_value=-10, max_value=10))
def softplus_is_close_to_relu(value):
    y = Softplus.apply(Tensor(np.array(value))).item()
    assert abs(y - max(value, 0.0)) < 0.1, f"softplus({value}) = {y}"


try:
    softplus_is_close_to_relu()
except AssertionError as error:
    print("hypothesis found:", str(error).splitlines()[0])

# %% [markdown]
# Softplus differs from ReLU by log 2 ≈ 0.69 at 0, and hypothesis shrinks the failing
# input to the simplest one it can find, 0.0.
#
# ## Exercises
#
# 1. Write `Cube` (x³) as a Function and check it with `gradcheck` and `gradgradcheck`.
# 2. Write a `Maximum(a, b)` op with broadcasting: return `None` for an input that does
#    not need a gradient, and use `tinygrad_edu.ops.broadcasting.unbroadcast` to sum a
#    gradient back to its input's shape. Test it with `broadcastable_shapes()`.
# 3. Give `Softplus.backward` a subtle bug (`x.sigmoid() * 0.999`). Does `gradcheck`
#    notice with its default tolerances? Which tolerance would let it through?
# 4. The derivative table in the docstring of `tinygrad_edu/ops/__init__.py` lists every
#    primitive's backward. Pick two and write their hypothesis property tests.
