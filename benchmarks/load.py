"""A background load for the shared-machine measurements: one process spinning on one core."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator

SPIN = "while True: pass"


@contextlib.contextmanager
def one_busy_core() -> Iterator[None]:
    """Keep one core busy (a pure-Python spin loop, no threads) for the body of the block."""
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        time.sleep(0.5)  # let the scheduler see it running before anything is timed
        yield
    finally:
        spinner.kill()
        spinner.wait()
