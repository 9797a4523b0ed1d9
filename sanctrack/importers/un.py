"""The UN Security Council Consolidated List (XML: ``CONSOLIDATED_LIST``).

One :class:`~sanctrack.importers.Listing` per ``INDIVIDUAL`` or ``ENTITY``, keyed by
its ``REFERENCE_NUMBER`` (``QDi.413``: stable across issues; the identifier is
``un:QDi.413``):

* ``LISTED_ON`` -> ``effective`` (the date the committee listed it);
* ``LAST_DAY_UPDATED`` values -> ``updated`` (an amendment inside a diff's window is
  dated by it);
* ``UN_LIST_TYPE`` -> the programme (``Al-Qaida``, ``DPRK``, ``Iran`` ...);
* the root's ``dateGenerated`` -> the snapshot's date (its own calendar day), i.e.
  the ``recorded`` date of what is inferred from it.

A delisting leaves no trace in the list: a lift is dated by the window between two
issues.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from ._shape import ListFormatError, Listing, ListSnapshot
from ._xml import XmlTree, local, parse, read_file, text_of, xml_date

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = ["UnReader", "read"]

_RECORDS = ("INDIVIDUAL", "ENTITY")


def _child(e: Element, name: str) -> Element | None:
    return e.find(name)


def _texts(e: Element, path: str) -> list[str]:
    return [t for t in (text_of(x) for x in e.iterfind(path)) if t]


def _listing(tree: XmlTree, e: Element) -> Listing:
    kind = "person" if local(e.tag) == "INDIVIDUAL" else "organisation"
    ref = text_of(_child(e, "REFERENCE_NUMBER"))
    if not ref:
        raise tree.error(e, "REFERENCE_NUMBER", "missing: every listing has a reference number")
    parts = [text_of(_child(e, n)) for n in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    if not name:
        raise tree.error(e, "FIRST_NAME", f"{ref}: no name")
    program = text_of(_child(e, "UN_LIST_TYPE"))
    if not program:
        raise tree.error(e, "UN_LIST_TYPE", f"{ref}: no list type (programme)")
    listed = _child(e, "LISTED_ON")
    effective = xml_date(tree, e, "LISTED_ON", listed.text if listed is not None else None)
    updated = tuple(sorted({d for d in (xml_date(tree, e, "LAST_DAY_UPDATED", v)
                                        for v in _texts(e, "LAST_DAY_UPDATED/VALUE")) if d}))
    aliases = tuple(dict.fromkeys(
        _texts(e, "INDIVIDUAL_ALIAS/ALIAS_NAME") + _texts(e, "ENTITY_ALIAS/ALIAS_NAME")
        + [text_of(_child(e, "NAME_ORIGINAL_SCRIPT"))]
    ))
    aliases = tuple(a for a in aliases if a and a != name)
    docs = []
    for d in e.iterfind("INDIVIDUAL_DOCUMENT"):
        number = text_of(d.find("NUMBER"))
        if number:
            kind_of = text_of(d.find("TYPE_OF_DOCUMENT")) or "document"
            docs.append(f"{kind_of}: {number}")
    return Listing(
        key=ref, name=name, kind=kind, program=program, aliases=aliases,
        identifiers=(f"un:{ref}", *dict.fromkeys(docs)), effective=effective, updated=updated,
        instrument=None, line=tree.line(e),
    )


class UnReader:
    """Reads a UN consolidated list XML file."""

    list = "un"
    suffixes = (".xml",)

    def read(self, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
        p = os.fspath(path)
        data, digest = read_file(p)
        tree = parse(p, data, lines_for=lambda tag: tag in _RECORDS or tag == "CONSOLIDATED_LIST")
        root = tree.root
        if local(root.tag) != "CONSOLIDATED_LIST":
            raise tree.error(root, None, f"root element is <{local(root.tag)}>, not <CONSOLIDATED_LIST>")
        stamp = root.get("dateGenerated")
        generated: dt.datetime | None = None
        day: dt.date | None = None
        if stamp:
            try:
                generated = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            except ValueError:
                raise tree.error(root, "dateGenerated", f"invalid instant {stamp!r}") from None
            day = generated.date()  # the calendar day where it was generated
        if date is not None:
            from ._dates import as_date

            day = as_date(p, date)
        if day is None:
            raise ListFormatError(p, 1, "dateGenerated", "no date in the file: give the snapshot's date")
        entries: dict[str, Listing] = {}
        for e in root.iter():
            if local(e.tag) not in _RECORDS:
                continue
            item = _listing(tree, e)
            if item.key in entries:
                raise tree.error(e, "REFERENCE_NUMBER",
                                 f"{item.key} already given on line {entries[item.key].line}")
            entries[item.key] = item
        if not entries:
            raise ListFormatError(p, None, None, "no INDIVIDUAL or ENTITY: an empty list is refused")
        return ListSnapshot("un", p, day, digest, entries, generated, dated=date is None)


def read(path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """Read one UN consolidated list file (see the module docstring)."""
    return UnReader().read(path, date)
