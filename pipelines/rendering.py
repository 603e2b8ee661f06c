"""A report's figures rendered to PNG on two cores when a command writes many reports.

Laying out and drawing a figure is single-threaded Python (~0.1–0.6 s a figure), so on
`trainyard run --all` the second core sat idle through a third of the wall time.
Inside `render_worker()`, `render_pngs` sends every other figure of a report to one worker
process, spawned once and kept until the block ends, and renders the rest here. A `Figure`
pickles whole (matplotlib supports it) and renders to the same bytes after the trip; the
pickle goes only to that worker, never to disk. A figure renders here instead whenever the
worker is still starting, has died, or cannot take it (a figure that does not pickle), so
the worker makes a report faster, never different, and a failed render fails as it would
here.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

import matplotlib.style
from matplotlib.figure import Figure

from pipelines.sections import png_bytes

REPORT_STYLE = "default"
_worker: ProcessPoolExecutor | None = None
_ready: Future | None = None


def render_pickled(figure: bytes) -> bytes:
    """`png_bytes` of a pickled figure, in the reports' matplotlib style (the worker's task)."""
    with matplotlib.style.context(REPORT_STYLE):
        return png_bytes(pickle.loads(figure))


def _up() -> int:
    return 0


@contextmanager
def render_worker() -> Iterator[None]:
    """While inside, `render_pngs` shares figures with one worker process (spawned, so no
    thread pool or lock of this process is copied into it), shut down at the end."""
    global _worker, _ready
    if _worker is not None:  # nested: the outer block's worker serves
        yield
        return
    _worker = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    _ready = _worker.submit(_up)  # done once the worker is up and took a task
    try:
        yield
    finally:
        worker, _worker, _ready = _worker, None, None
        worker.shutdown(wait=True, cancel_futures=True)


def _worker_if_ready() -> ProcessPoolExecutor | None:
    if _worker is None or _ready is None or not _ready.done() or _ready.exception():
        return None
    return _worker


def _send(worker: ProcessPoolExecutor, figure: Figure) -> Future | None:
    """The worker's render of `figure`, None if it cannot take it (pickled here, not on the
    pool's feeder thread while this one draws; a dead worker refuses at once)."""
    try:
        return worker.submit(render_pickled, pickle.dumps(figure))
    except Exception:
        return None


def render_pngs(figures: dict[str, Figure]) -> dict[str, bytes]:
    """Each figure as a deterministic PNG (`png_bytes`), by name, in the given order."""
    names = list(figures)
    worker = _worker_if_ready()
    sent: dict[str, Future] = {}
    if worker is not None and len(names) > 1:
        futures = {name: _send(worker, figures[name]) for name in names[1::2]}
        sent = {name: future for name, future in futures.items() if future is not None}
    rendered = {name: png_bytes(figures[name]) for name in names if name not in sent}
    for name, future in sent.items():
        try:
            rendered[name] = future.result()
        except Exception:  # the worker died or could not take it: rendered here instead
            rendered[name] = png_bytes(figures[name])
    return {name: rendered[name] for name in names}
