"""Where one LSTM `fit` epoch spends its time, per op: a cProfile listing each Function.

    OPENBLAS_NUM_THREADS=1 python benchmarks/lstm_profile.py 64     # batch 64, 20 batches

benchmarks/lstm.py's model (LSTM(128) on 50 steps -> Dense(1), SGD), one warm-up
epoch, then one profiled epoch; each Function's forward and backward with its
calls, cumulative and own seconds. cProfile slows small calls, so read the shares
rather than the times. RESULTS.md (section "lstm: where the time goes") quotes it.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _timing  # noqa: E402, F401  (puts the repository root on sys.path)
import lstm  # noqa: E402
import numpy_lstm  # noqa: E402

from tinygrad_edu import manual_seed  # noqa: E402
from tinygrad_edu.autograd import Function  # noqa: E402

BATCHES = 20


def subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


def main(batch_size: int = 64) -> None:
    x, y = lstm.make_data(BATCHES * batch_size, 0)
    manual_seed(0)
    weights = numpy_lstm.initial_weights(lstm.FEATURES, lstm.UNITS, np.random.default_rng(0))
    epoch = lstm.fit_contender(weights, x, y, batch_size)
    epoch()  # warm-up
    labels = {}
    for cls in subclasses(Function):
        for name in ("forward", "backward"):
            method = cls.__dict__.get(name)
            if method is not None:
                code = method.__code__
                labels[(code.co_filename, code.co_firstlineno, name)] = f"{cls.__name__}.{name}"
    profile = cProfile.Profile()
    profile.enable()
    epoch()
    profile.disable()
    stats = pstats.Stats(profile).stats
    engine = ("apply", "run_backward", "matmul", "threads_for", "release", "_receive")
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.items():
        label = labels.get((filename, line, name))
        if label is None and name in engine:
            label = f"{Path(filename).name}:{name}"
        if label:
            rows.append((cumulative, calls, own, label))
    total = max(entry[3] for entry in stats.values())
    print(f"profiled epoch {total:.3f} s, {BATCHES * lstm.STEPS} time steps, batch {batch_size}")
    print(f"{'op':40} {'calls':>7} {'cum s':>7} {'own s':>7} {'us/call':>8}")
    for cumulative, calls, own, label in sorted(rows, reverse=True)[:28]:
        print(f"{label:40} {calls:7d} {cumulative:7.3f} {own:7.3f} {cumulative / calls * 1e6:8.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 64)
