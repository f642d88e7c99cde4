"""Tensor ops built from the primitives: each is a few lines of Tensor code.

No derivative is written here: every gradient comes from the primitives these
functions call (ops/), so each op differentiates as often as they do. The
Tensor methods (tensor.py) and the top-level functions (`tinygrad_edu.sin`, ...)
call these; `docs/tensor-ops.md` lists them all with their PyTorch names.

    arguments.py    PyTorch's dim/keepdim with NumPy's axis/keepdims as aliases
    elementwise.py  rsqrt, logaddexp, lerp
    activations.py  silu, selu, relu6, hardswish, hardsigmoid, mish, softsign, logsigmoid
    reductions.py   std, cumprod, cummax, cummin
    indexing.py     gather, scatter, scatter_add, sort, topk, flip, roll, tril, diag, ...
    shaping.py      pad, repeat, tile, split, chunk, unflatten
    einsum.py       einsum
    losses.py       cross_entropy (PyTorch's F.cross_entropy)
"""
