"""Pictures of networks: the computation graph of a tensor, and a model's layers.

    from tinygrad_edu.viz import draw_graph, plot_model, render
    graph = draw_graph(loss, show_grads=True)    # a graphviz.Digraph; shows inline in Jupyter
    render(graph, "out/graph.svg")               # .svg, .png or .pdf, chosen by the suffix
    plot_model(model, to_file="out/model.png")   # Keras-style boxes: name, type, shapes, params
    watch_backward(loss).save("backward.html")  # backward step by step, in a web page

Building a picture needs the Python package `graphviz` (pip install
tinygrad-edu[viz]); saving it also needs Graphviz's `dot` program (apt-get
install graphviz, brew install graphviz). The package can be imported without
either: the errors come when a picture is asked for, and say what to install.
"""

from tinygrad_edu.viz.graph import draw_graph
from tinygrad_edu.viz.model_plot import plot_model
from tinygrad_edu.viz.render import GraphvizNotFoundError, render
from tinygrad_edu.viz.watch import BackwardWatch, watch_backward

__all__ = [
    "draw_graph",
    "plot_model",
    "render",
    "watch_backward",
    "BackwardWatch",
    "GraphvizNotFoundError",
]
