"""`keras.layers`: the layers of `tinygrad_edu.nn` under Keras's names.

Add each new layer of `nn` here too; tests/keras/test_namespace.py checks that
every layer class `nn` exports is listed.
"""

from tinygrad_edu.nn.input_layer import Input, InputLayer
from tinygrad_edu.nn.layers import Activation, Dense, Dropout, Flatten, Layer

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer"]
