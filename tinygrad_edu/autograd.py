"""The autograd engine: grad mode, the Function base class, and the backward walk.

Every operation is a `Function`. Calling `SomeOp.apply(*tensors)` runs its
`forward` on NumPy arrays and, when gradients are wanted, records the Function
as the output's *creator*. The recorded creators form a graph; `backward`
walks it once, newest node first, calling each creator's `backward`.

This file imports nothing else from the package, so imports run one way:
tensor.py and the ops import it, never the reverse.
"""

from __future__ import annotations

import heapq
import itertools
import operator
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # only for type hints; no import at run time (imports run one way)
    from tinygrad_edu.tensor import Tensor

# ---------------------------------------------------------------- grad mode
_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are being recorded for backward."""
    return _grad_enabled


class _GradMode:
    """Context manager (and decorator) that sets grad mode and restores it after."""

    enabled = True

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return function(*args, **kwargs)

        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = function.__doc__
        return wrapper


class no_grad(_GradMode):  # noqa: N801 (lower case, as in PyTorch)
    """`with no_grad():` records no graph: for evaluation and optimizer updates."""

    enabled = False


class enable_grad(_GradMode):  # noqa: N801
    """`with enable_grad():` records the graph again inside a `no_grad` block."""

    enabled = True


# ---------------------------------------------------------------- name scopes
# The names of the modules (layers) being called right now, outermost first.
# Function.apply stamps them on each node so graph pictures can group ops by
# layer. Like grad mode, it is set and restored by a context manager. A tuple,
# so every node can share it as it is, without a copy.
_scopes: tuple[str, ...] = ()


class name_scope:  # noqa: N801
    """`with name_scope("dense_1"):` tags the ops recorded inside with that name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._outer: list[tuple[str, ...]] = []  # a list: the same object may be re-entered

    def __enter__(self) -> None:
        self._outer.append(enter_scope(self.name))

    def __exit__(self, *exc_info: object) -> None:
        leave_scope(self._outer.pop())


def enter_scope(name: str) -> tuple[str, ...]:
    """Add `name` to the current scope; returns the scope to go back to afterwards.

    What name_scope does, as two plain calls: Module.__call__ runs for every
    layer of every step, and skipping the context-manager object is cheaper.
    """
    global _scopes
    outer = _scopes
    _scopes = (*outer, name)
    return outer


def leave_scope(outer: tuple[str, ...]) -> None:
    """Go back to the scope `enter_scope` returned."""
    global _scopes
    _scopes = outer


def current_scope() -> tuple[str, ...]:
    """The module names active now, outermost first (empty outside any module)."""
    return _scopes


# ---------------------------------------------------------------- Function
# Numbers recorded nodes in the order they were made. A node is always made after
# the nodes that made its inputs, so "highest number first" visits every node
# after all the nodes that use its output: the order backward needs, for free.
_sequence_numbers = itertools.count(1)


# t._requires_grad for each input, read in C: every op of every step runs this, and
# a comprehension would be one more Python function call each time.
_requires_grad = operator.attrgetter("_requires_grad")


def _shares_memory(a: Tensor, b: Tensor) -> bool:
    return a.data.base is not None and (a.data.base is b.data or a.data.base is b.data.base)


class Function:
    """One recorded operation: `forward` on arrays, `backward` on Tensors.

    Subclasses write
        forward(self, *inputs: Tensor, **options) -> np.ndarray   (uses input.data)
        backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]
    `backward` returns one gradient per input, of that input's shape, and is
    written with Tensor operations, so that with `create_graph=True` its own work
    is recorded too. None for an input means "no gradient" (as in PyTorch): that
    input gets nothing from this node; return it where `self.needs_input_grad[i]`
    is False. A NumPy array is accepted too and wrapped in a Tensor, but records
    nothing, so it cannot be differentiated again.
    """

    returns_view = False  # True for ops whose output may share memory with input 0
    # True for a node whose first-order backward writes into the gradient array it is
    # given, to save making another as big (Linear with relu masks it in place). The
    # walk then hands it an array that no one else holds, copying it first if need be.
    overwrites_grad = False

    # The defaults of every node, as class attributes: `apply` creates a Function
    # for every op, recorded or not, so not setting eight attributes per call in an
    # __init__ is a measurable saving. `apply` sets the real values when it records.
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

    @property
    def name(self) -> str:
        return type(self).__name__

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run forward and, if any input requires grad, record the node."""
        function = cls()
        needs_input_grad = tuple(map(_requires_grad, inputs)) if _grad_enabled else ()
        requires_grad = True in needs_input_grad
        function._recording = requires_grad  # save_for_backward keeps nothing otherwise
        try:
            data = function.forward(*inputs, **options)
        except (ValueError, IndexError) as error:  # say which op failed, and on what
            shapes = ", ".join(str(t.shape) for t in inputs)
            kind = IndexError if isinstance(error, IndexError) else ValueError
            raise kind(f"{cls.__name__}: {error} (input shapes: {shapes})") from error
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
        raise NotImplementedError(f"{self.name} must implement forward")

    def backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{self.name} has no backward")

    # -- what backward may read: checked against in-place changes
    def save_for_backward(self, *tensors: Tensor) -> None:
        """Keep tensors for backward, remembering their version to catch in-place edits."""
        if self._recording:  # without a recorded node, nothing will ever read them
            saved = []
            for tensor in tensors:
                saved.append((tensor, tensor._versions[0]))
            self._saved = tuple(saved)

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        if self.released:
            self._check_not_released()  # raises the error that explains retain_graph
        tensors = []
        for position, (tensor, version) in enumerate(self._saved):
            if tensor._versions[0] != version:
                raise RuntimeError(
                    f"{self.name}.backward: saved tensor {position} (shape {tensor.shape}) was "
                    f"modified in place after {self.name} used it (version {version} -> "
                    f"{tensor._version}); its gradient would be wrong. Change data only "
                    "outside the graph, or make a new tensor instead of editing in place."
                )
            tensors.append(tensor)
        return tuple(tensors)

    @property
    def output(self) -> Tensor:
        """The tensor this Function produced (for ops whose derivative reuses it)."""
        if self.released:
            self._check_not_released()  # raises the error that explains retain_graph
        output = self._output_ref() if self._output_ref is not None else None
        if output is None:
            raise RuntimeError(f"{self.name}.backward: its output is no longer alive")
        if output._versions[0] != self._output_version:
            raise RuntimeError(
                f"{self.name}.backward: its output (shape {output.shape}) was modified in "
                f"place (version {self._output_version} -> {output._version}); its gradient "
                "would be wrong."
            )
        return output

    def _check_not_released(self) -> None:
        if self.released:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at {self.name}): its "
                "saved arrays were released by the first backward. Pass retain_graph=True "
                "to the first backward() or grad() call if you need to go through it again."
            )

    def release(self) -> None:
        """Drop what was saved for backward, and stop holding the inputs' values.

        The graph's shape stays (it can still be drawn): leaves are kept as they
        are, and each input that an op made is replaced by its `ReleasedTensor`,
        which remembers that op but not the values. So an intermediate array
        nobody else holds is freed now, not when the whole step ends, as in
        PyTorch, whose graph holds ops rather than values.
        """
        if self.released:
            return
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
    """`array` as a tensor of `like`'s class with no graph behind it.

    For backward formulas worked out on plain arrays: in a first-order backward
    nothing is recorded, so making a Function per step would be wasted time.
    (A function here, because this file does not import tensor.py.)
    """
    return type(like)._from_op(array, False)


# ---------------------------------------------------------------- the walk
def depth_first_order(roots: Iterable[Any], parents_of: Callable[[Any], Iterable[Any]]) -> list:
    """Every node reachable from `roots` through `parents_of`, each once, parents first.

    Iterative depth-first search with an explicit stack, so a 100,000-node chain
    cannot hit Python's recursion limit. A node whose parents are all in order
    is marked by a None on the stack. `topological_order` and the graph
    pictures both use it; they differ only in which parents they follow.
    """
    order: list = []
    visited: set[int] = set()
    stack: list = list(roots)
    waiting: list = []  # nodes whose parents are being visited, newest last
    while stack:
        node = stack.pop()
        if node is None:  # all parents of the newest waiting node are in order
            order.append(waiting.pop())
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append(None)
        waiting.append(node)
        for parent in parents_of(node):
            if id(parent) not in visited:
                stack.append(parent)
    return order


def topological_order(roots: Iterable[Tensor]) -> list[Tensor]:
    """Every tensor the roots depend on through recorded ops, inputs before users.

    The tensors backward would visit, listed for a reader or a test. Backward
    itself needs no list: it orders nodes by their sequence numbers as it goes.
    """
    return depth_first_order(roots, _parents_needing_grad)


def _parents_needing_grad(tensor: Tensor) -> tuple[Tensor, ...]:
    creator = tensor._creator
    if creator is None:
        return ()
    if creator.released:
        creator._check_not_released()  # raises the error that explains retain_graph
    return tuple([parent for parent in creator.inputs if parent._requires_grad])


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
    global _grad_enabled
    pending: dict[int, Tensor] = {}  # id(tensor) -> the gradient it has received so far
    waiting: list[tuple[int, Tensor]] = []  # heap of (-sequence, tensor): newest op on top
    leaves: list[Tensor] = []  # tensors no op made, in the order their first gradient came
    for root, root_grad in zip(roots, root_grads):
        previous = pending.get(id(root))
        pending[id(root)] = root_grad if previous is None else previous + root_grad
        if previous is None:
            _schedule(root, waiting, leaves)
    wanted = {id(t) for t in capture} if capture is not None else set()
    captured: dict[int, Tensor] = {}
    # ids of gradient arrays that someone outside the walk holds (so no one may write
    # into them): the callers' seeds, and arrays stored in a .grad or captured
    shared: set[int] = set()
    for root_grad in root_grads:
        shared.add(id(root_grad._data))

    tensor_type = type(root_grads[0]) if root_grads else object
    saved_mode = _grad_enabled
    _grad_enabled = create_graph  # record the backward's own ops only for higher order
    try:
        while waiting:
            tensor = heapq.heappop(waiting)[1]
            grad = pending.pop(id(tensor))
            creator = tensor._creator
            if capture is not None:
                if id(tensor) in wanted:
                    _capture(tensor, grad, captured, shared)
            elif tensor._retains_grad:
                _keep_grad(tensor, grad, shared, create_graph)
            if (
                creator.overwrites_grad
                and not create_graph
                and _held_elsewhere(grad, shared, pending)
            ):
                grad = constant_like(grad, grad._data.copy())  # so it writes into its own
            input_grads = creator.backward(grad)
            if not isinstance(input_grads, tuple):  # one input: one gradient
                input_grads = (input_grads,)
            for parent, parent_grad in zip(creator.inputs, input_grads):
                if parent_grad is None or not parent._requires_grad:
                    continue
                if not isinstance(parent_grad, tensor_type):  # a custom backward's array
                    parent_grad = _wrap_gradient(creator, parent_grad, grad)
                # Read the arrays once: this loop runs for every edge of the graph.
                parent_data, grad_data = parent._data, parent_grad._data
                if grad_data.shape != parent_data.shape:
                    raise RuntimeError(
                        f"{creator.name}.backward returned a gradient of shape "
                        f"{grad_data.shape} for an input of shape {parent_data.shape}"
                    )
                if grad_data.dtype != parent_data.dtype:
                    parent_grad = parent_grad.astype(parent_data.dtype)
                previous = pending.get(id(parent))
                if previous is None:  # its first gradient: it now waits for its turn
                    pending[id(parent)] = parent_grad
                    _schedule(parent, waiting, leaves)
                else:
                    pending[id(parent)] = previous + parent_grad
            if not retain_graph:
                creator.release()
        for leaf in leaves:  # every op has run: the leaves' gradients are complete
            grad = pending.pop(id(leaf))
            if capture is not None:
                if id(leaf) in wanted:
                    _capture(leaf, grad, captured, shared)
            else:
                _keep_grad(leaf, grad, shared, create_graph)
    finally:
        _grad_enabled = saved_mode
    return captured


def _wrap_gradient(creator: Function, gradient: Any, like: Tensor) -> Tensor:
    """A gradient a custom backward returned as a NumPy array (or number), as a Tensor."""
    if not isinstance(gradient, (np.ndarray, np.generic, int, float)) or isinstance(gradient, bool):
        raise TypeError(
            f"{creator.name}.backward returned a {type(gradient).__name__} as a gradient; "
            "return a Tensor (or a NumPy array) per input, or None for no gradient"
        )
    return constant_like(like, np.asarray(gradient))


def _schedule(tensor: Tensor, waiting: list, leaves: list) -> None:
    """Queue a tensor that has just received its first gradient."""
    creator = tensor._creator
    if creator is None:
        leaves.append(tensor)
        return
    if creator.released:
        creator._check_not_released()  # raises the error that explains retain_graph
    heapq.heappush(waiting, (-creator.sequence, tensor))


def _capture(tensor: Tensor, grad: Tensor, captured: dict[int, Tensor], shared: set[int]) -> None:
    """Keep `grad` for `grad()` to return; from now on the caller holds its array (and base)."""
    captured[id(tensor)] = grad
    shared.add(id(grad._data))
    if grad._data.base is not None:  # a view: its base is held too
        shared.add(id(grad._data.base))


def _is_shared(array: Any, shared: set[int]) -> bool:
    """True if someone else may hold `array` too: it is listed, a view, or read-only."""
    return id(array) in shared or array.base is not None or not array.flags.writeable


def _held_elsewhere(grad: Tensor, shared: set[int], pending: dict[int, Tensor]) -> bool:
    """True unless the walk's `grad` is the only holder of its array, so it may be written.

    Besides the checks of `_is_shared`, another tensor's pending gradient may be the
    same array (a + b gives both the same one) or a view of it (passed on by a reshape).
    """
    array = grad._data
    if _is_shared(array, shared):
        return True
    for other in pending.values():
        if other._data is array or other._data.base is array:
            return True
    return False


def _keep_grad(tensor: Tensor, grad: Tensor, shared: set[int], create_graph: bool) -> None:
    """Add `grad` to `tensor.grad` (a leaf, or a tensor that called retain_grad())."""
    if not create_graph and _is_shared(grad._data, shared):
        # The walk may pass one array to several tensors (a + b gives both the same
        # gradient) or pass a read-only broadcast view: give .grad its own.
        grad = constant_like(grad, grad._data.copy())
    tensor.grad = grad if tensor.grad is None else tensor.grad + grad
    shared.add(id(tensor.grad._data))
