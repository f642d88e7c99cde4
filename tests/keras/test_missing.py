"""A Keras name tinygrad-edu lacks says so and points to the list, in every way it is reached."""

import importlib

import pytest

import tinygrad_edu.keras as keras
from tinygrad_edu.keras.keras_names import KERAS_3_NAMES
from tinygrad_edu.keras.missing import DOCS_PAGE, NotInTinygradEdu

NOT_YET = r"keras\.layers\.ConvLSTM3D is not in tinygrad-edu yet\. docs/coming-from-keras\.md"


def test_attribute_and_from_import_of_a_missing_name_say_so():
    with pytest.raises(NotInTinygradEdu, match=NOT_YET):
        keras.layers.ConvLSTM3D  # noqa: B018
    with pytest.raises(NotInTinygradEdu, match=NOT_YET):
        from tinygrad_edu.keras.layers import ConvLSTM3D  # noqa: F401
    with pytest.raises(NotInTinygradEdu, match=r"keras\.ops\.einsum is not"):
        keras.ops.einsum  # noqa: B018
    with pytest.raises(NotInTinygradEdu, match=r"keras\.applications is not"):
        keras.applications  # noqa: B018
    assert issubclass(NotInTinygradEdu, NotImplementedError)
    assert not issubclass(NotInTinygradEdu, ImportError | AttributeError)


def test_a_missing_whole_module_says_so_on_import():
    with pytest.raises(NotInTinygradEdu, match=r"keras\.mixed_precision is not"):
        importlib.import_module("tinygrad_edu.keras.mixed_precision")
    with pytest.raises(NotInTinygradEdu, match=r"keras\.export is not"):
        from tinygrad_edu.keras import export  # noqa: F401


def test_a_typo_is_still_an_attribute_error_and_present_names_are_found():
    with pytest.raises(AttributeError, match="no attribute 'Densee'"):
        keras.layers.Densee  # noqa: B018
    assert hasattr(keras.layers, "Dense") and not hasattr(keras.layers, "Densee")
    assert keras.Layer is keras.layers.Layer and keras.KerasTensor is type(keras.Input((1,)))


def test_every_name_we_have_is_a_keras_name_or_our_own_addition():
    """The list is Keras's: what `keras.layers` exports should mostly be in it (a check
    that the list was read from the right modules)."""
    ours = set(keras.layers.__all__)
    assert len(ours & KERAS_3_NAMES["layers"]) >= len(ours) - 2
    assert {"Dense", "LSTM", "Lambda"} <= KERAS_3_NAMES["layers"]
    assert DOCS_PAGE.endswith("coming-from-keras.md")


def test_keras_backend_has_what_course_code_calls():
    keras.backend.clear_session()  # runs, and has nothing to clear
    assert keras.backend.epsilon() == 1e-7 and keras.backend.floatx() == "float32"
    assert keras.backend.image_data_format() == "channels_last"
    with pytest.raises(NotInTinygradEdu, match=r"keras\.backend\.set_floatx is not"):
        keras.backend.set_floatx("float64")
