"""A character-level language model, in the spirit of makemore: MLP, then LSTM, then Transformer.

Each model reads the previous `block` characters of Shakespeare (an excerpt of
about 100,000 characters that ships with the package, public domain) and gives
a probability to every possible next character. Training lowers the
cross-entropy of the true next character; the lower, the better the model
predicts, and the more Shakespeare-like the text it writes when we sample from
it one character at a time.

    mlp          Embedding -> Flatten -> Dense(tanh) -> Dense(vocabulary)
                 (Bengio et al. 2003: the context's vectors side by side)
    lstm         Embedding -> LSTM(return_sequences) -> Dense(vocabulary)
                 (a prediction after every character of the block)
    transformer  token + position embeddings -> blocks of [LayerNormalization ->
                 MultiHeadAttention(causal) -> add; LayerNormalization -> Dense ->
                 Dense -> add] -> LayerNormalization -> Dense(vocabulary)
                 (Vaswani et al. 2017, with the layer norms first, as GPT-2)

    python examples/char_language_model.py           # the lesson (several minutes)
    python examples/char_language_model.py --quick   # a tiny version (seconds)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import Tensor, manual_seed, nn, no_grad
from tinygrad_edu.datasets import text
from tinygrad_edu.functional import softmax
from tinygrad_edu.nn import losses


class Transformer(nn.Model):
    """A small causal Transformer (decoder only) over characters."""

    def __init__(self, vocabulary: int, block: int, width: int, heads: int, layers: int):
        super().__init__()
        self.block = block
        self.tokens = nn.Embedding(vocabulary, width)
        self.positions = nn.Embedding(block, width)  # a learned vector for each position
        self.attention_norms = [nn.LayerNormalization() for _ in range(layers)]
        self.attentions = [nn.MultiHeadAttention(heads, width // heads) for _ in range(layers)]
        self.mlp_norms = [nn.LayerNormalization() for _ in range(layers)]
        self.expands = [nn.Dense(4 * width, activation="relu") for _ in range(layers)]
        self.contracts = [nn.Dense(width) for _ in range(layers)]
        self.final_norm = nn.LayerNormalization()
        self.head = nn.Dense(vocabulary)

    def call(self, ids: Any) -> Tensor:
        """Logits (batch, steps, vocabulary) for ids (batch, steps), steps <= block."""
        steps = ids.shape[1]
        x = self.tokens(ids) + self.positions(np.arange(steps)[None, :])
        parts = zip(self.attention_norms, self.attentions, self.mlp_norms, self.expands,
                    self.contracts)  # fmt: skip
        for attention_norm, attention, mlp_norm, expand, contract in parts:
            normed = attention_norm(x)
            x = x + attention(normed, normed, use_causal_mask=True)  # looks back only
            x = x + contract(expand(mlp_norm(x)))
        return self.head(self.final_norm(x))


def build(kind: str, vocabulary: int, block: int, width: int) -> nn.Model:
    """One of the three models; all output logits of the next character."""
    if kind == "mlp":
        layers = [nn.Embedding(vocabulary, width // 2), nn.Flatten()]
        return nn.Sequential([*layers, nn.Dense(4 * width, "tanh"), nn.Dense(vocabulary)])
    if kind == "lstm":
        layers = [nn.Embedding(vocabulary, width), nn.LSTM(2 * width, return_sequences=True)]
        return nn.Sequential([*layers, nn.Dense(vocabulary)])
    if kind == "transformer":
        return Transformer(vocabulary, block, width, heads=4, layers=2)
    raise ValueError(f"unknown model kind {kind!r}")


def examples(ids: np.ndarray, block: int, every_step: bool) -> tuple[np.ndarray, np.ndarray]:
    """Inputs: each run of `block` ids; targets: the next id (or the next id of each step)."""
    windows = np.lib.stride_tricks.sliding_window_view(ids, block + 1)
    x = np.ascontiguousarray(windows[:, :-1])
    y = np.ascontiguousarray(windows[:, 1:] if every_step else windows[:, -1])
    return x, y


def sample(model: nn.Model, kind: str, start: np.ndarray, length: int, block: int, seed: int):
    """Ids drawn one at a time from the model's softmax, each fed back as input."""
    rng = np.random.default_rng(seed)
    ids = list(start)
    with no_grad():
        for _ in range(length):
            context = np.array([ids[-block:]])
            logits = model(context)
            last = logits[0, -1] if kind != "mlp" else logits[0]
            probabilities = softmax(last.astype(np.float64)).numpy()
            ids.append(int(rng.choice(len(probabilities), p=probabilities / probabilities.sum())))
    return ids[len(start) :]


def save_losses(histories: dict[str, dict], windows: int, out_dir: Path) -> Path | None:
    """Training and validation loss per epoch, in bits per character."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the figure (pip install matplotlib)")
        return None
    from tinygrad_edu.files import save_figure

    out_dir.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(7, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bits = 1 / np.log(2)
    for (name, history), colour in zip(histories.items(), ("tab:blue", "tab:orange", "tab:green")):
        epochs = np.arange(1, len(history["loss"]) + 1)
        axes.plot(
            epochs, np.array(history["loss"]) * bits, "--", color=colour, label=f"{name} train"
        )
        axes.plot(
            epochs, np.array(history["val_loss"]) * bits, color=colour, label=f"{name} validation"
        )
    axes.set_xlabel(f"epoch (each: {windows} random windows)")
    axes.set_ylabel("bits per character")
    axes.set_title("Character-level Shakespeare: MLP, LSTM, Transformer")
    axes.legend(fontsize="small", ncols=3, loc="upper right")
    return save_figure(figure, out_dir / "char_language_model.png")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Character-level language models of Shakespeare: MLP, LSTM, Transformer.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the figure")
    parser.add_argument("--block", type=int, default=32, help="characters of context")
    parser.add_argument("--width", type=int, default=64, help="embedding width")
    parser.add_argument("--epochs", type=int, default=8, help="epochs per model")
    parser.add_argument("--samples", type=int, default=8000, help="training windows per epoch")
    parser.add_argument("--models", default="mlp,lstm,transformer", help="which models")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a quick check")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train the models and sample from each; returns losses, samples and the figure."""
    args = parse_args(argv)
    corpus = text.load_shakespeare()
    if args.quick:
        corpus = corpus[:3000]
        args.block, args.width, args.epochs, args.samples = 8, 8, 1, 300
        print(
            "--quick: tiny data and sizes, one epoch, to check that the code runs; the "
            "numbers and figures below are of barely trained models, not the lesson's "
            "results (run without --quick for those)"
        )
    characters = sorted(set(corpus))
    index = {c: i for i, c in enumerate(characters)}
    ids = np.array([index[c] for c in corpus], dtype=np.int64)
    split = int(len(ids) * 0.9)
    print(f"{len(corpus)} characters, {len(characters)} distinct; context of {args.block}")
    histories, samples, final = {}, {}, {}
    for kind in args.models.split(","):
        manual_seed(0)
        every_step = kind != "mlp"
        x, y = examples(ids[:split], args.block, every_step)
        x_val, y_val = examples(ids[split:], args.block, every_step)
        rng = np.random.default_rng(0)
        model = build(kind, len(characters), args.block, args.width)
        model.compile(optimizer=nn.optimizers.Adam(learning_rate=3e-3),
                      loss=losses.SparseCategoricalCrossentropy(from_logits=True))  # fmt: skip
        history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        val = rng.choice(len(x_val), size=min(len(x_val), args.samples // 10), replace=False)
        for _ in range(args.epochs):  # each epoch: a fresh random subset of the windows
            chosen = rng.choice(len(x), size=min(len(x), args.samples), replace=False)
            fitted = model.fit(x[chosen], y[chosen], epochs=1, batch_size=64, verbose=0,
                               validation_data=(x_val[val], y_val[val]))  # fmt: skip
            for key in history:
                history[key].extend(fitted.history[key])
        histories[kind], final[kind] = history, history["val_loss"][-1]
        start = ids[split : split + args.block]
        written = sample(model, kind, start, 200 if not args.quick else 20, args.block, seed=1)
        samples[kind] = "".join(characters[i] for i in written)
        print(f"\n{kind}: validation loss {final[kind] / np.log(2):.2f} bits per character")
        print(f"{kind} writes, after {''.join(characters[i] for i in start)!r}:")
        print(samples[kind])
    figure = save_losses(histories, args.samples, Path(args.out))
    if figure is not None:
        print(f"\nSaved {figure}" + (" (--quick: barely trained)" if args.quick else ""))
    return {"val_loss": final, "samples": samples, "figure": figure, "histories": histories}


if __name__ == "__main__":
    main()
