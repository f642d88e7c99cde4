"""Pictures of graphs and models: what the DOT text says, and what Graphviz renders.

Most tests read the DOT source of the returned `graphviz.Digraph` (nodes,
labels, shapes, edges, clusters) through the small parser below, so they need
no `dot` program; the rendering tests run the real one (CI installs Debian's
graphviz).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, nn
from tinygrad_edu.autograd import name_scope
from tinygrad_edu.functional import sparse_cross_entropy_with_logits
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, plot_model, render
from tinygrad_edu.viz.graph import COLLAPSE_ABOVE
from tinygrad_edu.viz.labels import RELEASED, format_index, format_values

REPO_ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- reading DOT text
@dataclass
class Dot:
    """The parts of a DOT file the tests look at."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    clusters: dict[str, dict] = field(default_factory=dict)  # name -> {"attrs", "nodes"}
    graph_attrs: dict[str, str] = field(default_factory=dict)
    edge_defaults: dict[str, str] = field(default_factory=dict)  # from `edge [...]`

    def labels(self) -> list[str]:
        return [attrs.get("label", name) for name, attrs in self.nodes.items()]

    def node_with_label(self, text: str) -> str:
        found = [name for name, attrs in self.nodes.items() if attrs.get("label") == text]
        assert len(found) == 1, f"expected one node labelled {text!r}, found {found}"
        return found[0]

    def graph_nodes(self) -> dict[str, dict[str, str]]:
        """The nodes of the graph itself, without the legend's samples."""
        return {n: a for n, a in self.nodes.items() if not n.startswith("legend_")}


TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|->|[\[\]{}=;]|\n|[^\s\[\]{}=;"]+')


def unquote(token: str) -> str:
    return token[1:-1].replace('\\"', '"') if token.startswith('"') else token


def parse_dot(source: str) -> Dot:
    """A small reader for the DOT text the graphviz package writes (one statement a line)."""
    dot = Dot()
    statements: list[list[str]] = [[]]
    for token in TOKEN.findall(source):
        if token in ("\n", ";"):
            statements.append([])
        elif token in ("{", "}"):
            statements[-1].append(token)
            statements.append([])
        else:
            statements[-1].append(token)
    open_clusters: list[str] = []

    def attributes(tokens: list[str]) -> dict[str, str]:
        """`key=value key="value"` pairs, in a list of tokens."""
        return {
            unquote(tokens[i - 1]): unquote(tokens[i + 1])
            for i, token in enumerate(tokens)
            if token == "=" and 0 < i < len(tokens) - 1
        }

    for tokens in filter(None, statements):
        if tokens[-1] == "{":
            if tokens[0] == "subgraph":
                name = unquote(tokens[1])
                dot.clusters[name] = {"attrs": {}, "nodes": []}
                open_clusters.append(name)
            continue
        if tokens == ["}"]:
            if open_clusters:
                open_clusters.pop()
            continue
        inside = tokens[tokens.index("[") + 1 : tokens.index("]")] if "[" in tokens else []
        head = tokens[: tokens.index("[")] if "[" in tokens else tokens
        if head and head[0] in ("graph", "node", "edge"):
            if head[0] == "graph" and not open_clusters:
                dot.graph_attrs.update(attributes(inside))
            if head[0] == "edge" and not open_clusters:
                dot.edge_defaults.update(attributes(inside))
            continue
        if len(head) == 3 and head[1] == "->":
            dot.edges.append((unquote(head[0]), unquote(head[2]), attributes(inside)))
        elif len(head) == 1:
            name = unquote(head[0])
            dot.nodes[name] = attributes(inside)
            for cluster in open_clusters[-1:]:
                dot.clusters[cluster]["nodes"].append(name)
        elif open_clusters and "=" in head:  # `label=dense_1 style=...` inside a subgraph
            dot.clusters[open_clusters[-1]]["attrs"].update(attributes(head))
        elif "=" in head:
            dot.graph_attrs.update(attributes(head))
    return dot


def test_the_dot_reader_reads_what_it_is_given():
    dot = parse_dot(
        'digraph g {\n\tgraph [rankdir=LR]\n\ta [label="x\n[1, 2] = y" shape=box]\n'
        "\tsubgraph cluster_1 {\n\t\tlabel=one\n\t\tb [label=B]\n\t}\n\ta -> b [style=invis]\n}\n"
    )
    assert dot.nodes == {"a": {"label": "x\n[1, 2] = y", "shape": "box"}, "b": {"label": "B"}}
    assert dot.edges == [("a", "b", {"style": "invis"})]
    assert dot.clusters == {"cluster_1": {"attrs": {"label": "one"}, "nodes": ["b"]}}
    assert dot.graph_attrs == {"rankdir": "LR"}
    assert parse_dot("digraph {\n\tedge [style=dashed]\n}").edge_defaults == {"style": "dashed"}


# ---------------------------------------------------------------- small graphs
def micrograd_expression() -> dict[str, Tensor]:
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(-3.0, requires_grad=True, name="b")
    c = Tensor(10.0, requires_grad=True, name="c")
    f = Tensor(-2.0, requires_grad=True, name="f")
    e = a * b
    e.name = "e"
    d = e + c
    d.name = "d"
    loss = d * f
    loss.name = "L"
    for value in (e, d, loss):
        value.retain_grad()
    loss.backward()
    return {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": loss}


def test_micrograd_expression_shows_data_and_grad_records_after_backward():
    values = micrograd_expression()
    dot = parse_dot(draw_graph(values["L"], show_values=True, show_grads=True).source)
    nodes = dot.graph_nodes()
    tensors = {n: a for n, a in nodes.items() if a.get("shape") in ("record", "Mrecord")}
    ops = {n: a for n, a in nodes.items() if a.get("shape") == "ellipse"}
    assert len(tensors) == 7 and len(ops) == 3
    # dL/da = b * f = 6, dL/db = a * f = -4, dL/dc = dL/de = dL/dd = f = -2, dL/df = d = 4.
    expected = {
        "a": "a | data 2 | grad 6",
        "b": "b | data -3 | grad -4",
        "c": "c | data 10 | grad -2",
        "f": "f | data -2 | grad 4",
        "e": "e | data -6 | grad -2",
        "d": "d | data 4 | grad -2",
        "L": "L | data -8 | grad 1",
    }
    node_of = {name: dot.node_with_label(label) for name, label in expected.items()}
    assert sorted(a["label"] for a in ops.values()) == ["Add", "Mul", "Mul"]
    mul_of_a = [head for tail, head, _ in dot.edges if tail == node_of["a"]]
    assert len(mul_of_a) == 1 and nodes[mul_of_a[0]]["label"] == "Mul"
    assert (node_of["b"], mul_of_a[0], {}) in dot.edges
    assert (mul_of_a[0], node_of["e"], {}) in dot.edges
    # Parameters (leaves with grad) are rounded records; the others plain ones.
    assert {nodes[node_of[n]]["shape"] for n in "abcf"} == {"Mrecord"}
    assert nodes[node_of["L"]]["fillcolor"] == "palegreen"
    assert nodes[node_of["e"]]["shape"] == "record"


def test_left_to_right_records_are_turned_with_braces():
    values = micrograd_expression()
    dot = parse_dot(draw_graph(values["L"], show_values=True, rankdir="LR").source)
    assert dot.graph_attrs["rankdir"] == "LR"
    assert "{a | data 2}" in dot.labels()


def test_power_by_a_constant_is_folded_into_the_op_label():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    dot = parse_dot(draw_graph((x**2).sum()).source)
    nodes = dot.graph_nodes()
    assert sorted(a["label"] for a in nodes.values() if a["shape"] == "ellipse") == [
        "Pow (** 2)",
        "Sum",
    ]
    assert len(nodes) == 5  # x, x**2, the sum and two ops: no node for the 2
    assert "0-d constants are written\ninside their op: Pow (** 2)" in dot.labels()


def test_a_constant_on_the_left_is_shown_on_the_left():
    x = Tensor([1.0, 2.0], requires_grad=True)
    labels = parse_dot(draw_graph(1 - x * 0.5).source).labels()
    assert "Sub (1 - ·)" in labels and "Mul (* 0.5)" in labels


def test_op_labels_show_the_arguments_that_matter():
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    graph = (
        x.sum(axis=1, keepdims=True).sum()
        + x.max(axis=0).sum()
        + x.reshape(2, 6).transpose(1, 0)[0:2, 1].sum()
        + x.softmax(axis=-1)[np.array([0, 2]), np.array([1, 3])].sum()
        + x.astype("float32").sum()
    )
    labels = parse_dot(draw_graph(graph).source).labels()
    for expected in (
        "Sum (axis=1, keepdims)",
        "Max (axis=0)",
        "Reshape (shape=(2, 6))",
        "Transpose (axes=(1, 0))",
        "GetItem [0:2, 1]",
        "Softmax (axis=-1)",
        "GetItem [[0, 2], [1, 3]]",
        "Cast (float32)",
    ):
        assert expected in labels


def test_long_index_arrays_are_summarised_by_dtype_and_shape():
    assert format_index((np.arange(8), np.zeros(8, dtype=np.int64))) == "[int64[8], int64[8]]"
    assert format_index((Ellipsis, slice(None, None, 2), None)) == "[..., ::2, None]"


def test_inputs_parameters_and_output_each_have_their_own_look_and_legend():
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True, name="w")
    out = (x @ w).relu().sum()
    dot = parse_dot(draw_graph(out).source)
    nodes = dot.graph_nodes()
    by_label = {a["label"]: a for a in nodes.values()}
    assert by_label["(4, 3) float32"]["shape"] == "parallelogram"
    assert by_label["w\n(3, 2) float32"]["shape"] == "box3d"
    assert by_label["scalar float32"]["shape"] == "doubleoctagon"
    assert by_label["(4, 2) float32"]["shape"] == "box"
    shapes = {a["shape"] for a in nodes.values()}
    assert shapes == {"parallelogram", "box3d", "doubleoctagon", "box", "ellipse"}
    legend = dot.clusters["cluster_legend"]
    assert legend["attrs"]["label"] == "Legend"
    assert [dot.nodes[n]["shape"] for n in legend["nodes"]] == [
        "box3d",
        "parallelogram",
        "doubleoctagon",
        "box",
        "ellipse",
    ]
    assert "cluster_legend" not in parse_dot(draw_graph(out, legend=False).source).clusters


def test_a_tensor_used_twice_gets_two_arrows():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    dot = parse_dot(draw_graph(x * x).source)
    x_node = dot.node_with_label("x\n(2,) float32")
    assert [head for tail, head, _ in dot.edges].count("op1") == 2
    assert [tail for tail, head, _ in dot.edges if head == "op1"] == [x_node, x_node]


# ---------------------------------------------------------------- names, values, grads
def test_params_name_the_tensors_that_have_no_name():
    kernel = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    bias = Tensor(np.zeros(2, dtype=np.float32), requires_grad=True, name="own_name")
    out = (Tensor(np.ones((1, 3), dtype=np.float32)) @ kernel + bias).sum()
    for params in ({"layer.kernel": kernel, "layer.bias": bias}, [("layer.kernel", kernel)]):
        labels = parse_dot(draw_graph(out, params=params).source).labels()
        assert "layer.kernel\n(3, 2) float32" in labels
        assert "own_name\n(2,) float32" in labels  # a tensor's own name comes first
    with pytest.raises(TypeError, match="params"):
        draw_graph(out, params=[kernel])
    with pytest.raises(TypeError, match=r"params\['k'\] should be a Tensor"):
        draw_graph(out, params={"k": np.ones(3)})


def test_small_tensors_show_values_and_big_ones_a_summary():
    small = Tensor([1.0, -2.5, 3.0], requires_grad=True, name="small")
    big = Tensor(np.arange(10.0, dtype=np.float32), requires_grad=True, name="big")
    labels = parse_dot(draw_graph(small.sum() + big.sum(), show_values=True).source).labels()
    assert "small\n(3,) float32\ndata [1, -2.5, 3]" in labels
    assert "big\n(10,) float32\ndata mean=4.5 std=2.872 norm=16.88" in labels
    assert format_values(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[[1, 2], [3, 4]]"


def test_grads_show_where_backward_left_them():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    kept = x * 2
    kept.name = "kept"
    kept.retain_grad()
    dropped = kept + 1
    dropped.name = "dropped"
    loss = dropped.sum()
    loss.backward()  # releases the saved arrays; the edges stay, so the graph still draws
    assert loss.grad_fn.released
    labels = parse_dot(draw_graph(loss, show_grads=True).source).labels()
    assert "x\n(3,) float32\ngrad [2, 2, 2]" in labels
    assert "kept\n(3,) float32\ngrad [1, 1, 1]" in labels
    assert "dropped\n(3,) float32" in labels  # not a leaf, no retain_grad: no gradient


def test_after_backward_the_same_graph_is_drawn_without_the_values_it_freed():
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    kept = x * 2
    kept.name = "kept"
    dropped = kept.relu()
    dropped.name = "dropped"
    loss = (dropped * 3).sum()
    del dropped  # only the graph holds it now
    before = parse_dot(draw_graph(loss, show_values=True).source)
    assert "dropped\n(2,) float32\ndata [2, 0]" in before.labels()
    loss.backward()  # lets go of the values no one holds
    after = parse_dot(draw_graph(loss, show_values=True).source)
    assert len(after.graph_nodes()) == len(before.graph_nodes()) == 9  # 5 tensors, 4 ops
    assert len(after.edges) == len(before.edges)
    assert f"dropped\n(2,) float32\ndata {RELEASED}" in after.labels()
    assert "kept\n(2,) float32\ndata [2, -4]" in after.labels()  # still held, still shown
    assert "x\n(2,) float32\ndata [1, -2]" in after.labels()
    assert after.labels().count(f"(2,) float32\ndata {RELEASED}") == 1  # dropped * 3
    assert "data 6" in after.labels()  # the loss itself, a scalar record
    assert sorted(a["label"] for a in after.graph_nodes().values() if a["shape"] == "ellipse") == [
        "Mul (* 2)",
        "Mul (* 3)",
        "Relu",
        "Sum",
    ]


def test_a_layer_graph_draws_the_same_after_backward():
    loss, params = two_layer_loss()
    before = parse_dot(draw_graph(loss, params=params).source)
    loss.backward()
    after = parse_dot(draw_graph(loss, params=params).source)
    assert after.nodes == before.nodes and after.edges == before.edges
    assert after.clusters == before.clusters
    collapsed = parse_dot(draw_graph(loss, params=params, collapse=True).source)
    assert sum(a.get("shape") == "tab" for a in collapsed.graph_nodes().values()) == 2


def test_bad_arguments_are_refused_with_a_clear_error():
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="draw_graph: expected the Tensor.*got ndarray"):
        draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_graph(x * 2, rankdir="sideways")


# ---------------------------------------------------------------- layers
def two_layer_loss(hidden: int = 4) -> tuple[Tensor, dict[str, Tensor]]:
    """A hand-made 2-layer network recorded inside name scopes, as modules record it."""
    rng = np.random.default_rng(0)
    params = {
        "dense_1.kernel": Tensor(rng.random((5, hidden), dtype=np.float32), requires_grad=True),
        "dense_1.bias": Tensor(np.zeros(hidden, dtype=np.float32), requires_grad=True),
        "dense_2.kernel": Tensor(rng.random((hidden, 3), dtype=np.float32), requires_grad=True),
        "dense_2.bias": Tensor(np.zeros(3, dtype=np.float32), requires_grad=True),
    }
    x = Tensor(rng.random((2, 5), dtype=np.float32))
    with name_scope("model"):
        with name_scope("dense_1"):
            h = (x @ params["dense_1.kernel"] + params["dense_1.bias"]).relu()
        with name_scope("dense_2"):
            logits = h @ params["dense_2.kernel"] + params["dense_2.bias"]
    return sparse_cross_entropy_with_logits(logits, np.array([0, 2])), params


def test_ops_of_each_layer_are_grouped_in_a_labelled_cluster():
    loss, params = two_layer_loss()
    dot = parse_dot(draw_graph(loss, params=params).source)
    first = dot.clusters["cluster_dense_1"]
    assert first["attrs"]["label"] == "dense_1"
    first_labels = sorted(dot.nodes[n]["label"] for n in first["nodes"])
    assert first_labels == [
        "(2, 4) float32",
        "(2, 4) float32",
        "(2, 4) float32",
        "Add",
        "MatMul",
        "Relu",
        "dense_1.bias\n(4,) float32",
        "dense_1.kernel\n(5, 4) float32",
    ]
    assert "dense_2.kernel\n(4, 3) float32" in [
        dot.nodes[n]["label"] for n in dot.clusters["cluster_dense_2"]["nodes"]
    ]
    # The input and the loss's own ops are outside every layer.
    clustered = {n for c in dot.clusters.values() for n in c["nodes"]}
    assert dot.node_with_label("(2, 5) float32") not in clustered
    assert dot.node_with_label("SparseSoftmaxCrossEntropy (labels=[0, 2])") not in clustered
    ungrouped = parse_dot(draw_graph(loss, group_layers=False).source)
    assert set(ungrouped.clusters) == {"cluster_legend"}
    assert len(ungrouped.graph_nodes()) == len(dot.graph_nodes())


def test_a_parameter_shared_by_two_layers_stays_outside_both():
    shared = Tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True, name="shared")
    x = Tensor(np.ones((1, 2), dtype=np.float32))
    with name_scope("encoder"), name_scope("dense"):
        h = x @ shared
    with name_scope("decoder"), name_scope("dense"):
        out = (h @ shared).sum()
    dot = parse_dot(draw_graph(out).source)
    # Two layers called `dense` inside different parents get a box each.
    assert {"cluster_dense", "cluster_dense_2"} <= set(dot.clusters)
    assert [dot.clusters[c]["attrs"]["label"] for c in ("cluster_dense", "cluster_dense_2")] == [
        "dense",
        "dense",
    ]
    clustered = {n for c in dot.clusters.values() for n in c["nodes"]}
    assert dot.node_with_label("shared\n(2, 2) float32") not in clustered


def test_collapse_draws_each_layer_as_one_node():
    loss, params = two_layer_loss()
    dot = parse_dot(draw_graph(loss, params=params, collapse=True).source)
    layers = {n: a for n, a in dot.graph_nodes().items() if a.get("shape") == "tab"}
    assert sorted(a["label"] for a in layers.values()) == [
        "dense_1\n3 ops: MatMul, Add, Relu\ndense_1.kernel (5, 4)\ndense_1.bias (4,)\n"
        "24 parameters",
        "dense_2\n2 ops: MatMul, Add\ndense_2.kernel (4, 3)\ndense_2.bias (3,)\n15 parameters",
    ]
    first, second = sorted(layers, key=lambda n: layers[n]["label"])
    between = dot.node_with_label("(2, 4) float32")  # the only tensor passed between layers
    assert (first, between, {}) in dot.edges and (between, second, {}) in dot.edges
    assert "MatMul" not in dot.labels()
    assert all(not c.startswith("cluster_dense") for c in dot.clusters)
    edges = [(tail, head) for tail, head, _ in dot.edges]
    assert len(edges) == len(set(edges))


def test_big_graphs_collapse_automatically():
    loss, _ = two_layer_loss(hidden=4)
    small = parse_dot(draw_graph(loss).source)
    assert "MatMul" in small.labels()

    x = Tensor(np.ones((2, 3), dtype=np.float32))
    w = Tensor(np.ones((3, 3), dtype=np.float32), requires_grad=True)
    for number in range(COLLAPSE_ABOVE // 4):  # each layer draws 4 nodes
        with name_scope(f"layer_{number}"):
            x = (x @ w).tanh()
    automatic = parse_dot(draw_graph(x).source).graph_nodes()
    assert sum(a.get("shape") == "tab" for a in automatic.values()) == COLLAPSE_ABOVE // 4
    assert len(automatic) < COLLAPSE_ABOVE
    full = parse_dot(draw_graph(x, collapse=False).source).graph_nodes()
    assert len(full) > COLLAPSE_ABOVE


def test_a_10000_node_chain_draws_without_recursion_error():
    p = Tensor(1.0, requires_grad=True, name="p")
    y = p
    for _ in range(5_000):
        y = (y * 0.999).tanh()  # 10,000 ops, far deeper than Python's recursion limit
    y.backward()
    digraph = draw_graph(y, show_grads=True)
    dot = parse_dot(digraph.source).graph_nodes()
    ops = [a for a in dot.values() if a["shape"] == "ellipse"]
    assert len(ops) == 10_000
    assert len(dot) == 20_001  # p, and one op and its result per step: the 0.999 is folded
    assert sum(a["label"] == "Mul (* 0.999)" for a in ops) == 5_000


# ---------------------------------------------------------------- rendering
def svg_texts(path: Path) -> list[str]:
    """All text shown in an SVG picture (parsing it also proves it is valid XML)."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml") or "<svg" in text
    root = ElementTree.fromstring(text)
    assert root.tag.endswith("svg")
    return [element.text for element in root.iter() if element.tag.endswith("text")]


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.usefixtures("requires_dot")
def test_render_writes_svg_png_and_pdf_by_suffix(tmp_path):
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    digraph = draw_graph((x**2).sum())
    svg = render(digraph, tmp_path / "new_folder" / "graph.svg")
    assert svg == tmp_path / "new_folder" / "graph.svg"
    texts = svg_texts(svg)
    assert "Pow (** 2)" in texts and "x" in texts and "(2,) float32" in texts
    assert render(digraph, tmp_path / "graph.PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(digraph, str(tmp_path / "graph.pdf")).read_bytes()[:5] == b"%PDF-"
    assert no_temporary_files(tmp_path) and no_temporary_files(tmp_path / "new_folder")
    with pytest.raises(ValueError, match=r"render.*'graph\.gif'.*\.svg, \.png, \.pdf"):
        render(digraph, tmp_path / "graph.gif")


def test_render_without_dot_says_how_to_install_graphviz(tmp_path, monkeypatch):
    x = Tensor([1.0, 2.0], requires_grad=True)
    digraph = draw_graph(x.sum())
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` anywhere on it
    (tmp_path / "empty").mkdir()
    assert "Sum" in digraph.source  # the DOT text needs no `dot`
    with pytest.raises(GraphvizNotFoundError) as caught:
        render(digraph, tmp_path / "graph.svg")
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    assert message.startswith("render(digraph, ")
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert not (tmp_path / "graph.svg").exists() and no_temporary_files(tmp_path)


def test_without_the_graphviz_package_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(ImportError, match=r"pip install tinygrad-edu\[viz\]"):
        draw_graph(x * 2)
    with pytest.raises(ImportError, match="plot_model"):
        plot_model(nn.Sequential([nn.Dense(2, input_shape=(3,))]))


# ---------------------------------------------------------------- plot_model
def mnist_network() -> nn.Sequential:
    return nn.Sequential(
        [
            nn.Dense(512, activation="relu", input_shape=(784,)),
            nn.Dense(10, activation="softmax"),
        ]
    )


@pytest.mark.usefixtures("requires_dot")
def test_plot_model_shows_names_types_shapes_and_parameter_counts(tmp_path):
    model = mnist_network()
    dot = parse_dot(plot_model(model).source)
    assert dot.nodes["input"]["label"] == (
        "input\\nInputLayer | {input: | output:} | {(None, 784) | (None, 784)}"
    )
    assert dot.nodes["layer0"]["label"] == (
        "dense_1\\nDense (relu)\\nparams: 401,920 | {input: | output:} | "
        "{(None, 784) | (None, 512)}"
    )
    assert dot.nodes["layer1"]["label"] == (
        "dense_2\\nDense (softmax)\\nparams: 5,130 | {input: | output:} | "
        "{(None, 512) | (None, 10)}"
    )
    assert [(tail, head) for tail, head, _ in dot.edges] == [
        ("input", "layer0"),
        ("layer0", "layer1"),
    ]
    assert dot.edge_defaults == {"arrowsize": "0.7"}  # arrows: each layer feeds the next
    assert "407,050 parameters" in dot.graph_attrs["label"]
    without_shapes = parse_dot(plot_model(model, show_shapes=False).source)
    assert without_shapes.nodes["layer1"]["label"] == "dense_2\\nDense (softmax)\\nparams: 5,130"

    path = tmp_path / "model.svg"
    assert plot_model(model, to_file=path).source == plot_model(model).source
    texts = svg_texts(path)
    for expected in ("dense_1", "Dense (relu)", "params: 401,920", "(None, 784)", "(None, 10)"):
        assert expected in texts


def test_plot_model_of_an_unbuilt_model_marks_what_is_unknown():
    model = nn.Sequential([nn.Dense(4), nn.Dense(2, name="out")])
    dot = parse_dot(plot_model(model).source)
    assert "input" not in dot.nodes
    assert dot.nodes["layer1"]["label"] == (
        "out\\nDense\\nparams: ? | {input: | output:} | {? | ?}"
    )


def test_plot_model_of_a_subclassed_model_lists_its_layers_in_order():
    class TwoLayers(nn.Model):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Dense(8, activation="tanh")
            self.out = nn.Dense(2)

        def call(self, x):
            return self.out(self.hidden(x))

    model = TwoLayers()
    model.build((None, 3))
    dot = parse_dot(plot_model(model).source)
    labels = dot.labels()
    assert labels[0].startswith("hidden\\nDense (tanh)\\nparams: 32 | ")
    assert labels[1].startswith("out\\nDense\\nparams: 18 | ")
    # The order of definition, not a data flow: dashed lines without arrowheads.
    assert dot.edges == [("layer0", "layer1", {})]
    assert dot.edge_defaults == {"style": "dashed", "arrowhead": "none"}
    assert "input" not in dot.nodes


def test_plot_model_to_file_without_dot_names_plot_model(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizNotFoundError, match=r"^plot_model\(to_file="):
        plot_model(mnist_network(), to_file=tmp_path / "model.png")


def test_plot_model_refuses_what_is_not_a_model():
    with pytest.raises(TypeError, match="plot_model: expected a model"):
        plot_model(Tensor([1.0]))


# ---------------------------------------------------------------- the real network, the example
def test_the_mnist_network_loss_is_grouped_by_layer_with_named_parameters():
    model = mnist_network()
    x = Tensor(np.random.default_rng(0).random((8, 784), dtype=np.float32))
    loss = nn.losses.sparse_categorical_crossentropy(np.arange(8) % 10, model(x))
    dot = parse_dot(draw_graph(loss).source)
    assert {"cluster_dense_1", "cluster_dense_2"} <= set(dot.clusters)
    first = [dot.nodes[n]["label"] for n in dot.clusters["cluster_dense_1"]["nodes"]]
    assert "dense_1.kernel\n(784, 512) float32" in first
    assert "dense_1.bias\n(512,) float32" in first
    second = [dot.nodes[n]["label"] for n in dot.clusters["cluster_dense_2"]["nodes"]]
    assert "dense_2.kernel\n(512, 10) float32" in second
    assert "(8, 784) float32" in dot.labels()


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(
        f"example_{name}", REPO_ROOT / "examples" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("requires_dot")
def test_render_graph_example_saves_both_pictures(tmp_path, capsys):
    paths = load_example("render_graph").main(["--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert set(paths) == {"scalar", "mlp", "model"}
    for path in paths.values():
        assert Path(path).parent == tmp_path and f"Saved {path}" in printed
    scalar = svg_texts(paths["scalar"])
    for expected in ("a", "data 2", "grad 6", "L", "data -8", "grad 1", "Mul", "Add"):
        assert expected in scalar
    mlp = svg_texts(paths["mlp"])
    for expected in (
        "dense_1",
        "dense_2",
        "dense_1.kernel",
        "(784, 512) float32",
        "(8, 784) float32",
    ):
        assert expected in mlp
    assert "dense_1" in svg_texts(paths["model"])
    assert no_temporary_files(tmp_path)


def test_viz_imports_without_graphviz_installed():
    # Only drawing needs graphviz: `import tinygrad_edu.viz` works without it.
    code = "import sys; sys.modules['graphviz'] = None; import tinygrad_edu.viz; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


# ---------------------------------------------------------------- any text, drawn as written
# Names a user may write: Windows paths (backslash-n is not a line break), quotes, record
# syntax, HTML-looking text, Graphviz's own escapes (\l, \N, \G), a trailing backslash.
UNUSUAL_NAMES = [
    "C:\\new\\table",
    'say "hi"',
    '\\"',
    "{a|b}",
    "<b>bold</b>",
    "x > y < z",
    "a|b",
    "line one\nline two",
    "end\\",
    "\\l\\N\\G\\E",
    "<html>",
]
LABEL = re.compile(r'\blabel=("(?:[^"\\]|\\.)*"|<|[^\s\]]+)', re.S)
NODE = re.compile(r"^\s*(\S+) \[(.*)\]\s*$", re.M | re.S)


def graphviz_reads(quoted: str, record: bool) -> list[str]:
    """The pieces of text Graphviz draws for a quoted DOT label: lines, and for a record
    its fields. Fails on any backslash sequence Graphviz would act on (\\l, \\N, ...)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*|-?[0-9.]+", quoted):
        return [quoted]  # a bare DOT identifier or number
    assert quoted.startswith('"'), f"Graphviz would read {quoted!r} as HTML"
    text, pieces, i = quoted[1:-1], [""], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            following = text[i + 1]
            if following in '\\"' or (record and following in "{}|<> "):
                pieces[-1] += following
            elif following == "n":
                pieces.append("")
            else:
                raise AssertionError(f"Graphviz would read \\{following} in {quoted!r}")
            i += 2
            continue
        if char == "\n" and record:
            pass  # a record drops a newline character: it must be written \n
        elif char == "\n" or (record and char in "{}|"):
            pieces.append("")
        elif record and char in "<>":
            raise AssertionError(f"an unescaped {char} names a record port in {quoted!r}")
        else:
            pieces[-1] += char
        i += 1
    return [piece.strip() if record else piece for piece in pieces]


def drawn_texts(source: str) -> list[str]:
    """Every piece of text the DOT source draws, as Graphviz reads it."""
    texts = []
    for match in LABEL.finditer(source):
        statement = source[source.rfind("\n", 0, match.start()) : source.find("\n", match.end())]
        record = "shape=record" in statement or "shape=Mrecord" in statement
        texts.extend(graphviz_reads(match.group(1), record))
    return texts


def pictures_naming_everything(name: str) -> list:
    """The graph drawn in every way, each kind of node carrying `name`."""
    parameter = Tensor([1.0, 2.0], requires_grad=True, name=name)
    constant = Tensor([3.0, 4.0], name=name)  # an input: named, so not folded
    number = Tensor(3.0, requires_grad=True, name=name)  # a scalar: a record with values
    with name_scope(name):
        hidden = parameter * constant * number
        hidden.name = name
    output = hidden.sum()
    output.name = name
    model = nn.Sequential([nn.Dense(2, input_shape=(3,), name=name)], name=name)
    return [
        draw_graph(output),
        draw_graph(output, show_values=True, show_grads=True),
        draw_graph(output, show_values=True, rankdir="LR"),
        draw_graph(output, collapse=True),
        draw_graph((parameter * 2).sum(), params={name: parameter}),
        plot_model(model),
    ]


@pytest.mark.parametrize("name", UNUSUAL_NAMES)
def test_any_text_in_a_name_scope_or_label_is_drawn_as_written(name):
    lines = name.split("\n")
    for picture in pictures_naming_everything(name):
        texts = drawn_texts(picture.source)
        for line in lines:
            assert line in texts, (line, texts)


needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


@needs_dot
@pytest.mark.parametrize("name", UNUSUAL_NAMES)
def test_any_text_is_rendered_as_written(name, tmp_path):
    for number, picture in enumerate(pictures_naming_everything(name)):
        path = render(picture, tmp_path / f"picture{number}.svg")
        texts = [text.strip() for text in svg_texts(path) if text]
        for line in name.split("\n"):
            assert line in texts, (number, line, texts)


def test_the_loss_drawn_with_show_grads_after_backward_keeps_its_shape_and_label():
    # The example of docs/graph-pictures.md: show_grads=True after backward(). The loss is a
    # number, but without show_values it is drawn as the output it is, not as a record
    # "grad None".
    loss, params = two_layer_loss()
    loss.backward()
    dot = parse_dot(draw_graph(loss, params=params, show_grads=True).source)
    outputs = [a for a in dot.graph_nodes().values() if a.get("fillcolor") == "palegreen"]
    assert len(outputs) == 1
    assert outputs[0]["shape"] == "doubleoctagon"
    assert outputs[0]["label"] == "scalar float32"
    assert not any("grad None" in label for label in dot.labels())


# Text a user may type: letters, digits, spaces and everything DOT, records or HTML treat
# specially; each line non-empty and without spaces at its ends (Graphviz trims those).
USER_TEXT = st.text(
    alphabet=st.sampled_from([*"aZ9 _.:-\\\"'{}|<>&;#\u00e9\u03bb", "\n"]), min_size=1, max_size=12
).filter(lambda text: all(_plain_line(line) for line in text.split("\n")))


def _plain_line(line: str) -> bool:
    return bool(line) and line == line.strip() and "  " not in line


@settings(max_examples=30, deadline=None)
@given(name=USER_TEXT)
def test_any_text_is_drawn_as_written_in_the_dot_source(name):
    for picture in pictures_naming_everything(name):
        texts = drawn_texts(picture.source)
        for line in name.split("\n"):
            assert line in texts, (line, texts)


@needs_dot
@settings(max_examples=3, deadline=None)
@given(name=USER_TEXT)
def test_any_text_is_rendered_as_written_in_the_svg(name):
    for picture in pictures_naming_everything(name):
        svg = picture.pipe(format="svg").decode("utf-8")
        root = ElementTree.fromstring(svg)
        texts = [
            element.text.strip()
            for element in root.iter()
            if element.tag.endswith("text") and element.text
        ]
        for line in name.split("\n"):
            assert line in texts, (line, texts)
