"""fused/allocation.py: glibc malloc is set to keep freed memory, unless asked not to."""

from __future__ import annotations

import subprocess
import sys

CODE = "import tinygrad_edu.fused.allocation as a, tinygrad_edu; print(a._done)"


def run(env_value: str | None) -> str:
    env = {"PATH": "/usr/bin:/bin"}
    if env_value is not None:
        env["TINYGRAD_EDU_MALLOC"] = env_value
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_tinygrad_edu_sets_malloc_to_keep_freed_memory():
    assert run(None) == "True"


def test_tinygrad_edu_malloc_default_leaves_malloc_alone():
    assert run("default") == "False"


def test_an_unknown_setting_is_a_clear_error_and_case_does_not_matter():
    env = {"PATH": "/usr/bin:/bin", "TINYGRAD_EDU_MALLOC": "jemallocc"}
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert "TINYGRAD_EDU_MALLOC must be 'keep' or 'default', got 'jemallocc'" in done.stderr
    assert run("DEFAULT") == "False" and run("keep") == "True"
