"""Keras's stateful metrics: a state that each batch updates, and a result read at any time.

    m = Mean()
    m.update_state([1, 3, 5, 7])       # state: total 16, count 4
    m.update_state([2])                # state: total 18, count 5
    m.result()                         # 3.6, the mean of every value seen
    m.reset_state()                    # back to zeros (fit does this at each epoch)

A metric keeps what it needs in Variables (`add_weight`), so its result covers
every batch since the last reset: the mean over all samples, or a precision or
an AUC, which an average of per-batch values would get wrong. Metrics are not
differentiated: their Variables are plain arrays that `assign`, `assign_add` and
`assign_sub` change in place, and `update_state` runs without recording a graph.

`Mean` averages values (weighted by `sample_weight`); `MeanMetricWrapper(fn)`
averages `fn(y_true, y_pred)`, a value per sample, and is how accuracies and
errors are built (nn/metrics.py); `Sum` adds values up. Precision, Recall and
AUC count a confusion matrix instead (nn/confusion_metrics.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.nn import initializers, saving
from tinygrad_edu.nn.module import snake_case
from tinygrad_edu.tensor import Tensor


def values_of(x: Any, dtype: Any = None) -> np.ndarray:
    """x (a Tensor, an array, a list or a number) as a NumPy array, in `dtype` if given."""
    array = np.asarray(x.data if isinstance(x, Tensor) else x)
    return array if dtype is None else array.astype(dtype, copy=False)


class Variable(Tensor):
    """A metric's state: a Tensor that `assign`, `assign_add` and `assign_sub` change in place.

    Like Keras's backend Variable it keeps its shape and dtype; ops on it give plain
    Tensors (so `ops.sqrt(self.total / self.count)` works in a custom `result`).
    """

    @classmethod
    def _from_op(cls, data: Any, requires_grad: bool) -> Tensor:
        # What an op makes from a Variable is an ordinary Tensor, not another Variable.
        return Tensor._from_op(data, requires_grad)

    def assign(self, value: Any) -> Variable:
        """Replace the values (broadcast to the Variable's shape, cast to its dtype).

        Raises:
            ValueError: a value whose shape does not broadcast to the Variable's.
        """
        array = values_of(value)
        try:
            array = np.broadcast_to(array, self.shape)
        except ValueError:
            raise ValueError(
                f"Variable {self.name!r}.assign: a value of shape {array.shape} does not fit "
                f"the variable's shape {self.shape}"
            ) from None
        self.data = array.astype(self.dtype)  # astype copies: the state owns its array
        return self

    def assign_add(self, value: Any) -> Variable:
        """Add `value` to the values in place (Keras's `assign_add`)."""
        return self.assign(self.data + values_of(value))

    def assign_sub(self, value: Any) -> Variable:
        """Subtract `value` from the values in place (Keras's `assign_sub`)."""
        return self.assign(self.data - values_of(value))

    @property
    def value(self) -> Tensor:
        """The current values as a plain Tensor."""
        return Tensor(self.data.copy())


class MetricResult(float):
    """A metric's result as a float, marked so fit keeps the newest value rather than
    averaging batches: the result already covers every batch since the epoch began."""


class Metric:
    """The base of stateful metrics, as Keras's `keras.metrics.Metric`.

    A subclass makes its state in `__init__` with `add_weight` and writes
    `update_state(y_true, y_pred, sample_weight=None)` and `result()`;
    `reset_state()` sets every Variable back to zeros unless overridden.
    Calling a metric, `metric(y_true, y_pred)`, updates it and returns `result()`.

        class RootMeanSquaredError(Metric):
            def __init__(self, name="rmse", **kwargs):
                super().__init__(name=name, **kwargs)
                self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
                self.total_samples = self.add_weight(
                    name="total_samples", initializer="zeros", dtype="int32")
            ...

    Args:
        dtype: the dtype of the state and result ("float32" by default, Keras's floatx).
        name: the name it is logged under in fit (the class name in snake_case if None).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Metric:
        metric = super().__new__(cls)
        saving.record_arguments(metric, cls, args, kwargs)  # for get_config
        return metric

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        self.name = name or snake_case(type(self).__name__)
        self.dtype = np.dtype(dtype or "float32").name
        self._variables: list[Variable] = []

    def add_variable(
        self,
        shape: tuple[int, ...] = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """A new state Variable of `shape`, filled by `initializer` ("zeros" by default).

        Raises:
            RuntimeError: called before `super().__init__()`.
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}.add_weight: call super().__init__(...) in __init__ "
                "before adding weights"
            )
        dtype = np.dtype(dtype or self.dtype)
        values = np.asarray(initializers.get(initializer or "zeros")(tuple(shape), dtype=dtype))
        variable = Variable(values.astype(dtype), name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    def add_weight(
        self,
        shape: tuple[int, ...] = (),
        initializer: Any = None,
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Keras's other name for `add_variable` (the Keras book's custom metric uses it)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        """The state Variables, this metric's and then those of metrics it holds."""
        variables = list(self.__dict__.get("_variables", []))
        for value in vars(self).values():
            if isinstance(value, Metric):
                variables.extend(value.variables)
        return variables

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Add one batch to the state. Raises NotImplementedError in the base class."""
        raise NotImplementedError(f"{type(self).__name__} must define update_state()")

    def result(self) -> Any:
        """The metric of every batch since the last reset. Raises NotImplementedError here."""
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def reset_state(self) -> None:
        """Set every state Variable to zeros (fit calls this at each epoch's start)."""
        for variable in self.variables:
            variable.assign(0)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update the state with one batch and return the result so far."""
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: __init__ must call super().__init__()")
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The arguments it was made with (the name included), as JSON values."""
        return saving.recorded_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """A new metric from `get_config()`'s result."""
        return cls(**saving.arguments_from_config(config))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _samplewise(values: np.ndarray, sample_weight: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Values and weights brought to one value per sample, as Keras's metrics do.

    Weights are broadcast against the values (a trailing axis of 1 may differ);
    values with more axes than the weights are first averaged down to the weights'
    axes, and what is left beyond the samples axis is averaged too.
    """
    weights = None
    if sample_weight is not None:
        weights = values_of(sample_weight, np.float64)
        if values.ndim == weights.ndim + 1 and values.shape[-1] == 1:
            values = values[..., 0]
        elif weights.ndim == values.ndim + 1 and weights.shape[-1] == 1:
            weights = weights[..., 0]
        if values.ndim > weights.ndim:
            values = values.mean(axis=tuple(range(weights.ndim, values.ndim)))
        try:
            weights = np.broadcast_to(weights, values.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {weights.shape} does not fit values of shape "
                f"{values.shape}; expected one weight per sample"
            ) from None
        values = values * weights
        if weights.ndim > 1:
            weights = weights.mean(axis=tuple(range(1, weights.ndim)))
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)))
    return values, weights


class Sum(Metric):
    """The (weighted) sum of every value given: `Sum()` of [1, 3, 5, 7] is 16.

    update_state(values, sample_weight=None): values of any shape; weights per sample.
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the (weighted) values to the total."""
        values, _ = _samplewise(values_of(values, np.float64), sample_weight)
        self.total.assign_add(values.sum())

    def result(self) -> float:
        """The total as a float."""
        return float(self.total.data)


class Mean(Metric):
    """The (weighted) mean of every value given: `Mean()` of [1, 3, 5, 7] is 4; with
    `sample_weight=[1, 1, 0, 0]` it is 2. 0.0 before any value, as Keras's.

    State: `total` (the weighted sum) and `count` (the sum of weights: samples).
    A value per sample is averaged over its other axes first, as in Keras.
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add values (a number, or an array with samples along axis 0) to the mean.

        Raises:
            ValueError: weights that do not fit the values' shape.
        """
        values, weights = _samplewise(values_of(values, np.float64), sample_weight)
        self.total.assign_add(values.sum())
        if weights is not None:
            self.count.assign_add(weights.sum())
        else:
            self.count.assign_add(len(values) if values.ndim else 1)

    def result(self) -> float:
        """total / count as a float (0.0 when nothing was counted, Keras's divide_no_nan)."""
        count = float(self.count.data)
        return float(self.total.data) / count if count else 0.0


class MeanMetricWrapper(Mean):
    """The mean over samples of `fn(y_true, y_pred, **kwargs)`, a value per sample.

        MeanMetricWrapper(lambda y_true, y_pred: (y_true - y_pred) ** 2, name="se")

    A function that returns one number for the batch (a batch mean) counts for
    each of the batch's samples, so the epoch's result is still a mean over samples.

    Args:
        fn: `(y_true, y_pred) -> values`: NumPy arrays or Tensors in, an array, a
            Tensor or a number out; or the name of one of `nn.metrics`'s functions.

    Raises:
        ValueError: a name that is no metric function's.
        name: the logged name (`fn`'s name if None); dtype: the state's dtype.
        **kwargs: passed on to `fn` (e.g. threshold=0.5).
    """

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        if isinstance(fn, str):  # a metric function saved by its name (as Keras's files do)
            fn = _metric_function(fn)
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add fn's values for one batch (optionally weighted per sample)."""
        values = values_of(self.fn(y_true, y_pred, **self.fn_kwargs), np.float64)
        if values.ndim == 0 and sample_weight is None:  # a batch mean: one per sample
            predictions = values_of(y_pred)
            samples = len(predictions) if predictions.ndim else 1
            if samples:
                self.total.assign_add(float(values) * samples)
                self.count.assign_add(samples)
            return
        super().update_state(values, sample_weight)


def _metric_function(name: str) -> Callable[..., Any]:
    """The function of `nn.metrics` called `name` ("binary_accuracy"), or an error."""
    from tinygrad_edu.nn import metrics  # imported here: metrics builds on this module

    function = getattr(metrics, name, None)
    if not callable(function) or isinstance(function, type):
        raise ValueError(
            f"MeanMetricWrapper: {name!r} is not a metric function of tinygrad_edu.nn.metrics; "
            "pass the function itself"
        )
    return function
