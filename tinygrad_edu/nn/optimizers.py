"""Optimizers: how each parameter moves, given its gradient. SGD, RMSprop, Adam,
AdamW, Adagrad and Nadam.

Usable by hand, as in PyTorch,

    optimizer = nn.optimizers.RMSprop(model.parameters(), learning_rate=1e-3)
    optimizer.zero_grad(); loss.backward(); optimizer.step()

or by name in `model.compile(optimizer="rmsprop", ...)`, which hands over the
parameters with `set_parameters`.

The update rules are Keras 3's, step for step (written out in each class). The
updates are plain NumPy on `param.data`, done in place (`out=` arguments and a
scratch array per parameter, so no new arrays are made on this hot path), with
no graph recorded: an update is not something to differentiate. Everything
stays in the parameter's dtype: NumPy rounds a Python float (a hyperparameter)
to the dtype of the array it meets, so float32 stays float32.
"""

from __future__ import annotations

import math
import numbers
import weakref
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.nn import saving, schedules
from tinygrad_edu.nn.schedules import LearningRateSchedule
from tinygrad_edu.tensor import Tensor

LearningRate = float | LearningRateSchedule | Callable[[int], float]


def _check_number(owner: str, name: str, value: Any, low: float, high: float) -> float:
    """`value` as a float in [low, high], or a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise ValueError(f"{owner}: {name} must be a number in [{low}, {high}], got {value!r}")
    return float(value)


# Keras 2's argument names that Keras 3 (and this package) dropped, with what replaced them.
RENAMED_ARGUMENTS = {
    "lr": "learning_rate=",
    "decay": (
        "a learning-rate schedule, e.g. learning_rate=nn.schedules.ExponentialDecay(0.01, "
        "decay_steps=1000, decay_rate=0.9) (Keras 2's decay=d meant lr / (1 + d * step))"
    ),
}


def _check_moments(
    owner: str, beta_1: Any, beta_2: Any, epsilon: Any
) -> tuple[float, float, float]:
    """Check the arguments every Adam-family optimizer shares.

    Args:
        owner: the optimizer's name, for the message ("Adam", "Nadam", ...).
        beta_1, beta_2: the decay of the running means of g and g^2, in [0, 1].
        epsilon: >= 0, the step's guard against dividing by zero.

    Returns:
        (beta_1, beta_2, epsilon) as floats.

    Raises:
        ValueError: beta_1 or beta_2 outside [0, 1], or a negative epsilon.
    """
    return (
        _check_number(owner, "beta_1", beta_1, 0.0, 1.0),
        _check_number(owner, "beta_2", beta_2, 0.0, 1.0),
        _check_number(owner, "epsilon", epsilon, 0.0, math.inf),
    )


def _update_moments(
    gradient: np.ndarray,
    state: dict[str, np.ndarray],
    beta_1: float,
    beta_2: float,
) -> None:
    """Move the running means m (of g) and v (of g^2) in `state` one step, in place.

    m = m + (g - m) * (1 - beta_1);  v = v + (g^2 - v) * (1 - beta_2)
    (Kingma & Ba 2015, Algorithm 1, written as Keras 3 does). Uses state["scratch"].
    """
    m, v, scratch = state["m"], state["v"], state["scratch"]
    np.subtract(gradient, m, out=scratch)
    np.multiply(scratch, 1.0 - beta_1, out=scratch)
    np.add(m, scratch, out=m)  # m += (g - m) * (1 - beta_1)
    np.multiply(gradient, gradient, out=scratch)
    np.subtract(scratch, v, out=scratch)
    np.multiply(scratch, 1.0 - beta_2, out=scratch)
    np.add(v, scratch, out=v)  # v += (g^2 - v) * (1 - beta_2)


def _refuse_unknown_arguments(owner: str, unknown: dict[str, Any]) -> None:
    """A clear TypeError for keyword arguments the optimizer does not take.

    Keras 2's `lr` and `decay` are named with what replaced them (old course
    code uses them); anything else gets Python's usual message.
    """
    for name in unknown:
        if name in RENAMED_ARGUMENTS:
            raise TypeError(
                f"{owner}: `{name}` is Keras 2's name, which Keras 3 removed; use "
                f"{RENAMED_ARGUMENTS[name]} instead (e.g. {owner}(learning_rate=0.01))"
                if name == "lr"
                else f"{owner}: `{name}` is Keras 2's name, which Keras 3 removed; use "
                f"{RENAMED_ARGUMENTS[name]}"
            )
        raise TypeError(f"{owner}.__init__() got an unexpected keyword argument '{name}'")


class Optimizer:
    """Base class: keeps the parameters, the step count and the learning rate.

    Subclasses write `update(parameter, gradient, state, learning_rate)`, which
    changes `parameter.data` in place, and `new_state(parameter)` for the arrays
    they keep per parameter (momentum, running averages).

    Gradient clipping, applied to new arrays (never to `param.grad` itself) before
    the update, as Keras does; only one may be set:
      clipnorm:        each gradient g becomes g * clipnorm / max(||g||, clipnorm)
      global_clipnorm: all gradients scaled together by clipnorm / max(global norm, clipnorm)
      clipvalue:       each entry clipped to [-clipvalue, clipvalue]

    Args:
        params: the Tensors to update (each with requires_grad=True), or a Module,
            or None to hand them over later with `set_parameters` (compile does).
            A number or a schedule here is the learning rate, as Keras's first
            argument is: `Adam(1e-3)`, `SGD(schedule)`.
        learning_rate: a number >= 0 (the step size, in units of the parameter per
            unit of gradient), a schedule from `nn.schedules`, or a function of the
            step count `iterations`.
        clipnorm, clipvalue, global_clipnorm: at most one, each a number >= 0.
        Subclasses add their own hyperparameters; Keras 2's `lr` and `decay` are refused
            with the name that replaced them.

    Attributes:
        iterations: how many steps have run (an int; schedules and Adam's bias
            correction read it).
        state: one dict of NumPy arrays per parameter, each of that parameter's shape
            and dtype ("scratch" plus the subclass's running averages).

    Raises:
        TypeError: an unknown keyword argument, or a learning rate that is neither a
            number nor a schedule.
        ValueError: more than one clipping setting, or a negative one; `params` given but
            empty (a model that is not built yet has no weights).
    """

    name = "optimizer"
    # Numbers the optimizer keeps besides `iterations` and the per-parameter state, by
    # attribute name: saved and restored with them (model files, BackupAndRestore).
    scalar_state: tuple[str, ...] = ()

    def __init__(
        self,
        params: Iterable[Tensor] | None = None,
        learning_rate: LearningRate = 0.01,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        **unknown: Any,
    ) -> None:
        owner = type(self).__name__
        _refuse_unknown_arguments(owner, unknown)
        if _is_learning_rate(params):  # Keras's Adam(1e-3) or Adam(schedule): the rate first
            params, learning_rate = None, params
        given = [c for c in (clipnorm, clipvalue, global_clipnorm) if c is not None]
        if len(given) > 1:
            raise ValueError(
                f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be set, got "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        for setting, value in (
            ("clipnorm", clipnorm),
            ("clipvalue", clipvalue),
            ("global_clipnorm", global_clipnorm),
        ):
            if value is not None:
                _check_number(owner, setting, value, 0.0, math.inf)
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.learning_rate = learning_rate
        self.iterations = 0
        self.params: list[Tensor] = []
        self.state: list[dict[str, np.ndarray]] = []
        if params is not None:
            self.set_parameters(params)
            if not self.params:
                raise ValueError(f"{owner}: {NO_WEIGHTS_YET}")

    # ------------------------------------------------------------ settings
    @property
    def learning_rate(self) -> LearningRate:
        """A number, a schedule, or a callable of the step; assign to change it.

        Raises:
            TypeError: on assigning something else (a string, a bool).
            ValueError: on assigning a negative number.
        """
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if isinstance(value, LearningRateSchedule) or (
            callable(value) and not isinstance(value, numbers.Real)
        ):
            if isinstance(value, LearningRateSchedule):  # so float() of it gives the next rate
                value.optimizer_step = _step_counter(self)
            self._learning_rate = value
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            self._learning_rate = _check_number(
                type(self).__name__, "learning_rate", value, 0.0, math.inf
            )
        else:
            raise TypeError(
                f"{type(self).__name__}: learning_rate must be a number, a schedule from "
                f"nn.optimizers.schedules or a function of the step, got {value!r}"
            )

    @property
    def current_learning_rate(self) -> float:
        """The learning rate the next step will use (a schedule evaluated at `iterations`)."""
        if callable(self._learning_rate):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    # ------------------------------------------------------------ parameters
    def set_parameters(self, params: Iterable[Tensor]) -> None:
        """The parameters to update (what compile/fit call). State of ones kept is kept.

        `params` is an iterable of Tensors or a Module (its `parameters()` are used); a
        Tensor listed twice is updated once. New parameters get fresh, zero state.
        A parameter whose requires_grad is off (a frozen layer's) is kept and left
        alone while it has no gradient, as in PyTorch.

        Raises:
            TypeError: an entry that is not a Tensor, or a Tensor computed by an
                operation (not a leaf: its values are not the optimizer's to change).
        """
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()  # a Module was given
        new_params: list[Tensor] = []
        seen: set[int] = set()
        for position, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: parameter {position} is not a Tensor (got "
                    f"{type(param).__name__}); pass model.parameters()"
                )
            if not param.is_leaf:
                raise TypeError(
                    f"{type(self).__name__}: parameter {position} was computed by an operation "
                    "(it is not a leaf Tensor), so it is no parameter; pass model.parameters()"
                )
            if id(param) not in seen:
                seen.add(id(param))
                new_params.append(param)
        old_state = {id(p): s for p, s in zip(self.params, self.state)}
        self.state = [old_state.get(id(p)) or self.new_state(p) for p in new_params]
        self.params = new_params

    def new_state(self, param: Tensor) -> dict[str, np.ndarray]:
        """The arrays kept for one parameter; 'scratch' holds intermediate results."""
        return {"scratch": np.zeros_like(param.data)}

    def zero_grad(self) -> None:
        """Set every parameter's gradient to None (backward would add to it otherwise)."""
        for param in self.params:
            param.grad = None

    # ------------------------------------------------------------ stepping
    def step(self) -> None:
        """One update of every parameter that has a gradient; parameters without one are
        left alone. `iterations` goes up by one.

        The update changes `param.data` in place, outside the graph, in the
        parameter's dtype; `param.grad` is read, never changed (clip copies it).

        Raises:
            RuntimeError: no parameters were given, or a parameter changed shape since
                its state was made (call `set_parameters` again).
        """
        if not self.params:
            raise RuntimeError(
                f"{type(self).__name__}.step: no parameters to update; pass them when creating "
                "the optimizer, e.g. RMSprop(model.parameters()), or call set_parameters. "
                f"If you did: {NO_WEIGHTS_YET}"
            )
        self._update_all(self._clipped_gradients())

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> None:
        """Keras's custom-loop call: one update from (gradient, weight) pairs, as in
        `optimizer.apply_gradients(zip(grads, model.trainable_weights))`.

        Raises:
            ValueError: no pairs, or as `apply` explains.
        """
        pairs = list(grads_and_vars)
        if not pairs:
            raise ValueError(f"{type(self).__name__}.apply_gradients: got no (gradient, weight)")
        grads, weights = zip(*pairs)
        self.apply(list(grads), list(weights))

    def apply(
        self, grads: Iterable[Any], trainable_variables: Iterable[Tensor] | None = None
    ) -> None:
        """One update of `trainable_variables` (the optimizer's parameters if None) with
        `grads` (Tensors or arrays, one per weight, None to skip one), as Keras 3's
        `optimizer.apply`. `param.grad` is neither read nor changed.

        Raises:
            ValueError: a different number of gradients and weights, or a gradient whose
                shape is not its weight's.
            TypeError: a weight that is not a Tensor with requires_grad=True.
        """
        grads = list(grads)
        owner = f"{type(self).__name__}.apply"
        if trainable_variables is not None:
            weights = list(trainable_variables)
            if len(weights) != len(grads):
                raise ValueError(f"{owner}: got {len(grads)} gradients for {len(weights)} weights")
            if [id(w) for w in weights] != [id(p) for p in self.params]:
                self.set_parameters(weights)  # state of weights seen before is kept
        elif len(grads) != len(self.params):
            raise ValueError(
                f"{owner}: got {len(grads)} gradients for the optimizer's {len(self.params)} "
                "parameters; pass trainable_variables too"
            )
        arrays = []
        for param, grad in zip(self.params, grads):
            if grad is not None:
                grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, param.dtype)
                if grad.shape != param.shape:
                    raise ValueError(
                        f"{owner}: the gradient for {param.name or 'a weight'} has shape "
                        f"{grad.shape}, the weight {param.shape}"
                    )
            arrays.append(grad)
        self._update_all(self._clipped_gradients(arrays))

    def _update_all(self, gradients: list[np.ndarray | None]) -> None:
        """Update each parameter with its (clipped) gradient array; count the step."""
        learning_rate = self.current_learning_rate
        with no_grad():
            for param, gradient, state in zip(self.params, gradients, self.state):
                if gradient is None:
                    continue
                if state["scratch"].shape != param.shape:
                    raise RuntimeError(
                        f"{type(self).__name__}.step: parameter {param.name or ''} now has shape "
                        f"{param.shape}, but the optimizer's state was made for "
                        f"{state['scratch'].shape}; call set_parameters again after reshaping"
                    )
                self.update(param, gradient, state, learning_rate)
        self.iterations += 1

    def _clipped_gradients(
        self, gradients: list[np.ndarray | None] | None = None
    ) -> list[np.ndarray | None]:
        """Each parameter's gradient array (None where it has none), clipped if asked;
        from `param.grad` unless `gradients` are given.

        Clipping makes new arrays: `param.grad` is never changed.
        """
        if gradients is None:
            gradients = [None if param.grad is None else param.grad.data for param in self.params]
        if self.clipnorm is not None:
            gradients = [_clip_by_norm(g, self.clipnorm) for g in gradients]
        elif self.global_clipnorm is not None:
            present = [g for g in gradients if g is not None]
            total = math.sqrt(sum(float(np.vdot(g, g)) for g in present))
            if total > self.global_clipnorm:
                scale = self.global_clipnorm / total
                gradients = [None if g is None else g * scale for g in gradients]
        elif self.clipvalue is not None:
            limit = float(self.clipvalue)
            gradients = [None if g is None else np.clip(g, -limit, limit) for g in gradients]
        return gradients

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """Move `param.data` in place one step against `gradient` (subclasses write this).

        Args:
            param: the parameter; its `.data` is changed in place.
            gradient: an array of param's shape and dtype (already clipped).
            state: this parameter's arrays from `new_state`, updated in place.
            lr: the learning rate for this step (a schedule already evaluated).

        Raises:
            NotImplementedError: in the base class, which has no rule of its own.
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = {"learning_rate": self._learning_rate, **self.settings()}
        for clip in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, clip) is not None:
                settings[clip] = getattr(self, clip)
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in settings.items())})"

    def settings(self) -> dict[str, Any]:
        """The optimizer's own hyperparameters (for repr)."""
        return {}

    def get_config(self) -> dict[str, Any]:
        """The settings that rebuild this optimizer, as JSON values (state not included)."""
        config = {"learning_rate": saving.serialize_value(self._learning_rate, "learning_rate")}
        config.update(self.settings())
        for clip in ("clipnorm", "clipvalue", "global_clipnorm"):
            if getattr(self, clip) is not None:
                config[clip] = getattr(self, clip)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """A new optimizer, without parameters yet, from `get_config()`'s result."""
        return cls(**saving.arguments_from_config(config))


def _step_counter(optimizer: Optimizer) -> Callable[[], int]:
    """A function giving the optimizer's step count; weak, so a schedule does not keep
    its optimizer alive (0 once the optimizer is gone)."""
    reference = weakref.ref(optimizer)

    def step() -> int:
        owner = reference()
        return 0 if owner is None else owner.iterations

    return step


def _is_learning_rate(value: Any) -> bool:
    """True for a number or a schedule: what Keras takes as an optimizer's first argument."""
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return number or isinstance(value, LearningRateSchedule)


#: What an empty parameter list usually means, for the errors that meet one.
NO_WEIGHTS_YET = (
    "the list of parameters is empty. A model made without an input shape has no weights "
    "until it is built, so model.parameters() gives [] before that: build it first "
    "(model.build((None, n_features)), input_shape=(n_features,) on the first layer, or call "
    "it on a batch of data), then create the optimizer with model.parameters()"
)


def _clip_by_norm(gradient: np.ndarray | None, clipnorm: float) -> np.ndarray | None:
    """gradient * clipnorm / max(||gradient||, clipnorm): shorter than clipnorm afterwards."""
    if gradient is None:
        return None
    norm = math.sqrt(float(np.vdot(gradient, gradient)))
    if norm <= clipnorm:
        return gradient
    return gradient * (clipnorm / norm)


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum. Keras 3's rule
    (momentum as in Polyak 1964, Nesterov's form as in Sutskever et al. 2013):

    no momentum:   p = p - lr * g
    momentum:      m = momentum * m - lr * g
                   p = p + m                          (nesterov=False)
                   p = p + momentum * m - lr * g      (nesterov=True)

    Args:
        params, **clipping: as for `Optimizer`.
        learning_rate: Keras's default 0.01.
        momentum: in [0, 1], default 0 (plain SGD, no state kept but "scratch").
        nesterov: use Nesterov's look-ahead form of momentum.

    Raises:
        ValueError: momentum outside [0, 1]; see `Optimizer` for the rest.
    """

    name = "sgd"

    def __init__(
        self,
        params: Iterable[Tensor] | None = None,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **clipping: Any,
    ) -> None:
        self.momentum = _check_number("SGD", "momentum", momentum, 0.0, 1.0)
        self.nesterov = bool(nesterov)
        super().__init__(params, learning_rate, **clipping)

    def new_state(self, param: Tensor) -> dict[str, np.ndarray]:
        """'scratch', plus 'momentum' (zeros of param's shape and dtype) if momentum > 0."""
        state = super().new_state(param)
        if self.momentum != 0.0:
            state["momentum"] = np.zeros_like(param.data)
        return state

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """One SGD step on `param.data` in place (the rule in the class docstring).

        Args:
            param, gradient, state, lr: as for `Optimizer.update`.
        """
        step, momentum = state["scratch"], self.momentum
        np.multiply(gradient, lr, out=step)  # lr * g
        if self.momentum == 0.0:
            param -= step
            return
        m = state["momentum"]
        np.multiply(m, momentum, out=m)
        np.subtract(m, step, out=m)  # m = momentum * m - lr * g
        if self.nesterov:
            param -= step  # p - lr * g ...
            np.multiply(m, momentum, out=step)
            param += step  # ... + momentum * m
        else:
            param += m

    def settings(self) -> dict[str, Any]:
        """momentum and nesterov, for repr and get_config."""
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of recent gradients.

    The method is from Hinton's Coursera lecture 6e (Neural Networks for Machine
    Learning, 2012); this is Keras 3's rule, step for step:

    v = rho * v + (1 - rho) * g^2
    increment = lr * g / sqrt(v + epsilon)
    momentum:     m = momentum * m + increment;  p = p - m
    no momentum:  p = p - increment

    Args:
        params, **clipping: as for `Optimizer`.
        learning_rate: Keras's default 0.001.
        rho: in [0, 1], how much of the running average is kept each step (0.9).
        momentum: in [0, 1], default 0.
        epsilon: >= 0, added under the square root so a zero average cannot divide
            by zero (Keras's 1e-7; a number in the gradient's units squared).

    Raises:
        ValueError: rho or momentum outside [0, 1], or a negative epsilon.
    """

    name = "rmsprop"

    def __init__(
        self,
        params: Iterable[Tensor] | None = None,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        **clipping: Any,
    ) -> None:
        self.rho = _check_number("RMSprop", "rho", rho, 0.0, 1.0)
        self.momentum = _check_number("RMSprop", "momentum", momentum, 0.0, 1.0)
        self.epsilon = _check_number("RMSprop", "epsilon", epsilon, 0.0, math.inf)
        super().__init__(params, learning_rate, **clipping)

    def new_state(self, param: Tensor) -> dict[str, np.ndarray]:
        """'scratch', 'velocity' (the running mean of g^2) and, with momentum, 'momentum'."""
        state = super().new_state(param)
        state["velocity"] = np.zeros_like(param.data)
        if self.momentum != 0.0:
            state["momentum"] = np.zeros_like(param.data)
        return state

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """One RMSprop step on `param.data` in place (the rule in the class docstring).

        Args:
            param, gradient, state, lr: as for `Optimizer.update`.
        """
        v, scratch = state["velocity"], state["scratch"]
        rho, epsilon, momentum = self.rho, self.epsilon, self.momentum
        one_minus_rho = 1.0 - rho
        np.square(gradient, out=scratch)
        np.multiply(scratch, one_minus_rho, out=scratch)
        np.multiply(v, rho, out=v)
        np.add(v, scratch, out=v)  # v = rho * v + (1 - rho) * g^2
        np.add(v, epsilon, out=scratch)
        np.sqrt(scratch, out=scratch)
        np.divide(gradient, scratch, out=scratch)
        np.multiply(scratch, lr, out=scratch)  # increment = lr * g / sqrt(v + eps)
        if self.momentum == 0.0:
            param -= scratch
            return
        m = state["momentum"]
        np.multiply(m, momentum, out=m)
        np.add(m, scratch, out=m)  # m = momentum * m + increment
        param -= m

    def settings(self) -> dict[str, Any]:
        """rho, momentum and epsilon, for repr and get_config."""
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon}


class _RunningMoments(Optimizer):
    """What Adam and Nadam share: beta_1, beta_2, epsilon and the running means m
    (of g) and v (of g^2) per weight, in that slot order (Keras's, which `.keras`
    files follow). Subclasses write `update` with `_update_moments`.

    Args:
        params, learning_rate, **clipping: as for `Optimizer` (learning rate 0.001).
        beta_1, beta_2: in [0, 1], the decay of the running means of g and g^2.
        epsilon: >= 0, the step's guard against dividing by zero.

    Raises:
        ValueError: beta_1 or beta_2 outside [0, 1], or a negative epsilon.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | None = None,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **clipping: Any,
    ) -> None:
        self.beta_1, self.beta_2, self.epsilon = _check_moments(
            type(self).__name__, beta_1, beta_2, epsilon
        )
        super().__init__(params, learning_rate, **clipping)

    def new_state(self, param: Tensor) -> dict[str, np.ndarray]:
        """'scratch', 'm' and 'v' (running means of g and g^2), zeros of param's shape."""
        state = super().new_state(param)
        state["m"] = np.zeros_like(param.data)
        state["v"] = np.zeros_like(param.data)
        return state

    def settings(self) -> dict[str, Any]:
        """beta_1, beta_2 and epsilon, for repr and get_config."""
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Adam(_RunningMoments):
    """Momentum plus RMSprop-style scaling, with a bias correction.

    The method is Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR
    2015), Algorithm 1, with the bias correction folded into the step size as the
    paper's section 2 suggests. This is Keras 3's rule, step for step:

    t = iterations + 1
    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    m = m + (g - m) * (1 - beta_1)
    v = v + (g^2 - v) * (1 - beta_2)
    p = p - alpha * m / (sqrt(v) + epsilon)

    Args:
        params, **clipping: as for `Optimizer`.
        learning_rate: Keras's default 0.001.
        beta_1, beta_2: in [0, 1], the decay of the running means of g and g^2
            (0.9 and 0.999, the paper's values).
        epsilon: >= 0, Keras's 1e-7 (the paper uses 1e-8), in the gradient's units.

    Raises:
        ValueError: beta_1 or beta_2 outside [0, 1], or a negative epsilon.
    """

    name = "adam"

    # __init__ is _RunningMoments's: (params, learning_rate, beta_1, beta_2, epsilon).

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """One Adam step on `param.data` in place (the rule in the class docstring).

        Args:
            param, gradient, state, lr: as for `Optimizer.update`.
        """
        m, v, scratch = state["m"], state["v"], state["scratch"]
        t = self.iterations + 1
        alpha = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)  # new every step
        _update_moments(gradient, state, self.beta_1, self.beta_2)
        np.sqrt(v, out=scratch)
        np.add(scratch, self.epsilon, out=scratch)
        np.divide(m, scratch, out=scratch)
        np.multiply(scratch, alpha, out=scratch)
        param -= scratch  # p -= alpha * m / (sqrt(v) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: each weight shrinks toward zero by itself,
    not through the gradient.

    The method is Loshchilov & Hutter, "Decoupled Weight Decay Regularization"
    (ICLR 2019). Keras 3's rule: before Adam's step (see `Adam`),

    p = p - lr * weight_decay * p

    so the decay is scaled by the learning rate (and its schedule), as in Keras.
    Adding weight_decay * p to the gradient instead would be L2 regularization,
    which Adam's scaling weakens for weights with large gradients.

    Args:
        params, learning_rate, beta_1, beta_2, epsilon, **clipping: as for `Adam`.
        weight_decay: >= 0, Keras's default 0.004 (per unit of learning rate).

    Raises:
        ValueError: a negative weight_decay; see `Adam` for the rest.
    """

    name = "adamw"

    def __init__(
        self,
        params: Iterable[Tensor] | None = None,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **clipping: Any,
    ) -> None:
        self.weight_decay = _check_number("AdamW", "weight_decay", weight_decay, 0.0, math.inf)
        super().__init__(params, learning_rate, beta_1, beta_2, epsilon, **clipping)

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """Weight decay, then one Adam step, on `param.data` in place.

        Args:
            param, gradient, state, lr: as for `Optimizer.update`.
        """
        scratch = state["scratch"]
        np.multiply(param.data, lr * self.weight_decay, out=scratch)
        param -= scratch  # p -= lr * weight_decay * p
        super().update(param, gradient, state, lr)

    def settings(self) -> dict[str, Any]:
        """weight_decay, beta_1, beta_2 and epsilon, for repr and get_config."""
        return {"weight_decay": self.weight_decay, **super().settings()}


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all past squared gradients, so
    often-moved weights slow down.

    The method is Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online
    Learning and Stochastic Optimization" (JMLR 2011). Keras 3's rule:

    a = a + g^2                    (a starts at initial_accumulator_value)
    p = p - lr * g / sqrt(a + epsilon)

    Args:
        params, **clipping: as for `Optimizer`.
        learning_rate: Keras's default 0.001.
        initial_accumulator_value: >= 0, where the sum a starts (Keras's 0.1).
        epsilon: >= 0, Keras's 1e-7, under the square root.

    Raises:
        ValueError: a negative initial_accumulator_value or epsilon.
    """

    name = "adagrad"

    def __init__(
        self,
        params: Iterable[Tensor] | None = None,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **clipping: Any,
    ) -> None:
        self.initial_accumulator_value = _check_number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, 0.0, math.inf
        )
        self.epsilon = _check_number("Adagrad", "epsilon", epsilon, 0.0, math.inf)
        super().__init__(params, learning_rate, **clipping)

    def new_state(self, param: Tensor) -> dict[str, np.ndarray]:
        """'scratch' and 'accumulator' (the running sum of g^2, from the initial value)."""
        state = super().new_state(param)
        state["accumulator"] = np.full_like(param.data, self.initial_accumulator_value)
        return state

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """One Adagrad step on `param.data` in place (the rule in the class docstring).

        Args:
            param, gradient, state, lr: as for `Optimizer.update`.
        """
        accumulator, scratch = state["accumulator"], state["scratch"]
        np.square(gradient, out=scratch)
        np.add(accumulator, scratch, out=accumulator)  # a += g^2
        np.add(accumulator, self.epsilon, out=scratch)
        np.sqrt(scratch, out=scratch)
        np.divide(gradient, scratch, out=scratch)
        np.multiply(scratch, lr, out=scratch)
        param -= scratch  # p -= lr * g / sqrt(a + eps)

    def settings(self) -> dict[str, Any]:
        """initial_accumulator_value and epsilon, for repr and get_config."""
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Nadam(_RunningMoments):
    """Adam with Nesterov momentum: the step looks at where momentum is about to go.

    The method is Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016
    workshop), with its momentum schedule. Keras 3's rule, step t = iterations + 1:

    u_t   = beta_1 * (1 - 0.5 * 0.96^t)        u_next = beta_1 * (1 - 0.5 * 0.96^(t+1))
    U_t   = u_1 * u_2 * ... * u_t               (kept by the optimizer, one number)
    m = m + (g - m) * (1 - beta_1);  v = v + (g^2 - v) * (1 - beta_2)
    m_hat = u_next * m / (1 - U_t * u_next) + (1 - u_t) * g / (1 - U_t)
    v_hat = v / (1 - beta_2^t)
    p = p - lr * m_hat / (sqrt(v_hat) + epsilon)

    Args:
        params, **clipping: as for `Optimizer`.
        learning_rate: Keras's default 0.001.
        beta_1, beta_2: in [0, 1] (0.9 and 0.999).
        epsilon: >= 0, Keras's 1e-7.

    Raises:
        ValueError: beta_1 or beta_2 outside [0, 1], or a negative epsilon.
    """

    name = "nadam"
    # U_t, the product of the momentum schedule so far: 1.0 before the first step (the
    # first `*=` gives each optimizer its own). __init__ is _RunningMoments's.
    u_product = 1.0
    scalar_state = ("u_product",)

    def _update_all(self, gradients: list[np.ndarray | None]) -> None:
        # U_t is one number for the whole step, so it moves once, before the updates.
        self._u_t = self.beta_1 * (1.0 - 0.5 * 0.96 ** (self.iterations + 1))
        self.u_product *= self._u_t
        super()._update_all(gradients)

    def update(
        self, param: Tensor, gradient: np.ndarray, state: dict[str, np.ndarray], lr: float
    ) -> None:
        """One Nadam step on `param.data` in place (the rule in the class docstring).

        Args:
            param, gradient, state, lr: as for `Optimizer.update`.
        """
        m, v, scratch = state["m"], state["v"], state["scratch"]
        t = self.iterations + 1
        u_t, u_product = self._u_t, self.u_product
        u_next = self.beta_1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        _update_moments(gradient, state, self.beta_1, self.beta_2)
        m_hat = m * (u_next / (1.0 - u_product * u_next)) + gradient * (
            (1.0 - u_t) / (1.0 - u_product)
        )
        np.multiply(v, 1.0 / (1.0 - self.beta_2**t), out=scratch)
        np.sqrt(scratch, out=scratch)
        np.add(scratch, self.epsilon, out=scratch)
        np.divide(m_hat, scratch, out=scratch)
        np.multiply(scratch, lr, out=scratch)
        param -= scratch  # p -= lr * m_hat / (sqrt(v_hat) + eps)


_BY_NAME: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adagrad": Adagrad,
    "nadam": Nadam,
}


def names() -> list[str]:
    """The names `get` accepts (any capitalisation: "Adam", "adam", "RMSprop")."""
    return sorted(_BY_NAME)


def get(identifier: str | Optimizer | type[Optimizer]) -> Optimizer:
    """An optimizer from a name (with Keras's default settings), an instance, or a class.

    An instance is returned as it is; a name or a class gives a new optimizer without
    parameters (compile hands them over).

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
        TypeError: anything else.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() not in _BY_NAME:
            raise ValueError(
                f"Unknown optimizer {identifier!r}; valid names: {', '.join(names())} "
                "(or pass an optimizer such as nn.optimizers.Adam(learning_rate=1e-3))"
            )
        return _BY_NAME[identifier.lower()]()
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(
        f"optimizers.get: expected an optimizer name or instance, got {type(identifier).__name__}"
    )


__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adagrad",
    "Nadam",
    "get",
    "names",
    "schedules",
]
