"""Instructions per training step, counted by valgrind: the engine's overhead without the noise.

Wall-clock ratios (mnist_mlp.py) move by several percent between runs on a
shared machine, more than a change to the engine usually gains or loses.
Counting the instructions a step executes does not move: the same work gives
the same count, run after run. On a tiny model (8 inputs -> 8 relu -> 10
softmax, batch 4, RMSprop) NumPy's arithmetic is a few hundred instructions, so
what is counted is the cost of the calls themselves: NumPy's own per-call cost,
which the hand-written reference pays too, and every bit of Python the engine
adds on top. The ratio of engine to reference says how many times the
reference's work one training step costs when the arrays are small.

Each contender runs in a process of its own under `valgrind --tool=callgrind`,
twice: after the same set-up and warm-up, once with a few steps and once with
N more. (second count - first count) / N is the count per step; the set-up and,
for `fit`, the once-per-call checks cancel out. The garbage collector is off
and PYTHONHASHSEED fixed, so the two runs differ only by the N steps.

    python benchmarks/step_instructions.py                  # 400 steps (a few minutes)
    python benchmarks/step_instructions.py --quick          # 40 steps, for CI
    python benchmarks/step_instructions.py --write-results  # also update RESULTS.md

Needs valgrind (Debian: `apt-get install valgrind`); without it the script says
so and stops with exit status 2.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import numpy_reference  # noqa: E402

from tinygrad_edu import Tensor, nn  # noqa: E402

SIZES = (8, 8, 10)  # inputs, hidden units, classes
BATCH = 4
WARM_UP = 20  # steps before counting starts: first calls fill caches and import lazily
FIRST = 2  # steps in the shorter of the two counted runs
CONTENDERS = ("numpy", "manual", "fit")


# ---------------------------------------------------------------- what runs under valgrind
def make_steps(contender: str, most_steps: int) -> Callable[[int], object]:
    """A function that trains `contender` for n steps (n <= most_steps) on the tiny model."""
    weights = numpy_reference.initial_weights(np.random.default_rng(0), sizes=SIZES)
    data_rng = np.random.default_rng(1)
    inputs, _, classes = SIZES
    x = data_rng.random((BATCH, inputs), dtype=np.float32)
    y = data_rng.integers(0, classes, size=BATCH)
    if contender == "numpy":
        reference = numpy_reference.NumpyMLP(weights)
        return lambda n: [reference.train_step(x, y) for _ in range(n)]
    model = nn.Sequential(
        [nn.Dense(SIZES[1], activation="relu", input_shape=(inputs,)), nn.Dense(classes, "softmax")]
    )
    model.set_weights(weights)
    if contender == "fit":
        model.compile(
            optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        many_x, many_y = np.tile(x, (most_steps, 1)), np.tile(y, most_steps)
        return lambda n: model.fit(
            many_x[: n * BATCH], many_y[: n * BATCH], batch_size=BATCH, shuffle=False, verbose=0
        )
    optimizer = nn.optimizers.RMSprop(model.parameters())
    loss_function = nn.losses.SparseCategoricalCrossentropy()

    def manual_step() -> tuple[float, float]:  # as benchmarks/mnist_mlp.py's ManualLoop does
        optimizer.zero_grad()
        probabilities = model(Tensor(x))
        loss = loss_function(y, probabilities)
        loss.backward()
        optimizer.step()
        return loss.item(), float((probabilities.data.argmax(axis=-1) == y).mean())

    return lambda n: [manual_step() for _ in range(n)]


def run_inside(contender: str, steps: int) -> None:
    """The program valgrind watches: set up, warm up, then `steps` steps with the gc off."""
    train = make_steps(contender, max(WARM_UP, steps))
    train(WARM_UP)
    gc.collect()
    gc.disable()  # a collection would land in one run and not the other
    train(steps)


# ---------------------------------------------------------------- counting
def count_instructions(contender: str, steps: int) -> int:
    """Instructions executed by a whole run of `run_inside(contender, steps)`."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        str(Path(__file__).resolve()),
        "--inside",
        contender,
        "--steps",
        str(steps),
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(
            f"step_instructions: valgrind failed on {contender} ({steps} steps), exit status "
            f"{done.returncode}:\n{done.stderr[-2000:]}"
        )
    return int(found.group(1))


def valgrind_version() -> str | None:
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "valgrind"


def run(args: argparse.Namespace, version: str) -> dict:
    jobs = [(name, steps) for name in CONTENDERS for steps in (FIRST, FIRST + args.steps)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(jobs, pool.map(lambda job: count_instructions(*job), jobs)))
    per_step = {
        name: (counts[(name, FIRST + args.steps)] - counts[(name, FIRST)]) / args.steps
        for name in CONTENDERS
    }
    return {
        "machine": _timing.machine_facts(),
        "valgrind": version,
        "settings": {"sizes": SIZES, "batch": BATCH, "steps": args.steps},
        "rows": [
            {
                "name": name,
                "instructions_per_step": per_step[name],
                "ratio_to_numpy": per_step[name] / per_step["numpy"],
                "over_numpy": per_step[name] - per_step["numpy"],
            }
            for name in CONTENDERS
        ],
    }


def report(figures: dict) -> str:
    settings = figures["settings"]
    inputs, hidden, classes = settings["sizes"]
    lines = [
        f"machine: {_timing.facts_line(figures['machine'])}; {figures['valgrind']}",
        f"model: {inputs} -> {hidden} relu -> {classes} softmax, batch {settings['batch']}, "
        f"RMSprop; {settings['steps']} counted steps each, after {WARM_UP} uncounted ones; one "
        "BLAS thread (a second one's waiting loop would be counted too)",
        "",
        f"{'':8} {'instructions/step':>18} {'vs numpy':>9} {'more than numpy':>16}",
    ]
    for row in figures["rows"]:
        lines.append(
            f"{row['name']:8} {row['instructions_per_step']:18,.0f} "
            f"{row['ratio_to_numpy']:8.2f}x {row['over_numpy']:16,.0f}"
        )
    return "\n".join(lines)


def results_section(figures: dict, command: str) -> str:
    rows = {row["name"]: row for row in figures["rows"]}
    note = (
        f"- A training step of the hand-written loop costs {rows['manual']['ratio_to_numpy']:.2f}x "
        f"the reference's instructions on this tiny model, and `fit`'s "
        f"{rows['fit']['ratio_to_numpy']:.2f}x: the engine's Python on top of NumPy's own "
        "per-call cost. These counts do not drift with the machine's load, so they show what a "
        "change to the engine gains or loses when wall-clock timings cannot; on MNIST's sizes "
        "the same overhead is a few percent of an epoch (see mnist_mlp)."
    )
    return f"Command: `{command}`\n\n```\n{report(figures)}\n```\n\n{note}\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400, help="counted steps per contender")
    parser.add_argument("--quick", action="store_true", help="40 steps, for CI")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--write-results", action="store_true", help="update this section of RESULTS.md"
    )
    parser.add_argument("--inside", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.steps = 40
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    return args


def main(argv: list[str] | None = None) -> dict | None:
    args = parse_args(argv)
    if args.inside:
        run_inside(args.inside, args.steps)
        return None
    version = valgrind_version()
    if version is None:
        print(
            "step_instructions: valgrind is not installed, and it does the counting; install "
            "it (Debian/Ubuntu: apt-get install valgrind; macOS: not available) and run again",
            file=sys.stderr,
        )
        raise SystemExit(2)
    figures = run(args, version)
    print(report(figures))
    _timing.save_outputs(
        "step_instructions",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: results_section(figures, command),
    )
    return figures


if __name__ == "__main__":
    main()
