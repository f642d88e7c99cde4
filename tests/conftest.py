"""Shared test settings.

Hypothesis runs each property 30 times under the default "ci" profile, which
keeps the whole suite quick on a 2-core runner. For a deeper search run
`HYPOTHESIS_PROFILE=thorough python -m pytest tests`.

Tests that render a picture use the `requires_dot` fixture: without Graphviz's
`dot` program each fails with the same one-line message naming the install
command, rather than with whatever the missing picture breaks further on.
"""

import os
import shutil

import pytest
from hypothesis import settings

# deadline=None: a first call can be slow (imports, caches); timing is not what we test.
settings.register_profile("ci", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


DOT_MISSING = (
    "Graphviz's `dot` program is not on the PATH, and this test renders a picture with it. "
    "Install it (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz) "
    "and run the tests again."
)


@pytest.fixture
def requires_dot() -> None:
    """Fail at once, with the install command, where Graphviz's `dot` is missing."""
    if shutil.which("dot") is None:
        pytest.fail(DOT_MISSING, pytrace=False)
