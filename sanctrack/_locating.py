"""Where records live in a registry's files: mapping the registry's problems back to files and lines.

Pass 1 (:mod:`sanctrack._reading`) records, for every record id, the places it
is defined (:class:`Index`: its kind, file and location; the mapping with its
marks is read again from the file's compressed bytes, :class:`FileText`, only
when a problem must be located).
The problems of pass 2 (:meth:`Registry.build`) name records and fields;
:meth:`Index.locate` turns each into ``path:line:column`` and a location such
as ``$.transitions[2].effective``, and :meth:`Index.follows_from_broken` drops
those that only echo a record that already failed in pass 1.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import attrs

from ._errors import Problem
from ._fields import SpecTable
from ._yaml import MAX_DEPTH, MAX_NODES, MarkedList, MarkedMap, location, parse_yaml

__all__ = ["FileText", "Where", "Index", "record_field"]


class FileText:
    """One file's bytes, parsed again only when a problem in it must be located.

    Pass 1 drops each file's values (mappings, lists, marks) as soon as its records
    are built; keeping them all for pass 2 held about 4 KB per transition. The few
    places a pass-2 problem names are found again here: the same bytes and limits
    give the same values and marks.
    """

    __slots__ = ("packed", "path", "max_depth", "max_nodes", "_doc")

    def __init__(self, data: bytes, path: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
        self.packed = zlib.compress(data, 1)  # a registry file packs about 3 to 1, quickly
        self.path = path
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self._doc: Any = _UNREAD

    def node(self, parts: tuple[Any, ...]) -> Any:
        """The value at ``parts`` (as read in pass 1), None if there is none."""
        if self._doc is _UNREAD:
            self._doc = parse_yaml(zlib.decompress(self.packed), self.path, max_depth=self.max_depth,
                                   max_nodes=self.max_nodes)[0]
        node = self._doc
        for step in parts:
            if isinstance(node, MarkedMap) and isinstance(step, str):
                node = node.get(step)
            elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                return None
        return node


_UNREAD = object()


class Where:
    """Where one record is defined: its kind, file, mapping (with marks) and location.

    ``node`` is the record's mapping, given as it is or as the :class:`FileText` it
    is read again from (at ``parts``) when it is needed.
    """

    __slots__ = ("kind", "path", "_node", "parts")

    def __init__(self, kind: str, path: str, node: Any, parts: tuple[Any, ...]) -> None:
        self.kind = kind
        self.path = path
        self._node = node
        self.parts = parts

    @property
    def source(self) -> Any:
        """The node as given: a :class:`FileText` until it is read again."""
        return self._node

    @property
    def node(self) -> Any:
        if type(self._node) is FileText:
            self._node = self._node.node(self.parts)
        return self._node


class Index:
    """record id -> the places it is defined (kind, file, node, location).

    Records are added in reading order as flat (id, place, item number) triples,
    a few pointers each; the table by id is built only when a problem is located.
    """

    def __init__(self) -> None:
        self._added: list[Any] = []  # record id, Where, item number (or None), ...
        self._by_id: dict[str, list[Where]] | None = None
        self.broken: set[str] = set()  # ids of records (and measures) that failed in pass 1
        self.unreadable: set[str] = set()  # kinds of records in a file that could not be read at all

    def follows_from_broken(self, p: Problem, measure_of: dict[str, str]) -> bool:
        """True for a registry problem that only echoes a record that failed in pass 1."""
        if not self.broken and not self.unreadable:
            return False
        if p.message.startswith("unknown "):
            if p.message.split(" ", 2)[1] in self.unreadable:
                return True
            for quoted in re.findall(r"'([^']*)'", p.message):
                if quoted in self.broken:
                    return True
        return p.field == "action" and measure_of.get(p.record or "") in self.broken

    def add(self, record_id: str, where: Where) -> None:
        """``record_id`` is defined at ``where``."""
        self._added += (record_id, where, None)
        self._by_id = None

    def add_item(self, record_id: str, within: Where, n: int) -> None:
        """``record_id`` is item ``n`` of the list at ``within`` (its parts are the list's)."""
        self._added += (record_id, within, n)
        self._by_id = None

    @property
    def by_id(self) -> dict[str, list[Where]]:
        """record id -> the places it is defined, in reading order."""
        if self._by_id is None:
            by_id: dict[str, list[Where]] = {}
            added = self._added
            for i in range(0, len(added), 3):
                where, n = added[i + 1], added[i + 2]
                if n is not None:
                    where = Where(where.kind, where.path, where.source, where.parts + (n,))
                by_id.setdefault(added[i], []).append(where)
            self._by_id = by_id
        return self._by_id

    def locate_safely(self, p: Problem) -> Problem:
        """:meth:`locate`, or the problem as it is if it cannot be located."""
        try:
            return self.locate(p)
        except Exception:  # pragma: no cover - a problem must never be lost to a locating bug
            return p

    def locate(self, p: Problem) -> Problem:
        places = self.by_id.get(p.record or "", [])
        if not places:
            return p
        m = re.match(r"duplicate (\w+) id", p.message)
        if m:
            same = [w for w in places if w.kind == m.group(1)] or places
            where = same[-1]
        else:
            base = _field_parts(p.field)
            where = next((w for w in places if base and isinstance(w.node, MarkedMap) and base[0] in w.node),
                         places[0])
        line, column, parts = self._field_mark(where, p)
        message = p.message
        for rid in p.related:
            others = self.by_id.get(rid)
            if others:
                o = others[0]
                mark = o.node.mark if isinstance(o.node, MarkedMap) else None
                at = f"{o.path}:{mark[0]}:{mark[1]}" if mark else o.path
                message += f"; {rid!r} is at {at}"
        return attrs.evolve(p, message=message, path=where.path, line=line, column=column,
                            location=location(parts))

    @staticmethod
    def _field_mark(where: Where, p: Problem) -> tuple[int, int, tuple[Any, ...]]:
        node = where.node
        parts = where.parts
        mark = node.mark
        for step in _field_parts(p.field):
            if isinstance(node, MarkedMap) and isinstance(step, str) and step in node:
                mark = node.at(step)
                node = node[step]
                parts = parts + (step,)
            elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
                mark = node.items_at[step]
                node = node[step]
                parts = parts + (step,)
            else:
                break
        if isinstance(node, MarkedList):  # point at the item the message quotes, if any
            for n, item in enumerate(node):
                if isinstance(item, str) and repr(str(item)) in p.message:
                    return node.items_at[n][0], node.items_at[n][1], parts + (n,)
        return mark[0], mark[1], parts


def _field_parts(field: str | None) -> tuple[Any, ...]:
    if not field:
        return ()
    out: list[Any] = []
    for name, index in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", field):
        out.append(name if name else int(index))
    return tuple(out)


def record_field(message: str, node: MarkedMap, spec: SpecTable) -> str | None:
    """The first field of ``spec`` named in a record-level error message (for locating it)."""
    best: tuple[int, str] | None = None
    for key in spec:
        m = re.search(rf"\b{re.escape(key)}\b", message)
        if m and key in node and (best is None or m.start() < best[0]):
            best = (m.start(), key)
    return best[1] if best else None
