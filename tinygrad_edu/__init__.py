"""tinygrad-edu: a small, readable deep-learning framework for learning how networks train.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x**2).sum().backward()
>>> x.grad
Tensor([2., 4., 6.], dtype=float32)
"""

# ruff: noqa: E402  (the imports below come after let_blas_threads_sleep, on purpose)

# First, before anything loads NumPy (and with it OpenBLAS): idle BLAS threads sleep
# instead of spinning on a core (fused/blas_wait.py says why and when it applies).
from tinygrad_edu.fused.blas_wait import let_blas_threads_sleep

let_blas_threads_sleep()

from tinygrad_edu.autograd import Function, enable_grad, is_grad_enabled, no_grad
from tinygrad_edu.creation import (
    arange,
    eye,
    full,
    full_like,
    linspace,
    multinomial,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    uniform,
    zeros,
    zeros_like,
)
from tinygrad_edu.fused.allocation import keep_freed_memory
from tinygrad_edu.fused.threads import get_num_threads, set_num_threads
from tinygrad_edu.gradients import grad
from tinygrad_edu.random import manual_seed
from tinygrad_edu.tensor import Tensor, concatenate, stack, where
from tinygrad_edu.tensor_functions import (
    abs,
    acos,
    all,
    any,
    arccos,
    arcsin,
    arctan,
    argmax,
    argmin,
    argsort,
    asin,
    atan,
    cat,
    ceil,
    chunk,
    clamp,
    clip,
    clone,
    cos,
    cosh,
    cummax,
    cummin,
    cumprod,
    cumsum,
    diag,
    einsum,
    exp,
    exp2,
    flip,
    floor,
    floor_divide,
    fmod,
    gather,
    isfinite,
    isinf,
    isnan,
    lerp,
    log,
    log2,
    log10,
    logaddexp,
    masked_fill,
    maximum,
    mean,
    minimum,
    nonzero,
    prod,
    relu,
    remainder,
    roll,
    round,
    rsqrt,
    scatter,
    scatter_add,
    sigmoid,
    sign,
    sin,
    sinh,
    sort,
    split,
    sqrt,
    std,
    sum,
    tan,
    tanh,
    tile,
    topk,
    tril,
    triu,
    trunc,
    unflatten,
)

__version__ = "0.1.0"

keep_freed_memory()  # a step reuses the memory of the step before (fused/allocation.py)

__all__ = [
    "Tensor",
    "Function",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "manual_seed",
    "set_num_threads",
    "get_num_threads",
    "concatenate",
    "stack",
    "where",
    "zeros",
    "ones",
    "full",
    "rand",
    "randn",
    "uniform",
    "arange",
    "eye",
    "zeros_like",
    "ones_like",
    "full_like",
    "linspace",
    "randint",
    "multinomial",
    # PyTorch's functions of tensors (tensor_functions.py; docs/tensor-ops.md lists them)
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "log2",
    "log10",
    "exp2",
    "rsqrt",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "isnan",
    "isinf",
    "isfinite",
    "logaddexp",
    "lerp",
    "remainder",
    "fmod",
    "floor_divide",
    "clamp",
    "prod",
    "std",
    "all",
    "any",
    "cumsum",
    "cumprod",
    "cummax",
    "cummin",
    "gather",
    "scatter",
    "scatter_add",
    "masked_fill",
    "nonzero",
    "sort",
    "argsort",
    "topk",
    "flip",
    "roll",
    "tril",
    "triu",
    "diag",
    "split",
    "chunk",
    "unflatten",
    "tile",
    "clone",
    "einsum",
    "cat",
    "abs",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "maximum",
    "minimum",
    "clip",
    "sum",
    "mean",
    "argmax",
    "argmin",
]

# The packages above the engine load when first used, as `torch.nn` and `keras.layers` do:
# `import tinygrad_edu as tg; tg.nn.Dense(10)` works without `import tinygrad_edu.nn`,
# and `import tinygrad_edu` alone stays quick (no graphviz, no Keras namespace).
_SUBPACKAGES = ("nn", "viz", "keras", "datasets", "testing", "exercises", "files", "resampling")


def __getattr__(name: str) -> object:
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBPACKAGES})
