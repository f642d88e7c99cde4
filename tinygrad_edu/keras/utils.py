"""`keras.utils`: one-hot labels, padding and normalizing, splitting arrays, PyDataset,
the random seed, Progbar and plot_model."""

from typing import Any

from tinygrad_edu.datasets.sequences import normalize, pad_sequences
from tinygrad_edu.datasets.utils import split_dataset, to_categorical
from tinygrad_edu.keras import missing
from tinygrad_edu.nn.data_adapters import PyDataset
from tinygrad_edu.nn.progress import Progbar
from tinygrad_edu.nn.saving import custom_object_scope
from tinygrad_edu.nn.saving import register_serializable as register_keras_serializable
from tinygrad_edu.random import manual_seed

#: Keras 2's name for PyDataset, still accepted by Keras 3.
Sequence = PyDataset


def set_random_seed(seed: int) -> None:
    """Keras's `keras.utils.set_random_seed`: make initial weights, shuffling and dropout
    reproducible (it calls `tinygrad_edu.manual_seed`)."""
    manual_seed(seed)


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = True, **_: Any) -> Any:
    """Keras's `keras.utils.plot_model`: a diagram of the model's layers (needs graphviz).

    See `tinygrad_edu.viz.plot_model`; Keras's other drawing options are ignored.
    """
    from tinygrad_edu.viz import plot_model as draw

    return draw(model, to_file=to_file, show_shapes=show_shapes)


__all__ = [
    "Progbar",
    "PyDataset",
    "Sequence",
    "custom_object_scope",
    "normalize",
    "pad_sequences",
    "plot_model",
    "register_keras_serializable",
    "set_random_seed",
    "split_dataset",
    "to_categorical",
]

# A Keras name this module lacks raises NotInTinygradEdu, saying so (keras/missing.py).
__getattr__ = missing.module_getattr(__name__, "utils")
