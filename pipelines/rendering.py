"""A report's figures rendered to PNG on two cores when a command writes many reports.

Laying out and drawing a figure is single-threaded Python (~0.1–0.6 s a figure), so on
`trainyard run --all` the second core sat idle through a third of the wall time.
Inside `render_worker()`, `render_pngs` draws a report's figures from the front while one
worker process, spawned once and kept until the block ends, draws them from the back. A `Figure`
pickles whole (matplotlib supports it) and renders to the same bytes after the trip; the
pickle goes only to that worker, never to disk. A figure renders here instead whenever the
worker is still starting, has died, or cannot take it (a figure that does not pickle), so
the worker makes a report faster, never different, and a failed render fails as it would
here.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

import matplotlib.style
from matplotlib.figure import Figure

from pipelines.sections import png_bytes

REPORT_STYLE = "default"
# Figures given to the worker and not yet drawn, at most: with 2 this process waited longer
# at the end of each report for the worker's queue (run --all 9.3 s drawing, against 7.8 s).
QUEUED = 1
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
    """The worker's render of `figure`; None if it cannot take it: a figure that does not
    pickle (pickled here, not on the pool's feeder thread while this one draws), or a dead
    worker, which is then not offered another figure."""
    global _ready
    try:
        blob = pickle.dumps(figure)
    except Exception:
        return None
    try:
        return worker.submit(render_pickled, blob)
    except Exception:
        _ready = None
        return None


def render_pngs(figures: dict[str, Figure]) -> dict[str, bytes]:
    """Each figure as a deterministic PNG (`png_bytes`), by name, in the given order."""
    # This process draws from the front, the worker from the back, one figure at a time, so
    # neither waits long for the other whatever each figure costs.
    queue = deque(figures)
    sent: dict[str, Future] = {}
    rendered: dict[str, bytes] = {}
    while queue:
        while (worker := _worker_if_ready()) and len(queue) > 1:
            if sum(not future.done() for future in sent.values()) >= QUEUED:
                break
            name = queue.pop()
            future = _send(worker, figures[name])
            if future is None:
                rendered[name] = png_bytes(figures[name])
            else:
                sent[name] = future
        name = queue.popleft()
        rendered[name] = png_bytes(figures[name])
    for name, future in sent.items():
        try:
            rendered[name] = future.result()
        except Exception:  # the worker died or failed: drawn here, failing as it would here
            rendered[name] = png_bytes(figures[name])
    return {name: rendered[name] for name in figures}
