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
# # Lesson 3: the Keras book's MNIST network
#
# By the end of this lesson you will understand:
#
# - the first example of *Deep Learning with Python* (two Dense layers on MNIST) line
#   by line, written with tinygrad-edu's Keras names;
# - what `compile`, `fit`, `evaluate` and `predict` do, and what `fit` prints;
# - how to read the training curves, and where the model goes wrong.
#
# The real MNIST files are needed: set `TINYGRAD_EDU_DATA` to a folder holding
# `mnist/` (see Getting started, Data sets). The site is built on a slice of the data
# (a few thousand images, 2 epochs); set `TINYGRAD_EDU_FULL_LESSONS=1` for the book's
# full run (60,000 images, 5 epochs, about 0.98 test accuracy).

# %%
# %matplotlib inline
import os

import numpy as np

import tinygrad_edu.keras as keras
from tinygrad_edu.keras import layers

FULL = os.environ.get("TINYGRAD_EDU_FULL_LESSONS") == "1"
keras.utils.set_random_seed(0)

(train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()
if not FULL:  # a slice, so the lesson runs in seconds
    train_images, train_labels = train_images[:4000], train_labels[:4000]
    test_images, test_labels = test_images[:1000], test_labels[:1000]
print(train_images.shape, train_images.dtype, train_labels[:10])

# %% [markdown]
# Each image is 28x28 bytes (0 to 255). A Dense layer takes one vector per example,
# so the images are flattened to 784 values and scaled to [0, 1].

# %%
train_images = train_images.reshape((len(train_images), 28 * 28)).astype("float32") / 255
test_images = test_images.reshape((len(test_images), 28 * 28)).astype("float32") / 255

model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

# %% [markdown]
# 784 × 512 + 512 = 401,920 weights in the first layer, 512 × 10 + 10 = 5,130 in the
# second. `fit` runs `train_step` on each batch of 128: forward, loss, `backward()`,
# RMSprop's update. With `verbose=2` it prints one line per epoch.

# %%
history = model.fit(
    train_images,
    train_labels,
    epochs=5 if FULL else 2,
    batch_size=128,
    validation_split=0.1,
    verbose=2,
)

# %%
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
print(f"test accuracy: {test_acc:.4f} (the book: 0.9785 after 5 epochs on all 60,000)")

# %% [markdown]
# ## Training curves

# %%
from matplotlib.figure import Figure

figure = Figure(figsize=(9, 3))
for axes, key in zip(figure.subplots(1, 2), ["loss", "accuracy"]):
    epochs = np.arange(1, len(history.history[key]) + 1)
    axes.plot(epochs, history.history[key], "o-", label=f"training {key}")
    axes.plot(epochs, history.history[f"val_{key}"], "o-", label=f"validation {key}")
    axes.set_xlabel("epoch")
    axes.set_xticks(epochs)
    axes.legend()
figure

# %% [markdown]
# ## What the model says
#
# `predict` gives ten probabilities per image; the largest is the model's answer.

# %%
probabilities = model.predict(test_images[:10], verbose=0)
print("predicted:", probabilities.argmax(axis=1))
print("true:     ", test_labels[:10])
print("confidence of the first:", probabilities[0].round(3))

# %%
predicted = model.predict(test_images, verbose=0).argmax(axis=1)
wrong = np.flatnonzero(predicted != test_labels)[:8]
figure = Figure(figsize=(10, 1.8))
for axes, i in zip(figure.subplots(1, len(wrong)), wrong):
    axes.imshow(test_images[i].reshape(28, 28), cmap="gray_r")
    axes.set_title(f"true {test_labels[i]}, said {predicted[i]}", fontsize=8)
    axes.set_axis_off()
figure

# %% [markdown]
# ## Exercises
#
# 1. Train with `layers.Dense(64, ...)` instead of 512 units. How many parameters, and
#    how much accuracy, do you lose?
# 2. Remove the division by 255. What happens to the loss in the first epoch, and why?
# 3. Change the optimizer to `"sgd"`. How many more epochs does it need?
# 4. Write the training loop yourself (see Models the Keras way): `zero_grad`, forward,
#    `keras.losses.sparse_categorical_crossentropy`, `backward`, `step`.
# 5. Draw the graph of one batch's loss with `tinygrad_edu.viz.draw_graph` and find
#    the nodes that `fit`'s `train_step` records.
