"""What letting OpenBLAS's idle threads sleep (fused/blas_wait.py) changes, quiet and busy.

tinygrad_edu, imported before NumPy, sets OPENBLAS_THREAD_TIMEOUT=4: after a
product on several threads, OpenBLAS's idle threads sleep at once instead of
spinning on a core for about 0.1 s (its default, 28: 2**28 cycles). OpenBLAS
reads the variable when it loads, so the two settings cannot take turns in one
process: this script runs each course workload's epoch (busy_machine.py's
workloads, with the library's default thread policy) in child processes, one
with OPENBLAS_THREAD_TIMEOUT=4 and one with 28, taking turns, on a quiet
machine and with one other process spinning on one core ("busy"). It reports
each setting's median epoch, busy over quiet, and 4 over 28 paired within each
round (below 1: sleeping is faster; busy over quiet compares medians, since the quiet
rounds all run before the busy ones). It also measures the spinning itself: the
CPU time a process uses while it sleeps 50 ms just after a large product.

    python benchmarks/blas_wait.py --data-dir ~/.cache/tinygrad_edu
    python benchmarks/blas_wait.py --quick          # a few steps, for CI
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import _timing  # noqa: E402  (also puts the repository root on sys.path)
import busy_machine  # noqa: E402

SETTINGS = ("4", "28")  # OPENBLAS_THREAD_TIMEOUT: tinygrad_edu's, OpenBLAS's own default
SPIN_CHECK = (
    "import time, numpy as np\n"
    "a = np.ones((1000, 1000), np.float32); a @ a\n"
    "start = time.process_time(); time.sleep(0.05)\n"
    "print((time.process_time() - start) * 1e3)"
)


def child(workload: str, data_dir: str | None, quick: bool, epochs: int) -> None:
    """Print the seconds of `epochs` timed epochs of `workload` (after one untimed)."""
    _, _, batch, data_set, samples = busy_machine.WORKLOADS[workload]
    x, y = busy_machine.images(data_dir, data_set, batch * 3 if quick else samples)
    epoch = busy_machine.edu_epoch(workload, x, y)
    epoch()
    print(json.dumps([_timing.time_call(epoch) for _ in range(epochs)]))


def in_child(arguments: list[str], timeout: str) -> str:
    env = {**os.environ, "OPENBLAS_THREAD_TIMEOUT": timeout}
    done = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"blas_wait: a child run failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def measure(args: argparse.Namespace) -> dict:
    script = str(Path(__file__).resolve())
    epochs, timeouts = (1 if args.quick else 3), list(args.timeouts)
    figures: dict = {"workloads": {}, "spin_cpu_ms": {}}
    figures["data"] = args.data_dir or "random MNIST-shaped data (no --data-dir)"
    for timeout in SETTINGS:  # the spin check compares the library's value with the default
        figures["spin_cpu_ms"][timeout] = float(in_child(["-c", SPIN_CHECK], timeout))
    for workload in args.workloads:
        child_args = [script, "--child", workload, "--epochs", str(epochs)]
        child_args += ["--data-dir", args.data_dir] * (args.data_dir is not None)
        child_args += ["--quick"] * args.quick
        times: dict[str, dict[str, list[float]]] = {t: {"quiet": [], "busy": []} for t in timeouts}
        for condition in ("quiet", "busy"):
            spinner = None
            if condition == "busy":
                spinner = multiprocessing.Process(target=busy_machine.spin, daemon=True)
                spinner.start()
            try:
                for round_number in range(1 if args.quick else args.repeats):
                    order = (
                        timeouts[round_number % len(timeouts) :]
                        + timeouts[: round_number % len(timeouts)]
                    )
                    for timeout in order:
                        seconds = json.loads(in_child(child_args, timeout))
                        times[timeout][condition].append(_timing.median(seconds))
            finally:
                if spinner is not None:
                    spinner.terminate()
                    spinner.join()
        figures["workloads"][workload] = times
    return figures


def report(figures: dict, load: str) -> str:
    spin = figures["spin_cpu_ms"]
    lines = [
        _timing.facts_line(_timing.machine_facts()),
        f"data: {figures['data']}; 1-min load average: {load}; epoch seconds, medians of "
        "alternating child processes",
        f"CPU time used while sleeping 50 ms after a 1000^3 product: "
        f"{spin['4']:.1f} ms with OPENBLAS_THREAD_TIMEOUT=4, {spin['28']:.1f} ms with 28",
        "",
        f"{'workload':9} {'timeout':>7} {'quiet s':>8} {'busy s':>8} {'busy/quiet':>10}"
        f" {'/28 quiet':>10} {'/28 busy':>9}",
    ]
    for workload, times in figures["workloads"].items():
        for timeout in times:
            quiet = _timing.median(times[timeout]["quiet"])
            busy = _timing.median(times[timeout]["busy"])
            paired = ["", ""]
            if timeout != "28":
                paired = [
                    f"{_timing.paired_ratio(by_setting(times, c), timeout, '28'):.3f}x"
                    for c in ("quiet", "busy")
                ]
            lines.append(
                f"{workload:9} {timeout:>7} {quiet:8.3f} {busy:8.3f} {busy / quiet:9.2f}x"
                f" {paired[0]:>10} {paired[1]:>9}"
            )
    return "\n".join(lines)


def by_setting(times: dict, condition: str) -> dict[str, list[float]]:
    return {timeout: runs[condition] for timeout, runs in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", help="folder holding mnist/ and fashion-mnist/")
    parser.add_argument("--repeats", type=int, default=3, help="rounds per condition")
    parser.add_argument("--quick", action="store_true", help="a few steps, one round (for CI)")
    parser.add_argument(
        "--workloads", nargs="+", choices=list(busy_machine.WORKLOADS), default=["book", "convnet"]
    )
    parser.add_argument(
        "--timeouts",
        nargs="+",
        default=list(SETTINGS),
        help="OPENBLAS_THREAD_TIMEOUT values (28 last)",
    )
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--write-results", action="store_true", help="update RESULTS.md")
    parser.add_argument("--child", choices=list(busy_machine.WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data_dir, args.quick, args.epochs)
        return
    if "28" not in args.timeouts:
        parser.error("--timeouts must include 28 (OpenBLAS's default, the baseline)")
    load_at_start = _timing.load_average()
    figures = measure(args)
    text = report(figures, f"{load_at_start} at start, {_timing.load_average()} at the end")
    print(text)
    _timing.save_outputs(
        "blas_wait",
        argv,
        figures,
        args.json,
        args.write_results,
        lambda command: _timing.command_block(command, text),
    )


if __name__ == "__main__":
    main()
