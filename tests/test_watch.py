"""watch_backward records what backward did: its order, its gradients, its sums and releases.

Each check compares the frames with the engine itself: the order in which the
ops' backward methods were called in a plain backward, the gradients that
`retain_grad()` keeps on every tensor, and the leaves' `.grad`.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import autograd, nn
from tinygrad_edu.__main__ import main
from tinygrad_edu.viz import BackwardWatch, watch_backward
from tinygrad_edu.viz.graph import walk

pytestmark = pytest.mark.usefixtures("requires_dot")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def micrograd_expression() -> tuple[tg.Tensor, dict[str, tg.Tensor]]:
    """micrograd's README example, smaller: a and b are each used more than once."""
    a = tg.Tensor(-4.0, requires_grad=True, name="a")
    b = tg.Tensor(2.0, requires_grad=True, name="b")
    c = a + b
    d = a * b + b**3
    e = c - d
    f = e**2
    g = f / 2.0 + (c * a).relu()
    return g, {"a": a, "b": b}


def mlp_loss(seed: int = 0) -> tuple[tg.Tensor, nn.Sequential]:
    """One step's loss of a two-layer MLP on four 8x8 digits."""
    tg.manual_seed(seed)
    model = nn.Sequential(
        [nn.Dense(8, activation="relu", input_shape=(64,)), nn.Dense(10, activation="softmax")]
    )
    (x, y), _ = tg.datasets.digits.load_data()
    x = x[:4].reshape(4, -1).astype(np.float32) / 16
    loss = nn.losses.SparseCategoricalCrossentropy()(y[:4], model(tg.Tensor(x)))
    return loss, model


def book_convnet_builder():
    """examples/mnist_convnet.py's build_model (loaded by path: benchmarks/ has a namesake)."""
    spec = importlib.util.spec_from_file_location(
        "example_mnist_convnet", EXAMPLES / "mnist_convnet.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_model


def run_frames(watched: BackwardWatch) -> list:
    return [frame for frame in watched.frames if frame.kind == "run"]


def position(frame) -> int:
    """Where the frame's tensor comes in `walk(loss)` (frames call it "t<position>")."""
    return int(frame.tensor.split()[0][1:])


def backward_call_order(loss: tg.Tensor) -> list[int]:
    """Which tensors' ops a plain backward runs, in its order, as positions in `walk(loss)`."""
    called: list[int] = []
    for i, tensor in enumerate(walk(loss)):
        creator = tensor.grad_fn
        if creator is not None:
            original = creator.backward

            def logged(grad, i=i, original=original):
                called.append(i)
                return original(grad)

            creator.backward = logged
    loss.backward()
    return called


@pytest.mark.parametrize("build", [micrograd_expression, lambda: mlp_loss()[0:1] + ({},)])
def test_frames_run_the_ops_in_the_order_backward_calls_them(build) -> None:
    watched = watch_backward(build()[0])
    assert [position(frame) for frame in run_frames(watched)] == backward_call_order(build()[0])
    sequences = [frame.sequence for frame in run_frames(watched)]
    assert sequences == sorted(sequences, reverse=True)  # newest first: the heap's order
    assert watched.frames[0].kind == "seed" and watched.frames[0].grad == "1"


def test_each_frame_shows_the_gradient_backward_gives_that_tensor() -> None:
    loss, _ = micrograd_expression()
    watched = watch_backward(loss)
    again, leaves = micrograd_expression()
    tensors = walk(again)  # held: backward lets go of intermediates nobody holds
    for tensor in tensors:
        if tensor.grad_fn is not None:
            tensor.retain_grad()
    again.backward()
    for frame in run_frames(watched):
        np.testing.assert_allclose(frame.value, tensors[position(frame)].grad.data, rtol=1e-6)
    # What each tensor received from the ops that used it adds up to its frame's gradient.
    passed: dict[str, list] = {}
    for frame in run_frames(watched):
        for entry in frame.passes:
            passed.setdefault(entry.to, []).append(entry.value)
    for frame in watched.frames:
        if frame.tensor == watched.frames[0].tensor:
            continue  # the loss: its gradient is the seed
        np.testing.assert_allclose(sum(passed[frame.tensor]), frame.value, rtol=1e-6)
    leaf_frames = {
        frame.tensor.split()[1]: frame for frame in watched.frames if frame.kind == "leaf"
    }
    assert set(leaf_frames) == {"a", "b"}
    for name, leaf in leaves.items():
        np.testing.assert_allclose(leaf_frames[name].value, leaf.grad.data, rtol=1e-6)


def test_a_tensor_used_twice_shows_the_sum_of_its_two_gradients() -> None:
    a = tg.Tensor([1.0, 2.0], requires_grad=True, name="a")
    h = a * 3.0
    loss = (h * h).sum()  # h reaches Mul twice: 3h and 3h... each is h, summed to 2h
    watched = watch_backward(loss)
    mul = next(f for f in run_frames(watched) if f.title.split()[1] == "Mul" and len(f.passes) == 2)
    first, second = mul.passes
    assert not first.summed and second.summed
    np.testing.assert_allclose(first.value + second.value, [2.0 * 3, 2.0 * 6])
    assert second.total == "[6, 12]"
    np.testing.assert_allclose(a.grad.data, [18.0, 36.0])


def test_the_queue_is_the_heap_and_the_next_op_is_its_top() -> None:
    loss, _ = micrograd_expression()
    frames = watch_backward(loss).frames
    for frame, following in zip(frames, frames[1:]):
        numbers = [int(re.match(r"#(\d+)", entry).group(1)) for entry in frame.queue]
        assert numbers == sorted(numbers, reverse=True)
        if following.kind == "run":
            assert numbers[0] == following.sequence
        else:
            assert numbers == []  # only leaves are left: their gradients are complete


def test_leaves_fill_in_their_grad_and_accumulate_on_an_old_one() -> None:
    loss, leaves = micrograd_expression()
    leaves["a"].grad = tg.Tensor(100.0)
    watched = watch_backward(loss)
    frame = next(f for f in watched.frames if f.kind == "leaf" and " a " in f.tensor)
    assert frame.grad_before == "100"
    assert frame.title.endswith(f".grad = {leaves['a'].grad.item():.4g}".rstrip("0").rstrip("."))


def test_saved_arrays_are_released_after_each_op_unless_retained() -> None:
    loss, model = mlp_loss()
    saved = {t.grad_fn.sequence: len(t.grad_fn._saved) for t in walk(loss) if t.grad_fn}
    watched = watch_backward(loss, params=model.named_parameters())
    for frame in run_frames(watched):
        if saved[frame.sequence]:
            assert frame.freed.startswith(f"released {saved[frame.sequence]} saved array(s)")
        else:
            assert frame.freed == "released (it saved no arrays)"
    assert all(t.grad_fn.released for t in walk(loss) if t.grad_fn)
    loss, _ = mlp_loss()
    kept = watch_backward(loss, retain_graph=True)
    assert {f.freed for f in run_frames(kept)} == {"kept (retain_graph=True)"}
    loss.backward()  # the graph was kept, so a second backward works


def test_watching_changes_no_gradient_and_leaves_no_observer() -> None:
    loss, model = mlp_loss()
    watch_backward(loss, params=model.named_parameters())
    watched = [p.grad.data.copy() for p in model.parameters()]
    loss, model = mlp_loss()
    loss.backward()
    for grad, parameter in zip(watched, model.parameters(), strict=True):
        np.testing.assert_array_equal(grad, parameter.grad.data)
    assert autograd._observer is None
    loss, _ = mlp_loss()
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        watch_backward(loss)
    assert autograd._observer is None  # an error inside backward still detaches it


def test_mlp_names_its_parameters_and_lights_only_nodes_in_the_picture() -> None:
    loss, model = mlp_loss()
    watched = watch_backward(loss, params=model.named_parameters())
    titles = set(re.findall(r"<title>([^<]*)</title>", watched.svg))
    assert all(frame.node in titles for frame in watched.frames)
    leaves = [frame.tensor.split()[1] for frame in watched.frames if frame.kind == "leaf"]
    assert sorted(leaves) == sorted(name for name, _ in model.named_parameters())
    big = next(f for f in watched.frames if "dense_1.kernel" in f.tensor)
    assert big.grad.startswith("(64, 8) float32: mean=")  # summarised, not 512 numbers


def test_the_books_convnet_collapsed_by_layer() -> None:
    build_model = book_convnet_builder()
    tg.manual_seed(0)
    model = build_model()
    x = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)
    loss = nn.losses.SparseCategoricalCrossentropy()(np.array([3]), model(tg.Tensor(x)))
    watched = watch_backward(loss, params=model.named_parameters(), collapse=True)
    titles = set(re.findall(r"<title>([^<]*)</title>", watched.svg))
    assert all(frame.node in titles for frame in watched.frames)
    layers = {frame.node for frame in run_frames(watched)}
    assert {node for node in layers if node.startswith("layer")} == {
        f"layer{k}" for k in range(7)
    }  # every layer of the model lights up
    assert sum(frame.kind == "leaf" for frame in watched.frames) == 8


def test_the_page_is_one_self_contained_file(tmp_path: Path) -> None:
    loss, _ = micrograd_expression()
    watched = watch_backward(loss)
    page = watched.to_html()
    assert "<svg" in page and 'id="frames"' in page and "<script>" in page
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page)
    assert [link for link in links if not link.startswith("#")] == []
    assert "<?xml" not in page
    assert watched.save(tmp_path / "w.html").read_text() == page
    assert watched._repr_html_().startswith("<iframe srcdoc=")


def test_bad_input_says_what_was_expected() -> None:
    with pytest.raises(TypeError, match="watch_backward: expected a Tensor"):
        watch_backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        watch_backward(tg.Tensor(1.0))


def test_the_main_job_writes_the_default_models_page(tmp_path: Path, capsys) -> None:
    out = tmp_path / "backward.html"
    assert main(["watch", "--out", str(out)]) == 0
    assert "steps) to" in capsys.readouterr().out
    text = out.read_text()
    assert "dense_1.kernel" in text and "<svg" in text
