"""Is a movie review positive or negative? Word embeddings, then a bidirectional LSTM.

The course's text lesson, on the sentence polarity dataset that ships with the
package (10,662 snippets of reviews, half positive, half negative; Pang and Lee
2005, CC BY 4.0):

1. `TextVectorization` learns a vocabulary from the training text (`adapt`) and
   turns each snippet into a row of word ids, padded with 0 to a fixed length.
2. An `Embedding` gives every word a learned vector; `GlobalAveragePooling1D`
   averages the vectors of a snippet (word order is lost); two Dense layers decide.
3. The same, with a `Bidirectional(LSTM)` reading the words in order, both ways,
   instead of the average; `mask_zero=True` makes it skip the padding.

    python examples/text_classification.py            # the lesson (a few minutes)
    python examples/text_classification.py --quick    # a tiny version (seconds)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinygrad_edu import keras, manual_seed, nn
from tinygrad_edu.datasets import text
from tinygrad_edu.files import save_figure


def build(kind: str, vocabulary: int, dims: int, units: int) -> nn.Sequential:
    """The average-of-embeddings model ("pooling") or the bidirectional LSTM ("lstm")."""
    if kind == "pooling":
        middle = [nn.Embedding(vocabulary, dims), nn.GlobalAveragePooling1D()]
    else:
        middle = [nn.Embedding(vocabulary, dims, mask_zero=True), nn.Bidirectional(nn.LSTM(units))]
    return nn.Sequential([*middle, nn.Dense(24, activation="relu"), nn.Dense(1, "sigmoid")])


def save_figure_of(histories: dict[str, dict], out_dir: Path) -> Path | None:
    """Training and validation accuracy per epoch, one colour per model."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: skipping the figure (pip install matplotlib)")
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(7, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for (name, history), colour in zip(histories.items(), ("tab:blue", "tab:orange")):
        epochs = np.arange(1, len(history["accuracy"]) + 1)
        axes.plot(epochs, history["accuracy"], color=colour, linestyle="--", label=f"{name} train")
        axes.plot(epochs, history["val_accuracy"], color=colour, label=f"{name} validation")
    axes.set_xlabel("epoch")
    axes.set_ylabel("accuracy")
    axes.set_title("Sentence polarity: embeddings averaged vs bidirectional LSTM")
    axes.legend()
    return save_figure(figure, out_dir / "text_classification.png")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Classify movie-review snippets: Embedding + pooling, then a BiLSTM.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", default="out", help="folder for the figure")
    parser.add_argument("--max-tokens", type=int, default=10000, help="vocabulary size")
    parser.add_argument("--length", type=int, default=40, help="words kept per snippet")
    parser.add_argument("--epochs", type=int, default=8, help="epochs per model")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a quick check")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict:
    """Train both models; returns {"test_accuracy": {name: value}, "figure": path}."""
    args = parse_args(argv)
    (train_texts, y_train), (test_texts, y_test) = text.load_sentence_polarity()
    dims, units = 16, 16
    if args.quick:
        train_texts, y_train = train_texts[:400], y_train[:400]
        test_texts, y_test = test_texts[:100], y_test[:100]
        args.max_tokens, args.length, args.epochs, dims, units = 500, 12, 2, 4, 3
        print(
            "--quick: tiny data and sizes, two epochs, to check that the code runs; the "
            "numbers and figures below are of barely trained models, not the lesson's "
            "results (run without --quick for those)"
        )
    vectorize = keras.layers.TextVectorization(
        max_tokens=args.max_tokens, output_sequence_length=args.length
    )
    vectorize.adapt(train_texts)
    x_train, x_test = vectorize(train_texts).numpy(), vectorize(test_texts).numpy()
    print(f"{len(train_texts)} training snippets, vocabulary of {vectorize.vocabulary_size()}")
    print(f"e.g. {train_texts[0]!r} -> {x_train[0][:10].tolist()}...")
    histories, accuracy, models = {}, {}, {}
    for kind in ("pooling", "lstm"):
        manual_seed(0)
        model = build(kind, vectorize.vocabulary_size(), dims, units)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        history = model.fit(
            x_train, y_train, epochs=args.epochs, batch_size=32, verbose=0,
            validation_data=(x_test, y_test),
        )  # fmt: skip
        histories[kind], models[kind] = history.history, model
        accuracy[kind] = float(model.evaluate(x_test, y_test, verbose=0)[1])
        print(f"{kind}: test accuracy {accuracy[kind]:.3f}")
    reviews = ["a gorgeous , moving film", "dull , lifeless and far too long"]
    scores = models["lstm"].predict(vectorize(reviews).numpy(), verbose=0)[:, 0]
    for review, score in zip(reviews, scores):
        print(f"{review!r}: {score:.2f} (1 = positive)")
    figure = save_figure_of(histories, Path(args.out))
    if figure is not None:
        print(f"Saved {figure}" + (" (--quick: barely trained)" if args.quick else ""))
    return {"test_accuracy": accuracy, "figure": figure, "histories": histories}


if __name__ == "__main__":
    main()
