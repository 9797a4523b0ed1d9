"""Query filters checked against what the registry knows.

A filter value the registry does not know (a typo such as ``US-OFACX`` or
``BELARUS-EO1403``) must never read as "nothing in force": it is refused with
:class:`~sanctrack.UnknownFilter` (``authority``, ``kind``, ``program``) or
:class:`~sanctrack.UnknownTarget` (``target``), naming the value, the known
values and the closest one. A known value with no hit stays an empty answer.

The known values are the whole registry's (an ``as_known_on`` view knows the
same vocabulary: a value known to the registry but not yet to the view gives
an empty answer, which is true of that view). They are collected on first use
and kept in the registry's catalog (:meth:`Catalog.filter_values`). Targets are
resolved here too (:func:`resolve`: an id, a name or alias, or an identifier).

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from ._errors import UnknownFilter, UnknownTarget
from ._index.catalog import Catalog, normalise_name
from ._model import Entity

__all__ = ["check_filters", "closest", "filter_targets", "resolve"]


def closest(value: str, choices: Iterable[str]) -> str | None:
    """A "did you mean …?" for the choice nearest ``value`` (case-insensitively), or None."""
    pool = list(choices)
    folded: dict[str, str] = {}
    for c in pool:
        folded.setdefault(c.casefold(), c)
    v = value.casefold()
    if v in folded:
        return f"did you mean {folded[v]!r}?"
    close = difflib.get_close_matches(v, list(folded), n=1, cutoff=0.6)
    return f"did you mean {folded[close[0]]!r}?" if close else None


def check_filters(cat: Catalog, authority: Any = None, kind: Any = None, program: Any = None) -> None:
    """Raise :class:`UnknownFilter` for the first filter value the registry does not know."""
    for name, value in (("authority", authority), ("kind", kind), ("program", program)):
        if value is None:
            continue
        known = cat.filter_values(name)
        if isinstance(value, str) and value in known:
            continue
        raise UnknownFilter(name, value, known, closest(value, known) if isinstance(value, str) else None)


def resolve(cat: Catalog, target: Any) -> tuple[Entity, ...]:
    """The entities a target reference means: an id, a name or alias, or an identifier (see Registry.resolve)."""
    if not isinstance(target, str):
        raise UnknownTarget(repr(target))
    if target in cat.entities:
        return (cat.entities[target],)
    ids = cat.name_index.get(normalise_name(target))
    if not ids:
        keys = [e.name for e in cat.entities.values()] + [a for e in cat.entities.values() for a in e.aliases]
        raise UnknownTarget(target, closest(target, [*keys, *cat.entities]))
    return tuple(cat.entities[i] for i in sorted(ids))


def filter_targets(cat: Catalog, target: Any) -> frozenset[str] | None:
    """The entity ids a ``target=`` filter means (None for no filter); an unknown target is a usage error."""
    if target is None:
        return None
    try:
        return frozenset(e.id for e in resolve(cat, target))
    except UnknownTarget as exc:
        raise UnknownTarget(exc.target, exc.hint, filter=True) from None
