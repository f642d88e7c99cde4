"""The watch_backward page in a real browser: headless Chromium, driven by Playwright.

For every frame the page must light up the node the recorded walk names and
show the same title and gradient text; the slider and the arrow keys must
agree with the buttons; no console error may occur. Each page is saved as a
screenshot (in $TINYGRAD_EDU_SCREENSHOTS when set, else the test's temporary
folder). Off by default (marker `browser`): `.ci/run` installs Debian's chromium
and runs `python -m pytest -m browser`. Playwright drives the system's browser
(`$CHROMIUM`, else `chromium` on the PATH); it never downloads one.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.viz import BackwardWatch, watch_backward

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_watch import book_convnet_builder, micrograd_expression, mlp_loss  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("requires_dot")]

# Headless Chromium in a sandboxed machine without a display or network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install playwright", pytrace=False)
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "the browser tests need Chromium (Debian: apt-get install chromium), or $CHROMIUM "
            "set to a Chromium binary",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # Playwright gives each launch a new, empty profile (a fresh --user-data-dir).
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TINYGRAD_EDU_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def convnet_watch() -> BackwardWatch:
    build_model = book_convnet_builder()
    tg.manual_seed(0)
    model = build_model()
    x = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)
    loss = nn.losses.SparseCategoricalCrossentropy()(np.array([3]), model(tg.Tensor(x)))
    return watch_backward(loss, params=model.named_parameters(), collapse=True)


def micrograd_watch() -> BackwardWatch:
    return watch_backward(micrograd_expression()[0])


def mlp_watch() -> BackwardWatch:
    loss, model = mlp_loss()
    return watch_backward(loss, params=model.named_parameters())


def shown(page) -> dict[str, str]:
    """What the page shows now: the lit node's Graphviz name and the side panel's texts."""
    lit = page.eval_on_selector_all(
        "#graph g.node.current", "gs => gs.map(g => g.querySelector('title').textContent)"
    )
    return {
        "lit": lit,
        "title": page.text_content("#title"),
        "grad": page.text_content("#grad"),
        "step": page.input_value("#step"),
    }


def expected(watched: BackwardWatch, k: int) -> dict[str, str]:
    frame = watched.frames[k]
    return {"lit": [frame.node], "title": frame.title, "grad": frame.grad, "step": str(k)}


@pytest.mark.parametrize(
    "make, name",
    [(micrograd_watch, "micrograd"), (mlp_watch, "mlp"), (convnet_watch, "convnet")],
)
def test_stepping_through_every_frame_shows_the_recorded_walk(
    browser, tmp_path: Path, make, name: str
) -> None:
    watched = make()
    path = watched.save(tmp_path / f"{name}.html")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())

    count = len(watched.frames)
    assert page.text_content("#counter") == f"step 1 of {count}"
    for k in range(count):
        assert shown(page) == expected(watched, k), f"frame {k}"
        passes = page.eval_on_selector_all("#passes li", "lis => lis.map(li => li.textContent)")
        assert [text.split(": ")[0] for text in passes] == [
            f"to {p.to}" for p in watched.frames[k].passes
        ]
        assert page.eval_on_selector_all("#queue li", "l => l.length") == len(
            watched.frames[k].queue
        )
        if k == count // 2:
            page.screenshot(path=str(screenshot_folder(tmp_path) / f"watch_{name}.png"))
        page.click("#next")
    assert shown(page) == expected(watched, count - 1)  # "next" stops at the last frame
    leaves = [f.title for f in watched.frames if f.kind == "leaf"]
    assert page.eval_on_selector_all("#leaves li", "l => l.map(li => li.textContent)") == leaves

    # The slider, the arrow keys and the first/last buttons reach the same frames.
    page.fill("#step", "1")
    page.dispatch_event("#step", "input")
    assert shown(page) == expected(watched, 1)
    page.keyboard.press("ArrowRight")  # on the slider: the slider's own step
    assert shown(page) == expected(watched, 2)
    page.click("#back")
    page.keyboard.press("ArrowRight")  # on a button: the page's key handler
    assert shown(page) == expected(watched, 2)
    page.keyboard.press("ArrowLeft")
    assert shown(page) == expected(watched, 1)
    page.click("#first")
    assert shown(page) == expected(watched, 0)
    page.click("#last")
    assert shown(page) == expected(watched, count - 1)
    assert problems == []
    page.close()
