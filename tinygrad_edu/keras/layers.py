"""`keras.layers`: the layers of `tinygrad_edu.nn` under Keras's names.

Add each new layer of `nn` here too; tests/keras/test_namespace.py checks that
every layer class `nn` exports is listed.
"""

from tinygrad_edu.keras import missing
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
from tinygrad_edu.nn.conv_transpose import Conv2DTranspose
from tinygrad_edu.nn.convolutional import Conv1D, Conv2D
from tinygrad_edu.nn.depthwise import DepthwiseConv2D, SeparableConv2D
from tinygrad_edu.nn.embedding import Embedding
from tinygrad_edu.nn.input_layer import Input, InputLayer
from tinygrad_edu.nn.layer_normalization import LayerNormalization
from tinygrad_edu.nn.layers import Activation, Dense, Dropout, Flatten, Layer, Softmax
from tinygrad_edu.nn.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
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
from tinygrad_edu.nn.text_vectorization import TextVectorization
from tinygrad_edu.nn.wrappers import Bidirectional, TimeDistributed

__all__ = [
    "Activation",
    "Add",
    "Average",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "Bidirectional",
    "Concatenate",
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Dense",
    "DepthwiseConv2D",
    "Dot",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRU",
    "GRUCell",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Input",
    "InputLayer",
    "LSTM",
    "LSTMCell",
    "Layer",
    "LayerNormalization",
    "MaxPooling1D",
    "MaxPooling2D",
    "Maximum",
    "Minimum",
    "MultiHeadAttention",
    "Multiply",
    "RNN",
    "Reshape",
    "Softmax",
    "Normalization",
    "ELU",
    "Identity",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "Rescaling",
    "Lambda",
    "SeparableConv2D",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "Subtract",
    "TextVectorization",
    "TimeDistributed",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "layers")
