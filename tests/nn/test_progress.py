"""The Keras-style progress bar: what it prints for verbose 0, 1 and 2, on a terminal or not."""

import io
import re

import pytest

from tinygrad_edu.nn.progress import (
    Progbar,
    format_duration,
    format_time_per_step,
    format_value,
    is_interactive,
)


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, so the bar redraws in place."""

    def isatty(self) -> bool:
        return True


FINAL_LINE = re.compile(
    r"^3/3 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: 0\.2500 - accuracy: 0\.9300$"
)


def run_bar(stream, verbose, interval=0.0):
    bar = Progbar(3, verbose=verbose, interval=interval, stream=stream)
    bar.update(1, [("loss", 0.5), ("accuracy", 0.5)])
    bar.update(2, [("loss", 0.3), ("accuracy", 0.8)])
    bar.update(3, [("loss", 0.25), ("accuracy", 0.93)], finalize=False)
    bar.update(3, [("loss", 0.25), ("accuracy", 0.93)], finalize=True)
    return stream.getvalue()


def test_verbose_1_on_a_terminal_redraws_in_place_and_ends_with_the_summary():
    text = run_bar(FakeTerminal(), verbose=1)
    assert text.endswith("\n") and text.count("\n") == 1
    frames = text.rstrip("\n").split("\r")[1:]
    assert len(frames) == 4  # every update drawn (interval 0)
    assert frames[0].startswith("1/3 [=========>....................] - ETA: ")
    assert "loss: 0.5000 - accuracy: 0.5000" in frames[0]
    assert frames[1].startswith("2/3 [===================>..........]")
    assert FINAL_LINE.match(frames[-1].rstrip())


def test_shorter_redraws_blank_out_the_previous_line():
    stream = FakeTerminal()
    bar = Progbar(10, verbose=1, interval=0.0, stream=stream)
    bar.update(1, [("loss", 12345.678), ("a_long_metric_name", 1.0)])
    bar.update(2, [("loss", 1.0)])
    first, second = stream.getvalue().split("\r")[1:]
    assert len(second) >= len(first)
    assert second.rstrip().endswith("loss: 1.0000")


def test_verbose_1_on_a_terminal_is_throttled():
    text = run_bar(FakeTerminal(), verbose=1, interval=3600.0)
    frames = text.rstrip("\n").split("\r")[1:]
    # The first update is drawn (nothing drawn yet); the next two fall inside the interval;
    # the final one is always drawn.
    assert len(frames) == 2
    assert FINAL_LINE.match(frames[-1].rstrip())


def test_verbose_1_off_a_terminal_prints_only_the_final_line():
    text = run_bar(io.StringIO(), verbose=1)
    assert "\r" not in text
    assert text.count("\n") == 1
    assert FINAL_LINE.match(text.rstrip("\n"))


@pytest.mark.parametrize("stream_type", [io.StringIO, FakeTerminal])
def test_verbose_2_prints_one_line_without_a_bar(stream_type):
    text = run_bar(stream_type(), verbose=2)
    assert "\r" not in text and "[" not in text
    assert re.fullmatch(r"3/3 - \d+s - loss: 0\.2500 - accuracy: 0\.9300\n", text)


@pytest.mark.parametrize("stream_type", [io.StringIO, FakeTerminal])
def test_verbose_0_prints_nothing(stream_type):
    assert run_bar(stream_type(), verbose=0) == ""


def test_default_stream_is_looked_up_when_the_bar_is_made(capsys):
    bar = Progbar(1, verbose=2)
    bar.update(1, [("loss", 1.0)])
    assert re.fullmatch(r"1/1 - \d+s - loss: 1\.0000\n", capsys.readouterr().out)


def test_updates_after_finishing_are_ignored():
    stream = io.StringIO()
    bar = Progbar(2, verbose=2, stream=stream)
    bar.update(2, [("loss", 1.0)])
    bar.update(2, [("loss", 2.0)], finalize=True)
    assert stream.getvalue().count("\n") == 1


def test_counter_is_right_aligned_to_the_target_width():
    stream = io.StringIO()
    bar = Progbar(469, verbose=1, stream=stream)
    bar.update(469, [("loss", 0.25)])
    assert stream.getvalue().startswith("469/469 [" + "=" * 30 + "]")
    stream = FakeTerminal()
    bar = Progbar(469, verbose=1, interval=0.0, stream=stream)
    bar.update(7)
    assert stream.getvalue().startswith("\r  7/469 [")


def test_formatting_helpers():
    assert format_value(0.25) == "0.2500"
    assert format_value(0.0001234) == "1.2340e-04"
    assert format_value(0.0) == "0.0000e+00"
    assert format_duration(3) == "3s"
    assert format_duration(185) == "3:05"
    assert format_duration(3723) == "1:02:03"
    assert format_time_per_step(2.4) == "2s/step"
    assert format_time_per_step(0.006) == "6ms/step"
    assert format_time_per_step(0.00085) == "850us/step"


def test_is_interactive_handles_streams_without_isatty():
    class NoTty:
        def write(self, text):
            pass

    assert is_interactive(NoTty()) is False
    assert is_interactive(FakeTerminal()) is True
    assert is_interactive(io.StringIO()) is False


def test_target_must_be_positive():
    with pytest.raises(ValueError, match="target must be at least 1"):
        Progbar(0)
