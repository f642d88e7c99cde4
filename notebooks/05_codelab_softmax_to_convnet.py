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
# # Lesson 5: from a softmax layer to a batch-normalized convnet
#
# By the end of this lesson you will understand:
#
# - the path of the codelab "TensorFlow without a PhD": one softmax layer, then dense
#   layers, then convolutions, then batch normalization, and what each step buys;
# - how to read its dashboard: training against test curves, the learning rate that
#   decays, the weights of each layer, and the digits the model gets wrong;
# - why strides of 2 can replace pooling, and where batch normalization goes.
#
# MNIST's files are needed (`TINYGRAD_EDU_DATA`). The site is built on a slice (3,000
# training images, one epoch per model), so its figures are far from the codelab's;
# `TINYGRAD_EDU_FULL_LESSONS=1` trains each model for 5 epochs on all 60,000 images
# (minutes per model), which reproduces the figures in "Convolutional networks".

# %%
# %matplotlib inline
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from tinygrad_edu import manual_seed, nn
from tinygrad_edu.datasets import mnist

FULL = os.environ.get("TINYGRAD_EDU_FULL_LESSONS") == "1"
TRAIN, TEST, EPOCHS = (60_000, 10_000, 5) if FULL else (3_000, 1_000, 1)

# The convnet, its learning rate and its dashboard come from the example script,
# examples/mnist_codelab_convnet.py, so the lesson and the script cannot drift apart.
root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "examples").is_dir())
spec = importlib.util.spec_from_file_location("codelab", root / "examples/mnist_codelab_convnet.py")
codelab = importlib.util.module_from_spec(spec)
sys.modules["codelab"] = codelab
spec.loader.exec_module(codelab)

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train[:TRAIN].reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test[:TEST].reshape(-1, 28, 28, 1).astype("float32") / 255
y_train, y_test = y_train[:TRAIN].astype(np.int64), y_test[:TEST].astype(np.int64)
print(x_train.shape, x_test.shape)

# %% [markdown]
# ## Step 1: one softmax layer
#
# Ten weighted sums of the 784 pixels, turned into probabilities: logistic regression.
# The codelab reaches about 92% with it.


# %%
def train(model, optimizer, name):
    manual_seed(0)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    dashboard = codelab.Dashboard(
        (x_train[:1000], y_train[:1000]), (x_test, y_test), every=10 if not FULL else 100
    )
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=100, verbose=0, callbacks=[dashboard])
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"{name}: {model.count_params():,} parameters, test accuracy {accuracy:.4f}")
    return dashboard, accuracy


results = {}
softmax_model = nn.Sequential(
    [nn.Flatten(input_shape=(28, 28, 1)), nn.Dense(10, activation="softmax")]
)
_, results["softmax layer"] = train(
    softmax_model, nn.optimizers.SGD(learning_rate=0.5), "softmax layer"
)

# %% [markdown]
# ## Step 2: five dense layers
#
# 200, 100, 60, 30 ReLU units, then the softmax. More weights, more accuracy, and
# the first signs of overfitting on the full run (training loss far below test loss).

# %%
dense_model = nn.Sequential(
    [nn.Flatten(input_shape=(28, 28, 1))]
    + [nn.Dense(units, activation="relu") for units in (200, 100, 60, 30)]
    + [nn.Dense(10, activation="softmax")]
)
_, results["5 dense layers"] = train(
    dense_model, nn.optimizers.Adam(learning_rate=0.003), "5 dense layers"
)

# %% [markdown]
# ## Step 3: convolutions
#
# Three conv layers (6 filters 6x6, 12 filters 5x5 stride 2, 24 filters 4x4 stride 2,
# "same" padding): each looks at small patches, with the same weights everywhere in the
# image. Strides of 2 halve the picture (28 → 14 → 7) instead of pooling. Then a dense
# layer of 200 with dropout, and Adam with a learning rate that decays from 0.003
# towards 0.0001.

# %%
convnet = codelab.build_model(batch_norm=False)
convnet.summary()
conv_dashboard, results["convnet"] = train(convnet, convnet.optimizer, "convnet")

# %% [markdown]
# ## Step 4: batch normalization
#
# After each conv and the dense layer, before ReLU: each channel is brought to mean 0
# and variance 1 over the batch, then shifted by a learned offset (which replaces the
# layer's bias). It trains faster and a little further.

# %%
bn_convnet = codelab.build_model(batch_norm=True)
bn_dashboard, results["convnet + batch norm"] = train(
    bn_convnet, bn_convnet.optimizer, "convnet + batch norm"
)

# %% [markdown]
# ## The dashboard
#
# The example script's dashboard for the batch-normalized convnet: loss and accuracy
# measured on a fixed sample of the training data and on the test data as training goes,
# the learning rate, the spread of each layer's weights, and misclassified test digits.

# %%
import tempfile

predicted = np.asarray(bn_convnet.predict(x_test, verbose=0)).argmax(axis=1)
with tempfile.TemporaryDirectory() as folder:
    path = codelab.save_dashboard(
        bn_dashboard.records, bn_convnet, x_test, y_test, predicted, Path(folder) / "dashboard.png"
    )
    picture = path.read_bytes()
try:
    from IPython.display import Image, display

    display(Image(picture))
except ImportError:  # run as a plain script
    print(f"dashboard: {len(picture):,} bytes of PNG")

# %% [markdown]
# ## The four models side by side

# %%
figure = Figure(figsize=(7, 2.5))
axes = figure.subplots()
axes.barh(list(results), list(results.values()), color="tab:blue")
axes.set_xlim(min(results.values()) - 0.05, 1.0)
for y, value in enumerate(results.values()):
    axes.text(value, y, f" {value:.4f}", va="center")
axes.set_xlabel("test accuracy")
figure

# %% [markdown]
# On the site's slice (30 steps per model) these numbers say little: the batch-normalized
# model in particular is tested with moving averages of the batch statistics that 30
# steps have not yet settled (momentum 0.99). On the full run (5 epochs, all of MNIST)
# the figures are about 0.92, 0.98, 0.992 and 0.992 (see "Convolutional networks" for
# the measured ones and the commands).
#
# ## Exercises
#
# 1. Replace the strides of 2 with `nn.MaxPooling2D(2)` after the second and third conv
#    layers. Same accuracy? Same time per epoch?
# 2. Remove the `Dropout(0.25)` and train on the full data: compare the dashboard's
#    training and test curves with and without it.
# 3. Put the BatchNormalization *after* the ReLU instead of before. Does it still help?
# 4. Keep the learning rate at 0.003 without decay (`nn.optimizers.Adam(learning_rate=0.003)`): what
#    happens to the test accuracy curve at the end of training?
# 5. Plot the first layer's six 6x6 filters (`convnet.layers[0].kernel.numpy()`).
