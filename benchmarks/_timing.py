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


def megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.2f} MiB"


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
