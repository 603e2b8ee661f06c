"""`render_pngs`: inside `render_worker()` a worker process draws figures from the back of a
report while this process draws from the front, to the bytes `png_bytes` draws here; a
figure the worker cannot take, or a dead worker, falls back to drawing here."""

from __future__ import annotations

import time

import matplotlib.style
import numpy as np
import pytest
from matplotlib.ticker import FuncFormatter

import pipelines.rendering as rendering
from pipelines.rendering import REPORT_STYLE, render_pngs, render_worker
from pipelines.sections import new_figure, png_bytes


def _figures(n: int) -> dict:
    rng = np.random.default_rng(0)
    figures = {}
    for k in range(n):
        figure = new_figure()
        ax = figure.add_subplot()
        ax.plot(rng.normal(size=50).cumsum(), label=f"walk {k}")
        ax.imshow(rng.random((8, 8)), extent=(0, 10, 0, 10), alpha=0.3)
        ax.set(title=f"Figure {k}: R² per α", xlabel="step", ylabel="value")
        ax.legend()
        figures[f"fig{k}"] = figure
    return figures


def _serial(figures: dict) -> dict:
    with matplotlib.style.context(REPORT_STYLE):
        return {name: png_bytes(figure) for name, figure in figures.items()}


def _wait_until_ready() -> None:
    deadline = time.monotonic() + 60
    while rendering._worker_if_ready() is None:
        assert time.monotonic() < deadline, "the render worker did not start in 60 s"
        time.sleep(0.05)


@pytest.fixture
def drawn_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Titles of the figures drawn in this process."""
    titles: list[str] = []

    def counting(figure):
        titles.append(figure.axes[0].get_title())
        return png_bytes(figure)

    monkeypatch.setattr(rendering, "png_bytes", counting)
    return titles


def test_the_worker_draws_from_the_back_to_the_same_bytes(drawn_here):
    figures = _figures(6)
    expected = _serial(_figures(6))
    with render_worker(), matplotlib.style.context(REPORT_STYLE):
        _wait_until_ready()
        pngs = render_pngs(figures)
    assert list(pngs) == list(figures)
    assert pngs == expected
    # The worker took the last before this process drew the first; more as it finished each.
    assert drawn_here[0] == "Figure 0: R² per α"
    assert "Figure 5: R² per α" not in drawn_here
    assert 1 <= len(drawn_here) <= 5
    assert rendering._worker is None  # shut down with the block


def test_without_a_worker_every_figure_is_drawn_here(drawn_here):
    with matplotlib.style.context(REPORT_STYLE):
        pngs = render_pngs(_figures(3))
    assert pngs == _serial(_figures(3))
    assert len(drawn_here) == 3


def test_a_figure_that_does_not_pickle_is_drawn_here(drawn_here):
    figures = _figures(2)
    figures["fig1"].axes[0].xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}s"))
    with render_worker(), matplotlib.style.context(REPORT_STYLE):
        _wait_until_ready()
        pngs = render_pngs(figures)
    assert len(drawn_here) == 2
    assert pngs["fig1"] == _serial({"fig1": figures["fig1"]})["fig1"]


def test_a_dead_worker_leaves_the_figures_to_this_process(drawn_here):
    figures = _figures(4)
    with render_worker(), matplotlib.style.context(REPORT_STYLE):
        _wait_until_ready()
        for process in rendering._worker._processes.values():
            process.kill()
            process.join()
        pngs = render_pngs(figures)
        again = render_pngs(_figures(4))
    assert pngs == again == _serial(_figures(4))
    assert len(drawn_here) == 8
