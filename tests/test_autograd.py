"""The engine: backward, grad(), higher order, grad mode, graph reuse and release, safety checks."""

from __future__ import annotations

import gc
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, enable_grad, grad, is_grad_enabled, no_grad
from tinygrad_edu.autograd import ReleasedTensor, name_scope
from tinygrad_edu.testing import gradcheck
from tinygrad_edu.viz.graph import topological_order


def leaf(values, dtype=np.float64) -> Tensor:
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def current_scope() -> tuple[str, ...]:
    """The name scope a node recorded now is stamped with."""
    return (leaf([1.0]) * 1).grad_fn.scope


def tensors_backward_visits(roots: list[Tensor]) -> list[Tensor]:
    """The tensors the roots depend on through recorded ops, inputs before users."""

    def parents(tensor: Tensor) -> list[Tensor]:
        creator = tensor.grad_fn
        return [t for t in creator.inputs if t.requires_grad] if creator is not None else []

    return topological_order(roots, parents)


# ---------------------------------------------------------------- backward
def test_backward_of_a_non_scalar_without_grad_says_what_to_do():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"one-element.*\(2,\)"):
        y.backward()


def test_backward_with_an_explicit_grad_of_the_output_shape():
    x = leaf([1.0, 2.0])
    (x * x).backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 40.0])
    with pytest.raises(ValueError, match=r"backward.*\(3,\).*\(2,\)"):
        (x * x).backward(np.ones(3))


def test_backward_on_a_tensor_without_graph_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_gradients_accumulate_over_two_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0 + 2.0, 3.0 + 4.0])


def test_only_leaves_and_retain_grad_tensors_keep_grad():
    x = leaf([1.0, 2.0])
    hidden = x * 2
    kept = (x * 3).retain_grad()
    (hidden * kept).sum().backward()
    assert hidden.grad is None
    np.testing.assert_array_equal(kept.grad.data, [2.0, 4.0])
    np.testing.assert_array_equal(x.grad.data, [12.0, 24.0])  # d(6 x^2)/dx


def test_leaf_gradients_are_their_own_writable_arrays():
    # An optimizer may scale or clip p.grad.data in place; that must not change another
    # parameter's gradient, nor the tensor passed to backward.
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    seed = Tensor(np.array([1.0, 1.0]))
    (a + b).backward(seed)
    assert not np.shares_memory(a.grad.data, b.grad.data)
    assert not np.shares_memory(a.grad.data, seed.data)
    x = leaf(np.ones((2, 3)))
    x.sum().backward()
    assert x.grad.data.flags.writeable
    x.grad.data *= 0.5  # as a gradient-clipping step would
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 0.5))


# ---------------------------------------------------------------- grad()
def test_grad_with_several_outputs_inputs_and_grad_outputs():
    x, y = leaf([1.0, 2.0]), leaf([3.0])
    first, second = x * y, (x * x).sum()
    gx, gy = grad([first, second], [x, y], grad_outputs=[np.array([1.0, 10.0]), None])
    np.testing.assert_array_equal(gx.data, [3.0 + 2.0, 30.0 + 4.0])  # y * go + 2x
    np.testing.assert_array_equal(gy.data, [1.0 + 20.0])
    assert x.grad is None and y.grad is None  # grad() leaves .grad alone


def test_grad_of_an_unused_input():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        grad((x * 2).sum(), [x, unused])
    gx, gu = grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.data.tolist() == [2.0] and gu is None


def test_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    hidden = x * 3
    (g,) = grad((hidden * hidden).sum(), hidden)
    np.testing.assert_array_equal(g.data, [6.0, 12.0])  # 2 * hidden
    assert x.grad is None and hidden.grad is None


def test_grad_errors():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"grad_outputs.*\(2,\)|\(2,\).*grad_outputs"):
        grad(x * 2, x)
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        grad((x * 2).sum(), Tensor([1.0]))
    with pytest.raises(ValueError, match="grad_outputs"):
        grad([x.sum(), x.sum()], x, grad_outputs=[None])


# ---------------------------------------------------------------- higher order
def test_second_and_third_derivatives_of_x_cubed():
    x = leaf([2.0, -1.5])
    (first,) = grad((x**3).sum(), x, create_graph=True)
    (second,) = grad(first.sum(), x, create_graph=True)
    (third,) = grad(second.sum(), x)
    np.testing.assert_allclose(first.data, 3 * x.data**2)
    np.testing.assert_allclose(second.data, 6 * x.data)
    np.testing.assert_allclose(third.data, [6.0, 6.0])


def test_backward_with_create_graph_records_the_gradient():
    x = leaf([3.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad.data, [18.0])


def gradient_penalty(x: Tensor, weights: Tensor) -> Tensor:
    """||d loss / d x||^2 for loss = sum(tanh(x @ W)): what a WGAN-GP critic adds."""
    loss = (x @ weights).tanh().sum()
    (dx,) = grad(loss, x, create_graph=True)
    return (dx * dx).sum()


def test_gradient_penalty_backpropagates_to_the_weights():
    rng = np.random.default_rng(3)
    x_values, w_values = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)) * 0.5
    x, weights = leaf(x_values), leaf(w_values)
    gradient_penalty(x, weights).backward()
    assert weights.grad is not None and np.abs(weights.grad.data).sum() > 0

    # central differences on the penalty as a function of the weights alone
    def penalty_of(w: np.ndarray) -> float:
        return gradient_penalty(leaf(x_values), Tensor(w)).item()

    numerical = np.zeros_like(w_values)
    eps = 1e-6
    for index in np.ndindex(w_values.shape):
        up, down = w_values.copy(), w_values.copy()
        up[index] += eps
        down[index] -= eps
        numerical[index] = (penalty_of(up) - penalty_of(down)) / (2 * eps)
    np.testing.assert_allclose(weights.grad.data, numerical, rtol=1e-5, atol=1e-8)
    assert gradcheck(gradient_penalty, [x_values, w_values])


# ---------------------------------------------------------------- grad mode
def test_no_grad_records_nothing():
    x = leaf([1.0])
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
    assert is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_enable_grad_inside_no_grad_records():
    x = leaf([1.0])
    with no_grad():
        with enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad


def test_no_grad_as_a_decorator_and_restored_after_an_error():
    @no_grad()
    def evaluate(t):
        """Run without recording."""
        return t * 2

    x = leaf([1.0])
    assert not evaluate(x).requires_grad
    assert evaluate.__name__ == "evaluate" and "recording" in evaluate.__doc__
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError("inside no_grad")
    assert is_grad_enabled()


def test_detach_shares_values_but_stops_the_gradient():
    x = leaf([1.0, 2.0])
    frozen = (x * 2).detach()
    assert not frozen.requires_grad and frozen.grad_fn is None
    np.testing.assert_array_equal(frozen.data, [2.0, 4.0])
    (x * frozen).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])  # frozen counted as a constant


# ---------------------------------------------------------------- graph structure
class CountingIdentity(Function):
    """y = x, counting how often backward runs."""

    calls = 0

    def forward(self, x):
        return x.data.copy()

    def backward(self, grad):
        CountingIdentity.calls += 1
        return grad


def test_a_reused_node_gets_its_gradients_summed_exactly_once_each():
    CountingIdentity.calls = 0
    x = leaf([3.0])
    y = CountingIdentity.apply(x)  # used four times below
    z = y * y + (y + y)  # y^2 + 2y
    w = z * y  # y^3 + 2y^2
    w.sum().backward()
    assert CountingIdentity.calls == 1
    np.testing.assert_allclose(x.grad.data, [3 * 9.0 + 4 * 3.0])


def test_a_diamond_graph():
    x = leaf([2.0])
    left, right = x.exp(), x * x
    ((left * right) + left).sum().backward()
    e = np.exp(2.0)
    np.testing.assert_allclose(x.grad.data, [e * 4 + e * 4 + e])


@pytest.mark.parametrize("step", ["mul", "add"])
def test_a_100000_node_chain_backpropagates_without_recursion_error(step):
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0001 if step == "mul" else y + 1.0
    assert len(tensors_backward_visits([y])) == 100_001
    y.backward()
    expected = 1.0001**100_000 if step == "mul" else 1.0
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-9)


def test_topological_order_puts_inputs_before_their_users():
    x = leaf([1.0])
    a = x * 2
    b = a + x
    c = b * a
    order = tensors_backward_visits([c])
    position = {id(t): i for i, t in enumerate(order)}
    for t in (a, b, c):
        for parent in t.grad_fn.inputs:
            if parent.requires_grad:
                assert position[id(parent)] < position[id(t)]
    assert order[-1] is c and len(order) == 4


def test_nodes_record_inputs_options_name_and_scope():
    x = leaf(np.ones((2, 3)))
    with name_scope("dense_1"):
        y = x.sum(axis=1, keepdims=True)
    node = y.grad_fn
    assert node.name == "Sum" and node.inputs == (x,)
    assert node.options == {"axis": 1, "keepdims": True}
    assert node.scope == ("dense_1",)
    assert (x * 2).grad_fn.scope == ()


def test_nested_name_scopes_stamp_the_whole_path_and_are_restored():
    x = leaf([1.0])
    assert current_scope() == ()
    with name_scope("model"):
        with name_scope("dense_1"):
            y = x * 2
            assert current_scope() == ("model", "dense_1")
        z = y * 3
        assert current_scope() == ("model",)
    assert current_scope() == ()
    assert y.grad_fn.scope == ("model", "dense_1")
    assert z.grad_fn.scope == ("model",)
    assert (z * 4).grad_fn.scope == ()


def test_name_scope_is_restored_after_an_error_inside():
    with pytest.raises(ZeroDivisionError):
        with name_scope("outer"):
            with name_scope("inner"):
                raise ZeroDivisionError("inside a layer")
    assert current_scope() == ()
    with name_scope("outer"):
        with pytest.raises(ValueError):
            with name_scope("inner"):
                raise ValueError("inside a layer")
        assert current_scope() == ("outer",)
        assert (leaf([1.0]) * 2).grad_fn.scope == ("outer",)


# ---------------------------------------------------------------- releasing the graph
def test_a_second_backward_through_a_released_graph_says_to_retain_it():
    x = leaf([2.0])
    y = (x * x).sum()
    y.backward()
    assert y.grad_fn.released
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_two_backwards_that_accumulate():
    x = leaf([2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [8.0])


def test_grad_releases_the_graph_too_unless_retained():
    x = leaf([2.0])
    y = (x * x).sum()
    grad(y, x, retain_graph=True)
    (g,) = grad(y, x)
    assert g.data.tolist() == [4.0]
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        grad(y, x)


@contextmanager
def without_garbage_collector():
    """Only reference counting frees objects inside: a reference cycle would keep them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def loss_through_an_intermediate(x: Tensor) -> tuple[Tensor, weakref.ref]:
    """(3 relu(2x)).sum(), and a weak reference to relu(2x), which only the graph holds."""
    h = (x * 2).relu()
    return (h * 3).sum(), weakref.ref(h)


def test_backward_frees_an_intermediate_no_one_else_holds():
    x = leaf([1.0, -2.0, 3.0])
    with without_garbage_collector():
        loss, ref = loss_through_an_intermediate(x)
        assert ref() is not None  # the graph holds it: backward will need it
        loss.backward()
        assert ref() is None  # at once, while the loss is still alive
    np.testing.assert_array_equal(x.grad.data, [6.0, 0.0, 6.0])


def test_retain_graph_keeps_the_intermediates_for_a_second_backward():
    x = leaf([1.0, -2.0, 3.0])
    with without_garbage_collector():
        loss, ref = loss_through_an_intermediate(x)
        loss.backward(retain_graph=True)
        assert ref() is not None and not loss.grad_fn.released
        loss.backward()
        assert ref() is None
    np.testing.assert_array_equal(x.grad.data, [12.0, 0.0, 12.0])


def test_a_released_graph_keeps_leaves_and_stands_in_for_what_ops_made():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    held = x.exp()
    held.name = "held"
    loss = held @ w
    loss.backward()
    stand_in, kept_leaf = loss.grad_fn.inputs
    assert isinstance(stand_in, ReleasedTensor) and kept_leaf is w
    assert stand_in.tensor() is held  # the user still holds it: the way back to its values
    assert (stand_in.shape, stand_in.ndim, stand_in.dtype) == ((2,), 1, np.float64)
    assert stand_in.name == "held"
    assert stand_in.grad_fn is held.grad_fn and stand_in.grad_fn.name == "Exp"
    assert stand_in.data is None and stand_in.grad is None
    assert stand_in.requires_grad and not stand_in.is_leaf
    assert stand_in.grad_fn.inputs == (x,) and stand_in.grad_fn.inputs[0] is x
    assert repr(stand_in) == "ReleasedTensor(shape=(2,), dtype=float64, grad_fn=<Exp>)"


def test_a_released_intermediate_no_one_holds_keeps_only_its_op():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    shared = x.exp()
    loss = shared @ w + ((shared * x) * w).sum()
    del shared
    loss.backward()
    dot, total = loss.grad_fn.inputs
    assert dot.tensor() is None and total.tensor() is None
    assert (dot.grad_fn.name, total.grad_fn.name) == ("MatMul", "Sum")
    shared_in_dot, dot_weight = dot.grad_fn.inputs
    assert shared_in_dot.tensor() is None and dot_weight is w
    (scaled,) = total.grad_fn.inputs
    product, scale_weight = scaled.grad_fn.inputs
    shared_in_product, product_x = product.grad_fn.inputs
    assert scale_weight is w and product_x is x
    # One stand-in per tensor, however many ops used it: the graph keeps its shape.
    assert shared_in_product is shared_in_dot and shared_in_dot.grad_fn.name == "Exp"
    assert all(t.data is None for t in (dot, total, scaled, product, shared_in_dot))


def test_a_released_graph_still_refuses_a_second_backward():
    x = leaf([1.0, 2.0])
    loss = ((x * 2).relu() * 3).sum()
    loss.backward()
    for node in (loss.grad_fn, loss.grad_fn.inputs[0].grad_fn):
        assert node.released
    with pytest.raises(RuntimeError, match=r"second time \(at Sum\).*retain_graph=True"):
        loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        grad(loss, x)
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])  # the failed calls added nothing


# ---------------------------------------------------------------- dtypes and shapes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_have_the_shape_and_dtype_of_their_tensor(dtype):
    a = Tensor(np.ones((2, 1, 3), dtype=dtype), requires_grad=True)
    b = Tensor(np.ones((4, 1), dtype=dtype), requires_grad=True)
    ((a * b).exp() @ np.ones((3, 2), dtype=dtype)).sum().backward()
    assert a.grad.shape == a.shape and a.grad.dtype == dtype
    assert b.grad.shape == b.shape and b.grad.dtype == dtype


def test_float32_tensor_with_a_float64_array_keeps_a_float32_gradient():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    (x * np.array([3.0, 4.0]) + np.array([1.0, 1.0])).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    y = Tensor(np.array([1.0], dtype=np.float32), requires_grad=True)
    z = Tensor(np.array([1.0]), requires_grad=True)
    (y * z).sum().backward()
    assert y.grad.dtype == np.float32 and z.grad.dtype == np.float64


# ---------------------------------------------------------------- in-place safety
@pytest.mark.parametrize("change", ["data +=", "data =", "+= under no_grad"])
def test_changing_a_saved_tensor_in_place_is_caught_at_backward(change):
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w).sum()
    if change == "data +=":
        x.data += 1
    elif change == "data =":
        x.data = np.array([5.0, 6.0])
    else:
        with no_grad():
            x += 1
    with pytest.raises(RuntimeError, match=r"Mul.*modified in place"):
        y.backward()


def test_changing_a_saved_output_in_place_is_caught_at_backward():
    x = leaf([1.0])
    y = x.exp()
    with no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match=r"Exp.*modified in place"):
        y.sum().backward()


@pytest.mark.parametrize(
    "make_view",
    [
        lambda t: t[1:],
        lambda t: t.reshape(3, 1),
        lambda t: t.transpose(),
        lambda t: t.detach(),
    ],
    ids=["getitem", "reshape", "transpose", "detach"],
)
def test_changing_a_tensor_seen_through_a_view_never_gives_a_wrong_gradient(make_view):
    # Either backward refuses (as for a directly saved tensor), or it uses the values the
    # forward pass saw. Silently using the new values would be a wrong gradient.
    x = leaf([1.0, 2.0, 3.0])
    view = make_view(x)
    w = Tensor(np.ones(view.shape), requires_grad=True)
    seen = view.data.copy()
    y = (view * w).sum()
    with no_grad():
        x += 10
    try:
        y.backward()
    except RuntimeError as error:
        assert "Mul" in str(error) and "in place" in str(error)
    else:
        np.testing.assert_array_equal(w.grad.data, seen)


def test_in_place_arithmetic_on_a_tensor_that_requires_grad_is_refused_while_recording():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match=r"in-place \+=.*no_grad"):
        x += 1
    with no_grad():
        x -= 0.5  # what an optimizer step does
    assert x.data.tolist() == [0.5]


# ---------------------------------------------------------------- what can require grad
@pytest.mark.parametrize("values", [np.array([1, 2]), np.array([True, False])])
def test_integer_and_bool_tensors_cannot_require_grad(values):
    with pytest.raises(TypeError, match=r"floating-point.*" + str(values.dtype)):
        Tensor(values, requires_grad=True)
    t = Tensor(values)
    with pytest.raises(TypeError, match="floating-point"):
        t.requires_grad = True


def test_casting_to_an_integer_dtype_ends_the_graph():
    x = leaf([1.5, 2.5])
    rounded = x.astype(np.int64)
    assert rounded.dtype == np.int64
    assert not rounded.requires_grad  # integers carry no gradient, as in PyTorch


def test_casting_between_float_dtypes_keeps_the_gradient():
    x = leaf([1.5, 2.5])
    y = x.astype(np.float32)
    assert y.dtype == np.float32 and y.requires_grad
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


# ---------------------------------------------------------------- custom Functions
class ScaledProduct(Function):
    """y = scale * a * b: a Function with two inputs and a keyword option."""

    def forward(self, a, b, scale=1.0):
        self.save_for_backward(a, b)
        self.scale = scale
        return scale * a.data * b.data

    def backward(self, grad):
        a, b = self.saved_tensors
        need_a, need_b = self.needs_input_grad
        return (
            grad * b * self.scale if need_a else None,
            grad * a * self.scale if need_b else None,
        )


def test_a_custom_function_subclass():
    a, b = leaf([1.0, 2.0]), Tensor(np.array([3.0, 4.0]))
    y = ScaledProduct.apply(a, b, scale=2.0)
    np.testing.assert_array_equal(y.data, [6.0, 16.0])
    assert y.grad_fn.name == "ScaledProduct" and y.grad_fn.options == {"scale": 2.0}
    assert y.grad_fn.needs_input_grad == (True, False)
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.data, [6.0, 8.0])
    assert b.grad is None
    assert gradcheck(lambda a, b: ScaledProduct.apply(a, b, scale=-1.5), [a, b])


def test_a_custom_function_without_backward_says_so():
    class ForwardOnly(Function):
        def forward(self, a):
            return a.data * 2

    with pytest.raises(NotImplementedError, match="ForwardOnly"):
        ForwardOnly.apply(leaf([1.0])).sum().backward()


def test_a_backward_returning_the_wrong_shape_is_reported():
    class WrongShape(Function):
        def forward(self, a):
            return a.data.sum()

        def backward(self, grad):
            return grad  # should be broadcast back to a's shape

    with pytest.raises(RuntimeError, match=r"WrongShape.*\(\).*\(3,\)"):
        WrongShape.apply(leaf([1.0, 2.0, 3.0])).backward()


def test_one_name_scope_object_can_be_entered_twice_nested():
    scope = name_scope("a")
    with scope:
        with scope:
            assert current_scope() == ("a", "a")
        assert current_scope() == ("a",)
    assert current_scope() == ()


# ---------------------------------------------------------------- custom Functions (issue 15)
class SquareReturningArray(Function):
    """A user's Function whose backward returns a NumPy array, as newcomers write it."""

    def forward(self, x):
        self.save_for_backward(x)
        return x.data**2

    def backward(self, grad):
        (x,) = self.saved_tensors
        return 2 * x.data * grad.data


class ScaleBy(Function):
    """Two inputs; backward returns an array for one and None ("no gradient") for the other."""

    def forward(self, x, factor):
        self.save_for_backward(factor)
        return x.data * factor.data

    def backward(self, grad):
        (factor,) = self.saved_tensors
        return grad.data * factor.data, None


def test_a_custom_backward_may_return_an_ndarray():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    SquareReturningArray.apply(x).sum().backward()
    assert isinstance(x.grad, Tensor) and x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [2.0, -4.0, 6.0])
    (through_grad,) = grad(SquareReturningArray.apply(x).sum(), [x])
    np.testing.assert_array_equal(through_grad.data, [2.0, -4.0, 6.0])


def test_none_from_a_custom_backward_means_no_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    factor = Tensor([3.0, 4.0], requires_grad=True)
    ScaleBy.apply(x, factor).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    assert factor.grad is None
    assert "no gradient" in Function.__doc__


def test_a_custom_backward_returning_something_else_is_named_in_the_error():
    class Broken(Function):
        def forward(self, x):
            return x.data * 1.0

        def backward(self, grad):
            return [1.0, 2.0]

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"Broken\.backward returned a list as a gradient"):
        Broken.apply(x).sum().backward()


def test_the_walk_hands_each_gradient_over_to_backward():
    # A backward that makes a new gradient from the one it gets can let the old one go,
    # so a step never holds both (LinearRelu's mask relies on it for its peak memory).
    freed = []

    class Rescale(Function):
        def forward(self, a):
            return a.data * 2

        def backward(self, grad):
            incoming = weakref.ref(grad)
            grad = grad * 2
            freed.append(incoming() is None)
            return grad

    x = Tensor(np.ones(3), requires_grad=True)
    (Rescale.apply(Rescale.apply(x) * 3)).sum().backward()
    assert freed == [True, True]
    np.testing.assert_array_equal(x.grad.data, [12.0, 12.0, 12.0])


def test_a_weight_of_a_tensor_subclass_gets_its_gradient():
    class Parameter(Tensor):
        pass

    w = Parameter(np.array([1.0, 2.0]), requires_grad=True)
    x = Tensor(np.array([3.0, 4.0]))
    (x * w).sum().backward()  # the product is a plain Tensor; its gradient reaches w
    np.testing.assert_array_equal(w.grad.data, [3.0, 4.0])
    (w * x).relu().sum().backward()
    np.testing.assert_array_equal(w.grad.data, [6.0, 8.0])
