"""The cyclic garbage collector paused while an import runs.

An import holds a whole file's planned and checked developments in memory
(hundreds of thousands of small dicts and lists for a large file) while it
makes as many again; the collector's full passes walk every one of them,
again and again, and took about a quarter of a GED import's time
(``bench/RESULTS.md``).  What an import makes holds no reference cycles, so
reference counting frees it all the same; the collector is paused for the
import and resumed after it.  Imports running at once in threads of one
process share the pause: the collector resumes when the last one ends, and
only if it was running when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (see the module's docstring)."""
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
