"""Query filters checked against what the registry knows.

A filter value the registry does not know (a typo such as ``US-OFACX`` or
``BELARUS-EO1403``) must never read as "nothing in force": it is refused with
:class:`~sanctrack.UnknownFilter` (``authority``, ``kind``, ``program``) or
:class:`~sanctrack.UnknownTarget` (``target``), naming the value, the known
values and the closest one. A known value with no hit stays an empty answer.

The known values are the whole registry's (an ``as_known_on`` view knows the
same vocabulary: a value known to the registry but not yet to the view gives
an empty answer, which is true of that view). They are collected on first use
and kept with the registry's shared data.

This module is pure: no files, no clock, no printing.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Iterable

from ._errors import UnknownFilter, UnknownTarget
from ._model import MEASURE_KINDS

if TYPE_CHECKING:
    from ._registry import Registry

__all__ = ["check_filters", "filter_targets", "known_values", "closest"]


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


def known_values(reg: "Registry", name: str) -> frozenset[str]:
    """Every value of filter ``name`` (``authority``, ``kind`` or ``program``) the registry knows."""
    d = reg._d
    cache = getattr(d, "filter_values", None)
    if cache is None:
        cache = d.filter_values = {}
    got = cache.get(name)
    if got is None:
        with d.lock:
            got = cache.get(name)
            if got is None:
                got = cache[name] = _collect(reg, name)
    return got


def _collect(reg: "Registry", name: str) -> frozenset[str]:
    d = reg._d
    if name == "authority":
        return frozenset(d.authorities) | {m.authority for m in d.measures.values()}
    if name == "kind":
        return MEASURE_KINDS | {m.kind for m in d.measures.values()}
    if name == "program":
        found = {m.program for m in d.measures.values() if m.program}
        for tl in d.timelines.values():  # an amendment may move a measure to another program
            found.update(t.program for t in tl.records if t.program)
        return frozenset(found)
    raise ValueError(f"no filter {name!r}")


def check_filters(reg: "Registry", authority: Any = None, kind: Any = None, program: Any = None) -> None:
    """Raise :class:`UnknownFilter` for the first filter value the registry does not know."""
    for name, value in (("authority", authority), ("kind", kind), ("program", program)):
        if value is None:
            continue
        known = known_values(reg, name)
        if isinstance(value, str) and value in known:
            continue
        raise UnknownFilter(name, value, known, closest(value, known) if isinstance(value, str) else None)


def filter_targets(reg: "Registry", target: Any) -> frozenset[str] | None:
    """The entity ids a ``target=`` filter means (None for no filter); an unknown target is a usage error."""
    if target is None:
        return None
    try:
        return frozenset(e.id for e in reg.resolve(target))
    except UnknownTarget as exc:
        raise UnknownTarget(exc.target, exc.hint, filter=True) from None
