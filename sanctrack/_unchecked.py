"""The one place where sanctrack steps outside attrs' constructors and the garbage collector's rhythm.

Everything else in the library builds records with their attrs constructors
(``Transition(...)``, ``attrs.evolve``), which run every validator. Two things
need more speed than that and are kept here, where one reader can audit them:

* :func:`collection_paused`, a context manager that pauses the cyclic garbage
  collector while a registry is built or loaded. Building allocates hundreds of
  thousands of acyclic objects; without the pause the collector walks them over
  and over. Pausing is process-wide (other threads see it too), so it is done
  only here, is re-entrant, and restores the previous setting.
* constructors that skip validators, for the load cache only: its records were
  checked when they were first loaded, and the cache entry is signature-verified.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

__all__ = ["collection_paused"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block (re-entrant, thread-safe).

    The collector is re-enabled when the outermost block exits, if it was
    enabled when the outermost block entered.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
