"""Training on a busy machine: each course workload's epoch time with another program spinning.

A learner's laptop is never idle (a browser tab, a second notebook). This script
starts a competing process that spins on one core, and times one epoch of each
course workload with it running ("busy") and without ("quiet"), in alternating
rounds, for

  policy      tinygrad-edu's thread policy following the load
              (`tg.set_num_threads(n, follow_load=True)`): one BLAS thread for small
              products, the free cores for large ones (tinygrad_edu/fused/threads.py)
  all         its twin: every product on the BLAS library's own thread count
              (what NumPy does by itself)
  one         `tg.set_num_threads(1)`: every product on one thread
  torch       PyTorch eager, the same model and optimizer, its default threads
              (when it is installed)

The workloads (real data with --data-dir, else random data of the same shapes):

  book      Keras book MLP: 784 -> 512 relu -> 10, RMSprop, batch 128 (MNIST)
  fashion   Fashion-MNIST MLP: 784 -> 128 relu -> 10, Adam, batch 32
  softmax   one softmax layer: 784 -> 10, SGD, batch 100 (MNIST)
  convnet   the Keras book's convnet, RMSprop, batch 64 (MNIST)

    python benchmarks/busy_machine.py --data-dir ~/.cache/tinygrad_edu
    python benchmarks/busy_machine.py --quick        # a few steps, for CI
    python benchmarks/busy_machine.py --write-results
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import mnist_convnet  # noqa: E402
import threads_twin  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402

WORKLOADS = {  # hidden units, optimizer, batch, data set, samples per epoch
    "book": ([512], "rmsprop", 128, "mnist", 16_000),
    "fashion": ([128], "adam", 32, "fashion-mnist", 16_000),
    "softmax": ([], "sgd", 100, "mnist", 16_000),
    "convnet": (None, "rmsprop", 64, "mnist", 3_200),
}
TARGET = 1.3  # busy at most this many times quiet, for `policy`


def spin() -> None:
    while True:
        pass


def images(data_dir: str | None, data_set: str, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(x float32 (n, 28, 28) in [0, 1], y int64 (n,))."""
    if data_dir is None:
        x, y = _timing.mnist_digits(None, samples, seed=0)
    elif data_set == "mnist":
        x, y = _timing.mnist_digits(str(Path(data_dir) / "mnist"), samples, seed=0)
    else:
        from tinygrad_edu.datasets import fashion_mnist

        (x, y), _ = fashion_mnist.load_data(str(Path(data_dir) / data_set), download=False)
        x, y = x[:samples], y[:samples]
    return x.astype(np.float32) / 255.0, y.astype(np.int64)


def mlp_weights(hidden: list[int], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes, weights = [784, *hidden, 10], []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        limit = np.sqrt(6 / (fan_in + fan_out))  # glorot uniform, as Keras starts
        weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)]
        weights += [np.zeros(fan_out, np.float32)]
    return weights


def edu_optimizer(name: str):
    if name == "rmsprop":
        return nn.optimizers.RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-7)
    if name == "adam":
        return nn.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7)
    return nn.optimizers.SGD(learning_rate=0.01)


def edu_epoch(workload: str, x: np.ndarray, y: np.ndarray) -> Callable[[], object]:
    hidden, optimizer, batch, _, _ = WORKLOADS[workload]
    if hidden is None:
        model = mnist_convnet.compiled_model(mnist_convnet.initial_weights(0))
        x = x.reshape(len(x), 28, 28, 1)
    else:
        layers = [nn.Dense(units, activation="relu") for units in hidden]
        model = nn.Sequential([nn.Input((784,)), *layers, nn.Dense(10, activation="softmax")])
        model.set_weights(mlp_weights(hidden, 0))
        model.compile(edu_optimizer(optimizer), "sparse_categorical_crossentropy", ["accuracy"])
        x = x.reshape(len(x), 784)
    return lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0)


def torch_epoch(workload: str, x: np.ndarray, y: np.ndarray) -> Callable[[], object] | None:
    hidden, optimizer, batch, _, _ = WORKLOADS[workload]
    if hidden is None:
        epoch, _ = mnist_convnet.torch_contender(
            mnist_convnet.initial_weights(0), x.reshape(len(x), 28, 28, 1), y, batch, None
        )
        return epoch
    torch = _timing.import_torch(None)
    if torch is None:
        return None
    weights, modules = mlp_weights(hidden, 0), []
    for kernel, bias in zip(weights[::2], weights[1::2]):
        linear = torch.nn.Linear(*kernel.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(kernel.T.copy()))
            linear.bias.copy_(torch.from_numpy(bias))
        modules += [linear, torch.nn.ReLU()]
    net = torch.nn.Sequential(*modules[:-1])
    parameters = net.parameters()
    if optimizer == "rmsprop":
        chosen = torch.optim.RMSprop(parameters, lr=1e-3, alpha=0.9, eps=1e-7)
    elif optimizer == "adam":
        chosen = torch.optim.Adam(parameters, lr=1e-3, eps=1e-7)
    else:
        chosen = torch.optim.SGD(parameters, lr=0.01)
    x_all = torch.from_numpy(x.reshape(len(x), 784))
    return _timing.torch_epoch(net, chosen, x_all, torch.from_numpy(y), batch)


class Settings:
    """Runs a contender's epoch with its thread setting, and puts the policy back after."""

    def __init__(self, epoch: Callable[[], object], kind: str) -> None:
        self.epoch, self.kind = epoch, kind

    def __call__(self) -> None:
        limit = tg.get_num_threads()
        with ExitStack() as undo:
            if self.kind == "all":  # every product on the library's own threads
                undo.enter_context(threads_twin.blas_own_threads())
            elif self.kind == "one":
                tg.set_num_threads(1)
            elif self.kind == "policy":
                tg.set_num_threads(limit, follow_load=True)
            undo.callback(tg.set_num_threads, limit, follow_load=False)
            self.epoch()


def measure(workload: str, args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """{contender: {"quiet": [s, ...], "busy": [s, ...]}} for one workload."""
    _, _, batch, data_set, samples = WORKLOADS[workload]
    samples = batch * 3 if args.quick else samples
    x, y = images(args.data_dir, data_set, samples)
    contenders = {
        kind: Settings(edu_epoch(workload, x, y), kind) for kind in ("policy", "all", "one")
    }
    torch = None if args.no_torch else torch_epoch(workload, x, y)
    if torch is not None:
        contenders["torch"] = torch
    times: dict[str, dict[str, list[float]]] = {name: {} for name in contenders}
    for condition in ("quiet", "busy"):
        spinners = []
        if condition == "busy":
            spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(1)]
            for spinner in spinners:
                spinner.start()
        try:
            rounds = _timing.alternate(
                contenders, 1 if args.quick else args.repeats, before_each=threads_twin.settle
            )
        finally:
            for spinner in spinners:
                spinner.terminate()
                spinner.join()
        for name, values in rounds.items():
            times[name][condition] = values
    return times


def run(args: argparse.Namespace) -> dict:
    load_at_start = _timing.load_average()
    figures = {"machine": _timing.machine_facts(), "workloads": {}}
    figures["data"] = args.data_dir or "random MNIST-shaped data (no --data-dir)"
    for workload in args.workloads:
        times = measure(workload, args)
        rows = {}
        for name, by_condition in times.items():
            quiet = _timing.median(by_condition["quiet"])
            busy = _timing.median(by_condition["busy"])
            rows[name] = {"quiet_s": quiet, "busy_s": busy, "busy_over_quiet": busy / quiet}
        figures["workloads"][workload] = rows
    figures["load"] = (
        f"1-min load average {load_at_start} at start, {_timing.load_average()} at end"
    )
    figures["settings"] = {"repeats": args.repeats, "quick": args.quick}
    return figures


def report(figures: dict) -> str:
    lines = [
        _timing.facts_line(figures["machine"]),
        f"data: {figures['data']}; one competing process spinning on one core for 'busy'; "
        f"{figures['load']}; "
        f"{figures['settings']['repeats']} alternating runs each (medians); epoch seconds",
        "",
        f"{'workload':9} {'contender':9} {'quiet s':>8} {'busy s':>8} {'busy/quiet':>10}"
        f" {'vs torch quiet':>14} {'vs torch busy':>13}",
    ]
    verdicts = []
    for workload, rows in figures["workloads"].items():
        torch = rows.get("torch")
        for name, row in rows.items():
            against = ["", ""]
            if torch is not None and name != "torch":
                against = [
                    f"{row['quiet_s'] / torch['quiet_s']:.2f}x",
                    f"{row['busy_s'] / torch['busy_s']:.2f}x",
                ]
            lines.append(
                f"{workload:9} {name:9} {row['quiet_s']:8.3f} {row['busy_s']:8.3f} "
                f"{row['busy_over_quiet']:9.2f}x {against[0]:>14} {against[1]:>13}"
            )
        ratio = rows["policy"]["busy_over_quiet"]
        met = "met" if ratio <= TARGET else "NOT met"
        today = rows["policy"]["quiet_s"] / rows["all"]["quiet_s"]
        busy_today = rows["policy"]["busy_s"] / rows["all"]["busy_s"]
        verdicts.append(
            f"- {workload}: busy {ratio:.2f}x quiet (target {TARGET}x: {met}); quiet "
            f"{today:.2f}x the time with the BLAS library's own threads (what NumPy did before "
            f"the policy; target: no slower), and busy {busy_today:.2f}x its busy time"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(verdicts)


def results_section(figures: dict, command: str) -> str:
    return _timing.command_block(command, report(figures))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="folder holding mnist/ and fashion-mnist/")
    parser.add_argument("--repeats", type=int, default=3, help="alternating timed runs each")
    parser.add_argument("--quick", action="store_true", help="a few steps, one round (for CI)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--workloads", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--write-results", action="store_true", help="update RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    figures = run(args)
    print(report(figures))
    _timing.save_outputs(
        "busy_machine",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: results_section(figures, command),
    )
    return figures


if __name__ == "__main__":
    main()
