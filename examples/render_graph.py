"""Pictures of computation graphs: a tiny expression, then a real network's loss.

First the classic from micrograd: L = (a * b + c) * f with a = 2, b = -3,
c = 10, f = -2. After `L.backward()` every box shows its value and its
gradient dL/d(box): for example dL/da = b * f = 6, because nudging a by 0.001
changes L by about 0.006.

Then the loss of the MNIST network (Dense(512, relu) + Dense(10, softmax),
sparse categorical crossentropy) on a random batch of 8 images: each layer's
ops sit in a box named after the layer, the weights are named `dense_1.kernel`
and so on, and every tensor shows its shape. Last, `plot_model` draws the same
network one box per layer, as Keras does.

    python examples/render_graph.py --out out/

Needs the graphviz Python package (pip install tinygrad-edu[viz]) and
Graphviz's `dot` program (apt-get install graphviz, brew install graphviz).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tinygrad_edu import Tensor, manual_seed, nn
from tinygrad_edu.random import generator


def scalar_expression() -> dict[str, Tensor]:
    """micrograd's example after backward, every value by name, gradients kept for the picture."""
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
    # Only leaves keep .grad after backward, unless we ask: these are in-between values.
    for value in (e, d, loss):
        value.retain_grad()
    loss.backward()
    return {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": loss}


def mnist_network() -> nn.Sequential:
    """The network of the MNIST exercise (its weights are random: it is not trained)."""
    return nn.Sequential(
        [
            nn.Dense(512, activation="relu", input_shape=(784,)),
            nn.Dense(10, activation="softmax"),
        ]
    )


def mnist_loss(model: nn.Sequential, batch_size: int = 8) -> Tensor:
    """The loss on a small random batch shaped like flattened MNIST images."""
    images = generator().random((batch_size, 784)).astype("float32")
    labels = generator().integers(0, 10, size=batch_size)
    return nn.losses.sparse_categorical_crossentropy(labels, model(Tensor(images)))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Draw computation graphs as SVG pictures (no data needed).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the pictures")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Draw the pictures; returns ``{"scalar": path, "mlp": path, "model": path}``."""
    from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, plot_model, render

    args = parse_args(argv)
    manual_seed(args.seed)
    out = Path(args.out)

    values = scalar_expression()
    loss = values["L"]
    print(f"L = {loss.item():g}; dL/da = {values['a'].grad.item():g} (= b * f)")
    model = mnist_network()
    mlp_loss = mnist_loss(model)
    print(f"MNIST network loss on a random batch: {mlp_loss.item():.4f}")

    try:
        scalar_graph = draw_graph(loss, show_values=True, show_grads=True, rankdir="LR")
        mlp_graph = draw_graph(mlp_loss, params=model.named_parameters(), group_layers=True)
        paths = {
            "scalar": render(scalar_graph, out / "scalar_expression.svg"),
            "mlp": render(mlp_graph, out / "mnist_mlp_loss.svg"),
            "model": out / "mnist_mlp_model.svg",
        }
        plot_model(model, to_file=paths["model"])
    except (ImportError, GraphvizNotFoundError) as error:
        print(f"Cannot draw the pictures: {error}")
        return {"scalar": None, "mlp": None, "model": None}
    for path in paths.values():
        print(f"Saved {path}")
    return paths


if __name__ == "__main__":
    main()
