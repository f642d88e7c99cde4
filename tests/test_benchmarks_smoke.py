"""The benchmark scripts run to the end (quick mode). Timings are printed, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
VALGRIND_HINT = "install valgrind to run this benchmark"


def run_benchmark(
    script: str, *args: str, timeout: int, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run benchmarks/<script> with `args`; the caller checks the exit status."""
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def test_engine_overhead_quick(tmp_path):
    figures_path = tmp_path / "figures.json"
    done = run_benchmark("engine_overhead.py", "--quick", "--json", str(figures_path), timeout=300)
    assert done.returncode == 0, done.stderr
    for expected in ("engine us", "numpy us", "overhead us", "ratio", "us per node", "100k / 10k"):
        assert expected in done.stdout
    for op in ("add", "mul", "exp", "tanh", "relu", "sum"):
        assert f"\n{op} " in done.stdout
    figures = json.loads(figures_path.read_text())
    assert [row["nodes"] for row in figures["chains"]] == [1_000, 10_000, 100_000]
    assert {row["op"] for row in figures["small_ops"]} >= {"add", "mul", "exp", "tanh", "relu"}
    assert all(row["engine_us"] > 0 and row["numpy_us"] > 0 for row in figures["small_ops"])


@pytest.mark.benchmark  # valgrind, about a minute: opt-in (-m benchmark)
def test_step_instructions_quick(tmp_path):
    """Counted with valgrind (CI installs it, as it installs Graphviz for the pictures)."""
    figures_path = tmp_path / "figures.json"
    args = ("--quick", "--json", str(figures_path))
    done = run_benchmark("step_instructions.py", *args, timeout=600)
    assert done.returncode == 0, f"{VALGRIND_HINT}\n{done.stderr}"
    assert "instructions/step" in done.stdout and "vs numpy" in done.stdout
    figures = json.loads(figures_path.read_text())
    rows = {row["name"]: row for row in figures["rows"]}
    assert set(rows) == {"numpy", "manual", "functional", "fit"}
    assert figures["settings"]["steps"] == 40
    assert rows["numpy"]["ratio_to_numpy"] == 1.0
    # A step does real work in every contender, and the engine's adds to the reference's.
    assert all(row["instructions_per_step"] > 10_000 for row in rows.values())
    assert rows["manual"]["over_numpy"] > 0 and rows["fit"]["over_numpy"] > 0
    # the layers and the loss object add calls to the engine's own
    assert rows["manual"]["python_calls_per_step"] > rows["functional"]["python_calls_per_step"]
    assert "Python calls/step" in done.stdout
    assert rows["manual"]["python_calls_per_step"] > rows["numpy"]["python_calls_per_step"] > 0


@pytest.mark.benchmark  # valgrind's cache simulation, minutes: opt-in (-m benchmark)
def test_step_instructions_mnist_quick_simulates_the_caches(tmp_path):
    """The real model's sizes under valgrind's cache simulation: slow (minutes), so one step."""
    figures_path = tmp_path / "figures.json"
    args = ("--model", "mnist", "--quick", "--json", str(figures_path))
    done = run_benchmark("step_instructions.py", *args, timeout=1800)
    assert done.returncode == 0, f"{VALGRIND_HINT}\n{done.stderr}"
    assert "L2 misses/step" in done.stdout and "784 -> 512 relu -> 10" in done.stdout
    figures = json.loads(figures_path.read_text())
    assert figures["settings"]["model"] == "mnist" and figures["settings"]["steps"] == 1
    for row in figures["rows"]:  # a step multiplies megabytes: millions of instructions
        assert row["instructions_per_step"] > 1_000_000
        assert row["last_level_misses_per_step"] > 1_000
        assert row["first_level_misses_per_step"] >= row["last_level_misses_per_step"]


def test_step_instructions_without_valgrind_says_what_to_install(tmp_path):
    no_valgrind = tmp_path / "bin"
    no_valgrind.mkdir()
    (no_valgrind / "python3").symlink_to(sys.executable)
    env = {"PATH": str(no_valgrind)}
    done = run_benchmark("step_instructions.py", "--quick", timeout=120, env=env)
    assert done.returncode == 2
    assert "valgrind is not installed" in done.stderr and "apt-get install valgrind" in done.stderr
    assert done.stdout == ""


def test_engine_lines_counts_code_but_not_docstrings_comments_or_blank_lines(tmp_path):
    package = tmp_path / "tinygrad_edu"
    (package / "ops").mkdir(parents=True)
    module = '"""A module docstring\n\non two lines."""\n\nx = (1 +\n     2)  # a comment\n'
    function = 'def f():\n    """Its docstring."""\n    # a comment\n\n    return 1\n'
    for name in ("autograd.py", "tensor.py", "functional.py", "gradients.py"):
        (package / name).write_text(module)
    (package / "ops" / "__init__.py").write_text(function)
    done = run_benchmark("engine_lines.py", str(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    assert "     2  autograd.py" in done.stdout  # x = (1 + / 2): one statement on two lines
    assert "     2  ops/__init__.py" in done.stdout  # def f(): and return 1
    assert done.stdout.rstrip().endswith("10  engine total")


def test_engine_lines_takes_help_and_quick_like_the_other_benchmarks(tmp_path):
    helped = run_benchmark("engine_lines.py", "--help", timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "usage: engine_lines.py" in helped.stdout and "--quick" in helped.stdout
    figures = tmp_path / "lines.json"
    quick = run_benchmark("engine_lines.py", "--quick", "--json", str(figures), timeout=60)
    assert quick.returncode == 0, quick.stderr
    counts = json.loads(figures.read_text())
    assert counts["total"] == sum(counts["files"].values()) > 1000
    assert f"{counts['total']:6d}  engine total" in quick.stdout
    wrong = run_benchmark("engine_lines.py", str(tmp_path), timeout=60)
    assert wrong.returncode == 1 and "is not a tinygrad-edu checkout" in wrong.stderr
