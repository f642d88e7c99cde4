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
# # Lesson 7: watching backward, node by node
#
# By the end of this lesson you will understand:
#
# - the order in which `backward()` visits the graph (a heap of sequence numbers: the
#   newest op first), and why that order makes every gradient complete before it is used;
# - what each op receives and passes on, where a tensor used twice gets a *sum*, and when
#   the leaves' `.grad` is filled in;
# - why saved arrays are freed during the walk, and why a second backward needs
#   `retain_graph=True`.
#
# `watch_backward(loss)` runs `loss.backward()` with a small observer attached to the
# engine's walk, so every frame below is something `backward` really did. Each page has
# a slider, step buttons (or the arrow keys), the graph with the current node in red and
# the queue on the side.

# %%
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.viz import watch_backward

# %% [markdown]
# ## A micrograd-sized expression
#
# `a` and `b` are both used more than once. Step through and watch for the lines marked
# "used twice": that is the engine adding a second gradient to one already waiting.

# %%
a = tg.Tensor(-4.0, requires_grad=True, name="a")
b = tg.Tensor(2.0, requires_grad=True, name="b")
c = a + b
d = a * b + b**3
e = (c - d) ** 2
loss = e / 2.0 + (c * a).relu()
watched = watch_backward(loss)
watched

# %% [markdown]
# The same walk as data: one frame per step.

# %%
for frame in watched.frames:
    print(f"{frame.kind:5s} {frame.title}")
    for p in frame.passes:
        print(f"        -> {p.to}: {p.grad}" + (f"  (sum now {p.total})" if p.summed else ""))
print("a.grad =", a.grad.item(), " b.grad =", b.grad.item())

# %% [markdown]
# Check the order yourself: each op's sequence number is the order it was recorded in,
# and the walk runs them from the highest down. An op's output is only *used* by ops
# recorded after it, so when the walk reaches an op, all its users have passed their
# shares back: its gradient is complete.

# %%
sequences = [frame.sequence for frame in watched.frames if frame.kind == "run"]
print(sequences, sequences == sorted(sequences, reverse=True))

# %% [markdown]
# ## One step of a two-layer MLP
#
# The default model of `python -m tinygrad_edu` on four digits. The weights are named
# after their layers; big gradients are shown as shape, mean, standard deviation and
# norm. Note what each op releases after it ran: the arrays it saved for its backward.

# %%
from tinygrad_edu.datasets import digits

tg.manual_seed(0)
(x, y), _ = digits.load_data()
x = (x[:4].reshape(4, -1) / 16).astype(np.float32)
model = nn.Sequential(
    [nn.Dense(16, activation="relu", input_shape=(64,)), nn.Dense(10, activation="softmax")]
)
loss = nn.losses.SparseCategoricalCrossentropy()(y[:4], model(tg.Tensor(x)))
watch_backward(loss, params=model.named_parameters(), title="one step of a two-layer MLP")

# %% [markdown]
# Only three ops run backward: `Dense` records one fused `Linear` node (x @ W + b), with
# relu one fused `LinearRelu` node (its twin is MatMul, Add, Relu), and the loss from the
# softmax's logits is one fused node. The `Softmax` node
# itself is never visited: the loss does not depend on it (see "How one training step
# runs").
#
# ## The book's convnet, a layer at a time
#
# With `collapse=True` each layer is drawn as one box: the walk lights up the layers
# from the last to the first, and the kernels fill in at the end.

# %%
tg.manual_seed(0)
convnet = nn.Sequential(
    [
        nn.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
        nn.MaxPooling2D(2),
        nn.Conv2D(64, 3, activation="relu"),
        nn.MaxPooling2D(2),
        nn.Conv2D(128, 3, activation="relu"),
        nn.Flatten(),
        nn.Dense(10, activation="softmax"),
    ]
)
image = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)
loss = nn.losses.SparseCategoricalCrossentropy()(np.array([3]), convnet(tg.Tensor(image)))
conv_watch = watch_backward(loss, params=convnet.named_parameters(), collapse=True)
print(len(conv_watch.frames), "steps")
conv_watch

# %% [markdown]
# ## Backward twice
#
# After the walk every op has let go of its saved arrays, so a second `backward()`
# through the same graph is an error that says what to do:

# %%
try:
    loss.backward()
except RuntimeError as error:
    print(error)

# %% [markdown]
# Save any page with `watched.save("backward.html")`: one file, no network needed. From
# the command line, `python -m tinygrad_edu watch --out backward.html` writes the MLP's.
#
# ## Exercises
#
# 1. Before running it, predict the order of the ops for `(a * b + a) ** 2`, and where
#    the sum happens. Then check with `watch_backward`.
# 2. Run `watch_backward(loss, retain_graph=True)` and then `loss.backward()` again.
#    What do the leaves' `.grad` hold now, and what does the second watch show as
#    ".grad before"?
# 3. Build a chain `x = x * 1.01` of 50 steps and watch it. How long is the queue at
#    each step, and why?
# 4. Use `x.detach()` in the middle of the micrograd expression. Which nodes disappear
#    from the walk?
