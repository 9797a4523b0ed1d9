"""Everything derived for one knowledge date: a :class:`View`, and the :class:`Views` a registry keeps.

A question about the whole registry (``in_force``, ``changes``, a bulk
``screen``) is answered from an index over every measure's runs as known on
one date (None: everything recorded). A :class:`View` holds those indexes for
one knowledge date, each made once, on first use, under the view's own lock:

* ``changes`` — the effective, uncorrected transitions by effective date
  (:mod:`sanctrack._index.changes`);
* ``in_force_blocks`` — the in-force runs in time blocks
  (:mod:`sanctrack._index.inforce`), or ``in_force_arrays``, the same as numpy
  arrays (:mod:`sanctrack._index.accel`);
* ``flips`` — measure id -> the days it goes into or out of force (the
  pure-Python screen, :mod:`sanctrack._index.screen`);
* ``flip_keys`` — the same days as one numpy key array (the vectorised screen).

:class:`Views` keeps the views of a registry and of its ``as_known_on``
views: the everything-known view and the :data:`KEPT` latest others. An index
is worth building when a knowledge date is asked about a second time
(:meth:`Views.worth`); a one-off question is answered measure by measure.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from typing import Any

from .._unchecked import collection_paused

__all__ = ["KEPT", "View", "Views"]

#: Views kept besides the everything-known one (the oldest other is dropped first).
KEPT = 7
#: (index, knowledge date) pairs remembered as asked once (then the memory starts again).
ASKED_MEMO = 4096


class View:
    """The indexes of one knowledge date (None: everything recorded), each made once on first use."""

    __slots__ = ("changes", "flip_keys", "flips", "in_force_arrays", "in_force_blocks", "known", "lock")

    #: the names of the indexes a view holds
    INDEXES = ("changes", "in_force_blocks", "in_force_arrays", "flips", "flip_keys")

    def __init__(self, known: _dt.date | None) -> None:
        self.known = known
        self.lock = threading.Lock()
        self.changes: Any = None
        self.in_force_blocks: Any = None
        self.in_force_arrays: Any = None
        self.flips: Any = None
        self.flip_keys: Any = None

    def has(self, name: str) -> bool:
        """True if index ``name`` is built."""
        return getattr(self, name) is not None

    def index(self, name: str, make: Callable[[_dt.date | None], Any]) -> Any:
        """Index ``name``, made by ``make(known)`` if it is not built yet (once, whatever the threads).

        The garbage collector is paused while it is made: every measure's runs
        may be built meanwhile, hundreds of thousands of objects and no cycles.
        """
        if name not in self.INDEXES:
            raise ValueError(f"a view has no index {name!r}")
        value = getattr(self, name)
        if value is None:
            with self.lock:
                value = getattr(self, name)
                if value is None:
                    with collection_paused():
                        value = make(self.known)
                    setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        built = [n for n in self.INDEXES if self.has(n)]
        return f"<View known={self.known}: {', '.join(built) or 'nothing built'}>"


class Views:
    """The views of one registry (shared by its ``as_known_on`` views), at most :data:`KEPT` + 1 of them."""

    __slots__ = ("_asked", "_by_known", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_known: dict[_dt.date | None, View] = {}
        self._asked: set[tuple[str, _dt.date | None]] = set()

    def of(self, known: _dt.date | None) -> View:
        """The view of knowledge date ``known``, made if it is not kept."""
        view = self._by_known.get(known)
        if view is None:
            with self._lock:
                view = self._by_known.get(known)
                if view is None:
                    others = [k for k in self._by_known if k is not None]
                    if known is not None and len(others) >= KEPT:
                        del self._by_known[others[0]]  # the oldest other; the everything-known view stays
                    view = self._by_known[known] = View(known)
        return view

    def built(self, name: str, known: _dt.date | None) -> bool:
        """True if the view of ``known`` is kept and has index ``name`` built."""
        view = self._by_known.get(known)
        return view is not None and view.has(name)

    def worth(self, name: str, known: _dt.date | None) -> bool:
        """True if index ``name`` of ``known`` is built or asked for a second time (then worth building)."""
        if self.built(name, known):
            return True
        key = (name, known)
        with self._lock:
            if key in self._asked:
                return True
            if len(self._asked) >= ASKED_MEMO:
                self._asked.clear()
            self._asked.add(key)
        return False
