"""Data adapters: whatever `fit`, `evaluate` and `predict` are given, one epoch of batches.

Keras's trainers accept arrays, Python generators, any iterable of `(x, y)`
batches and `keras.utils.PyDataset` objects. The training loop should not care
which: an *adapter* turns each kind into the same thing, an iterator over an
epoch's `(x_batch, y_batch)` pairs, and says how many batches an epoch has when
that is known (`num_batches`, None when it is not).

    ArrayDataAdapter       x, y arrays: slices of batch_size, shuffled each epoch
    PyDatasetAdapter       on_epoch_begin(), dataset[i] for each i (in a new random order
                           each epoch when fit shuffles), on_epoch_end()
    IterableDataAdapter    a generator, an iterator or any iterable of batches

The order of a PyDataset's hooks and fetches is Keras 3's: `fit` first builds the
model from one batch fetched between its own `on_epoch_begin()` and `on_epoch_end()`,
then every epoch (and every evaluate and predict) runs `on_epoch_begin()` before its
first fetch and `on_epoch_end()` after its last. (Keras 3 also calls `on_epoch_end()`
once as evaluate starts, resetting its iterator; that call is left out here.)
A one-pass generator given as `validation_data` is validated on every epoch: its
batches are kept from the first pass. (Keras 3 keeps only the first two batches of
a generator, so from the second epoch on it would validate on those alone.)

`EpochIterator` sits on top and counts steps. With `steps` (fit's
`steps_per_epoch`, evaluate's and predict's `steps`) it takes that many batches
per epoch and carries on from where the last epoch stopped, which is what a
generator that loops forever (`while True: yield ...`) needs. A source that runs
dry before `steps` batches gives a warning, like Keras's "Your input ran out of
data", and `ran_out` becomes True: `fit` keeps what it trained and stops.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from tinygrad_edu.nn import structures
from tinygrad_edu.nn.input_checks import check_batch_size, check_data, is_text, validation_arrays
from tinygrad_edu.random import generator
from tinygrad_edu.tensor import Tensor

Batch = tuple[np.ndarray, np.ndarray | None]
#: Checks and converts one batch: check(method, x, y, needs_y) -> (x, y) arrays.
BatchCheck = Callable[..., tuple[np.ndarray, np.ndarray | None]]


class PyDataset:
    """Keras's `keras.utils.PyDataset`: a data set that hands out one batch at a time.

    Subclass it and define `__len__` (batches per epoch) and `__getitem__(index)`
    (batch `index`, 0 <= index < len, as `(x_batch, y_batch)`, or `x_batch`
    alone for `predict`). Each epoch `fit` calls `on_epoch_begin()`, asks for
    every batch once (in a new random order when `shuffle=True`, its default, as
    Keras 3 does) and calls `on_epoch_end()`, the place to reshuffle the samples.

        class Pictures(PyDataset):
            def __init__(self, x, y, batch_size, **kwargs):
                super().__init__(**kwargs)
                self.x, self.y, self.batch_size = x, y, batch_size

            def __len__(self):
                return math.ceil(len(self.x) / self.batch_size)

            def __getitem__(self, index):
                part = slice(index * self.batch_size, (index + 1) * self.batch_size)
                return self.x[part] / 255.0, self.y[part]

    `workers`, `use_multiprocessing` and `max_queue_size` are accepted for
    Keras's code but change nothing: batches are made one after another, in
    this process.
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__, the number of batches in an epoch"
        )

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must define __getitem__(index), which returns batch index"
        )

    def on_epoch_begin(self) -> None:
        """Called before each epoch; override to prepare it."""

    def on_epoch_end(self) -> None:
        """Called after each epoch; override to reshuffle."""

    @property
    def num_batches(self) -> int:
        """The number of batches in an epoch (`len(self)`)."""
        return len(self)


# ---------------------------------------------------------------- telling the kinds apart
def _is_array(value: Any) -> bool:
    return isinstance(value, (np.ndarray, Tensor))


def is_pipeline(x: Any) -> bool:
    """True if `x` is a source of batches (generator, iterable of batches, PyDataset).

    Arrays, Tensors and nested lists of numbers are data, not pipelines. A list
    or tuple counts as a pipeline only when every entry is itself a batch, a
    tuple `(x_batch, y_batch)` of arrays: `[(x1, y1), (x2, y2)]`.
    """
    if isinstance(x, PyDataset):
        return True
    if x is None or _is_array(x) or isinstance(x, (str, bytes, dict, np.generic)):
        return False
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(
            isinstance(item, (tuple, list))
            and 1 <= len(item) <= 2
            and all(_is_array(part) for part in item)
            for item in x
        )
    return hasattr(x, "__next__") or hasattr(x, "__iter__")


def _describe(source: Any) -> str:
    if isinstance(source, PyDataset):
        return f"the PyDataset {type(source).__name__}"
    if hasattr(source, "gi_code"):
        return "the generator"
    return f"the {type(source).__name__}"


def _split_batch(method: str, batch: Any, index: int, needs_y: bool) -> tuple[Any, Any]:
    """A batch as (x, y): accepts (x, y), (x,) or x alone (the last two when y is not needed)."""
    if isinstance(batch, tuple) or (isinstance(batch, list) and len(batch) in (1, 2, 3)):
        parts = tuple(batch)
        if len(parts) == 3:
            raise ValueError(
                f"{method}: batch {index} is a triple (x, y, sample_weight); sample weights are "
                "not supported, give (x, y) batches"
            )
        if len(parts) == 2:
            return parts
        if len(parts) == 1 and not needs_y:
            return parts[0], None
        raise ValueError(
            f"{method}: batch {index} must be a pair (x_batch, y_batch), got a "
            f"{type(batch).__name__} of length {len(parts)}"
        )
    if needs_y:
        raise ValueError(
            f"{method}: batch {index} must be a pair (x_batch, y_batch), got "
            f"{type(batch).__name__}" + (f" of shape {batch.shape}" if _is_array(batch) else "")
        )
    return batch, None


# ---------------------------------------------------------------- batches of arrays
def batches(
    x: np.ndarray,
    y: np.ndarray | None,
    batch_size: int,
    dtype: np.dtype | None,
    order: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """(x_batch, y_batch) pairs of at most `batch_size` samples; y_batch is None without y.

    `order` is a permutation of the sample indices to shuffle by (None keeps the
    order). x is converted to `dtype` (the model's float dtype, so uint8 images
    work), and so are float targets; integer labels stay integers. dtype None
    converts nothing.
    """
    if structures.is_structure(x) or structures.is_structure(y):  # several inputs or outputs
        yield from _structure_batches(x, y, batch_size, dtype, order)
        return
    convert_x = dtype is not None and x.dtype != dtype and not is_text(x)
    convert_y = dtype is not None and y is not None and y.dtype.kind == "f" and y.dtype != dtype
    for start in range(0, len(x), batch_size):
        # A fancy index copies one batch; a slice copies nothing.
        batch = (
            slice(start, start + batch_size) if order is None else order[start : start + batch_size]
        )
        x_batch = x[batch].astype(dtype) if convert_x else x[batch]
        y_batch = None
        if y is not None:
            y_batch = y[batch].astype(dtype) if convert_y else y[batch]
        yield x_batch, y_batch


def _structure_batches(
    x: Any, y: Any, batch_size: int, dtype: np.dtype | None, order: np.ndarray | None
) -> Iterator[tuple[Any, Any]]:
    """`batches` for lists or dicts of arrays: each array cut the same way."""
    for start in range(0, structures.batch_length(x), batch_size):
        batch = (
            slice(start, start + batch_size) if order is None else order[start : start + batch_size]
        )

        def take(array: np.ndarray, rows: Any = batch) -> np.ndarray:
            return array[rows]

        x_batch = structures.map_structure(take, x)
        y_batch = None if y is None else structures.map_structure(take, y)
        yield to_dtype((x_batch, y_batch), dtype)


def _leaf_to_dtype(array: Any, dtype: np.dtype, floats_only: bool) -> Any:
    if array.dtype == dtype or (floats_only and array.dtype.kind != "f"):
        return array
    return array.astype(dtype)


def to_dtype(batch: Batch, dtype: np.dtype | None) -> Batch:
    """One batch with x (and float targets) in `dtype`, the model's float dtype, as
    `batches` converts them: uint8 images become floats, integer labels stay integers."""
    x, y, *weights = batch  # (x, y) or (x, y, sample weights)
    if dtype is None:
        return batch
    if structures.is_structure(x) or structures.is_structure(y):
        x = structures.map_structure(lambda array: _leaf_to_dtype(array, dtype, False), x)
        if y is not None:
            y = structures.map_structure(lambda array: _leaf_to_dtype(array, dtype, True), y)
        return (x, y, *weights)
    if x.dtype != dtype and not is_text(x):  # strings stay for TextVectorization
        x = x.astype(dtype)
    if y is not None and y.dtype.kind == "f" and y.dtype != dtype:
        y = y.astype(dtype)
    return (x, y, *weights)


# ---------------------------------------------------------------- adapters
class DataAdapter:
    """One kind of data source. `batches()` starts a pass over it; `num_batches` its length."""

    #: Batches in one full pass, when known (arrays, PyDataset; an iterable after one pass).
    num_batches: int | None = None
    #: Whether `batches()` may be called again for a new pass (False for a generator).
    can_restart = True
    #: What the data is, for messages: "the generator", "the PyDataset Pictures".
    description = "the data"
    #: True when `sample()` runs the data's own code (a PyDataset's hooks and __getitem__):
    #: then it is only called where Keras fetches a batch ahead too (to build a model).
    sample_runs_user_code = False

    def batches(self, dtype: np.dtype | None = None) -> Iterator[Batch]:
        """One pass over the data; x (and float targets) in `dtype` where the adapter
        converts (arrays); `EpochIterator.epoch` converts what it does not."""
        raise NotImplementedError

    def sample(self) -> Batch | None:
        """A batch that shows the data's shapes without starting a pass; None if there is
        no such batch short of starting one (a generator)."""
        return None

    def on_epoch_begin(self) -> None:
        pass

    def on_epoch_end(self) -> None:
        pass


class ArrayDataAdapter(DataAdapter):
    """x and y arrays, cut into batches of `batch_size`, in a new random order each pass.

    The order comes from `tinygrad_edu.random.generator()`, so `manual_seed`
    makes it reproducible. A slice copies nothing; a shuffled batch is a copy.
    """

    def __init__(
        self, x: np.ndarray, y: np.ndarray | None, batch_size: int, shuffle: bool = False
    ) -> None:
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self.count = structures.batch_length(x)
        self.num_batches = -(-self.count // batch_size)  # rounded up: the last may be short
        #: One weight per sample (fit's and evaluate's sample_weight), or a list or dict
        #: of such arrays (one per output): batches are then triples (x, y, weights).
        self.sample_weight: Any = None

    def sample(self) -> Batch:
        # The first rows, not the first shuffled batch: drawing the order now would move
        # the random draws that build the model's weights.
        def first(value: Any) -> Any:
            return structures.map_structure(lambda array: array[: self.batch_size], value)

        return first(self.x), None if self.y is None else first(self.y)

    def batches(self, dtype: np.dtype | None = None) -> Iterator[Batch]:
        order = generator().permutation(self.count) if self.shuffle else None
        pairs = batches(self.x, self.y, self.batch_size, dtype, order)
        if self.sample_weight is None:
            return pairs
        return self._with_weights(pairs, order)

    def _with_weights(self, pairs: Iterator[Batch], order: np.ndarray | None) -> Iterator[Any]:
        for start, (x_batch, y_batch) in zip(range(0, self.count, self.batch_size), pairs):
            end = start + self.batch_size
            rows = slice(start, end) if order is None else order[start:end]
            weights = structures.map_structure(lambda array, r=rows: array[r], self.sample_weight)
            yield x_batch, y_batch, weights


class PyDatasetAdapter(DataAdapter):
    """A `PyDataset`: batch i is `dataset[i]`, each i in range(len(dataset)) once per pass,
    in a new random order each pass when `shuffle` (fit's), from `tinygrad_edu.random`."""

    sample_runs_user_code = True

    def __init__(
        self,
        dataset: PyDataset,
        method: str,
        check: BatchCheck,
        needs_y: bool,
        shuffle: bool = False,
    ):
        self.dataset, self.method, self.check, self.needs_y = dataset, method, check, needs_y
        self.shuffle = shuffle
        self.description = _describe(dataset)
        count = len(dataset)
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(
                f"{method}: {_describe(dataset)} has len() = {count!r}; it must give at least "
                "one batch"
            )
        self.num_batches = int(count)

    def _fetch(self, index: int) -> Batch:
        x, y = _split_batch(self.method, self.dataset[index], index, self.needs_y)
        return self.check(self.method, x, y, needs_y=self.needs_y)

    def sample(self) -> Batch:
        # Keras 3 builds the model from a batch fetched inside its own epoch hooks, and
        # fetches it again when the first epoch comes to it.
        self.dataset.on_epoch_begin()
        try:
            return self._fetch(0)
        finally:
            self.dataset.on_epoch_end()

    def batches(self, dtype: np.dtype | None = None) -> Iterator[Batch]:
        order = generator().permutation(self.num_batches) if self.shuffle else None
        for index in range(self.num_batches) if order is None else order:
            yield self._fetch(int(index))

    def on_epoch_begin(self) -> None:
        self.dataset.on_epoch_begin()

    def on_epoch_end(self) -> None:
        self.dataset.on_epoch_end()


class IterableDataAdapter(DataAdapter):
    """A generator, an iterator, or an iterable of batches (a list, your own class).

    A generator or iterator can be walked once only (`can_restart` is False); an
    iterable whose `iter()` starts afresh, such as a list, gives a new pass each
    epoch. The number of batches is learnt at the end of the first full pass.
    """

    def __init__(self, source: Iterable[Any], method: str, check: BatchCheck, needs_y: bool):
        self.source, self.method, self.check, self.needs_y = source, method, check, needs_y
        self.description = _describe(source)
        if not hasattr(source, "__iter__"):
            raise TypeError(f"{method}: {_describe(source)} cannot be iterated over")
        self.can_restart = iter(source) is not source
        self.num_batches = len(source) if isinstance(source, (list, tuple)) else None
        #: Batches kept from a one-pass source to give them again (`keep_batches`).
        self.kept: list[Batch] | None = None

    def keep_batches(self) -> None:
        """Keep the batches of the first full pass and give them again in later passes:
        what lets a one-pass generator serve as validation data every epoch."""
        if not self.can_restart:
            self.kept = []

    def batches(self, dtype: np.dtype | None = None) -> Iterator[Batch]:
        if self.kept is not None and self.can_restart:  # the first pass is kept: replay it
            yield from self.kept
            return
        for index, batch in enumerate(self.source):
            x, y = _split_batch(self.method, batch, index, self.needs_y)
            checked = self.check(self.method, x, y, needs_y=self.needs_y)
            if self.kept is not None:
                self.kept.append(checked)
            yield checked
        if self.kept is not None:
            self.can_restart = True  # the whole pass is kept now


def adapt(
    method: str,
    x: Any,
    y: Any = None,
    *,
    batch_size: int | None = None,
    shuffle: bool = False,
    check: BatchCheck = check_data,
    needs_y: bool = True,
) -> DataAdapter:
    """The adapter for `x` (and `y`): arrays or a pipeline, as `fit`/`evaluate`/`predict` got.

    Raises ValueError, as Keras does, for `y` or `batch_size` given with a
    pipeline: a pipeline makes its own batches, y included.
    """
    if not is_pipeline(x):
        x, y = check(method, x, y, needs_y=needs_y)
        return ArrayDataAdapter(x, y, check_batch_size(batch_size, method), shuffle)
    kind = _describe(x)
    if y is not None:
        raise ValueError(
            f"{method}: y must not be given when x is {kind}: each batch it yields is (x, y)"
        )
    if batch_size is not None:
        check_batch_size(batch_size, method)
        raise ValueError(
            f"{method}: batch_size must not be given when x is {kind}: it makes its own batches "
            f"(got batch_size={batch_size!r}); set the batch size where the batches are made"
        )
    if isinstance(x, PyDataset):
        return PyDatasetAdapter(x, method, check, needs_y, shuffle)
    return IterableDataAdapter(x, method, check, needs_y)


def epochs(
    method: str,
    x: Any,
    y: Any,
    batch_size: int | None,
    steps: int | None,
    needs_y: bool = True,
) -> EpochIterator:
    """`evaluate`'s and `predict`'s data, arrays or a pipeline, as an `EpochIterator`."""
    data = adapt(method, x, y, batch_size=batch_size, needs_y=needs_y)
    return EpochIterator(data, steps, method)


def fit_data(
    x: Any,
    y: Any,
    batch_size: int | None,
    shuffle: bool,
    steps_per_epoch: int | None,
    validation_split: float,
    validation_data: Any,
    validation_steps: int | None,
) -> tuple[EpochIterator, EpochIterator | None]:
    """`fit`'s training and validation data as epoch iterators, checked.

    Arrays may be split (`validation_split`, the last fraction); a pipeline may
    not. `validation_data` is a pair of arrays or a pipeline.

    Raises:
        ValueError, TypeError: as `adapt` and `input_checks.validation_arrays` explain.
    """
    validation = validation_data
    if is_pipeline(x):
        if validation_split:
            raise ValueError(
                "fit: validation_split works with arrays only; with a data pipeline give "
                "validation_data"
            )
        train = adapt("fit", x, y, batch_size=batch_size, shuffle=shuffle)
    else:
        x, y = check_data("fit", x, y)
        if not is_pipeline(validation_data):
            x, y, validation = validation_arrays(x, y, validation_split, validation_data)
        train = ArrayDataAdapter(x, y, check_batch_size(batch_size, "fit"), shuffle)
    if validation is None:
        return EpochIterator(train, steps_per_epoch, "fit"), None
    method = "fit (validation_data)"
    if is_pipeline(validation):
        source = adapt(method, validation)
        if isinstance(source, IterableDataAdapter):
            source.keep_batches()  # validated every epoch, as Keras 3 does
    elif isinstance(validation, (tuple, list)) and len(validation) == 2:
        source = adapt(method, *validation, batch_size=batch_size)
    else:
        raise ValueError("fit: validation_data must be a pair (x_val, y_val) or a pipeline")
    return (
        EpochIterator(train, steps_per_epoch, "fit"),
        EpochIterator(source, validation_steps, method),
    )


# ---------------------------------------------------------------- epochs and steps
class EpochIterator:
    """Hands out epochs of batches from an adapter, `steps` batches each when given.

    With `steps`, the same pass over the source goes on from one epoch to the
    next (a generator that loops forever is never restarted), and a source that
    can restart (arrays, a PyDataset, a list) starts a new pass whenever one
    ends. Without `steps`, an epoch is one full pass.
    """

    def __init__(self, adapter: DataAdapter, steps: int | None = None, method: str = "fit") -> None:
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1
        ):
            raise ValueError(f"{method}: steps must be a whole number >= 1, got {steps!r}")
        self.adapter = adapter
        self.steps = None if steps is None else int(steps)
        self.method = method
        self.ran_out = False
        self.steps_done = 0  # batches the last epoch gave
        self._dtype: np.dtype | None = None  # the model's dtype, known once an epoch starts
        self._current: Iterator[Batch] | None = None
        self._started = False  # whether a pass has been started (a generator can start once)
        self._peeked: Batch | None = None

    @property
    def steps_per_epoch(self) -> int | None:
        """Batches in an epoch: `steps`, else the source's length; None while unknown."""
        return self.steps if self.steps is not None else self.adapter.num_batches

    def _new_pass(self) -> Iterator[Batch] | None:
        if self._started and not self.adapter.can_restart:
            return None
        self._started = True
        return iter(self.adapter.batches(self._dtype))

    def peek(self) -> Batch:
        """A batch to look at before training: the adapter's `sample()`, or else the first
        batch, which then still comes first in the first epoch.

        `fit` looks at it to build the model before the optimizer needs the weights.
        """
        sample = self.adapter.sample()
        if sample is not None:
            return sample
        if self._peeked is None:
            if self._current is None:
                self._current = self._new_pass()
            try:
                self._peeked = next(self._current)
            except StopIteration:
                raise ValueError(
                    f"{self.method}: {self.adapter.description} gave no batches at all"
                ) from None
        return self._peeked

    def epoch(self, dtype: np.dtype | None = None) -> Iterator[Batch]:
        """The batches of one epoch, x (and float targets) in `dtype` (the model's).

        Sets `steps_done`, and `ran_out` (with a warning) if the source runs dry early.
        """
        limit = self.steps_per_epoch
        self.steps_done = 0
        self._dtype = dtype
        self.adapter.on_epoch_begin()
        if self.steps is None and self._peeked is None:
            self._current = None  # an epoch is one pass: start a new one
        while limit is None or self.steps_done < limit:
            if self._peeked is not None:
                batch, self._peeked = self._peeked, None
            else:
                batch = self._next_batch(self.steps_done)
                if batch is None:
                    break
            self.steps_done += 1
            yield to_dtype(batch, dtype)  # a no-op for arrays, which `batches` converted
        self.adapter.on_epoch_end()

    def _next_batch(self, count: int) -> Batch | None:
        """The next batch, or None when the epoch ends or the data has run out.

        Without `steps` the end of a pass is the end of the epoch. With `steps` a
        source that can restart (arrays, a PyDataset, a list) starts a new pass;
        a generator cannot, so it has run out.
        """
        for _ in range(2):
            if self._current is None:
                self._current = self._new_pass()
                if self._current is None:
                    break  # a generator that was used up before
            try:
                return next(self._current)
            except StopIteration:
                self._current = None
                if self.steps is None:
                    if count > 0:
                        self.adapter.num_batches = count  # one full pass: its length is known
                        return None
                    break
        self.ran_out = True
        wanted = self.steps_per_epoch
        warnings.warn(
            f"{self.method}: your input ran out of data after {count} "
            f"batch{'es' if count != 1 else ''} of this epoch"
            + (f" (steps={wanted} were asked for)" if wanted else "")
            + f"; interrupting. What was done so far is kept. Make sure {self.adapter.description} "
            "can give at least steps_per_epoch * epochs batches, e.g. loop forever with "
            "`while True:` (tf.data's .repeat()).",
            UserWarning,
            stacklevel=4,
        )
        return None
