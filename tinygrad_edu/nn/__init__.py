"""nn: layers, losses, optimizers and models in Keras's style, on the autograd engine.

    from tinygrad_edu import nn
    model = nn.Sequential([nn.Dense(512, activation="relu", input_shape=(784,)),
                           nn.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=128)

Or by hand, PyTorch style: `optimizer = nn.optimizers.RMSprop(model.parameters())`,
then `optimizer.zero_grad(); loss.backward(); optimizer.step()` for each batch.
"""

from tinygrad_edu.nn import (
    activations,
    callbacks,
    data_adapters,
    initializers,
    losses,
    metrics,
    optimizers,
    regularizers,
    saving,
    schedules,
)
from tinygrad_edu.nn.activation_layers import (
    ELU,
    Identity,
    Lambda,
    LeakyReLU,
    PReLU,
    ReLU,
    Rescaling,
)
from tinygrad_edu.nn.attention import MultiHeadAttention
from tinygrad_edu.nn.augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from tinygrad_edu.nn.conv_transpose import Conv2DTranspose
from tinygrad_edu.nn.convolutional import Conv1D, Conv2D
from tinygrad_edu.nn.depthwise import DepthwiseConv2D, SeparableConv2D
from tinygrad_edu.nn.embedding import Embedding
from tinygrad_edu.nn.functional_model import Functional
from tinygrad_edu.nn.input_layer import Input, InputLayer
from tinygrad_edu.nn.layer_normalization import LayerNormalization
from tinygrad_edu.nn.layers import (
    Activation,
    ActivityRegularization,
    Dense,
    Dropout,
    Flatten,
    Layer,
    Softmax,
)
from tinygrad_edu.nn.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from tinygrad_edu.nn.models import Model, load_model
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.normalization import BatchNormalization
from tinygrad_edu.nn.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from tinygrad_edu.nn.preprocessing import Normalization
from tinygrad_edu.nn.recurrent import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
from tinygrad_edu.nn.reshaping import Reshape
from tinygrad_edu.nn.resizing import (
    Cropping1D,
    Cropping2D,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from tinygrad_edu.nn.sequential import Sequential
from tinygrad_edu.nn.text_vectorization import TextVectorization
from tinygrad_edu.nn.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Module",
    "Layer",
    "Dense",
    "Flatten",
    "Dropout",
    "Activation",
    "ActivityRegularization",
    "Input",
    "InputLayer",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
    "Reshape",
    "Softmax",
    "Normalization",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomContrast",
    "RandomBrightness",
    "ELU",
    "Identity",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Rescaling",
    "Lambda",
    "BatchNormalization",
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "Embedding",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "RNN",
    "SimpleRNNCell",
    "LSTMCell",
    "GRUCell",
    "StackedRNNCells",
    "Bidirectional",
    "TimeDistributed",
    "LayerNormalization",
    "MultiHeadAttention",
    "TextVectorization",
    "Model",
    "Functional",
    "Sequential",
    "load_model",
    "activations",
    "callbacks",
    "data_adapters",
    "initializers",
    "losses",
    "metrics",
    "optimizers",
    "regularizers",
    "saving",
    "schedules",
]
