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
# # Lesson 4: Celsius to Fahrenheit, then Fashion-MNIST
#
# By the end of this lesson you will understand:
#
# - that a single Dense unit is the formula y = x·w + b, and how training finds w and b
#   from seven examples (the Udacity course's first lesson);
# - why the learned bias is still far from 32 after the course's 500 epochs;
# - the course's basic classification of clothes: flatten, one hidden ReLU layer, a
#   softmax over ten classes, and how to read the model's confidence.
#
# Fashion-MNIST needs its files (`TINYGRAD_EDU_DATA` holding `fashion-mnist/`). The site
# is built on a slice of it; `TINYGRAD_EDU_FULL_LESSONS=1` gives the full run (about 0.88).

# %%
# %matplotlib inline
import os

import numpy as np
from matplotlib.figure import Figure

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.datasets import fashion_mnist

FULL = os.environ.get("TINYGRAD_EDU_FULL_LESSONS") == "1"
manual_seed(0)

# %% [markdown]
# ## Part 1: one neuron learns a formula
#
# F = 1.8·C + 32, but the model only sees seven pairs.

# %%
celsius = np.array([-40, -10, 0, 8, 15, 22, 38], dtype=np.float32).reshape(-1, 1)
fahrenheit = np.array([-40, 14, 32, 46, 59, 72, 100], dtype=np.float32).reshape(-1, 1)

model = nn.Sequential([nn.Dense(1, input_shape=(1,))])
model.compile(optimizer=nn.optimizers.Adam(learning_rate=0.1), loss="mean_squared_error")
history = model.fit(celsius, fahrenheit, epochs=500, verbose=0)
w, b = model.layers[0].kernel.item(), model.layers[0].bias.item()
print(f"after 500 epochs: w = {w:.3f}, b = {b:.2f}   (the formula: 1.8 and 32)")
print("100 °C ->", model.predict(np.array([[100.0]], dtype=np.float32), verbose=0).item(), "°F")

# %%
figure = Figure(figsize=(5, 3))
axes = figure.subplots()
axes.plot(history.history["loss"])
axes.set_yscale("log")
axes.set_xlabel("epoch")
axes.set_ylabel("mean squared error")
figure

# %% [markdown]
# The loss drops fast while w finds 1.8, then slowly: Adam moves each weight by about
# the learning rate (0.1) per step at most, and b starts at 0, so it needs hundreds of
# steps to walk to 32. Train on (exercise 1) and it settles at w = 1.798, b = 31.95:
# the best straight line through the rounded Fahrenheit values.
#
# ## Part 2: clothes
#
# 28x28 grey images of ten kinds of clothing; 60,000 to train on, 10,000 to test.

# %%
(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
if not FULL:
    train_images, train_labels = train_images[:6000], train_labels[:6000]
    test_images, test_labels = test_images[:1000], test_labels[:1000]
train_images = train_images.astype("float32") / 255
test_images = test_images.astype("float32") / 255
names = fashion_mnist.CLASS_NAMES

figure = Figure(figsize=(10, 2))
for axes, i in zip(figure.subplots(1, 8), range(8)):
    axes.imshow(train_images[i], cmap="gray_r")
    axes.set_title(names[train_labels[i]], fontsize=8)
    axes.set_axis_off()
figure

# %%
model = nn.Sequential(
    [
        nn.Flatten(input_shape=(28, 28)),
        nn.Dense(128, activation="relu"),
        nn.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_images, train_labels, epochs=5 if FULL else 2, batch_size=32, verbose=2)
test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
print(f"test accuracy: {test_accuracy:.4f}")

# %% [markdown]
# ## How sure is the model?
#
# Blue when the answer is right, red when it is wrong; the bars are the ten
# probabilities.

# %%
probabilities = model.predict(test_images[:6], verbose=0)
figure = Figure(figsize=(12, 4))
grid = figure.subplots(2, 6)
for column in range(6):
    guess = probabilities[column].argmax()
    colour = "tab:blue" if guess == test_labels[column] else "tab:red"
    grid[0, column].imshow(test_images[column], cmap="gray_r")
    grid[0, column].set_axis_off()
    grid[0, column].set_title(
        f"{names[guess]} {probabilities[column].max():.0%}\n({names[test_labels[column]]})",
        fontsize=8,
        color=colour,
    )
    bars = grid[1, column].bar(range(10), probabilities[column], color="lightgrey")
    bars[guess].set_color(colour)
    grid[1, column].set_ylim(0, 1)
    grid[1, column].set_xticks(range(10))
figure

# %% [markdown]
# ## Exercises
#
# 1. Train the Celsius model for 1,500 epochs. Where do w and b settle, and why not
#    exactly at 1.8 and 32?
# 2. Give the Celsius model a hidden layer: `Dense(4)`, `Dense(4)`, `Dense(1)`. It
#    predicts as well; can you still read the formula off its weights?
# 3. Which two classes does the clothes model confuse most? Count the pairs with
#    `np.bincount(test_labels * 10 + predicted, minlength=100).reshape(10, 10)`.
# 4. Add `nn.Dropout(0.2)` after the hidden layer. Does the test accuracy change after
#    5 epochs on the full data?
