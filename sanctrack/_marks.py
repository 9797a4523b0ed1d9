"""Facts and projections: the marks every answer carries (DESIGN §3).

An answer's *knowledge date* is the ``known=`` date (or the view's
:meth:`~sanctrack.Registry.as_known_on` date), else the registry's latest
``recorded`` date; an answer for a later date is a *projection*, and a state
begun by a lapse after the knowledge date is *scheduled*.
:class:`MarksMixin` gives :class:`~sanctrack.Registry` the marking of the
answers its runs keep: they are made marked as of their run's start with the
registry's knowledge date (:mod:`sanctrack._runs`), so the everything-known
point path adds one comparison; everything else goes through :meth:`_mark`.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from ._model import MeasureState
from ._runs import marked as _marked

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["MarksMixin"]

#: answers marked for a known= date kept at most (then the memo starts again)
_MARKED_MEMO = 1 << 15


class MarksMixin:
    """The facts/projection marks of answers, for :class:`~sanctrack.Registry`."""

    __slots__ = ()

    def _mark(self: Registry, s: MeasureState, o: int, y: _dt.date | None) -> MeasureState:
        """Answer ``s`` for the day with ordinal ``o``, marked as known on ``y`` (None: the registry's knowledge date).

        The answers the runs keep are marked as of their run's start with the
        registry's knowledge date; a question with another knowledge date gets
        the answer marked anew (a new object), and a question after the
        registry's knowledge date about a run that began before it gets that
        answer's kept twin marked a projection.
        """
        d = self._d
        if y is None:
            if s.knowledge != d.knowledge:  # an answer made with another knowledge date (defensive)
                return _marked(s, d.knowledge, o > d.kord)
            return s if o <= d.kord or s.projection else self._projected(s)
        return self._marked_as(s, y, o > y.toordinal())

    def _marked_as(self: Registry, s: MeasureState, y: _dt.date, projection: bool) -> MeasureState:
        """``s`` marked as known on ``y``: made once and kept in a bounded memo (audits ask one ``y`` often)."""
        memo = self._d.marked
        key = (id(s), y, projection)
        got = memo.get(key)
        if got is not None and got[0] is s:
            return got[1]
        m = _marked(s, y, projection)
        if len(memo) >= _MARKED_MEMO:
            memo.clear()
        memo[key] = (s, m)
        return m

    def _mark_all(self: Registry, states: list[MeasureState], o: int, y: _dt.date | None) -> list[MeasureState]:
        """:meth:`_mark` for the answers of one day (the global in-force index's)."""
        if y is None:
            if o <= self._d.kord:
                return states
            projected = self._projected
            return [s if s.projection else projected(s) for s in states]
        p = o > y.toordinal()
        marked_as = self._marked_as
        return [marked_as(s, y, p) for s in states]

    def _projected(self: Registry, s: MeasureState) -> MeasureState:
        """The kept answer ``s`` (a fact) marked a projection, made once and kept (one at most a run)."""
        got = self._d.projected.get(id(s))
        if got is None or got[0] is not s:
            got = (s, _marked(s, s.knowledge, True))
            self._d.projected[id(s)] = got
        return got[1]

    @property
    def knowledge(self: Registry) -> _dt.date | None:
        """The knowledge date of this registry's answers: the view's date, else the latest ``recorded``.

        An answer for a later date is a projection (``MeasureState.projection``).
        """
        return self._known if self._known is not None else self._d.knowledge
