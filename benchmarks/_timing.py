"""Shared helpers for the benchmark scripts: alternating runs, medians, machine facts.

Timings on a small shared machine drift (other processes, CPU frequency, caches).
Running the contenders in turn (A B C, B C A, C A B, ...) spreads that drift over
all of them, the median of the repeats ignores the odd slow run, and a ratio
taken within each round (`paired_ratio`) cancels drift that is slower than one
round. Every script reports the machine it ran on, because a figure without its
machine means little.

Importing this module also puts the repository root on `sys.path`, so the
scripts run as `python benchmarks/NAME.py` from a plain checkout, without
installing the package first.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tinygrad_edu.files import write_text_atomically  # noqa: E402  (needs the path above)


# ---------------------------------------------------------------- timing
def time_call(function: Callable[[], object]) -> float:
    """Seconds one call of `function` takes (wall clock, high resolution)."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def alternate(
    contenders: dict[str, Callable[[], object]],
    repeats: int,
    warmup: int = 1,
    before_each: Callable[[], object] | None = None,
) -> dict[str, list[float]]:
    """Time each contender `repeats` times, taking turns: A B C, then B C A, C A B, ...

    Each round starts one contender later, so none always runs first or always
    follows the same other one. `warmup` untimed rounds come first (first calls
    pay for caches and lazy setup). `before_each` (e.g. `gc.collect`) runs
    untimed before every timed call. Returns the list of times in seconds for
    each name, round by round.
    """
    for _ in range(warmup):
        for function in contenders.values():
            function()
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            if before_each is not None:
                before_each()
            times[name].append(time_call(contenders[name]))
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def paired_ratio(times: dict[str, list[float]], name: str, baseline: str) -> float:
    """The median over rounds of `name`'s time over `baseline`'s time in the same round.

    Both ran within seconds of each other, so a machine that slows down or
    speeds up between rounds changes both and leaves their ratio alone.
    """
    return median([t / b for t, b in zip(times[name], times[baseline])])


def timed_rounds(
    contenders: dict[str, Callable[[], object]], repeats: int, load_at_start: str
) -> tuple[dict[str, list[float]], dict[str, float], str]:
    """A warm-up round, then `repeats` alternating timed rounds (see `alternate`).

    Each round starts without the last one's garbage (collected untimed), so no
    contender pays for another's. Returns the times in seconds round by round, their
    medians, and a note of the 1-minute load average at the script's start
    (`load_at_start`), before and after the timed rounds.
    """
    load_before = load_average()
    times = alternate(contenders, repeats, warmup=1, before_each=gc.collect)
    load_after = load_average()
    medians = {name: median(t) for name, t in times.items()}
    note = (
        f"{load_at_start} at start, {load_before} before and {load_after} "
        "after the timed runs (this run's own work included)"
    )
    return times, medians, note


def timing_row(
    name: str,
    times: dict[str, list[float]],
    medians: dict[str, float],
    flops: float,
    peak_gflops: float,
) -> dict:
    """One contender's figures against the "numpy" contender: median seconds, the runs,
    the ratio of medians and the paired ratio, GFLOP/s for `flops` per run and the
    fraction of the matrix-multiply peak `peak_gflops` that is."""
    seconds = medians[name]
    return {
        "name": name,
        "median_s": seconds,
        "times_s": times[name],
        "ratio_to_numpy": seconds / medians["numpy"],
        "paired_ratio": paired_ratio(times, name, "numpy"),
        "gflops": flops / seconds / 1e9,
        "fraction_of_peak": flops / seconds / 1e9 / peak_gflops,
    }


def best_time(function: Callable[[], object], repeats: int, min_seconds: float = 0.0) -> float:
    """The fastest of `repeats` calls (at least enough calls to fill `min_seconds`)."""
    best = float("inf")
    calls, spent = 0, 0.0
    while calls < repeats or spent < min_seconds:
        elapsed = time_call(function)
        best = min(best, elapsed)
        calls += 1
        spent += elapsed
    return best


# ---------------------------------------------------------------- matmul peak
def sgemm_gflops(m: int, k: int, n: int, transpose_a: bool = False, repeats: int = 20) -> float:
    """Achieved GFLOP/s of one float32 (m, k) @ (k, n) product, best of `repeats`.

    With `transpose_a` the left operand is a transposed view of a (k, m) array,
    the layout the backward pass hands to BLAS for a kernel's gradient (x.T @ grad).
    """
    rng = np.random.default_rng(0)
    left = rng.random((k, m), dtype=np.float32).T if transpose_a else rng.random((m, k), np.float32)
    right = rng.random((k, n), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    seconds = best_time(lambda: np.matmul(left, right, out=out), repeats, min_seconds=0.2)
    return 2.0 * m * k * n / seconds / 1e9


def matmul_seconds(
    rng: np.random.Generator,
    m: int,
    k: int,
    n: int,
    transpose_a: bool,
    repeats: int,
    min_seconds: float,
) -> float:
    """Seconds of one float32 (m, k) @ (k, n) product, best of `repeats` (see `best_time`).

    With `transpose_a` the left operand is a transposed view of a (k, m) array, as
    in backward. Random operands from `rng`.
    """
    left = rng.random((k, m), np.float32).T if transpose_a else rng.random((m, k), np.float32)
    right = rng.random((k, n), np.float32)
    out = np.empty((m, n), np.float32)
    return best_time(lambda: np.matmul(left, right, out=out), repeats, min_seconds=min_seconds)


# ---------------------------------------------------------------- machine facts
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_threads() -> int | None:
    """How many threads NumPy's OpenBLAS uses, asked of the library itself.

    NumPy does not expose it, so find the loaded OpenBLAS in this process's memory
    map and call its `..._get_num_threads` function through ctypes. The symbol
    carries a prefix and suffix in NumPy's own build (`scipy_openblas_..._64_`).
    Returns None when it cannot tell (another BLAS, or not Linux).
    """
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libraries = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return None
    names = [
        "scipy_openblas_get_num_threads64_",
        "scipy_openblas_get_num_threads",
        "openblas_get_num_threads64_",
        "openblas_get_num_threads",
    ]
    for library in sorted(libraries):
        if not library.startswith("/"):
            continue
        try:
            handle = ctypes.CDLL(library)
        except OSError:
            continue
        for name in names:
            function = getattr(handle, name, None)
            if function is not None:
                function.restype = ctypes.c_int
                return int(function())
    return None


def blas_name() -> str:
    """NumPy's BLAS as numpy.show_config reports it, e.g. 'scipy-openblas 0.3.31'."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no mode="dicts"
        return "unknown"


def machine_facts() -> dict[str, str]:
    """What a reader needs to judge the figures: CPU, cores, NumPy and its BLAS."""
    threads = blas_threads()
    return {
        "cpu": cpu_model(),
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_name(),
        "blas threads": "unknown" if threads is None else str(threads),
    }


def facts_line(facts: dict[str, str]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in facts.items())


# ---------------------------------------------------------------- memory
def traced_peak(run: Callable[[], object]) -> int:
    """Peak bytes NumPy (and Python) allocated during `run`, above what was live before."""
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start


def rss_bytes() -> int:
    """This process's resident set size now (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def load_average() -> str:
    """The 1-minute load average: above about 0.5 on an idle run, something else was busy."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def median_traced_peak(step: Callable[[], object], repeats: int = 3) -> int:
    """Median over `repeats` of the peak bytes allocated during one call of `step`."""
    return int(median([traced_peak(step) for _ in range(repeats)]))


def busy(load_at_start: str) -> bool:
    """True if the 1-minute load average was above 1 before the script started working."""
    try:
        return float(load_at_start) > 1.0
    except ValueError:  # "unknown"
        return False


def megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.2f} MiB"


# ---------------------------------------------------------------- MNIST and training loops
def mnist_digits(data_dir: str | None, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (n, 28, 28), labels (n,)): the first `samples` of MNIST's training set
    if a directory is given, else random data of the same shape and the same arithmetic."""
    if data_dir is not None:
        from tinygrad_edu.datasets import mnist

        (x, y), _ = mnist.load_data(data_dir, download=False)
        return x[:samples], y[:samples]
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(samples, 28, 28), dtype=np.uint8)
    return x, rng.integers(0, 10, size=samples)


def train_epoch(
    train_step: Callable[[np.ndarray, np.ndarray], object],
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator,
) -> None:
    """One epoch of `train_step(x_batch, y_batch)` over `x`, `y` shuffled by `rng`."""
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        batch = order[start : start + batch_size]
        train_step(x[batch], y[batch])


def import_torch(threads: int | None):
    """PyTorch, set to use `threads` threads (None: its default), or None when not installed."""
    try:
        import torch
    except ImportError:
        return None
    if threads is not None:
        torch.set_num_threads(threads)
    return torch


def torch_epoch(forward, optimizer, x_all, y_all, batch_size: int) -> Callable[[], None]:
    """A PyTorch training epoch over the tensors `x_all`, `y_all`, as the others run theirs.

    Each call shuffles (its own generator, seeded 1 as the other contenders'), and per
    batch: zero_grad, `forward`, PyTorch's fused softmax + cross-entropy, backward,
    `optimizer.step()`, and the loss and accuracy read back as Python floats.
    """
    import torch

    loss_function = torch.nn.CrossEntropyLoss()  # softmax + cross-entropy, fused
    rng = np.random.default_rng(1)

    def epoch() -> None:
        order = torch.from_numpy(rng.permutation(len(x_all)))
        for start in range(0, len(x_all), batch_size):
            batch = order[start : start + batch_size]
            xb, yb = x_all[batch], y_all[batch]
            optimizer.zero_grad()
            logits = forward(xb)
            loss = loss_function(logits, yb)
            loss.backward()
            optimizer.step()
            loss.item()
            (logits.argmax(dim=1) == yb).float().mean().item()

    return epoch


# ---------------------------------------------------------------- reports
PAIRED_NOTE = (
    "vs numpy: ratio of the medians; paired: median over rounds of the ratio within each "
    "round (drift between rounds cancels out of it)"
)


def contender_line(row: dict, time_text: str, peak_bytes: int | None) -> str:
    """One contender's row of a report table: name, `time_text`, ratios, GFLOP/s, the
    share of the peak, peak MiB ("n/a" for None) and each run's seconds."""
    peak_text = "n/a" if peak_bytes is None else f"{peak_bytes / 2**20:.2f}"
    runs = " ".join(f"{t:.3f}" for t in row["times_s"])
    return (
        f"{row['name']:10} {time_text} {row['ratio_to_numpy']:8.3f}x "
        f"{row['paired_ratio']:6.3f}x {row['gflops']:8.1f} {row['fraction_of_peak']:7.0%} "
        f"{peak_text:>9}  {runs}"
    )


def peaks_line(peaks: dict[str, float]) -> str:
    """The matrix-multiply peaks measured, one `name: GFLOP/s` each."""
    return "float32 matrix-multiply peaks measured here: " + "; ".join(
        f"{name}: {g:.1f} GFLOP/s" for name, g in peaks.items()
    )


# ---------------------------------------------------------------- RESULTS.md
def command_arguments(
    argv: list[str] | None, drop: set[str], drop_with_value: set[str]
) -> list[str]:
    """The command-line arguments worth repeating in RESULTS.md (no output paths)."""
    given = list(sys.argv[1:] if argv is None else argv)
    kept: list[str] = []
    skip_next = False
    for argument in given:
        if skip_next:
            skip_next = False
        elif argument in drop_with_value:
            skip_next = True
        elif argument not in drop and argument.split("=", 1)[0] not in drop_with_value:
            kept.append(argument)
    return kept


def command_block(command: str, text: str) -> str:
    """A RESULTS.md section body: the command that gives the figures, then its output."""
    return f"Command: `{command}`\n\n```\n{text}\n```\n"


def save_outputs(
    script: str,
    argv: list[str] | None,
    figures: dict,
    json_path: str | Path | None,
    write_results: bool,
    results_section: Callable[[str], str],
    heading: str | None = None,
) -> None:
    """What every benchmark does at the end: `--json` and `--write-results`.

    The figures go to `json_path` if one was given. With `write_results`, the
    `## script` section of RESULTS.md (or `## heading`, for a script that writes
    more than one) is replaced by `results_section(command)`,
    where `command` is the command line that reproduces the run (output paths
    left out, and OPENBLAS_NUM_THREADS in front when it was set, since it
    changes the timings).
    """
    if json_path:
        write_text_atomically(Path(json_path), json.dumps(figures, indent=2) + "\n")
    if not write_results:
        return
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = " ".join(
        [f"OPENBLAS_NUM_THREADS={threads}"] * (threads is not None)
        + [f"python benchmarks/{script}.py"]
        + command_arguments(argv, drop={"--write-results"}, drop_with_value={"--json"})
    )
    update_results_section(
        Path(__file__).resolve().parent / "RESULTS.md", heading or script, results_section(command)
    )


def update_results_section(path: Path, heading: str, body: str) -> None:
    """Replace the `## heading` section of a markdown file (or add it), leaving the rest.

    Several scripts share one RESULTS.md, each owning its own section. The file is
    written to a temporary name and renamed, so a reader never sees half of it.
    """
    title = f"## {heading}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == title), None)
    section = [title, "", *body.strip("\n").splitlines(), ""]
    if start is None:
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", *section]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = section
    write_text_atomically(path, "\n".join(lines).rstrip("\n") + "\n")
