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
    python benchmarks/step_instructions.py --model mnist    # MNIST's sizes, cache misses too

`--model mnist` runs the real model's sizes (784 -> 512 -> 10, batch 128, random
data) for a few steps and also simulates the caches (valgrind's --cache-sim,
with a last level of 512 KiB, the size of this machine's L2 per core). There
the engine's Python is a few percent of the instructions, but it runs between
matrix products that have just streamed megabytes through the caches: the
extra misses, not the extra instructions, are what costs wall-clock time.

It also counts, without valgrind, the Python function calls a step makes and
how many different functions one step of the hand-written loops runs. At MNIST's
sizes each different function costs more than its instructions: a matrix product
has pushed its code out of the caches since the last step used it.

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
from mnist_mlp import FunctionalLoop, ManualLoop, build_model  # noqa: E402

# sizes (inputs, hidden units, classes), batch, warm-up steps (first calls fill caches
# and import lazily), and counted steps by default and with --quick
MODELS = {
    "tiny": {"sizes": (8, 8, 10), "batch": 4, "warm_up": 20, "steps": 400, "quick": 40},
    "mnist": {"sizes": (784, 512, 10), "batch": 128, "warm_up": 1, "steps": 8, "quick": 1},
}
FIRST = 2  # steps in the shorter of the two counted runs
CONTENDERS = ("numpy", "manual", "functional", "fit")
# With --model mnist: a simulated last-level cache of 512 KiB, 8-way, 64-byte lines (an L2)
CACHE_SIMULATION = ["--cache-sim=yes", "--LL=524288,8,64"]


# ---------------------------------------------------------------- what runs under valgrind
def make_steps(contender: str, most_steps: int, model: str) -> Callable[[int], object]:
    """A function that trains `contender` for n steps (n <= most_steps) on `model`'s sizes."""
    sizes, batch = MODELS[model]["sizes"], MODELS[model]["batch"]
    weights = numpy_reference.initial_weights(np.random.default_rng(0), sizes=sizes)
    data_rng = np.random.default_rng(1)
    inputs, hidden, classes = sizes
    x = data_rng.random((batch, inputs), dtype=np.float32)
    y = data_rng.integers(0, classes, size=batch)
    if contender == "numpy":
        reference = numpy_reference.NumpyMLP(weights)
        return lambda n: [reference.train_step(x, y) for _ in range(n)]
    if contender == "fit":
        model = build_model(weights)
        model.compile(
            optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        many_x, many_y = np.tile(x, (most_steps, 1)), np.tile(y, most_steps)
        return lambda n: model.fit(
            many_x[: n * batch], many_y[: n * batch], batch_size=batch, shuffle=False, verbose=0
        )
    # The same loops mnist_mlp.py times, on this model's sizes
    loop = FunctionalLoop(weights) if contender == "functional" else ManualLoop(weights)
    return lambda n: [loop.train_step(x, y) for _ in range(n)]


def run_inside(contender: str, steps: int, model: str, data_steps: int) -> None:
    """The program valgrind watches: set up, warm up, then `steps` steps with the gc off.

    The set-up makes data for `data_steps` steps (the longer run's count) in both runs,
    so that making it cancels out of the difference.
    """
    warm_up = MODELS[model]["warm_up"]
    train = make_steps(contender, max(warm_up, data_steps), model)
    train(warm_up)
    gc.collect()
    gc.disable()  # a collection would land in one run and not the other
    train(steps)


def count_python_calls(contender: str, model: str, steps: int) -> dict[str, float | None]:
    """Python function calls per step, and the different functions one step runs.

    Calls per step come from two runs, like the instructions. The different functions
    are counted for the hand-written loops, where one step is one call; a `fit` call
    also runs its once-per-call set-up, so it has no such count (None).
    """
    warm_up = MODELS[model]["warm_up"]
    train = make_steps(contender, max(warm_up, FIRST + steps), model)
    train(warm_up)

    def profile(n: int) -> tuple[int, set]:
        calls, functions = 0, set()

        def hook(frame, event, arg) -> None:  # what sys.setprofile calls
            nonlocal calls
            if event == "call":
                calls += 1
                if frame.f_code.co_filename != __file__:  # not this script's own loop
                    functions.add(frame.f_code)

        gc.collect()
        gc.disable()  # a collection runs finalizers (Python calls) in one run and not the other
        sys.setprofile(hook)
        try:
            train(n)
        finally:
            sys.setprofile(None)
            gc.enable()
        return calls, functions

    short, long = profile(FIRST)[0], profile(FIRST + steps)[0]
    functions = None if contender == "fit" else len(profile(1)[1])
    return {"python_calls_per_step": (long - short) / steps, "python_functions_per_step": functions}


# ---------------------------------------------------------------- counting
def count_events(contender: str, steps: int, model: str, data_steps: int) -> dict[str, int]:
    """What valgrind counted over a whole run of `run_inside(contender, steps, ...)`.

    Instructions ("Ir"), and with the cache simulation (--model mnist) the misses:
    "I1mr", "D1mr", "D1mw" in the first level, "ILmr", "DLmr", "DLmw" in the last.
    """
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        *(CACHE_SIMULATION if model == "mnist" else []),
        sys.executable,
        str(Path(__file__).resolve()),
        "--inside",
        contender,
        "--steps",
        str(steps),
        "--model",
        model,
        "--data-steps",
        str(data_steps),
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    return parse_counts(done.returncode, done.stderr, f"{contender} ({steps} steps)")


def parse_counts(status: int, stderr: str, what: str) -> dict[str, int]:
    """The 'Events' and 'Collected' lines of callgrind's summary, as {event: count}."""
    events = re.search(r"Events\s*:\s*([\w ]+)", stderr)
    counts = re.search(r"Collected\s*:\s*([\d ]+)", stderr)
    if status != 0 or events is None or counts is None:
        raise RuntimeError(
            f"step_instructions: valgrind failed on {what}, exit status {status}:\n{stderr[-2000:]}"
        )
    return dict(zip(events.group(1).split(), (int(n) for n in counts.group(1).split())))


def valgrind_version() -> str | None:
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "valgrind"


def run(args: argparse.Namespace, version: str) -> dict:
    jobs = [(name, steps) for name in CONTENDERS for steps in (FIRST, FIRST + args.steps)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counted = pool.map(lambda job: count_events(*job, args.model, FIRST + args.steps), jobs)
        counts = dict(zip(jobs, counted))
    rows = []
    for name in CONTENDERS:
        short, long = counts[(name, FIRST)], counts[(name, FIRST + args.steps)]
        per_step = {event: (long[event] - short[event]) / args.steps for event in long}
        rows.append({"name": name, **{_PER_STEP[e]: v for e, v in _totals(per_step).items()}})
    for row in rows:
        row["ratio_to_numpy"] = row["instructions_per_step"] / rows[0]["instructions_per_step"]
        row["over_numpy"] = row["instructions_per_step"] - rows[0]["instructions_per_step"]
        row.update(count_python_calls(row["name"], args.model, min(args.steps, 20)))
    model = MODELS[args.model]
    return {
        "machine": _timing.machine_facts(),
        "valgrind": version,
        "settings": {
            "model": args.model,
            "sizes": model["sizes"],
            "batch": model["batch"],
            "warm_up": model["warm_up"],
            "steps": args.steps,
        },
        "rows": rows,
    }


_PER_STEP = {
    "Ir": "instructions_per_step",
    "L1": "first_level_misses_per_step",
    "LL": "last_level_misses_per_step",
}


def _totals(per_step: dict[str, float]) -> dict[str, float]:
    """Instructions, and (with the cache simulation) all first- and last-level misses."""
    totals = {"Ir": per_step["Ir"]}
    if "DLmr" in per_step:
        totals["L1"] = per_step["I1mr"] + per_step["D1mr"] + per_step["D1mw"]
        totals["LL"] = per_step["ILmr"] + per_step["DLmr"] + per_step["DLmw"]
    return totals


def report(figures: dict) -> str:
    settings = figures["settings"]
    inputs, hidden, classes = settings["sizes"]
    caches = "last_level_misses_per_step" in figures["rows"][0]
    calls = "python_calls_per_step" in figures["rows"][0]
    header = f"{'':10} {'instructions/step':>18} {'vs numpy':>9} {'more than numpy':>16}"
    if caches:
        header += f" {'L1 misses/step':>15} {'L2 misses/step':>15} {'L2 vs numpy':>12}"
    if calls:
        header += f" {'Python calls/step':>18} {'functions/step':>15}"
    lines = [
        f"machine: {_timing.facts_line(figures['machine'])}; {figures['valgrind']}",
        f"model: {inputs} -> {hidden} relu -> {classes} softmax, batch {settings['batch']}, "
        f"RMSprop; {settings['steps']} counted steps each, after {settings['warm_up']} uncounted "
        "ones; one BLAS thread (a second one's waiting loop would be counted too)",
    ]
    if caches:
        lines.append(
            "caches simulated by valgrind: L1 as this CPU's, L2 as the last level (512 KiB, "
            "8-way, 64-byte lines); misses of instructions, reads and writes together"
        )
    lines += ["", header]
    numpy_row = figures["rows"][0]
    for row in figures["rows"]:
        line = (
            f"{row['name']:10} {row['instructions_per_step']:18,.0f} "
            f"{row['ratio_to_numpy']:8.2f}x {row['over_numpy']:16,.0f}"
        )
        if caches:
            l2, numpy_l2 = (
                row["last_level_misses_per_step"],
                numpy_row["last_level_misses_per_step"],
            )
            line += (
                f" {row['first_level_misses_per_step']:15,.0f} {l2:15,.0f} {l2 / numpy_l2:11.3f}x"
            )
        if calls:
            functions = row["python_functions_per_step"]
            line += f" {row['python_calls_per_step']:18,.0f} {functions or 'n/a':>15}"
        lines.append(line)
    if calls:
        lines.append(
            "Python calls/step: function calls a step makes (sys.setprofile); functions/step: "
            "how many different ones a step of the hand-written loop runs, NumPy's Python "
            "wrappers included (n/a for fit, whose calls include its set-up)"
        )
    return "\n".join(lines)


def results_section(figures: dict, command: str) -> str:
    rows = {row["name"]: row for row in figures["rows"]}
    manual, fit = rows["manual"], rows["fit"]
    calls = ""
    if "python_calls_per_step" in manual:
        calls = (
            f" A step of the hand-written loop makes {manual['python_calls_per_step']:.0f} Python "
            f"calls to {manual['python_functions_per_step']} different functions; the "
            f"reference's makes {rows['numpy']['python_calls_per_step']:.0f} calls to "
            f"{rows['numpy']['python_functions_per_step']}. The same step written with "
            f"`tinygrad_edu.functional` (no layers, no loss object) makes "
            f"{rows['functional']['python_calls_per_step']:.0f} calls to "
            f"{rows['functional']['python_functions_per_step']}: the engine's own share."
        )
    if figures["settings"]["model"] == "mnist":
        numpy_l2 = rows["numpy"]["last_level_misses_per_step"]
        note = (
            f"- On MNIST's sizes the hand-written loop executes {manual['ratio_to_numpy']:.3f}x "
            f"the reference's instructions and `fit` {fit['ratio_to_numpy']:.3f}x (its share of "
            "the up-front NaN check over the data included), and they miss the simulated L2 "
            f"{manual['last_level_misses_per_step'] / numpy_l2:.3f}x and "
            f"{fit['last_level_misses_per_step'] / numpy_l2:.3f}x as often. Small as that is, "
            "mnist_mlp measures more in time: the extra instructions are Python that runs "
            "between matrix products which have just streamed megabytes through the caches, so "
            "each costs more than on the tiny model. The simulated misses repeat exactly for "
            "one build of the code, but a change that moves arrays in memory moves them by a "
            "few percent: compare versions by instructions first." + calls
        )
    else:
        note = (
            f"- A training step of the hand-written loop costs {manual['ratio_to_numpy']:.2f}x "
            f"the reference's instructions on this tiny model, and `fit`'s "
            f"{fit['ratio_to_numpy']:.2f}x: the engine's Python on top of NumPy's own "
            "per-call cost. These counts do not drift with the machine's load, so they show what "
            "a change to the engine gains or loses when wall-clock timings cannot; on MNIST's "
            "sizes the same overhead is a few percent of an epoch (see mnist_mlp)." + calls
        )
    return f"Command: `{command}`\n\n```\n{report(figures)}\n```\n\n{note}\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        choices=sorted(MODELS),
        default="tiny",
        help="tiny (8 -> 8 -> 10, batch 4) or mnist (784 -> 512 -> 10, batch 128; caches too)",
    )
    parser.add_argument("--steps", type=int, help="counted steps per contender (tiny 400, mnist 8)")
    parser.add_argument("--quick", action="store_true", help="few steps (tiny 40, mnist 1), for CI")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--write-results", action="store_true", help="update this section of RESULTS.md"
    )
    parser.add_argument("--inside", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--data-steps", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.steps is None:
        args.steps = MODELS[args.model]["quick" if args.quick else "steps"]
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    return args


def main(argv: list[str] | None = None) -> dict | None:
    args = parse_args(argv)
    if args.inside:
        run_inside(args.inside, args.steps, args.model, max(args.data_steps, args.steps))
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
        heading="step_instructions"
        if args.model == "tiny"
        else f"step_instructions ({args.model})",
    )
    return figures


if __name__ == "__main__":
    main()
