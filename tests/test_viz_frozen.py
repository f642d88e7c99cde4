"""Graph pictures draw a frozen parameter (requires_grad off, but a layer's weight) as a
frozen parameter, not as an input."""

import numpy as np
import pytest

from tests.test_viz import parse_dot
from tinygrad_edu import Tensor, nn
from tinygrad_edu.viz import draw_graph
from tinygrad_edu.viz.graph import plan_graph

pytest.importorskip("graphviz")


def _kinds(loss, names=None):
    plan = plan_graph(loss, names or {})
    return {t.name: kind for t, kind in zip(plan.tensors, plan.kinds) if t.name}


def test_a_frozen_layers_weights_are_drawn_as_frozen_parameters():
    model = nn.Sequential([nn.Dense(3, input_shape=(2,)), nn.Dense(1)])
    model.layers[1].trainable = False  # a frozen head; the layer below still trains
    loss = model(Tensor(np.ones((4, 2), np.float32))).sum()
    kinds = _kinds(loss)
    assert kinds["dense_2.kernel"] == kinds["dense_2.bias"] == "frozen"
    assert kinds["dense_1.kernel"] == "parameter"
    dot = parse_dot(draw_graph(loss).source)
    frozen = [a for a in dot.graph_nodes().values() if a["label"].startswith("dense_2.kernel")]
    assert frozen and frozen[0]["shape"] == "box3d" and "dashed" in frozen[0]["style"]
    legend = [dot.nodes[n]["label"] for n in dot.clusters["cluster_legend"]["nodes"]]
    assert any(label.startswith("frozen parameter") for label in legend)
    collapsed = draw_graph(loss, collapse=True).source
    assert "dense_2.kernel (3, 1) (frozen)" in collapsed


def test_pytorch_style_freezing_and_params_are_frozen_inputs_stay_inputs():
    model = nn.Sequential([nn.Dense(3, input_shape=(2,)), nn.Dense(1)])
    for parameter in model.layers[1].parameters():
        parameter.requires_grad = False  # PyTorch's way, without trainable
    x = Tensor(np.ones((4, 2), np.float32), name="x")
    kinds = _kinds(model(x).sum())
    assert kinds["x"] == "input" and kinds["dense_2.kernel"] == "frozen"
    trained = Tensor(np.ones(2), requires_grad=True)
    bare = Tensor(np.ones(2))  # a module's parameter? only if given in params
    loss = (trained * bare).sum()
    assert plan_graph(loss, {}).kinds.count("input") == 1
    assert plan_graph(loss, {id(bare): "w"}).kinds.count("frozen") == 1
