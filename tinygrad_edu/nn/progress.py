"""A Keras-style progress bar for training and evaluation.

    Epoch 1/5
    469/469 [==============================] - 3s 6ms/step - loss: 0.2500 - accuracy: 0.9300

On a terminal the bar is redrawn in place with a carriage return (`\\r`), at
most every `interval` seconds so that printing never slows training down. When
the output is not a terminal (a CI log, a file) it prints only the finished
line of each epoch: a log full of half-drawn bars helps nobody.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterable
from typing import TextIO


def is_interactive(stream: TextIO) -> bool:
    """True when `stream` can redraw a line in place (a terminal or a Jupyter notebook)."""
    try:
        if stream.isatty():
            return True
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
    # Jupyter's stdout is not a tty, but it does understand "\r".
    return stream is sys.stdout and "ipykernel" in sys.modules


def format_value(value: float) -> str:
    """Four decimals, or scientific notation for values too small to show that way."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_duration(seconds: float) -> str:
    """`42s`, `3:05` or `1:02:03`: how long an epoch took or has left."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def format_time_per_step(seconds: float, unit: str = "step") -> str:
    """`2s/step`, `6ms/step` or `850us/step`, whichever reads best."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """Draws `current/target` steps done, the time taken and the latest values.

    verbose=1: a bar, redrawn in place on a terminal (only the final line elsewhere).
    verbose=2: one summary line when the work is finished.
    verbose=0: nothing.
    `update(current, values, finalize)` is cheap to call every step: it returns
    early unless it is time to redraw. `target=None` means the number of steps
    is not known yet (a generator without `steps_per_epoch`): the bar then shows
    `12/Unknown` and no ETA, as Keras's does.
    """

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        unit_name: str = "step",
        stream: TextIO | None = None,
    ) -> None:
        if target is not None and target < 1:
            raise ValueError(f"Progbar: target must be at least 1 step, got {target}")
        self.target = None if target is None else int(target)
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        # Look sys.stdout up now, not at import, so redirections (and pytest's capsys) work.
        self.stream = stream if stream is not None else sys.stdout
        self.interactive = is_interactive(self.stream)
        self._start = time.perf_counter()
        self._last_draw = -math.inf  # so the first update is always drawn
        self._previous_width = 0  # length of the last line drawn, to blank what's left over
        self._finished = False

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, float]] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Record that `current` steps are done; `values` are (name, value) pairs to show."""
        if self.verbose == 0 or self._finished:
            return
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.perf_counter()
        if not finalize:
            # Mid-epoch lines are drawn only on a terminal with verbose=1, and not too often.
            if self.verbose != 1 or not self.interactive:
                return
            if now - self._last_draw < self.interval:
                return
        self._last_draw = now
        elapsed = now - self._start
        values_text = "".join(f" - {name}: {format_value(value)}" for name, value in values or ())

        if self.verbose == 1:
            line = self._bar(current)
            if finalize:
                per_step = elapsed / max(current, 1)
                line += f" - {format_duration(elapsed)} {format_time_per_step(per_step)}"
            elif self.target is not None:
                remaining = elapsed / max(current, 1) * (self.target - current)
                line += f" - ETA: {format_duration(remaining)}"
            else:
                line += f" - {format_duration(elapsed)}"
        else:  # verbose == 2: one line per epoch, no bar
            line = f"{self._counter(current)} - {format_duration(elapsed)}"
        line += values_text

        if self.interactive and self.verbose == 1:
            padding = " " * max(self._previous_width - len(line), 0)
            self.stream.write("\r" + line + padding)
            self._previous_width = len(line)
        else:
            self.stream.write(line)
        if finalize:
            self.stream.write("\n")
            self._finished = True
        self.stream.flush()

    def _counter(self, current: int) -> str:
        if self.target is None:
            return f"{current:>7}/Unknown"
        digits = len(str(self.target))
        return f"{current:>{digits}}/{self.target}"

    def _bar(self, current: int) -> str:
        """`123/469 [=======>......................]`"""
        if self.target is None:
            return self._counter(current)
        filled = int(self.width * min(current, self.target) / self.target)
        if filled == 0:
            inside = "." * self.width
        elif current < self.target:
            inside = "=" * (filled - 1) + ">" + "." * (self.width - filled)
        else:
            inside = "=" * self.width
        return f"{self._counter(current)} [{inside}]"
