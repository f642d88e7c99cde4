"""Page faults and CPU time of a training step, with glibc malloc kept (the default) or not.

Run it twice to compare fused/allocation.py's setting with its twin, glibc's defaults:

    OPENBLAS_NUM_THREADS=1 python benchmarks/page_faults.py
    OPENBLAS_NUM_THREADS=1 TINYGRAD_EDU_MALLOC=default python benchmarks/page_faults.py

Minor page faults (a fresh page from the kernel, zeroed) do not depend on what
else the machine runs, so they show the setting's effect even when timings cannot.
Each workload runs in a fresh process: what malloc does depends on what the
process freed before.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for _timing, when imported

import busy_machine  # noqa: E402

STEPS = {"book": 100, "fashion": 100, "softmax": 100, "convnet": 20}


def measure(workload: str) -> None:
    steps, batch = STEPS[workload], busy_machine.WORKLOADS[workload][2]
    x, y = busy_machine.images(None, "mnist", batch * steps)
    epoch = busy_machine.edu_epoch(workload, x, y)
    epoch()
    faults, cpu = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time()
    epoch()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    cpu = time.process_time() - cpu
    print(f"{workload:9} {faults / steps:17.1f} {1e3 * cpu / steps:11.2f}", flush=True)


def main() -> None:
    if len(sys.argv) > 1:  # one workload, in this process
        measure(sys.argv[1])
        return
    setting = os.environ.get("TINYGRAD_EDU_MALLOC", "") or "kept (tinygrad-edu's default)"
    print(f"malloc: {setting}; random MNIST-shaped data; one epoch after a warm-up epoch")
    print(f"{'workload':9} {'minor faults/step':>17} {'CPU ms/step':>11}", flush=True)
    for workload in STEPS:
        subprocess.run([sys.executable, __file__, workload], check=True)


if __name__ == "__main__":
    main()
