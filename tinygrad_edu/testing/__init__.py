"""Tools for testing code built on tinygrad-edu: the project's own tests use them, and so can yours.

    from tinygrad_edu.testing import gradcheck, gradgradcheck
    gradcheck(lambda x: (x * x).sum(), [np.array([1.0, 2.0])])

`tinygrad_edu.testing.strategies` holds hypothesis strategies (shapes, arrays,
tensors). It is a separate submodule because it needs hypothesis, which only the
`test` extra installs: `import tinygrad_edu.testing` works without it.
"""

from tinygrad_edu.testing.gradcheck import gradcheck, gradgradcheck

__all__ = ["gradcheck", "gradgradcheck"]
