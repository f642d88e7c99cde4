"""The benchmark scripts run to the end (quick mode). Timings are printed, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_engine_overhead_quick(tmp_path):
    figures_path = tmp_path / "figures.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "engine_overhead.py"),
            "--quick",
            "--json",
            str(figures_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for expected in ("engine us", "numpy us", "overhead us", "ratio", "us per node", "100k / 10k"):
        assert expected in done.stdout
    for op in ("add", "mul", "exp", "tanh", "relu", "sum"):
        assert f"\n{op} " in done.stdout
    figures = json.loads(figures_path.read_text())
    assert [row["nodes"] for row in figures["chains"]] == [1_000, 10_000, 100_000]
    assert {row["op"] for row in figures["small_ops"]} >= {"add", "mul", "exp", "tanh", "relu"}
    assert all(row["engine_us"] > 0 and row["numpy_us"] > 0 for row in figures["small_ops"])
