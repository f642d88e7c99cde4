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
# # Lesson 2: the 8x8 digits, by hand and with the engine
#
# By the end of this lesson you will understand:
#
# - the backpropagation equations of a sigmoid network with the quadratic cost,
#   written by hand in NumPy, one line per equation;
# - that the engine's `backward()` computes exactly the same gradients from the
#   forward code alone (we check it to six digits);
# - how the two training loops compare, side by side, when nothing else differs.
#
# The data are the 8x8 handwritten digits that ship with tinygrad-edu (1,437 training
# and 360 test images): no download needed.

# %%
# %matplotlib inline
import os

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.datasets import digits, to_categorical

# The full figures take a few seconds more; the site is built on a shorter run.
FULL = os.environ.get("TINYGRAD_EDU_FULL_LESSONS") == "1"
EPOCHS = 30 if FULL else 8

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = (x_train / 16.0).reshape(len(x_train), -1)  # 64 values in [0, 1] per image
x_test = (x_test / 16.0).reshape(len(x_test), -1)
t_train = to_categorical(y_train, 10, dtype="float64")  # one-hot targets
print(x_train.shape, t_train.shape, x_test.shape)

# %% [markdown]
# ## The network and its gradients, by hand
#
# Two layers of sigmoid neurons: a = σ(x W₁ + b₁), y = σ(a W₂ + b₂), and the quadratic
# cost C = ½ Σ (y - t)² / n over a batch of n rows. With σ'(z) = σ(z)(1 - σ(z)), the
# chain rule gives, from the output back:
#
# - δ₂ = (y - t) ⊙ y(1 - y) / n  (the error at the output's pre-activations)
# - ∂C/∂W₂ = aᵀ δ₂,  ∂C/∂b₂ = Σ_rows δ₂
# - δ₁ = (δ₂ W₂ᵀ) ⊙ a(1 - a)
# - ∂C/∂W₁ = xᵀ δ₁,  ∂C/∂b₁ = Σ_rows δ₁


# %%
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_gradients(params, x, t):
    """Forward, then the four backpropagation equations above, by hand."""
    w1, b1, w2, b2 = params
    a = sigmoid(x @ w1 + b1)
    y = sigmoid(a @ w2 + b2)
    cost = 0.5 * np.sum((y - t) ** 2) / len(x)
    delta2 = (y - t) * y * (1 - y) / len(x)
    delta1 = (delta2 @ w2.T) * a * (1 - a)
    return cost, [x.T @ delta1, delta1.sum(axis=0), a.T @ delta2, delta2.sum(axis=0)]


# %% [markdown]
# ## The same network with the engine
#
# Only the forward pass is written; `cost.backward()` fills each parameter's `.grad`.


# %%
def engine_gradients(params, x, t):
    w1, b1, w2, b2 = [tg.Tensor(p, requires_grad=True) for p in params]
    a = (tg.Tensor(x) @ w1 + b1).sigmoid()
    y = (a @ w2 + b2).sigmoid()
    cost = 0.5 * ((y - tg.Tensor(t)) ** 2).sum() / len(x)
    cost.backward()
    return cost.item(), [p.grad.numpy() for p in (w1, b1, w2, b2)]


rng = np.random.default_rng(0)
params = [rng.standard_normal((64, 30)), rng.standard_normal(30),
          rng.standard_normal((30, 10)), rng.standard_normal(10)]  # fmt: skip
cost_np, grads_np = numpy_gradients(params, x_train[:10], t_train[:10])
cost_tg, grads_tg = engine_gradients(params, x_train[:10], t_train[:10])
print(f"cost: by hand {cost_np:.6f}, engine {cost_tg:.6f}")
for name, g_np, g_tg in zip(["W1", "b1", "W2", "b2"], grads_np, grads_tg):
    print(f"{name}: shape {g_np.shape}, largest difference {np.abs(g_np - g_tg).max():.1e}")
    assert np.allclose(g_np, g_tg, rtol=1e-6, atol=1e-9)

# %% [markdown]
# The gradients agree to rounding error (float64 here, since `params` are float64
# arrays: a NumPy array keeps its dtype in a Tensor).
#
# ## Training both, side by side
#
# Stochastic gradient descent with batches of 10 and a learning rate of 3, the
# classic settings for this network. The two loops differ only in where the
# gradients come from.


# %%
def train(gradients, epochs, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal((64, 30)), rng.standard_normal(30),
              rng.standard_normal((30, 10)), rng.standard_normal(10)]  # fmt: skip
    accuracies = []
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), 10):
            batch = order[start : start + 10]
            _, grads = gradients(params, x_train[batch], t_train[batch])
            params = [p - 3.0 * g for p, g in zip(params, grads)]
        w1, b1, w2, b2 = params
        predictions = sigmoid(sigmoid(x_test @ w1 + b1) @ w2 + b2).argmax(axis=1)
        accuracies.append(float(np.mean(predictions == y_test)))
    return accuracies


by_hand = train(numpy_gradients, EPOCHS)
with_engine = train(engine_gradients, EPOCHS)
for epoch, (a, b) in enumerate(zip(by_hand, with_engine), start=1):
    print(f"epoch {epoch:2d}: by hand {a:.2%}   engine {b:.2%}")

# %%
from matplotlib.figure import Figure

figure = Figure(figsize=(6, 3))
axes = figure.subplots()
epochs = range(1, EPOCHS + 1)
axes.plot(epochs, by_hand, "o-", label="NumPy, gradients by hand")
axes.plot(epochs, with_engine, "x--", label="tinygrad-edu, backward()")
axes.set_xlabel("epoch")
axes.set_ylabel("test accuracy")
axes.legend()
figure

# %% [markdown]
# The curves lie on top of each other: same data order, same starting weights, same
# gradients, so the same steps.
#
# ## Exercises
#
# 1. Replace the quadratic cost with cross-entropy, C = -Σ t log y + (1 - t) log(1 - y).
#    Which of the hand-written lines change? Which lines of `engine_gradients` change?
# 2. Add a third layer. Count the lines you add to `numpy_gradients` and to
#    `engine_gradients`.
# 3. Introduce a bug in `numpy_gradients` (forget the `/ len(x)`) and watch the check
#    fail. Then use `tinygrad_edu.testing.gradcheck` (lesson 6) to check the engine.
# 4. Time one epoch of each loop (`time.perf_counter()`): where does the engine spend
#    the extra time on such tiny matrices?
