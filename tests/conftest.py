"""Shared test settings.

Hypothesis runs each property 30 times under the default "ci" profile, which
keeps the whole suite quick on a 2-core runner. For a deeper search run
`HYPOTHESIS_PROFILE=thorough python -m pytest tests`.
"""

import os

from hypothesis import settings

# deadline=None: a first call can be slow (imports, caches); timing is not what we test.
settings.register_profile("ci", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
