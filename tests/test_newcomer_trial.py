"""What a fresh-user trial tripped on: each now a clear answer (tests fail without the fix)."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn
from tinygrad_edu import functional as F
from tinygrad_edu.__main__ import main


def token_model():
    model = nn.Sequential([nn.Input((3,), dtype="int64"), nn.Embedding(5, 2), nn.Flatten()])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_ragged_token_lists_name_the_call_and_pad_sequences(method):
    model = token_model()
    ragged = [[1, 2, 3], [3]]
    call = getattr(model, method)
    arguments = (ragged,) if method == "predict" else (ragged, np.zeros((2, 6)))
    with pytest.raises(ValueError, match=rf"{method}: .*ragged.*pad_sequences"):
        call(*arguments, verbose=0)


def test_ragged_input_to_a_direct_call_is_named_too():
    with pytest.raises(ValueError, match=r"ragged.*pad_sequences"):
        token_model()([[1, 2, 3], [3]])


def test_pytorch_dim_and_numpy_axis_are_both_taken():
    x = Tensor(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]))
    np.testing.assert_allclose(x.softmax(dim=0).data, x.softmax(axis=0).data)
    np.testing.assert_allclose(x.softmax(dim=0).data.sum(axis=0), [1, 1, 1])
    np.testing.assert_allclose(F.log_softmax(x, dim=0).data, F.log_softmax(x, 0).data)
    np.testing.assert_allclose(F.softmax(x, dim=1).data, x.softmax(1).data)
    assert not np.allclose(x.softmax(dim=0).data, x.softmax(dim=1).data)
    np.testing.assert_array_equal(x.sort(axis=0).values.data, np.sort(x.data, axis=0))
    np.testing.assert_array_equal(x.argsort(axis=0).data, np.argsort(x.data, axis=0))
    np.testing.assert_array_equal(x.topk(1, axis=0).values.data, x.data.max(axis=0)[None])
    np.testing.assert_array_equal(tg.cat([x, x], axis=1).data, np.concatenate([x.data] * 2, 1))


def test_main_job_refuses_a_file_as_out_before_training(tmp_path, capsys):
    picture = tmp_path / "g.svg"
    picture.write_text("")
    assert main(["--out", str(picture), "--epochs", "1"]) == 2
    captured = capsys.readouterr()
    assert "is a file" in captured.err and "Epoch" not in captured.out


def test_grade_names_a_missing_folder_once(tmp_path, capsys):
    assert main(["exercises", "grade", str(tmp_path / "nowhere"), "1"]) == 2
    error = capsys.readouterr().err
    assert error.count("exercises grade:") == 1 and "no folder" in error
