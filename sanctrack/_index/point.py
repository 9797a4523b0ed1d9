"""The point question: one measure's state on a date (or at an instant), as known on a date.

:func:`state_of` is the general path every other question goes through for a
single measure (``in_force`` measure by measure, ``screen`` question by
question, ``compare``, ``explain``): the measure's epoch for the knowledge
date, its runs (:meth:`~sanctrack._index.timeline.Timeline.state`), and the
answer's marks (:mod:`sanctrack._index.marks`). The everything-known calendar
date question has a shorter path in :meth:`sanctrack.Registry.state`, reading
the same runs.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .._model import MeasureState
from .._time import known_arg
from .catalog import Catalog
from .marks import mark
from .timeline import Timeline

__all__ = ["effective_known", "state_of"]


def state_of(cat: Catalog, tl: Timeline, when: _dt.date | _dt.datetime, y: _dt.date | None) -> MeasureState:
    """The state of ``tl``'s measure on a parsed date or at an aware instant, as known on ``y`` (None: everything)."""
    s, o = tl.state(tl.epoch(y), when, cat.context)
    return mark(cat, s, o, y)


def effective_known(view: _dt.date | None, known: Any) -> _dt.date | None:
    """The knowledge date of a question: its ``known=`` (parsed), capped by the view's date (None: everything)."""
    y = known_arg(known)
    if view is not None and (y is None or view < y):
        y = view
    return y
