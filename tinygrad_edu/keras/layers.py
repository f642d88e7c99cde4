"""`keras.layers`: the layers of `tinygrad_edu.nn` under Keras's names.

Add each new layer of `nn` here too; tests/keras/test_namespace.py checks that
every layer class `nn` exports is listed.
"""

from tinygrad_edu.nn.attention import MultiHeadAttention
from tinygrad_edu.nn.convolutional import Conv2D
from tinygrad_edu.nn.embedding import Embedding
from tinygrad_edu.nn.input_layer import Input, InputLayer
from tinygrad_edu.nn.layer_normalization import LayerNormalization
from tinygrad_edu.nn.layers import Activation, Dense, Dropout, Flatten, Layer
from tinygrad_edu.nn.normalization import BatchNormalization
from tinygrad_edu.nn.pooling import AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D
from tinygrad_edu.nn.recurrent import GRU, LSTM, SimpleRNN
from tinygrad_edu.nn.reshaping import Reshape
from tinygrad_edu.nn.text_vectorization import TextVectorization
from tinygrad_edu.nn.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Activation",
    "AveragePooling2D",
    "BatchNormalization",
    "Bidirectional",
    "Embedding",
    "GRU",
    "LSTM",
    "LayerNormalization",
    "MultiHeadAttention",
    "SimpleRNN",
    "TextVectorization",
    "TimeDistributed",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling2D",
    "Input",
    "InputLayer",
    "Layer",
    "MaxPooling2D",
    "Reshape",
]
