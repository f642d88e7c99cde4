"""The one random number generator that constructors and initializers draw from.

`manual_seed(seed)` replaces it, which makes every random constructor and
initializer reproducible.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator behind rand, randn, uniform and the nn initializers."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator() -> np.random.Generator:
    """The current generator (look it up on each call: manual_seed replaces it)."""
    return _generator
