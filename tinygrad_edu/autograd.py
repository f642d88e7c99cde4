"""The autograd engine: grad mode, the Function base class, and the backward walk.

Every operation is a `Function`. Calling `SomeOp.apply(*tensors)` runs its
`forward` on NumPy arrays and, when gradients are wanted, records the Function
as the output's *creator*. The recorded creators form a graph; `backward`
walks it once, newest node first, calling each creator's `backward`.

This file imports nothing else from the package, so imports run one way:
tensor.py and the ops import it, never the reverse.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import weakref
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # only for type hints; no import at run time (imports run one way)
    from tinygrad_edu.tensor import Tensor

# ---------------------------------------------------------------- grad mode
_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are being recorded for backward (the default)."""
    return _grad_enabled


class _GradMode:
    """Context manager (and decorator) that sets grad mode and restores it after."""

    enabled: bool  # the mode inside: each subclass says which

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):  # noqa: N801 (lower case, as in PyTorch)
    """Record no graph inside: `with no_grad(): ...` or `@no_grad()` on a function.

    For evaluation and for optimizer updates: ops still compute their values
    (same shapes and dtypes), but their outputs have `requires_grad=False` and
    no `grad_fn`, so nothing is kept for backward. The previous mode comes back
    on exit, also when an exception leaves the block. Nesting is fine.
    """

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """Record the graph again inside a `no_grad` block: `with enable_grad(): ...`.

    Used as a decorator too (`@enable_grad()`); restores the previous mode on exit.
    """

    enabled = True


# ---------------------------------------------------------------- name scopes
# The names of the modules (layers) being called right now, outermost first.
# Function.apply stamps them on each node so graph pictures can group ops by
# layer. Like grad mode, it is set and restored by a context manager. A tuple,
# so every node can share it as it is, without a copy.
_scopes: tuple[str, ...] = ()


class name_scope:  # noqa: N801
    """`with name_scope("dense_1"):` tags the ops recorded inside with that name.

    Scopes nest: a node records the whole path, e.g. `("sequential", "dense_1")`,
    in `Function.scope`. Every Module call enters one named after the module.
    The same object may be entered again while it is active.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._outer: list[tuple[str, ...]] = []  # a list: the same object may be re-entered

    def __enter__(self) -> None:
        global _scopes
        self._outer.append(_scopes)
        _scopes = (*_scopes, self.name)

    def __exit__(self, *exc_info: object) -> None:
        global _scopes
        _scopes = self._outer.pop()


# ---------------------------------------------------------------- Function
# Numbers recorded nodes in the order they were made. A node is always made after
# the nodes that made its inputs, so "highest number first" visits every node
# after all the nodes that use its output: the order backward needs, for free.
_sequence_numbers = itertools.count(1)


def _shares_memory(a: Tensor, b: Tensor) -> bool:
    return a._data.base is not None and (a._data.base is b._data or a._data.base is b._data.base)


class Function:
    """One recorded operation: `forward` on arrays, `backward` on Tensors.

    Subclasses write
        forward(self, *inputs: Tensor, **options) -> np.ndarray   (uses input.data)
        backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]
    and are called as `MyOp.apply(*tensors, **options)`. `backward` returns one
    gradient per input, of that input's shape, and is written with Tensor
    operations, so that with `create_graph=True` its own work is recorded too.
    None for an input means "no gradient" (as in PyTorch): that input gets
    nothing from this node; return it where `self.needs_input_grad[i]` is False.
    A NumPy array is accepted too and wrapped in a Tensor, but records nothing,
    so it cannot be differentiated again.
    """

    returns_view = False  # True for ops whose output may share memory with input 0

    # What a node that is not recorded has: `apply` makes a Function for every op,
    # and fills these in only for the ones it records.
    inputs: tuple[Tensor, ...] = ()
    needs_input_grad: tuple[bool, ...] = ()
    _saved: tuple[tuple[Tensor, int], ...] = ()
    _output_ref: Callable[[], Tensor | None] | None = None
    _output_version = 0
    released = False
    scope: tuple[str, ...] = ()  # the modules that were running when it was recorded
    options: dict[str, Any] = {}  # the keyword options it was applied with (never mutated)
    _recording = False  # True while forward runs for a node that will be recorded
    sequence = 0  # when it was recorded: every recorded node gets a higher number than the last
    # For a node recorded by an in-place op (x += y): the tensor holding x's value from
    # before, which took x's place in the graph for the ops that had used x until then.
    overwrote: Tensor | None = None

    @property
    def name(self) -> str:
        """The op's class name, e.g. "MatMul" (shown in reprs, errors and pictures)."""
        return type(self).__name__

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run `forward` on `inputs` and, if any of them requires grad, record the node.

        Args:
            inputs: Tensors (at least one); the output has the class of the first.
            options: keyword settings passed on to `forward` (kept as `self.options`).
        Returns:
            A new Tensor holding what `forward` returned (its shape and dtype).
            It requires grad when grad mode is on and some input requires grad.
        Raises:
            ValueError, IndexError: what `forward` raised, prefixed with the op's
                name and the input shapes.
        """
        function = cls()
        needs_input_grad = tuple(map(attrgetter("_requires_grad"), inputs)) if _grad_enabled else ()
        requires_grad = True in needs_input_grad
        function._recording = requires_grad  # save_for_backward keeps nothing otherwise
        try:
            data = function.forward(*inputs, **options)
        except (ValueError, IndexError) as error:  # say which op failed, and on what
            shapes = ", ".join(str(t.shape) for t in inputs)
            kind = IndexError if isinstance(error, IndexError) else ValueError
            raise kind(f"{cls.__name__}: {error} (input shapes: {shapes})") from error
        if requires_grad and data.dtype.kind != "f":
            requires_grad = False  # an integer or bool result has no gradient: the graph ends
        # Build the output with the inputs' own class, so this file needn't import tensor.py.
        output = type(inputs[0])._from_op(data, requires_grad)
        if cls.returns_view and _shares_memory(output, inputs[0]):
            output._versions = inputs[0]._versions  # a view: edits to either are edits to both
        if requires_grad:
            function.inputs = inputs
            function.options = options
            function.scope = _scopes
            function.needs_input_grad = needs_input_grad
            function.sequence = next(_sequence_numbers)
            # A weak reference: the output already points at us, so a strong one
            # back would make a reference cycle that only the garbage collector frees.
            function._output_ref = weakref.ref(output)
            function._output_version = output._versions[0]  # a view shares its base's count
            output._creator = function
        return output

    def forward(self, *inputs: Tensor, **options: Any) -> Any:
        """Compute the output as a NumPy array from `input.data` (subclasses write it)."""
        raise NotImplementedError(f"{self.name} must implement forward")

    def backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]:
        """Gradients of the inputs, given `grad` (the output's shape); subclasses write it."""
        raise NotImplementedError(f"{self.name} has no backward")

    # -- what backward may read: checked against in-place changes
    def save_for_backward(self, *tensors: Tensor) -> None:
        """Keep `tensors` for backward (call it in forward); read them as `saved_tensors`.

        Each one's version is remembered, so an in-place change made to it before
        backward is caught there instead of giving a wrong gradient. Nothing is
        kept when the node is not being recorded.
        """
        if self._recording:  # without a recorded node, nothing will ever read them
            self._saved = tuple([(tensor, tensor._versions[0]) for tensor in tensors])

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        """The tensors given to `save_for_backward`, in that order.

        Raises:
            RuntimeError: one of them was changed in place since it was saved.
        """
        for position, (tensor, version) in enumerate(self._saved):
            if tensor._versions[0] != version:
                raise RuntimeError(
                    f"{self.name}.backward: saved tensor {position} (shape {tensor.shape}) was "
                    f"modified in place after {self.name} used it (version {version} -> "
                    f"{tensor._versions[0]}); its gradient would be wrong. Change data only "
                    "outside the graph, or make a new tensor instead of editing in place."
                )
        return tuple([tensor for tensor, _ in self._saved])

    @property
    def output(self) -> Tensor:
        """The tensor this Function produced (for ops whose derivative reuses it).

        Raises:
            RuntimeError: the output is no longer alive, or was changed in place.
        """
        output = self._output_ref() if self._output_ref is not None else None
        if output is None:
            raise RuntimeError(f"{self.name}.backward: its output is no longer alive")
        if output._versions[0] != self._output_version:
            raise RuntimeError(
                f"{self.name}.backward: its output (shape {output.shape}) was modified in "
                f"place (version {self._output_version} -> {output._versions[0]}); its gradient "
                "would be wrong."
            )
        return output

    def release(self) -> None:
        """Drop what was saved for backward, and stop holding the inputs' values.

        The graph's shape stays (it can still be drawn): leaves are kept as they
        are, and each input that an op made is replaced by its `ReleasedTensor`,
        which remembers that op but not the values. So an intermediate array
        nobody else holds is freed now, not when the whole step ends, as in
        PyTorch, whose graph holds ops rather than values. The walk calls it
        once per node, after the node's backward has run.
        """
        self.released = True
        self._saved = ()
        self._output_ref = None
        inputs = []
        for tensor in self.inputs:
            if tensor._creator is not None:  # made by an op: keep only the way back to it
                if tensor._stand_in is None:  # one stand-in per tensor, however many ops used it
                    tensor._stand_in = ReleasedTensor(tensor)
                tensor = tensor._stand_in
            inputs.append(tensor)
        self.inputs = tuple(inputs)


class ReleasedTensor:
    """What a released graph keeps of a tensor an op made: the way back to that op.

    It has the tensor's shape, dtype, name and `grad_fn` (so the graph can still
    be walked and drawn), and `tensor()` gives the tensor itself while anyone
    else still holds it. It has no values of its own.
    """

    # No per-object dict: one is made for every intermediate of every training step.
    __slots__ = ("tensor", "grad_fn", "shape", "dtype", "name")

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = weakref.ref(tensor)
        self.grad_fn = tensor._creator
        self.shape, self.dtype, self.name = tensor._data.shape, tensor._data.dtype, tensor.name

    requires_grad = True
    is_leaf = False
    grad = None
    data = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        op = self.grad_fn.name if self.grad_fn is not None else "?"
        return f"ReleasedTensor(shape={self.shape}, dtype={self.dtype}, grad_fn=<{op}>)"


def constant_like(like: Tensor, array: Any) -> Tensor:
    """`array` as a tensor of `like`'s class that records nothing: a constant in a formula.

    For ops whose backward needs a constant array as a Tensor (this file and the
    ops cannot import tensor.py, so they make it through `like`'s class).
    """
    return type(like)._from_op(array, False)


# ---------------------------------------------------------------- the walk
# Something that watches backward run (viz.watch_backward sets it while it records;
# None otherwise, and then the walk pays one `is None` check per step). It is told
# each step as it happens, so what it records is what backward did, not a replay.
_observer: Any = None


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
) -> dict[int, Tensor]:
    """Propagate gradients from `roots` to every tensor they depend on.

    Nodes run newest first: a heap hands out the waiting tensor whose creator
    has the highest sequence number. Every op that used that tensor was recorded
    later, so it has run already and the tensor's gradient is complete. (The
    order PyTorch uses: no sort up front, and only nodes a gradient reaches are
    visited.) Leaves get their gradients at the end.

    With `capture=None` (what `Tensor.backward` does) gradients accumulate into
    the `.grad` of leaves and of tensors that called `retain_grad()`. Otherwise
    (what `grad()` does) nothing's `.grad` changes and the gradients of the
    `capture` tensors are returned, keyed by `id`.
    """
    pending: dict[int, Tensor] = {}  # id(tensor) -> the gradient it has received so far
    waiting: list[tuple[int, Tensor]] = []  # heap of (-sequence, tensor): newest op on top
    leaves: list[Tensor] = []  # tensors no op made, in the order their first gradient came
    wanted = {id(t) for t in capture} if capture is not None else set()
    captured: dict[int, Tensor] = {}
    # ids of arrays someone outside the walk holds: the callers' seeds, then each
    # array stored in a .grad. (See _keep_grad.)
    handed_out = {id(g._data) for g in root_grads}

    def deliver(tensor: Tensor, grad: Tensor) -> None:  # a tensor's gradient is complete
        if capture is None:
            _keep_grad(tensor, grad, handed_out, create_graph)
        elif id(tensor) in wanted:
            captured[id(tensor)] = grad

    observer = _observer
    with enable_grad() if create_graph else no_grad():  # record backward only for higher order
        for root, root_grad in zip(roots, root_grads):
            _receive(root, root_grad, pending, waiting, leaves)
        if observer is not None:
            observer.started(roots, root_grads, waiting)
        while waiting:
            tensor = heapq.heappop(waiting)[1]
            grad = _complete(tensor, pending.pop(id(tensor)))
            if observer is not None:
                observer.popped(tensor, grad)
            if tensor._retains_grad or id(tensor) in wanted:
                deliver(tensor, grad)
            creator = tensor._creator
            # Hand the gradient over instead of keeping it (CPython passes on an argument
            # the caller no longer names): a backward that makes a new gradient from it
            # first (LinearRelu's mask) can then let it go, and the step never holds both.
            grad_class, handed_over = type(grad), [grad]
            del grad
            input_grads = creator.backward(handed_over.pop())
            if not isinstance(input_grads, tuple):  # one input: one gradient
                input_grads = (input_grads,)
            for parent, parent_grad in zip(creator.inputs, input_grads):
                if parent_grad is None:
                    continue
                if parent._creator is not None and parent._creator.sequence > creator.sequence:
                    parent = _value_seen_by(parent, creator)  # changed in place since
                if parent._requires_grad:
                    parent_grad = _checked(creator, parent, parent_grad, grad_class)
                    if observer is not None:
                        observer.passed(parent, parent_grad)
                    _receive(parent, parent_grad, pending, waiting, leaves)
            if observer is not None:
                observer.finished(creator, released=not retain_graph)
            if not retain_graph:
                creator.release()
            input_grads = parent = parent_grad = None  # in `pending` now: hold none of them
        for leaf in leaves:  # every op has run: the leaves' gradients are complete
            leaf_grad = _complete(leaf, pending.pop(id(leaf)))
            deliver(leaf, leaf_grad)
            if observer is not None:
                observer.delivered(leaf, leaf_grad)
    return captured


def _value_seen_by(tensor: Tensor, user: Function) -> Tensor:
    """The tensor holding the value `user` read from `tensor`, before later in-place ops.

    An op is always recorded after the op that made its input; if `tensor`'s
    creator is newer than `user`, an in-place op (x += y) has made `tensor` its
    output since, and left the older value behind (`overwrote`).
    """
    while tensor._creator is not None and tensor._creator.sequence > user.sequence:
        tensor = tensor._creator.overwrote
    return tensor


def _complete(tensor: Tensor, grad: Tensor) -> Tensor:
    """A tensor's gradient, all its uses added up, in its own dtype: float16 gradients are
    added up in float32 (`_receive`), since float16 counts stop being exact at 2048."""
    return grad if grad._data.dtype == tensor._data.dtype else grad.astype(tensor._data.dtype)


def _receive(tensor: Tensor, grad: Tensor, pending: dict, waiting: list, leaves: list) -> None:
    """Add `grad` to what `tensor` has received; on its first gradient, queue the tensor."""
    previous = pending.get(id(tensor))
    if previous is not None:
        if previous._data.dtype == np.float16:  # many uses: add up in float32 (see _complete)
            previous = previous.astype(np.float32)
        pending[id(tensor)] = previous + grad
        return
    pending[id(tensor)] = grad
    creator = tensor._creator
    if creator is None:
        leaves.append(tensor)
    elif creator.released:  # the one place a released graph is noticed
        raise RuntimeError(
            f"Trying to backward through the graph a second time (at {creator.name}): its "
            "saved arrays were released by the first backward. Pass retain_graph=True "
            "to the first backward() or grad() call if you need to go through it again."
        )
    else:
        heapq.heappush(waiting, (-creator.sequence, tensor))


def _checked(creator: Function, parent: Tensor, grad: Any, grad_class: type) -> Tensor:
    """`grad` for `parent` as a Tensor in the parent's dtype; an error if a backward got it wrong.

    A custom backward may return a NumPy array (or a number); it becomes a Tensor
    of `grad_class` (the class of the gradient the node was given) that records nothing.
    """
    if not isinstance(grad, grad_class):
        if not isinstance(grad, (np.ndarray, np.generic, int, float)) or isinstance(grad, bool):
            raise TypeError(
                f"{creator.name}.backward returned a {type(grad).__name__} as a gradient; "
                "return a Tensor (or a NumPy array) per input, or None for no gradient"
            )
        grad = grad_class._from_op(np.asarray(grad), False)
    parent_data, grad_data = parent._data, grad._data
    if grad_data.shape != parent_data.shape:
        raise RuntimeError(
            f"{creator.name}.backward returned a gradient of shape "
            f"{grad_data.shape} for an input of shape {parent_data.shape}"
        )
    return grad if grad_data.dtype == parent_data.dtype else grad.astype(parent_data.dtype)


def _keep_grad(tensor: Tensor, grad: Tensor, handed_out: set[int], create_graph: bool) -> None:
    """Add `grad` to `tensor.grad` (a leaf, or a tensor that called retain_grad()).

    A first gradient is stored as it is when its array is the walk's alone.
    The walk may pass one array to several tensors (a + b gives both the same
    gradient), pass the caller's seed on, or pass a read-only broadcast view:
    then .grad gets a copy, so an optimizer may change it in place safely.
    """
    if tensor.grad is not None:
        grad = tensor.grad + grad  # a new array
    elif not create_graph and (id(grad._data) in handed_out or grad._data.base is not None):
        grad = type(grad)._from_op(grad._data.copy(), False)
    tensor.grad = grad
    handed_out.add(id(grad._data))
